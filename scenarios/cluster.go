package scenarios

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/replscope/replscope/internal/faultnet"
	"github.com/replscope/replscope/internal/redisproc"
	"github.com/replscope/replscope/node"
)

// Kind says what runs a node of a Cluster.
type Kind int

// The kinds of node.
const (
	Embedded Kind = iota // an in-process replscope node
	Redis                // a redis-server process
)

// String names the kind: "replscope" or "redis".
func (k Kind) String() string {
	if k == Redis {
		return "redis"
	}
	return "replscope"
}

// Options configure a Cluster. The zero value starts embedded nodes on free
// ports without a password and discards their logs.
type Options struct {
	// BasePort is the port of the first node added; the others follow in
	// the order they are added. 0 picks a free port for each.
	BasePort int
	// Password, when set, is every node's requirepass and masterauth.
	Password string
	// Log receives the embedded nodes' log lines, each prefixed with the
	// node's name (nil discards them). redis-server processes log to a file
	// in their own directory.
	Log io.Writer
	// RedisServer is the redis-server binary for Redis nodes; "" looks it
	// up in PATH.
	RedisServer string
	// Settings are redis.conf arguments ("--directive", "value", …) given to
	// every node after the quick defaults (QuickSettings).
	Settings []string
	// Version is the replscope version embedded nodes report.
	Version string
}

// QuickSettings are the settings every node starts with: nothing saved
// unless asked, loopback only, no diskless-sync delay, a heartbeat every
// second and a short replication timeout, so stories play in seconds.
var QuickSettings = []string{
	"--bind", "127.0.0.1",
	"--save", "",
	"--appendonly", "no",
	"--repl-diskless-sync-delay", "0",
	"--repl-ping-replica-period", "1",
	"--repl-timeout", "5",
}

// ErrNoRedis reports that a Redis node was asked for but redis-server is
// not installed.
var ErrNoRedis = errors.New("redis-server is not installed (apt-get install redis-server), " +
	"and this needs it for the nodes declared with \"redis\"")

// Cluster owns a set of named nodes on 127.0.0.1 — embedded replscope nodes
// and redis-server processes — and the fault-injecting links between them.
// Its methods are safe for concurrent use, but operations that change one
// node (ReplicaOf, Kill, Restart, …) must not race each other on that node:
// the Player runs one step at a time. Close stops everything it started.
type Cluster struct {
	opts  Options
	root  string     // temporary directory holding each node's directory
	logMu sync.Mutex // orders the embedded nodes' log lines

	mu      sync.Mutex
	members map[string]*member
	order   []string
	loads   map[string]*loader
	closed  bool
	// sentinels are the redis-sentinel processes (sentinel.go).
	sentinels *sentinelSet
}

// member is one node of the Cluster. Fields are guarded by Cluster.mu.
type member struct {
	name   string
	kind   Kind
	port   int    // fixed once the node first started
	dir    string // its data directory
	log    string // redis-server's log file
	pass   string // the requirepass clients authenticate with
	keys   int64  // keys written by Write: the next is name:keys+1
	cut    bool   // its link to its master is cut
	paused bool   // its link to its master is paused
	owner  string // the member it replicates from, "" for none
	// clustered: a redis-server in cluster mode (node … redis cluster)
	clustered bool
	conf      []override

	node   *node.Node       // embedded: the running node, nil when stopped
	writer *writer          // the connection its scripted writes go through
	dialer *faultnet.Dialer // embedded: its links to masters
	gate   *gate            // embedded: holds those links while paused
	proc   *redisproc.Proc  // redis: the running process, nil when stopped
	proxy  *faultnet.Proxy  // redis: its link to its master
}

// override is a setting a script gave a node, replayed when it restarts.
type override struct {
	directive string
	values    []string
}

// New returns an empty Cluster. Add nodes with Add.
func New(opts Options) (*Cluster, error) {
	root, err := os.MkdirTemp("", "replscope-scenario-")
	if err != nil {
		return nil, fmt.Errorf("scenarios: temp dir: %w", err)
	}
	return &Cluster{opts: opts, root: root, members: map[string]*member{}, loads: map[string]*loader{}}, nil
}

// Add starts a node called name of the given kind, as a master with no
// data. It fails if the name is taken or the node cannot start (for a
// Redis node without redis-server, with an error wrapping ErrNoRedis).
func (c *Cluster) Add(name string, kind Kind) error { return c.add(name, kind, false) }

