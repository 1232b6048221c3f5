package node_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
)

var (
	rdOps       = flag.Int("randdiff.ops", 300, "operations per seed of TestRandomDifferential")
	rdSeeds     = flag.Int("randdiff.seeds", 3, "number of seeds TestRandomDifferential runs")
	rdFrom      = flag.Int64("randdiff.from", 1, "first seed TestRandomDifferential runs")
	rdKnown     = flag.Bool("randdiff.known", false, "also send the shapes listed in knownDifferences")
	rdKeepGoing = flag.Bool("randdiff.keepgoing", false, "replace a frozen node and go on instead of failing at once")
	rdDigest    = flag.Int("randdiff.digest", 1, "digest both keyspaces every N operations")
	rdDeadline  = flag.Duration("randdiff.deadline", 10*time.Second, "per-command deadline")
	rdMax       = flag.Int("randdiff.max", 10, "distinct differences after which a seed stops")
)

// TestRandomDifferential sends the same seeded random command streams to
// redis-server and to a replscope node — single commands, pipelines,
// MULTI/EXEC with WATCH and a second client, pub/sub on a subscriber
// connection, full SCAN walks — over every family in families, valid and
// invalid shapes alike, compares the replies byte for byte (cmpMode says
// where Redis leaves a reply unspecified) and digests both keyspaces after
// each operation. A node that does not answer within the per-command
// deadline fails the test at once with the last command sent. Shapes in
// knownDifferences are not sent (unless -randdiff.known).
//
// Longer: go test -run TestRandomDifferential ./node/ -randdiff.ops=20000
// -randdiff.seeds=5 -randdiff.keepgoing -v
func TestRandomDifferential(t *testing.T) {
	// Active expiry off on both: a key set already expired (SET EXAT 1)
	// stays until it is touched, so DBSIZE and the digests do not depend
	// on when each server's expiry cycle happens to sample it.
	rs := redistest.Start(t, "--enable-debug-command", "yes")
	activeExpireOff(t, rs.Addr)
	log := &diffLog{}
	h := &harness{t: t, rs: rs}
	h.startNode()
	supported := h.nodeCommands()
	var skipped []string
	h.table, skipped = buildTable(supported)
	if len(skipped) > 0 {
		t.Logf("not in the node's COMMAND LIST, left out: %s", strings.Join(skipped, " "))
	}
	if missing := uncovered(supported); len(missing) > 0 {
		t.Logf("commands the node has that no family covers (add an entry to families or excludedCommands): %s", strings.Join(missing, " "))
	}
	for i := int64(0); i < int64(*rdSeeds); i++ {
		seed := *rdFrom + i
		h.runSeed(seed, *rdOps, log)
		if t.Failed() && !*rdKeepGoing {
			break
		}
	}
	for name, n := range h.skippedKnown {
		t.Logf("knownDifferences %q: %d commands not sent", name, n)
	}
	if len(log.list) > 0 {
		t.Errorf("%d distinct differences:\n%s", len(log.list), log.report())
	}
}

// harness holds the two servers and the connections to each.
type harness struct {
	t            *testing.T
	rs           *redistest.Server
	node         *node.Node
	nodeAddr     string // read once: Addr takes the node's lock, which a frozen node never releases
	redis, repl  *side
	table        []weighted
	skippedKnown map[string]int
}

// side is one server's connections: main runs the stream, other is a
// second client (WATCH conflicts), sub is the subscriber, insp reads
// digests.
type side struct {
	name                   string
	addr                   string
	main, other, sub, insp *resp.Client
	channels, patterns     map[string]bool
}

func (h *harness) startNode() {
	h.node = startFreezable(h.t, 10*time.Second)
	h.nodeAddr = h.node.Addr()
	activeExpireOff(h.t, h.nodeAddr)
	if h.skippedKnown == nil {
		h.skippedKnown = map[string]int{}
	}
}

