package topology

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// Dialer opens a TCP-like connection; net.Dialer.DialContext and the
// simulated network's dialers fit.
type Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

// DefaultDialer dials real TCP.
func DefaultDialer() Dialer {
	var d net.Dialer
	return d.DialContext
}

// infoArgs is the INFO request of every probe. Redis 7 takes several
// sections; a Sentinel answers the ones it has (server, stats, sentinel).
var infoArgs = []string{"INFO", "server", "persistence", "stats", "replication", "keyspace", "sentinel", "cluster"}

// limitsEvery is how often a node's client-output-buffer-limit is re-read.
const limitsEvery = time.Minute

// Remote reads nodes over RESP: real redis-server, redis-sentinel and
// replscope nodes alike. It keeps one idle connection per address between
// probes. Probe is safe for concurrent use on different addresses.
type Remote struct {
	dial    Dialer
	auth    Auth
	timeout time.Duration

	// plainHint: the probes are plain TCP, so a connection the server
	// drops unanswered may be a TLS-only port (see tlsHint).
	plainHint bool
	// useTLS: the probes speak TLS, so a cluster node is reached at the
	// tls-port CLUSTER SHARDS gives for it (ShardsNode.dialAddr).
	useTLS bool

	mu     sync.Mutex
	idle   map[string]*resp.Client
	limits map[string]cachedLimits
	// clustered holds the addresses whose last INFO said cluster_enabled:1
	// (they are asked CLUSTER INFO and NODES in the probe's pipeline).
	clustered map[string]bool
	// views holds each cluster node's last view, so that the next probe
	// parses only the CLUSTER NODES lines that changed.
	views map[string]*ClusterNode
	// shardsFrom is the one cluster node asked CLUSTER SHARDS each round
	// ("" until a cluster node is probed); shardsRefused the addresses
	// that answered it an error (claimShards).
	shardsFrom    string
	shardsRefused map[string]string // address → the run_id that refused
	closed        bool
}

type cachedLimits struct {
	runID   string
	at      time.Time
	limits  Limits
	refused bool // CONFIG GET answered an error
	noRepl  bool // COMMAND INFO REPLICAOF: no such command (renamed away)
}

// NewRemote returns a Remote dialling with dial (DefaultDialer when nil),
// authenticating with auth and giving each probe at most timeout.
func NewRemote(dial Dialer, auth Auth, timeout time.Duration) *Remote {
	if dial == nil {
		dial = DefaultDialer()
	}
	if timeout <= 0 {
		timeout = time.Second
	}
	return &Remote{dial: dial, auth: auth, timeout: timeout,
		idle: map[string]*resp.Client{}, limits: map[string]cachedLimits{}, clustered: map[string]bool{}}
}

// Probe reads one node at addr (canonical) at time now. It never fails: a
// node that cannot be read comes back with Reach and Error saying why. A
// reused connection that turns out dead (the server closed it while idle)
// is replaced once. A node that refuses the credentials is tried once
// with the Sentinel credentials, when there are some: if it is a Sentinel
// that takes them, it is one from then on (sentinel_auth.go).
func (r *Remote) Probe(ctx context.Context, addr string, now time.Time) *Node {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	n, err := r.probe(ctx, addr, now)
	if errors.Is(err, errAuth) && ctx.Err() == nil && r.auth.trySentinel(addr) {
		if sn, serr := r.probe(ctx, addr, now); serr == nil && sn.Role == RoleSentinel {
			return sn
		}
		r.auth.markSentinel(addr, false)
		r.Forget(addr)
	}
	if err != nil {
		r.releaseShards(addr)
		return failed(addr, now, err)
	}
	return n
}

// probe is one attempt of Probe with the credentials Auth gives now.
func (r *Remote) probe(ctx context.Context, addr string, now time.Time) (*Node, error) {
	for attempt := 0; ; attempt++ {
		c, reused, err := r.conn(ctx, addr)
		if err != nil {
			return nil, r.timeoutErr(ctx, err)
		}
		stop := bindDeadline(ctx, c)
		n, err := r.read(c, addr, now)
		if stop() && err == nil {
			r.release(addr, c)
			return n, nil
		}
		_ = c.Close()
		if err == nil || errors.Is(err, errAuth) || errors.Is(err, errNotRedis) || !reused || ctx.Err() != nil || attempt > 0 {
			if !reused && r.plainHint {
				err = tlsHint(err)
			}
			return nil, r.timeoutErr(ctx, err)
		}
	}
}

// errMaybeTLS is wrapped around a plain connection the server closed
// without answering a word: what a TLS-only port does.
var errMaybeTLS = errors.New("closed without an answer: a TLS port? (--tls)")

