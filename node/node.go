// Package node is replscope's Redis-compatible server: a RESP front end on
// redcon over a keyspace, with Redis 7 replication in both roles, RDB
// persistence, and an observation API (Status, events) for the rest of
// replscope. The keyspace, RDB codec and replication rules (node/repl, which
// also holds the backlog) live in pure sub-packages; this package is the
// driver that owns sockets, goroutines and the one lock around the core
// state.
//
// Time: the pure packages are handed the time; this package reads it from
// the time package only (time.Now, timers, tickers, deadlines), so a test
// that needs fake time runs nodes inside a testing/synctest bubble, as the
// simulated-network tests do. There is no injectable clock.
package node

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/replscope/replscope/node/config"
	"github.com/replscope/replscope/node/keyspace"
	"github.com/tidwall/redcon"
)

// Dialer opens connections to a master; tests inject an in-memory network
// or a fault-injecting dialer.
type Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

// Options are the node's injected dependencies.
type Options struct {
	Dial    Dialer         // default: net.Dialer
	Log     io.Writer      // default: cfg.LogFile or stdout; io.Discard to silence
	Source  *config.Source // where the configuration came from (CONFIG REWRITE)
	Version string         // replscope version for INFO
	Name    string         // label for events (defaults to the listen address)

	// Job, when set, is told when a job that runs beside the clients
	// starts (true) and ends (false): a save, a load, the RDB of a full
	// sync, a replica loading its master's RDB. A process gives such a job
	// a CPU of its own (internal/procs).
	Job func(start bool)

	// Load, when set, is told when a dataset load starts (true) and ends
	// (false): at start-up, DEBUG RELOAD, a replica loading its master's
	// RDB. The heap then grows by live data, and a process may let its
	// collector run less often meanwhile (internal/gctune's Pacer.Bulk).
	Load func(start bool)

	// Fatal is called after the node logged a bug report for a panic it
	// could not contain (crash.go): the dataset or the replication state
	// may be half changed, and the process should exit non-zero, as
	// `replscope node` does. When nil, the panic is re-raised where
	// nothing recovers it, which ends the process. A Fatal that returns
	// (tests) leaves the node running with its lock released.
	Fatal func(report string)
}

// Node is one Redis-compatible server.
type Node struct {
	// mu is the node's one lock. It guards every field below that is
	// not atomic or a channel (the keyspace, clients, watchers, pub/sub
	// maps, stats, the persistence state, the replication core and its
	// peers/link, the event feed's producer side) and the config. No I/O
	// happens under it: replies go to buffers, stream bytes to the
	// backlog, and the goroutines that write sockets take it only to read
	// or record state.
	//
	// Naming rule: a function that must be called with mu held ends in
	// Locked (carryOutLocked, dropPeerLocked, setMasterLocked, ...); a
	// function without the suffix takes mu itself or does not need it.
	// The one exemption is the command path: command handlers (cmd*,
	// block*) and the helpers they reach through cmdCtx run under mu by
	// construction (dispatch), as do alsoPropagate and the read-only
	// getters they use (isReplica, masterLinkUp, offset).
	mu sync.Mutex
	// arrivals orders batches from different connections by their
	// kernel arrival time before they take mu (arrival.go).
	arrivals arrivals
	cfg      *config.Config
	src      *config.Source
	opts     Options
	dial     Dialer
	log      *Logger
	ks       *keyspace.Keyspace
	rng      *rand.Rand
	// access is the cached clock of key accesses (access.go).
	access  accessClock
	runID   string
	started time.Time

	clients      map[int64]*Client
	nextClientID int64
	watchers     map[watchKey][]*watchedKey
	channels     map[string]map[*Client]struct{}
	patterns     map[string]map[*Client]struct{}

	ctxs [6]cmdCtx
	// scripts is the Lua state and script cache (script.go), nil until
	// the first script; scriptBusy is set while a script that passed
	// busy-reply-threshold runs (script_run.go): the lock is then free
	// between its redis.calls and other clients are answered -BUSY.
	scripts    *scriptEngine
	scriptBusy bool
	scriptIdle chan struct{} // closed when a busy script ends
	// runningScript is the script running now, for Close to stop it
	// without the lock.
	runningScript atomic.Pointer[scriptRun]
	callDepth     int
	scratch       [64]byte
	dirty         int64
	stats         stats
	loading       bool
	blocked       int // clients blocked in WAIT or on keys (INFO blocked_clients)
	keyWaits      keyWaits
	// memStartup and memPeak are used_memory at start and at its highest
	// (INFO used_memory_startup, used_memory_peak).
	memStartup, memPeak int64
	// notifyFlags are notify-keyspace-events' classes (notify.go).
	notifyFlags int
	// activeExpire turns the active expiry cycle on (DEBUG SET-ACTIVE-EXPIRE).
	activeExpire bool
	wakePending  bool
	// batchNow is the time of the batch of commands being run (unix ms),
	// read once per batch as Redis reads it once per command; 0 outside.
	batchNow int64
	// callEnd is when the last command of the running batch returned
	// (monoNow), where the next one's duration starts: one clock read per
	// command. 0 when no batch runs or the lock was let go since.
	callEnd int64
	// prefetchBuf and prefetchSink serve prefetchKeys (clientloop.go).
	prefetchBuf  [][]byte
	prefetchSink uint64

	netInput        atomic.Int64
	netOutput       atomic.Int64
	protoMaxBulkLen atomic.Int64

	persist persistence
	repl    replication
	events  *eventFeed

	srv      *redcon.Server
	tlsSrv   *redcon.Server
	tlsAddr  string
	tlsLn    net.Listener
	serving  bool // start ran (a TLS-only node has no srv)
	ln       net.Listener
	addr     string
	closing  chan struct{}
	closed   bool
	bg       sync.WaitGroup // background goroutines (cron, replication, savers)
	handlers sync.WaitGroup // redcon handler goroutines and detached loops
}