// startFreezable starts a node whose cleanup gives up on it after
// closeWait instead of hanging the test binary when it is frozen.
func startFreezable(t testing.TB, closeWait time.Duration) *node.Node {
	t.Helper()
	return nodetest.StartWith(t, nodetest.Options{CloseWait: closeWait}, "--enable-debug-command", "yes").Node
}

func (h *harness) dial(addr string) *resp.Client {
	c, err := resp.Dial(context.Background(), addr, *rdDeadline)
	if err != nil {
		h.t.Fatalf("dial %s: %v", addr, err)
	}
	return c
}

func (h *harness) connect() {
	for _, s := range []**side{&h.redis, &h.repl} {
		if *s != nil {
			(*s).close()
		}
	}
	h.redis = &side{name: "redis-server", addr: h.rs.Addr}
	h.repl = &side{name: "replscope", addr: h.nodeAddr}
	for _, s := range []*side{h.redis, h.repl} {
		s.main, s.other, s.sub, s.insp = h.dial(s.addr), h.dial(s.addr), h.dial(s.addr), h.dial(s.addr)
		s.channels, s.patterns = map[string]bool{}, map[string]bool{}
	}
}

func (s *side) close() {
	for _, c := range []*resp.Client{s.main, s.other, s.sub, s.insp} {
		if c != nil {
			c.Close()
		}
	}
}

// nodeCommands returns the node's COMMAND LIST, without subcommands.
func (h *harness) nodeCommands() map[string]bool {
	c := h.dial(h.nodeAddr)
	defer c.Close()
	v, err := c.Do("COMMAND", "LIST")
	if err != nil || v.Kind != resp.Array {
		h.t.Fatalf("COMMAND LIST: %v %s", err, v)
	}
	out := map[string]bool{}
	for _, e := range v.Elems {
		if name := string(e.Str); !strings.Contains(name, "|") { // subcommands are drawn with their command
			out[strings.ToUpper(name)] = true
		}
	}
	return out
}

// weighted is one command of the table with its draw weight.
type weighted struct {
	spec   cmdSpec
	weight float64
}

// buildTable flattens families into weighted commands, keeping the
// commands the node lists (and NOSUCHCMD, which tests the unknown-command
// reply).
func buildTable(supported map[string]bool) ([]weighted, []string) {
	var out []weighted
	var skipped []string
	for _, f := range families {
		var keep []cmdSpec
		for _, c := range f.cmds {
			if supported[c.name] || c.name == "NOSUCHCMD" {
				keep = append(keep, c)
			} else {
				skipped = append(skipped, c.name)
			}
		}
		for _, c := range keep {
			out = append(out, weighted{c, float64(f.weight) / float64(len(keep))})
		}
	}
	return out, skipped
}

// draw returns a random command of the table; alone commands only when
// alone is allowed.
func (h *harness) draw(g *gen, alone bool) cmdSpec {
	total := 0.0
	for _, w := range h.table {
		if alone || !w.spec.alone {
			total += w.weight
		}
	}
	x := g.r.Float64() * total
	for _, w := range h.table {
		if !alone && w.spec.alone {
			continue
		}
		if x -= w.weight; x < 0 {
			return w.spec
		}
	}
	return h.table[0].spec
}

// gcmd is one generated command with its comparison.
type gcmd struct {
	args   []string
	mode   cmpMode
	queued []gcmd // EXEC: the commands MULTI queued
	inline bool   // sent as an inline command (quoted, as redis-cli would)
}

func (s gcmd) String() string {
	if s.inline {
		return "(inline) " + quoteArgs(s.args)
	}
	return quoteArgs(s.args)
}

