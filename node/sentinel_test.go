package node_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/faultnet"
	"github.com/replscope/replscope/internal/nodestart"
	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
)

// These tests put replscope nodes under three real redis-sentinel
// processes (quorum 2) and let Sentinel do what it does in production:
// discover the group through INFO and hello messages, detect the master's
// crash, elect a leader, pick a replica by priority and offset, promote it
// with MULTI / SLAVEOF NO ONE / CONFIG REWRITE / CLIENT KILL / EXEC, point
// the other replicas at it, and convert the old master into a replica when
// it comes back.

const sentinelMaster = "mymaster"

// member is one data node of a Sentinel group: an embedded replscope node
// started from a config file (so that CONFIG REWRITE works), or a
// redis-server.
type member struct {
	name  string
	port  int
	dir   string
	conf  string           // replscope: the config file Sentinel rewrites
	dial  *faultnet.Dialer // replscope: its link to its master
	node  *nodetest.Node   // replscope: the running node (closed by kill)
	redis *redistest.Server
	cut   bool // its link to the master is held down on purpose
}

func (m *member) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(m.port)) }

// startReplscopeMember writes a config file with test defaults and the
// given redis.conf lines into a new temp dir and boots a node from it.
func startReplscopeMember(t *testing.T, name string, lines ...string) *member {
	t.Helper()
	m := &member{name: name, dir: t.TempDir(), dial: &faultnet.Dialer{}}
	// A port free a moment ago can be taken before the bind (CI saw
	// "address already in use" once): a first start tries another one.
	var ln net.Listener
	for try := 1; ; try++ {
		m.port = redistest.FreePort(t)
		var err error
		if ln, err = net.Listen("tcp", m.addr()); err == nil {
			break
		} else if try == 3 {
			t.Fatalf("%s: listen: %v", name, err)
		}
	}
	m.conf = filepath.Join(m.dir, "replscope.conf")
	all := append([]string{
		"port " + strconv.Itoa(m.port),
		"bind 127.0.0.1",
		`save ""`,
		"dir " + m.dir,
		"repl-diskless-sync-delay 0",
	}, lines...)
	if err := os.WriteFile(m.conf, []byte(strings.Join(all, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.bootOn(t, ln)
	return m
}

// boot starts the node from its config file, port and dir: a restart
// after kill. Its log goes to replscope.log in its dir.
func (m *member) boot(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", m.addr())
	if err != nil {
		t.Fatalf("%s: listen: %v", m.name, err)
	}
	m.bootOn(t, ln)
}

// bootOn starts the node from its config file on ln, bound to its port.
func (m *member) bootOn(t *testing.T, ln net.Listener) {
	t.Helper()
	logf, err := os.OpenFile(filepath.Join(m.dir, "replscope.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = logf.Close() })
	n, err := nodestart.Start([]string{m.conf}, node.Options{Log: logf, Dial: m.dial.Dial, Version: "test", Name: m.name}, ln)
	if err != nil {
		t.Fatalf("%s: start from %s: %v", m.name, m.conf, err)
	}
	t.Cleanup(func() { _ = n.Close() })
	m.node = &nodetest.Node{Node: n, Dir: m.dir, Port: m.port}
}

// kill crashes the member as the network sees it: every connection and
// the listener close at once, nothing is saved.
func (m *member) kill(t *testing.T) {
	t.Helper()
	if m.redis != nil {
		m.redis.Stop()
		return
	}
	_ = m.node.Close()
}

// startRedisMember starts a redis-server replica of master.
func startRedisMember(t *testing.T, name string, master *member, extra ...string) *member {
	t.Helper()
	args := append([]string{"--replicaof", "127.0.0.1", strconv.Itoa(master.port)}, extra...)
	s := redistest.Start(t, args...)
	return &member{name: name, port: s.Port, dir: s.Dir, redis: s}
}

func (m *member) log() string {
	if m.redis != nil {
		return m.redis.Log()
	}
	b, _ := os.ReadFile(filepath.Join(m.dir, "replscope.log"))
	return string(b)
}

func (m *member) info(t *testing.T) map[string]string {
	t.Helper()
	return nodetest.Info(t, m.addr(), "replication")
}

// group is a master, its replicas and the three sentinels watching them.
type group struct {
	master   *member
	replicas []*member
	sents    []*redistest.Sentinel
	// downAfter is the sentinels' down-after-milliseconds (default 1.5 s).
	downAfter time.Duration
}

func (g *group) members() []*member { return append([]*member{g.master}, g.replicas...) }

// dumpOnFailure logs every process's log when the test fails.
func (g *group) dumpOnFailure(t *testing.T) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, m := range g.members() {
			t.Logf("---- %s (%s) log:\n%s", m.name, m.addr(), tail(m.log(), 60))
		}
		for i, s := range g.sents {
			t.Logf("---- sentinel %d (%s) log:\n%s", i, s.Addr, tail(s.Log(), 60))
		}
	})
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// writeAcked writes n keys under prefix on one connection and then WAITs
// for every replica: the keys are acknowledged data that must survive any
// failover. It returns the master's replication offset once they are.
func writeAcked(t *testing.T, master *member, prefix string, n, replicas int) int64 {
	t.Helper()
	c := nodetest.Dial(t, master.addr())
	defer c.Close()
	for i := 0; i < n; i++ {
		v, err := c.Do("SET", prefix+strconv.Itoa(i), "value-"+strconv.Itoa(i))
		if err != nil || v.Kind == resp.Error {
			t.Fatalf("SET on %s: %v %s", master.name, err, v)
		}
	}
	v, err := c.Do("WAIT", strconv.Itoa(replicas), "5000")
	if err != nil || v.Kind != resp.Integer || v.Int != int64(replicas) {
		t.Fatalf("WAIT %d 5000 on %s: %v %s (want %d)", replicas, master.name, err, v, replicas)
	}
	return nodetest.Int(master.info(t), "master_repl_offset")
}

// startSentinels starts three sentinels, quorum 2, on g.master and waits
// until they have found each other through hello messages published on
// the nodes, found every replica through the master's INFO, and read
// from every replica not cut off on purpose a live link and an offset of
// at least minOffset.
func (g *group) startSentinels(t *testing.T, minOffset int64) {
	t.Helper()
	if g.downAfter == 0 {
		g.downAfter = 1500 * time.Millisecond
	}
	mon := redistest.Monitor{Name: sentinelMaster, Port: g.master.port, Quorum: 2,
		DownAfter: g.downAfter, FailoverTimeout: 10 * time.Second, ParallelSyncs: 1}
	start := time.Now()
	for range 3 {
		g.sents = append(g.sents, redistest.StartSentinel(t, []redistest.Monitor{mon}))
	}
	for i, s := range g.sents {
		nodetest.WaitFor(t, 20*time.Second, fmt.Sprintf("sentinel %d to know the group", i), func() (bool, string) {
			others := s.Instances(t, "sentinels", sentinelMaster)
			if len(others) != 2 {
				return false, fmt.Sprintf("knows %d other sentinels", len(others))
			}
			reps := s.Instances(t, "replicas", sentinelMaster)
			for _, r := range g.replicas {
				e := findInstance(reps, r.port)
				if e == nil {
					return false, fmt.Sprintf("has not found replica %s", r.name)
				}
				if r.cut {
					continue
				}
				if e["flags"] != "slave" || e["master-link-status"] != "ok" {
					return false, fmt.Sprintf("replica %s: flags=%s link=%s", r.name, e["flags"], e["master-link-status"])
				}
				if off, _ := strconv.ParseInt(e["slave-repl-offset"], 10, 64); off < minOffset {
					return false, fmt.Sprintf("replica %s: slave-repl-offset %d < acknowledged %d", r.name, off, minOffset)
				}
			}
			return true, ""
		})
	}
	t.Logf("sentinels found each other and the replicas in %s", time.Since(start).Round(time.Millisecond))
}

func findInstance(list []map[string]string, port int) map[string]string {
	for _, e := range list {
		if e["port"] == strconv.Itoa(port) {
			return e
		}
	}
	return nil
}

// failover crashes the master, runs afterKill, and waits until every
// sentinel names want as the master; it fails at once if a sentinel names
// anyone else.
func (g *group) failover(t *testing.T, want *member, afterKill ...func()) time.Duration {
	t.Helper()
	start := time.Now()
	g.master.kill(t)
	for _, f := range afterKill {
		f()
	}
	nodetest.WaitFor(t, 30*time.Second, "sentinels to switch to "+want.name, func() (bool, string) {
		for i, s := range g.sents {
			got := s.MasterAddr(t, sentinelMaster)
			if got != g.master.addr() && got != want.addr() {
				t.Fatalf("sentinel %d promoted %s, want %s (%s)", i, got, want.name, want.addr())
			}
			if got != want.addr() {
				return false, fmt.Sprintf("sentinel %d still says %s", i, got)
			}
		}
		return true, ""
	})
	return time.Since(start)
}

// waitFollows waits until r replicates from master with its link up and
// every byte applied.
func waitFollows(t *testing.T, r, master *member, timeout time.Duration) {
	t.Helper()
	nodetest.WaitFor(t, timeout, r.name+" to follow "+master.name, func() (bool, string) {
		inf := r.info(t)
		ok := inf["role"] == "slave" && inf["master_port"] == strconv.Itoa(master.port) && inf["master_link_status"] == "up"
		return ok, fmt.Sprintf("role=%s master_port=%s link=%s", inf["role"], inf["master_port"], inf["master_link_status"])
	})
	nodetest.WaitSynced(t, master.addr(), r.addr(), timeout)
}

func sameDataset(t *testing.T, want string, wantKeys int, m *member) {
	t.Helper()
	got, n := nodetest.Digest(t, m.addr())
	if got != want || n != wantKeys {
		t.Fatalf("%s has %d keys (digest %s), want %d keys (digest %s)", m.name, n, got, wantKeys, want)
	}
}

var replicaofLine = regexp.MustCompile(`(?mi)^(replicaof|slaveof)\s+(.*)$`)

// checkConfigFile checks that Sentinel's CONFIG REWRITE recorded the
// member's role in its config file: `replicaof <master>` for a replica,
// no replicaof line for a master. Redis-server members run without a
// config file (their CONFIG REWRITE fails, which Sentinel tolerates).
func checkConfigFile(t *testing.T, m, master *member) {
	t.Helper()
	if m.conf == "" {
		return
	}
	b, err := os.ReadFile(m.conf)
	if err != nil {
		t.Fatal(err)
	}
	got := replicaofLine.FindAllStringSubmatch(string(b), -1)
	if master == nil {
		if len(got) != 0 {
			t.Fatalf("%s is a master but its rewritten config says %q", m.name, got[0][0])
		}
		return
	}
	want := fmt.Sprintf("127.0.0.1 %d", master.port)
	if len(got) != 1 || strings.TrimSpace(got[0][2]) != want {
		t.Fatalf("%s config file: replicaof lines %q, want one `replicaof %s`\n%s", m.name, got, want, b)
	}
}

// checkSentinelClients checks that each sentinel named its command and
// pubsub links on the node with CLIENT SETNAME.
func checkSentinelClients(t *testing.T, m *member) {
	t.Helper()
	list := string(nodetest.MustDo(t, m.addr(), "CLIENT", "LIST").Str)
	cmd := regexp.MustCompile(`name=sentinel-[0-9a-f]{8}-cmd `).FindAllString(list, -1)
	sub := regexp.MustCompile(`name=sentinel-[0-9a-f]{8}-pubsub .*cmd=subscribe`).FindAllString(list, -1)
	if len(cmd) != 3 || len(sub) != 3 {
		t.Fatalf("%s: want 3 named sentinel command links and 3 subscribed pubsub links, got %d and %d:\n%s", m.name, len(cmd), len(sub), list)
	}
}

// rejoin restarts the crashed old master on its port, dir and config
// file. It comes back as a master with the data it saved; Sentinel must
// turn it into a replica of newMaster, and it must end with newMaster's
// dataset, including a deletion it missed.
func (g *group) rejoin(t *testing.T, newMaster *member) {
	t.Helper()
	old := g.master
	nodetest.MustDo(t, newMaster.addr(), "DEL", "ack:0")
	nodetest.MustDo(t, newMaster.addr(), "SET", "after-failover", "1")
	start := time.Now()
	old.boot(t)
	if inf := old.info(t); inf["role"] != "master" || nodetest.MustDo(t, old.addr(), "EXISTS", "ack:0").Int != 1 {
		t.Fatalf("restarted old master: role=%s, want master with its saved data", inf["role"])
	}
	waitFollows(t, old, newMaster, 40*time.Second)
	elapsed := time.Since(start)
	t.Logf("old master resynced from %s %s after its restart", newMaster.name, elapsed.Round(time.Millisecond))
	want, n := nodetest.Digest(t, newMaster.addr())
	sameDataset(t, want, n, old)
	checkConfigFile(t, old, newMaster)
	nodetest.WaitFor(t, 10*time.Second, "sentinels to list the old master as a live replica", func() (bool, string) {
		for i, s := range g.sents {
			e := findInstance(s.Instances(t, "replicas", sentinelMaster), old.port)
			if e == nil || e["flags"] != "slave" {
				return false, fmt.Sprintf("sentinel %d: %v", i, e)
			}
		}
		return true, ""
	})
	converted := false
	for _, s := range g.sents {
		converted = converted || strings.Contains(s.Log(), "+convert-to-slave slave "+old.addr())
	}
	if !converted {
		t.Fatalf("no sentinel logged +convert-to-slave for %s", old.addr())
	}
}

func skipSlow(t *testing.T) {
	t.Helper()
	redistest.RequireSentinel(t)
	if testing.Short() {
		t.Skip("Sentinel failovers take seconds: skipped in -short mode")
	}
}

// TestSentinelFailoverReplscope: an all-replscope group. The replica with
// replica-priority 0 must never be promoted (sentinelSelectSlave skips
// priority 0), so Sentinel must pick the other; the priority-0 replica
// follows it with a partial resync, and the crashed master rejoins.
func TestSentinelFailoverReplscope(t *testing.T) {
	skipSlow(t)
	t.Parallel()
	m := startReplscopeMember(t, "master")
	never := startReplscopeMember(t, "replica-prio0", "replicaof 127.0.0.1 "+strconv.Itoa(m.port), "replica-priority 0")
	heir := startReplscopeMember(t, "replica", "replicaof 127.0.0.1 "+strconv.Itoa(m.port))
	g := &group{master: m, replicas: []*member{never, heir}}
	g.dumpOnFailure(t)
	waitFollows(t, never, m, 10*time.Second)
	waitFollows(t, heir, m, 10*time.Second)

	if p := never.info(t)["slave_priority"]; p != "0" {
		t.Fatalf("INFO slave_priority of a replica-priority 0 node = %q, want 0", p)
	}
	nodetest.Populate(t, m.addr(), "pop:", 1)
	acked := writeAcked(t, m, "ack:", 300, 2)
	nodetest.MustDo(t, m.addr(), "SAVE")
	want, keys := nodetest.Digest(t, m.addr())

	g.startSentinels(t, acked)
	for _, s := range g.sents {
		if e := findInstance(s.Instances(t, "replicas", sentinelMaster), never.port); e["slave-priority"] != "0" {
			t.Fatalf("sentinel %s reads slave-priority %q for %s, want 0", s.Addr, e["slave-priority"], never.name)
		}
	}
	for _, x := range g.members() {
		checkSentinelClients(t, x)
	}

	took := g.failover(t, heir)
	t.Logf("failover: master crash to all sentinels switched in %s", took.Round(time.Millisecond))
	if r := heir.info(t)["role"]; r != "master" {
		t.Fatalf("promoted %s reports role:%s", heir.name, r)
	}
	sameDataset(t, want, keys, heir)
	waitFollows(t, never, heir, 20*time.Second)
	sameDataset(t, want, keys, never)
	if ok := nodetest.Int(nodetest.Info(t, heir.addr(), "stats"), "sync_partial_ok"); ok < 1 {
		t.Fatalf("%s: sync_partial_ok=%d: the other replica should continue through replid2", heir.name, ok)
	}
	checkConfigFile(t, heir, nil)
	checkConfigFile(t, never, heir)
	// The rewritten file must boot: the follower restarted from it
	// follows the new master again.
	never.kill(t)
	never.boot(t)
	waitFollows(t, never, heir, 20*time.Second)
	sameDataset(t, want, keys, never)

	g.rejoin(t, heir)
}

// TestSentinelPromotesMostAdvancedReplica: equal priorities, but one
// replica missed the last writes. Sentinel orders candidates by
// slave_repl_offset before run id, so a truthful offset must make it pick
// the up-to-date replica even when the lagging one has the smaller run id
// (the tie-breaker would pick it otherwise).
func TestSentinelPromotesMostAdvancedReplica(t *testing.T) {
	skipSlow(t)
	t.Parallel()
	m := startReplscopeMember(t, "master")
	a := startReplscopeMember(t, "replica-a", "replicaof 127.0.0.1 "+strconv.Itoa(m.port))
	b := startReplscopeMember(t, "replica-b", "replicaof 127.0.0.1 "+strconv.Itoa(m.port))
	// Sentinel skips a replica whose link has been down for longer than
	// down-after×10 plus the master's down time: 2 s keeps the lagging one
	// a candidate for 20 s.
	g := &group{master: m, replicas: []*member{a, b}, downAfter: 2 * time.Second}
	g.dumpOnFailure(t)
	waitFollows(t, a, m, 10*time.Second)
	waitFollows(t, b, m, 10*time.Second)
	lag, heir := a, b
	if b.node.RunID() < a.node.RunID() {
		lag, heir = b, a
	}
	lag.name += "-lagging"

	writeAcked(t, m, "ack:", 200, 2)
	g.startSentinels(t, 0)
	lag.dial.Cut()
	lag.cut = true
	cutAt := time.Now()
	nodetest.WaitFor(t, 10*time.Second, lag.name+" link down", func() (bool, string) {
		st := lag.info(t)["master_link_status"]
		return st == "down", st
	})
	acked := writeAcked(t, m, "late:", 200, 1)
	want, keys := nodetest.Digest(t, m.addr())
	// Sentinel reads replicas' INFO every 10 s while the master is up.
	for i, s := range g.sents {
		nodetest.WaitFor(t, 25*time.Second, fmt.Sprintf("sentinel %d to read both offsets", i), func() (bool, string) {
			reps := s.Instances(t, "replicas", sentinelMaster)
			h, _ := strconv.ParseInt(findInstance(reps, heir.port)["slave-repl-offset"], 10, 64)
			l, _ := strconv.ParseInt(findInstance(reps, lag.port)["slave-repl-offset"], 10, 64)
			return h >= acked && l > 0 && l < acked, fmt.Sprintf("up-to-date %d, lagging %d, acked %d", h, l, acked)
		})
	}
	if d := time.Since(cutAt); d > 15*time.Second {
		t.Fatalf("%s has been cut off for %s: too long to stay a candidate, the test would prove nothing", lag.name, d)
	}
	// The master dies while the lagging replica is still cut off; its
	// retries are refused from then on, so its offset stays behind.
	took := g.failover(t, heir, lag.dial.Heal)
	t.Logf("failover: master crash to all sentinels switched in %s", took.Round(time.Millisecond))
	sameDataset(t, want, keys, heir)
	waitFollows(t, lag, heir, 20*time.Second)
	sameDataset(t, want, keys, lag)
	checkConfigFile(t, heir, nil)
	checkConfigFile(t, lag, heir)
}

// TestSentinelFailoverWithRedisReplica: a replscope master with one
// replscope and one redis-server replica. Sentinel picks whichever has the
// better (lower) replica-priority: a redis-server new master must take the
// replscope replica and the old replscope master along; a replscope new
// master must take the redis-server replica along (it continues through
// replid2 as it would with Redis).
func TestSentinelFailoverWithRedisReplica(t *testing.T) {
	skipSlow(t)
	redistest.Require(t)
	for _, tc := range []struct {
		name          string
		redisPriority string
		ownPriority   string
		redisPromoted bool
	}{
		{"redis-server promoted", "10", "100", true},
		{"replscope promoted", "100", "10", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := startReplscopeMember(t, "master")
			own := startReplscopeMember(t, "replscope-replica", "replicaof 127.0.0.1 "+strconv.Itoa(m.port), "replica-priority "+tc.ownPriority)
			red := startRedisMember(t, "redis-replica", m, "--replica-priority", tc.redisPriority)
			g := &group{master: m, replicas: []*member{own, red}}
			g.dumpOnFailure(t)
			waitFollows(t, own, m, 10*time.Second)
			waitFollows(t, red, m, 10*time.Second)

			nodetest.Populate(t, m.addr(), "pop:", 1)
			acked := writeAcked(t, m, "ack:", 300, 2)
			nodetest.MustDo(t, m.addr(), "SAVE")
			want, keys := nodetest.Digest(t, m.addr())
			g.startSentinels(t, acked)

			heir, other := own, red
			if tc.redisPromoted {
				heir, other = red, own
			}
			took := g.failover(t, heir)
			t.Logf("failover: master crash to all sentinels switched in %s", took.Round(time.Millisecond))
			sameDataset(t, want, keys, heir)
			waitFollows(t, other, heir, 20*time.Second)
			sameDataset(t, want, keys, other)
			if ok := nodetest.Int(nodetest.Info(t, heir.addr(), "stats"), "sync_partial_ok"); ok < 1 {
				t.Fatalf("%s: sync_partial_ok=%d: %s should continue through replid2", heir.name, ok, other.name)
			}
			if tc.redisPromoted {
				checkConfigFile(t, own, red)
			} else {
				checkConfigFile(t, own, nil)
			}

			g.rejoin(t, heir)
		})
	}
}