// stats are INFO's counters; guarded by the node's lock.
type stats struct {
	commands       int64
	connections    int64
	rejectedConns  int64
	expiredKeys    int64
	keyspaceHits   int64
	keyspaceMisses int64
	cobDisconnects int64 // pub/sub clients; replicas count in repl.Stats
	pubsubMessages int64
	errorReplies   int64
	errorsByPrefix map[string]int64
	cmds           []cmdStat           // INFO commandstats by command id (cmdstats.go)
	subCmds        map[string]*cmdStat // ... of container subcommands ("client|id")
	prevErrors     int64               // errorReplies when the last call started or ended
	opsSamples     [16]int64           // commands counted at each sample, for instantaneous_ops_per_sec
	opsSampleIdx   int
	lastSampleCmds int64
	lastSampleTime int64
}

// New returns a node configured by cfg. It does not listen yet: call
// Start or Serve.
func New(cfg *config.Config, opts Options) (*Node, error) {
	if opts.Dial == nil {
		var d net.Dialer
		opts.Dial = d.DialContext
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	n := &Node{
		cfg:          cfg,
		src:          opts.Source,
		opts:         opts,
		dial:         opts.Dial,
		ks:           keyspace.New(cfg.Databases),
		rng:          rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid()))),
		runID:        randomHex(40),
		clients:      map[int64]*Client{},
		watchers:     map[watchKey][]*watchedKey{},
		channels:     map[string]map[*Client]struct{}{},
		patterns:     map[string]map[*Client]struct{}{},
		closing:      make(chan struct{}),
		activeExpire: true,
		events:       newEventFeed(1024),
	}
	n.started = time.Now()
	n.memStartup = n.memoryInUse().used
	n.ks.OnAdd = n.signalKeyAsReady
	n.protoMaxBulkLen.Store(cfg.ProtoMaxBulkLen)
	n.ks.SetLimits(keyspace.DefaultLimits())
	n.applyEncodingLimits()
	n.refreshAccessClockLocked()
	n.loadNotifyConfig()
	n.ks.OnNew(n.notifyNewKey)
	w := opts.Log
	if w == nil {
		if cfg.LogFile != "" {
			f, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return nil, fmt.Errorf("open logfile: %w", err)
			}
			w = f
		} else {
			w = os.Stdout
		}
	}
	n.log = NewLogger(w, ParseLogLevel(cfg.LogLevel), time.Now)
	n.initReplication()
	n.initPersistence()
	if n.isReplica() {
		n.log.SetRole('S')
	}
	return n, nil
}

// randomHex returns n random hex characters (run ids, replication ids,
// EOF markers).
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := crand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)[:n]
}

// nowMs is the time in unix milliseconds. The node reads time from the
// time package and nowhere else: tests that need fake time run the node
// inside a testing/synctest bubble, whose clock time.Now, timers and
// tickers follow (see repl_sim_test.go). The replication rules
// (node/repl) read no clock at all: the node hands them the time.
func (n *Node) nowMs() int64 { return time.Now().UnixMilli() }

// monoStart is the origin of monoNow.
var monoStart = time.Now()