// next generates one command: its arguments, a mangled arity now and then,
// and none of the shapes in knownDifferences.
func (h *harness) next(g *gen, alone, inMulti bool) gcmd {
	for {
		spec := h.draw(g, alone)
		args := append([]string{spec.name}, spec.args(g)...)
		switch {
		case g.chance(0.03) && len(args) > 1:
			args = args[:1+g.intn(len(args)-1)]
		case g.chance(0.02):
			args = append(args, g.pick("x", "", "\x00", "-1")) // no positive number: no short TTL
		case g.chance(0.02):
			args[0] = strings.ToLower(args[0])
		}
		if !*rdKnown {
			if k := matchKnown(args, inMulti); k != nil {
				h.skippedKnown[k.name]++
				continue
			}
		}
		return gcmd{args: args, mode: spec.mode}
	}
}

// runSeed runs ops operations of one seed from an empty keyspace.
func (h *harness) runSeed(seed int64, ops int, log *diffLog) {
	t := h.t
	g := &gen{r: rand.New(rand.NewSource(seed))}
	h.connect()
	h.flushBoth()
	r := &run{h: h, g: g, seed: seed, log: log}
	start := time.Now()
	for r.step = 1; r.step <= ops; r.step++ {
		if len(r.trace) > 0 {
			r.history = append(r.history[max(0, len(r.history)-2):], strings.Join(r.trace, " ; "))
		}
		r.failed, r.trace = false, nil
		r.op()
		if !r.failed && r.step%*rdDigest == 0 {
			r.checkDigest()
		}
		if r.failed {
			if r.distinct >= *rdMax {
				t.Errorf("seed %d: stopped after %d distinct differences", seed, r.distinct)
				break
			}
			h.resync()
		}
	}
	t.Logf("seed %d: %d operations in %s, %d differences", seed, r.step-1, time.Since(start).Round(time.Millisecond), r.distinct)
}

// flushBoth empties both keyspaces through the inspection connections.
func (h *harness) flushBoth() {
	for _, s := range []*side{h.redis, h.repl} {
		if v, err := s.insp.Do("FLUSHALL"); err != nil || v.Kind == resp.Error {
			h.t.Fatalf("FLUSHALL on %s: %v %s", s.name, err, v)
		}
	}
}

// resync brings both servers back to the same (empty) state and fresh
// connections after a difference, so that one difference is reported once
// rather than as every later step.
func (h *harness) resync() {
	h.connect()
	h.flushBoth()
}

// run is one seed's stream.
type run struct {
	h        *harness
	g        *gen
	seed     int64
	step     int
	log      *diffLog
	failed   bool // a difference in this step
	distinct int
	db       int      // main connection's database, as Redis answered SELECT
	trace    []string // the commands of the current operation
	history  []string // the last operations before it
}

// lastName is the name of the last command of the current operation.
func (r *run) lastName() string {
	if len(r.trace) == 0 {
		return "(nothing)"
	}
	name, _, _ := strings.Cut(r.trace[len(r.trace)-1], " ")
	return strings.ToUpper(name)
}

// op runs one random operation.
func (r *run) op() {
	switch x := r.g.intn(100); {
	case x < 58:
		r.single()
	case x < 70:
		r.pipeline()
	case x < 82:
		r.multi()
	case x < 87:
		r.exchange(func(s *side) *resp.Client { return s.other }, []gcmd{r.h.next(r.g, false, false)})
	case x < 94:
		r.pubsub()
	case x < 97:
		r.scanAll()
	default:
		if r.g.chance(0.2) {
			r.exchange(mainConn, []gcmd{{args: argv("FLUSHALL", r.g.pick("SYNC", "ASYNC"))}})
		} else {
			r.single()
		}
	}
}

func mainConn(s *side) *resp.Client { return s.main }

func (r *run) single() {
	c := r.h.next(r.g, true, false)
	c.inline = r.g.chance(0.1)
	rr, nr, ok := r.exchange(mainConn, []gcmd{c})
	if !ok {
		return
	}
	name := strings.ToUpper(c.args[0])
	if name == "SELECT" && string(rr[0]) == "+OK\r\n" {
		fmt.Sscan(c.args[1], &r.db)
	}
	if name == "SPOP" {
		r.realignSpop(c, rr[0], nr[0])
	}
}