// tlsHint names the likely cause of a fresh plain connection dropped
// before any reply (reset or EOF).
func tlsHint(err error) error {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %w", errMaybeTLS, err)
	}
	return err
}

// timeoutErr names a probe that ran out of time as such.
func (r *Remote) timeoutErr(ctx context.Context, err error) error {
	if ctx.Err() != nil || err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("no answer within %s: %w", r.timeout, context.DeadlineExceeded)
	}
	return err
}

// bindDeadline makes the connection's I/O end at ctx's deadline or when
// ctx is cancelled. The returned stop reports false when ctx ended first
// (the connection is then unusable).
func bindDeadline(ctx context.Context, c *resp.Client) func() bool {
	c.Timeout = 0
	dl, _ := ctx.Deadline()
	_ = c.Conn().SetDeadline(dl)
	return context.AfterFunc(ctx, func() { _ = c.Conn().SetDeadline(time.Unix(1, 0)) })
}

// read pipelines ROLE, INFO, CLIENT LIST and (now and then) CONFIG GET.
func (r *Remote) read(c *resp.Client, addr string, now time.Time) (*Node, error) {
	askLimits := r.wantLimits(addr, now)
	cmds := [][]string{{"ROLE"}, infoArgs, {"CLIENT", "LIST", "TYPE", "replica"}}
	if askLimits {
		// Two commands: CONFIG GET takes one parameter before Redis 7.
		cmds = append(cmds, []string{"CONFIG", "GET", "client-output-buffer-limit"}, []string{"CONFIG", "GET", "repl-timeout"})
		// Whether REPLICAOF exists: managed services rename it away.
		cmds = append(cmds, []string{"COMMAND", "INFO", "REPLICAOF"})
	}
	askCluster := r.knownClustered(addr)
	askShards := askCluster && r.claimShards(addr)
	if askCluster {
		cmds = append(cmds, clusterAsk(askShards)...)
	}
	var buf []byte
	for _, cmd := range cmds {
		buf = resp.AppendCommand(buf, cmd...)
	}
	if err := c.WriteRaw(buf); err != nil { // one write for the whole pipeline
		return nil, err
	}
	replies := make([]resp.Value, len(cmds))
	for i := range cmds {
		v, err := c.Receive()
		if err != nil {
			return nil, err
		}
		replies[i] = v
	}
	if err := firstAuthError(replies[:2]); err != nil {
		return nil, err
	}
	if replies[1].Kind != resp.BulkString {
		return nil, fmt.Errorf("%w: INFO answered %q", errNotRedis, clip(replies[1].String()))
	}
	rep := Replies{Role: replies[0], Info: string(replies[1].Str)}
	var refused []string
	if replies[2].Kind == resp.BulkString {
		rep.ClientList = string(replies[2].Str)
	} else if replies[2].Kind == resp.Error {
		refused = append(refused, "CLIENT")
	}
	if askLimits {
		rep.OutputCfg = replies[3]
		if replies[3].Kind == resp.Array && replies[4].Kind == resp.Array {
			rep.OutputCfg.Elems = append(slices.Clip(replies[3].Elems), replies[4].Elems...)
		}
	}
	if err := r.readCluster(c, addr, &rep, replies, askCluster, askShards); err != nil {
		return nil, err
	}
	rep.ClusterPrev = r.lastView(addr)
	rep.ClusterTLS = r.useTLS
	n := NodeFromReplies(addr, now, rep)
	r.rememberView(addr, n.Cluster)
	if n.Cluster != nil {
		r.forgiveShards(addr, n.RunID)
	}
	if n.Role == RoleSentinel {
		view, err := readSentinelView(c)
		if err != nil {
			return nil, err
		}
		n.SentinelView = view
		for _, p := range n.sentinelPeers() {
			r.auth.markSentinel(p, true)
		}
	}
	var asked cachedLimits
	if askLimits {
		asked.refused = replies[3].Kind == resp.Error || replies[4].Kind == resp.Error
		ci := replies[5]
		asked.noRepl = ci.Kind == resp.Array && len(ci.Elems) == 1 && ci.Elems[0].Null
	}
	got := r.rememberLimits(addr, n, now, askLimits, asked)
	if got.refused {
		refused = append(refused, "CONFIG")
	}
	if got.noRepl {
		refused = append(refused, "REPLICAOF")
	}
	if n.Role != RoleSentinel {
		n.Refused = refused
	}
	return n, nil
}