// add starts a node; clustered starts a redis-server in cluster mode.
func (c *Cluster) add(name string, kind Kind, clustered bool) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errors.New("scenarios: cluster closed")
	}
	if _, ok := c.members[name]; ok {
		c.mu.Unlock()
		return fmt.Errorf("scenarios: node %q already exists", name)
	}
	m := &member{name: name, kind: kind, pass: c.opts.Password, writer: &writer{}, dialer: newDialer(), gate: &gate{},
		clustered: clustered}
	m.dir = c.root + string(os.PathSeparator) + name
	if c.opts.BasePort > 0 {
		m.port = c.opts.BasePort + len(c.order)
	}
	c.members[name] = m
	c.order = append(c.order, name)
	c.mu.Unlock()
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		return fmt.Errorf("scenarios: node %s: %w", name, err)
	}
	if err := c.start(m); err != nil {
		return fmt.Errorf("node %s: %w", name, err)
	}
	return nil
}

// Names lists the nodes in the order they were added.
func (c *Cluster) Names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.order...)
}

// Has reports whether the Cluster has a node called name.
func (c *Cluster) Has(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.members[name] != nil
}

// Kind returns the kind of node name.
func (c *Cluster) Kind(name string) (Kind, error) {
	m, err := c.get(name)
	if err != nil {
		return 0, err
	}
	return m.kind, nil
}

// Addr returns the address clients (redis-cli -p …) reach node name at,
// "127.0.0.1:port", or "" when there is no such node.
func (c *Cluster) Addr(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.members[name]; m != nil {
		return m.addr()
	}
	return ""
}

// NameOf returns the name of the node at addr, or "".
func (c *Cluster) NameOf(addr string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, name := range c.order {
		if c.members[name].addr() == addr {
			return name
		}
	}
	return ""
}

// Master returns the name of the node that name replicates from, as the
// Cluster last set it, or "" for a master.
func (c *Cluster) Master(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.members[name]; m != nil {
		return m.owner
	}
	return ""
}

// linkAddr returns the address node name was told to replicate from: its
// master's, or for a redis-server its proxy's; "" for a master.
func (c *Cluster) linkAddr(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.members[name]
	if m == nil || c.members[m.owner] == nil {
		return ""
	}
	host, port := c.linkTargetLocked(m, c.members[m.owner])
	return fmt.Sprintf("%s:%d", host, port)
}

// Running reports whether node name is up (not killed).
func (c *Cluster) Running(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.members[name]
	return m != nil && m.running()
}

// Seeds returns every node's address, for a topology.Watcher.
func (c *Cluster) Seeds() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.order))
	for _, name := range c.order {
		out = append(out, c.members[name].addr())
	}
	return out
}

// Embedded returns the embedded nodes running now, in order. A restart
// replaces a node: ask again after one.
func (c *Cluster) Embedded() []*node.Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*node.Node
	for _, name := range c.order {
		if n := c.members[name].node; n != nil {
			out = append(out, n)
		}
	}
	return out
}

// Password returns the password clients use for node name ("" for none):
// Options.Password, or what the script last set as its requirepass.
func (c *Cluster) Password(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.members[name]; m != nil {
		return m.pass
	}
	return ""
}

// Close stops the loads, every node and every proxy the Cluster started,
// waits for them, and removes the nodes' directories.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	loads := c.loads
	c.loads = map[string]*loader{}
	members := make([]*member, 0, len(c.order))
	for _, name := range c.order {
		members = append(members, c.members[name])
	}
	c.mu.Unlock()
	c.closeSentinels() // first: they would react to the nodes stopping
	for _, l := range loads {
		l.stop()
	}
	var wg sync.WaitGroup
	for _, m := range members {
		m.writer.reset()
		n, p, px := c.detach(m)
		wg.Go(func() {
			if n != nil {
				_ = n.Close()
			}
			if p != nil {
				_ = p.Kill()
			}
			if px != nil {
				_ = px.Close()
			}
		})
	}
	wg.Wait()
	if err := os.RemoveAll(c.root); err != nil {
		return fmt.Errorf("scenarios: remove %s: %w", c.root, err)
	}
	return nil
}

// detach takes m's node, process and proxy out of the Cluster, for Close.
func (c *Cluster) detach(m *member) (*node.Node, *redisproc.Proc, *faultnet.Proxy) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, p, px := m.node, m.proc, m.proxy
	m.node, m.proc, m.proxy = nil, nil, nil
	return n, p, px
}

// get returns the member called name.
func (c *Cluster) get(name string) (*member, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.members[name]
	if m == nil {
		return nil, fmt.Errorf("no node named %q", name)
	}
	return m, nil
}

func (m *member) addr() string  { return fmt.Sprintf("127.0.0.1:%d", m.port) }
func (m *member) running() bool { return m.node != nil || m.proc != nil }