func (r *run) pipeline() {
	n := 2 + r.g.intn(7)
	cmds := make([]gcmd, n)
	for i := range cmds {
		cmds[i] = r.h.next(r.g, false, false)
		if strings.EqualFold(cmds[i].args[0], "SELECT") {
			cmds[i].args = argv("PING") // keep track of the database: SELECT runs alone
		}
	}
	r.exchange(mainConn, cmds)
}

// exchange sends cmds as one write on each server's connection (conn
// picks it), reads the replies and compares them. ok is false when a
// difference was recorded.
func (r *run) exchange(conn func(*side) *resp.Client, cmds []gcmd) (redis, repl [][]byte, ok bool) {
	r.trace = append(r.trace, describe(cmds))
	redis, err := r.roundTrip(r.h.redis, conn(r.h.redis), cmds)
	if err != nil {
		r.h.t.Fatalf("seed %d step %d: redis-server: %v after %s", r.seed, r.step, err, describe(cmds))
	}
	repl, err = r.roundTrip(r.h.repl, conn(r.h.repl), cmds)
	if err != nil {
		r.nodeFailed(err, cmds)
		return nil, nil, false
	}
	ok = true
	for i, c := range cmds {
		if !sameReply(c, redis[i], repl[i]) {
			r.differ(execCulprit(c, redis[i], repl[i]))
			ok = false
		}
	}
	return redis, repl, ok
}

// roundTrip writes cmds in one write and reads one raw reply per command.
func (r *run) roundTrip(s *side, c *resp.Client, cmds []gcmd) ([][]byte, error) {
	var buf []byte
	for _, cmd := range cmds {
		if cmd.inline {
			buf = appendInline(buf, cmd.args)
			continue
		}
		buf = resp.AppendCommand(buf, cmd.args...)
	}
	if err := c.WriteRaw(buf); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	out := make([][]byte, len(cmds))
	for i := range cmds {
		_ = c.Conn().SetReadDeadline(time.Now().Add(*rdDeadline))
		raw, err := c.Reader().ReadRaw()
		if err != nil {
			return nil, fmt.Errorf("reply %d of %d: %w", i+1, len(cmds), err)
		}
		out[i] = raw
	}
	return out, nil
}

// nodeFailed handles a node that closed a connection or stopped
// answering: a freeze fails the test at once (or, with -randdiff.keepgoing,
// is recorded and the node replaced); a closed connection is a difference.
func (r *run) nodeFailed(err error, cmds []gcmd) {
	last := describe(cmds)
	frozen := isTimeout(err) || !r.h.answers()
	if frozen {
		msg := fmt.Sprintf("replscope stopped answering (%v); last command sent: %s", err, last)
		if !*rdKeepGoing {
			r.h.t.Fatalf("seed %d step %d: %s", r.seed, r.step, msg)
		}
		r.record("FREEZE "+strings.ToUpper(cmds[len(cmds)-1].args[0]), last, "(answers)", msg)
		r.h.startNode()
		return
	}
	r.record("CLOSED "+strings.ToUpper(cmds[len(cmds)-1].args[0]), last, "(answers)", "connection closed: "+err.Error())
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// answers reports whether the node answers PING on a new connection
// within the deadline.
func (h *harness) answers() bool {
	c, err := resp.Dial(context.Background(), h.nodeAddr, *rdDeadline)
	if err != nil {
		return false
	}
	defer c.Close()
	v, err := c.Do("PING")
	return err == nil && v.Kind == resp.SimpleString
}

// activeExpireOff turns the active expiry cycle off (DEBUG
// SET-ACTIVE-EXPIRE 0) on the server at addr.
func activeExpireOff(t testing.TB, addr string) {
	t.Helper()
	c, err := resp.Dial(context.Background(), addr, 10*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	if v, err := c.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0"); err != nil || v.Kind == resp.Error {
		t.Fatalf("%s: DEBUG SET-ACTIVE-EXPIRE 0: %v %v", addr, v, err)
	}
}