// monoNow reads the monotonic clock (ns since monoStart): one vDSO call,
// where time.Now makes two (wall and monotonic). Command durations use it.
func monoNow() int64 { return int64(time.Since(monoStart)) }

func (n *Node) logVerbose(format string, args ...any) { n.log.Verbosef(format, args...) }

// ErrClosed is returned by Serve after Close.
var ErrClosed = errors.New("node: closed")

// Start listens on the configured bind address and port (and tls-port)
// and serves in the background. It returns once the node accepts
// connections. As in Redis, port 0 means no plain TCP listener (with a
// tls-port set).
func (n *Node) Start() error {
	n.mu.Lock()
	plain := n.cfg.Port != 0 || n.cfg.TLSPort == 0
	n.mu.Unlock()
	if !plain {
		return n.start(nil)
	}
	addr := n.listenAddr()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		n.log.Warnf("Warning: Could not create server TCP listening socket %s: %v", addr, err)
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return n.start(ln)
}

// StartListener serves on ln in the background (and on tls-port when set).
func (n *Node) StartListener(ln net.Listener) error { return n.start(ln) }

func (n *Node) start(ln net.Listener) error {
	n.mu.Lock()
	if n.srv != nil || n.serving {
		n.mu.Unlock()
		return errors.New("node: already serving")
	}
	n.serving = true
	if ln != nil {
		n.ln = ln
		n.addr = ln.Addr().String()
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok && n.cfg.Port == 0 {
			n.cfg.Port = tcp.Port
		}
		n.srv = redcon.NewServerNetwork("tcp", n.addr, n.handle, n.accept, n.onClosed)
	}
	n.mu.Unlock()
	if err := n.loadAtStart(); err != nil {
		if ln != nil {
			_ = ln.Close()
		}
		return err
	}
	n.log.Noticef("Server initialized")
	if ln != nil {
		srv := n.srv
		n.bg.Add(1)
		go func() {
			defer n.bg.Done()
			_ = srv.Serve(guardListener{Listener: ln, n: n})
		}()
		n.log.Noticef("Ready to accept connections tcp")
	}
	if err := n.startTLS(); err != nil {
		n.log.Warnf("%v", err)
		_ = n.Close()
		return err
	}
	n.startBackground()
	return nil
}

func (n *Node) listenAddr() string {
	host := "127.0.0.1"
	if len(n.cfg.Bind) > 0 {
		host = n.cfg.Bind[0]
		if len(host) > 0 && host[0] == '-' {
			host = host[1:]
		}
		if host == "*" {
			host = ""
		}
	}
	return net.JoinHostPort(host, fmt.Sprint(n.cfg.Port))
}

// Addr returns the address the node listens on ("" before Start).
func (n *Node) Addr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.addr
}

// Port returns the TCP port the node listens on.
func (n *Node) Port() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cfg.Port
}

// RunID returns the node's 40-character run id.
func (n *Node) RunID() string { return n.runID }

// Done is closed when the node starts shutting down (Close, SHUTDOWN).
func (n *Node) Done() <-chan struct{} { return n.closing }

// Close stops the node at once: the listener, every client and replica
// link and every background goroutine, and waits for them. It does not
// save; see Shutdown.
func (n *Node) Close() error {
	n.abortScript() // a script never ends by itself: stop it first
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		n.handlers.Wait()
		n.bg.Wait()
		return nil
	}
	n.closed = true
	close(n.closing)
	srv, tlsSrv := n.srv, n.tlsSrv
	// Close the listeners ourselves too: redcon's Close does nothing when
	// its Serve goroutine has not started yet, which would then accept
	// forever.
	listeners := []net.Listener{n.ln, n.tlsLn}
	var conns []net.Conn
	for _, c := range n.clients {
		if c.netConn != nil {
			conns = append(conns, c.netConn)
		}
	}
	n.stopReplicationLocked()
	n.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
	if tlsSrv != nil {
		_ = tlsSrv.Close()
	}
	for _, ln := range listeners {
		if ln != nil {
			_ = ln.Close()
		}
	}
	for _, c := range conns {
		_ = c.Close()
	}
	n.handlers.Wait()
	n.bg.Wait()
	n.events.close()
	return nil
}

// Shutdown saves the dataset when save points are configured or save is
// true (SHUTDOWN SAVE), then closes the node.
func (n *Node) Shutdown(save, nosave bool) error {
	err := n.shutdownSave(save, nosave)
	if err != nil {
		return err
	}
	n.log.Noticef("Redis is now ready to exit, bye bye...")
	return n.Close()
}