var (
	errAuth      = errors.New("authentication failed")
	errNotRedis  = errors.New("not a Redis node")
	errClosed    = errors.New("topology: remote closed")
	authPrefixes = []string{"NOAUTH", "WRONGPASS", "NOPERM"}
)

// firstAuthError returns an authentication error among replies.
func firstAuthError(vs []resp.Value) error {
	for _, v := range vs {
		if v.Kind != resp.Error {
			continue
		}
		pre := resp.ServerError(v.Str).Prefix()
		for _, p := range authPrefixes {
			if pre == p {
				return fmt.Errorf("%w: %s", errAuth, v.Str)
			}
		}
	}
	return nil
}

func (r *Remote) wantLimits(addr string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.limits[addr]
	return !ok || now.Sub(c.at) >= limitsEvery
}

// rememberLimits caches the limits read now (got: what else the
// once-a-minute commands told), or applies the cached ones when they
// belong to the same run_id. It returns what the node refused the last
// time it was asked: CONFIG GET (renamed away, or not permitted to the
// ACL user), REPLICAOF (renamed away).
func (r *Remote) rememberLimits(addr string, n *Node, now time.Time, asked bool, got cachedLimits) cachedLimits {
	r.mu.Lock()
	defer r.mu.Unlock()
	if asked {
		got.runID, got.at, got.limits = n.RunID, now, n.Limits
		r.limits[addr] = got
		return got
	}
	if c, ok := r.limits[addr]; ok && c.runID == n.RunID {
		n.Limits = c.limits
		return c
	}
	delete(r.limits, addr) // restarted: read them again next time
	return cachedLimits{}
}

// conn returns an idle connection to addr (reused true) or dials and
// authenticates one.
func (r *Remote) conn(ctx context.Context, addr string) (c *resp.Client, reused bool, err error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, false, errClosed
	}
	if c := r.idle[addr]; c != nil {
		delete(r.idle, addr)
		r.mu.Unlock()
		return c, true, nil
	}
	r.mu.Unlock()
	c, err = Connect(ctx, r.dial, addr, r.auth.For(addr))
	return c, false, err
}

func (r *Remote) release(addr string, c *resp.Client) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.idle[addr] != nil {
		_ = c.Close()
		return
	}
	r.idle[addr] = c
}

// Forget closes the idle connection to addr, if any.
func (r *Remote) Forget(addr string) {
	r.mu.Lock()
	c := r.idle[addr]
	delete(r.idle, addr)
	delete(r.limits, addr)
	delete(r.clustered, addr)
	delete(r.views, addr)
	delete(r.shardsRefused, addr)
	if r.shardsFrom == addr {
		r.shardsFrom = ""
	}
	r.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// Close closes every idle connection; later probes fail.
func (r *Remote) Close() error {
	r.mu.Lock()
	r.closed = true
	idle := r.idle
	r.idle = map[string]*resp.Client{}
	r.mu.Unlock()
	for _, c := range idle {
		_ = c.Close()
	}
	return nil
}

// Connect dials addr and authenticates with creds, within ctx. Errors
// name the address, never the password: a server reply that repeats it
// (an "unknown command 'AUTH', with args beginning with: …" from a server
// without AUTH) is redacted. The client has no per-call timeout: bound its
// use with connection deadlines or a context.
func Connect(ctx context.Context, dial Dialer, addr string, creds Credentials) (*resp.Client, error) {
	conn, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	c := resp.NewClient(conn, 0)
	args := creds.authArgs()
	if args == nil {
		return c, nil
	}
	stop := bindDeadline(ctx, c)
	v, err := c.Do(args...)
	if !stop() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("auth %s: %w", addr, err)
	}
	if v.Kind == resp.Error {
		msg := redact(string(v.Str), creds)
		if strings.Contains(msg, "without any password configured") {
			return c, nil // a password was given but the server needs none
		}
		_ = c.Close()
		return nil, fmt.Errorf("%w: %s: %s", errAuth, addr, msg)
	}
	return c, nil
}

// redact removes the credentials from a server message.
func redact(msg string, creds Credentials) string {
	if creds.Password != "" {
		msg = strings.ReplaceAll(msg, creds.Password, "***")
	}
	return msg
}

// failed is the Node of a probe that got no usable answer.
func failed(addr string, now time.Time, err error) *Node {
	n := &Node{ID: NodeID(addr), Addr: addr, At: now, Role: RoleUnknown, Keys: -1,
		Reach: ReachUnreachable, Error: err.Error()}
	switch {
	case errors.Is(err, errAuth):
		n.Reach = ReachAuthFailed
	case errors.Is(err, errNotRedis):
		n.Reach = ReachError
	}
	return n
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
