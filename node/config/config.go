// Package config holds a replscope node's configuration: typed values for
// the redis.conf directives replscope understands, parsed from a config
// file and `--directive value` flags the way redis-server 7.0 parses them,
// and the CONFIG GET / SET / REWRITE semantics of Redis 7.0 over them.
//
// The package is pure: no sockets, no goroutines, no locking. The node
// owns a *Config under its own mutex. Only Load, Rewrite and the dir
// directive touch the file system.
//
// Directives that only matter to Redis internals (the
// listpack thresholds, the cluster and AOF knobs, ...) are accepted with
// Redis's validation and defaults, stored, shown by CONFIG GET and
// rewritten, but replscope does nothing with them; Load reports them as
// warnings when they set a value other than the default.
package config

import (
	"os"
	"strings"
)

// Config is the typed configuration of one node. The zero value is not
// useful: start from Default or Load. Fields hold what CONFIG GET shows.
type Config struct {
	// Network and clients.
	Port                   int
	Bind                   []string
	ProtectedMode          bool
	RequirePass            string
	MaxClients             int
	Timeout                int
	TCPKeepalive           int
	TCPBacklog             int
	UnixSocket             string // always "": unix sockets are not supported
	IOThreads              int    // threads serving clients (replscope node sizes GOMAXPROCS by it)
	ProtoMaxBulkLen        int64
	ClientQueryBufferLimit int64
	// OutputLimits is client-output-buffer-limit, indexed by Class.
	OutputLimits [3]OutputLimit

	// Persistence.
	Dir                     string // absolute path
	DBFilename              string
	Save                    []SavePoint
	RDBCompression          bool
	RDBChecksum             bool
	StopWritesOnBgsaveError bool
	AppendOnly              bool // always false: AOF is not supported

	// Replication.
	ReplicaOf                   *HostPort // nil: this node is a master
	MasterAuth                  string
	MasterUser                  string
	ReplBacklogSize             int64
	ReplBacklogTTL              int64 // seconds
	ReplTimeout                 int   // seconds
	ShutdownTimeout             int   // seconds a signalled `replscope node` waits for its shutdown
	ReplPingReplicaPeriod       int   // seconds
	ReplDisklessSync            bool
	ReplDisklessSyncDelay       int // seconds
	ReplDisklessSyncMaxReplicas int
	ReplDisklessLoad            string // disabled | on-empty-db | swapdb
	ReplDisableTCPNodelay       bool
	ReplicaReadOnly             bool
	ReplicaServeStaleData       bool
	ReplicaPriority             int
	ReplicaAnnounceIP           string
	ReplicaAnnouncePort         int
	ReplicaAnnounced            bool
	ReplicaLazyFlush            bool
	ReplicaIgnoreMaxmemory      bool
	MinReplicasToWrite          int
	MinReplicasMaxLag           int // seconds

	// Keyspace and server.
	Databases int
	// Encoding thresholds: past them Redis converts a value to its big
	// encoding for good, which shows in OBJECT ENCODING and in the order
	// of some replies.
	HashMaxListpackEntries int64
	HashMaxListpackValue   int64
	SetMaxIntsetEntries    int64
	ZsetMaxListpackEntries int64
	ZsetMaxListpackValue   int64
	// Stream radix-tree node limits (stream-node-max-bytes/-entries):
	// they decide where XADD starts a new node, hence what ~ trimming
	// removes.
	StreamNodeMaxBytes   int64
	StreamNodeMaxEntries int64
	// BusyReplyThreshold (lua-time-limit) is how long, in ms, a script runs
	// before the node answers other clients -BUSY.
	BusyReplyThreshold     int64
	Hz                     int
	Maxmemory              uint64
	MaxmemoryPolicy        string
	LazyfreeLazyExpire     bool
	EnableDebugCommand     string // no | yes | local
	EnableProtectedConfigs string // no | yes | local
	LogLevel               string // debug | verbose | notice | warning
	LogFile                string
	Daemonize              bool // always false: daemonizing is not supported
	PidFile                string
	Supervised             string

	// TLS, reserved for a later issue: stored and reported only.
	TLSPort        int
	TLSCertFile    string
	TLSKeyFile     string
	TLSCACertFile  string
	TLSCACertDir   string
	TLSAuthClients string // yes | no | optional
	TLSReplication bool

	// extra holds the accepted-but-ignored directives by canonical name:
	// bool, int64 or string values.
	extra map[string]any
}

// SavePoint is one `save <seconds> <changes>` rule.
type SavePoint struct {
	Seconds int64
	Changes int64
}

// OutputLimit is one class of client-output-buffer-limit: a client is
// dropped when its pending output exceeds Hard bytes, or stays above Soft
// bytes for SoftSeconds seconds. Zero disables a limit.
type OutputLimit struct {
	Hard        int64
	Soft        int64
	SoftSeconds int
}

// HostPort is the master address of replicaof.
type HostPort struct {
	Host string
	Port int
}

// Class indexes Config.OutputLimits.
type Class int

// The client classes of client-output-buffer-limit, in Redis's order.
const (
	ClassNormal Class = iota
	ClassReplica
	ClassPubSub
)

// MinBacklogSize is the smallest replication backlog Redis allocates
// (CONFIG_REPL_BACKLOG_MIN_SIZE). A smaller repl-backlog-size from the
// config file is kept as given until used; CONFIG SET raises it at once.
const MinBacklogSize = 16 * 1024

// classNames are the names CONFIG GET prints, indexed by Class.
var classNames = [3]string{"normal", "slave", "pubsub"}

// ClassByName returns the class for a client-output-buffer-limit class
// name (normal, replica or slave, pubsub), case-insensitive.
func ClassByName(name string) (Class, bool) {
	switch strings.ToLower(name) {
	case "normal":
		return ClassNormal, true
	case "replica", "slave":
		return ClassReplica, true
	case "pubsub":
		return ClassPubSub, true
	}
	return 0, false
}

// Default returns Redis 7.0's defaults. Dir is the process's working
// directory, as for a redis-server started without `dir`.
func Default() *Config {
	c := &Config{extra: make(map[string]any)}
	for _, d := range directives {
		d.init(c)
	}
	if wd, err := os.Getwd(); err == nil {
		c.Dir = wd
	}
	return c
}

// Clone returns a deep copy of c.
func (c *Config) Clone() *Config {
	n := *c
	n.Bind = append([]string(nil), c.Bind...)
	n.Save = append([]SavePoint(nil), c.Save...)
	if c.ReplicaOf != nil {
		r := *c.ReplicaOf
		n.ReplicaOf = &r
	}
	n.extra = make(map[string]any, len(c.extra))
	for k, v := range c.extra {
		n.extra[k] = v
	}
	return &n
}

// OutputBufferLimit returns the client-output-buffer-limit of a class
// named normal, replica (or slave) or pubsub; the zero limit (no limit)
// for any other name.
func (c *Config) OutputBufferLimit(class string) OutputLimit {
	k, ok := ClassByName(class)
	if !ok {
		return OutputLimit{}
	}
	return c.OutputLimits[k]
}

// EffectiveBacklogSize is the backlog size to allocate:
// ReplBacklogSize, but at least MinBacklogSize.
func (c *Config) EffectiveBacklogSize() int64 {
	return max(c.ReplBacklogSize, MinBacklogSize)
}

// Value returns the CONFIG GET text of one directive, by canonical name or
// alias (case-insensitive), and whether the directive exists.
func (c *Config) Value(name string) (string, bool) {
	d := lookup(name)
	if d == nil {
		return "", false
	}
	return d.get(c), true
}

// Directive describes one directive of the table.
type Directive struct {
	Name      string // canonical name
	Alias     string // old name accepted too, "" if none
	Mutable   bool   // CONFIG SET may change it
	Protected bool   // CONFIG SET needs enable-protected-configs
	Sensitive bool   // the value is a secret: redact it in logs
	Ignored   bool   // accepted and stored; replscope does nothing with it
}

// Describe returns the table entry for a directive name or alias
// (case-insensitive).
func Describe(name string) (Directive, bool) {
	d := lookup(name)
	if d == nil {
		return Directive{}, false
	}
	return d.describe(), true
}

// Directives lists every directive of the table, canonical names in table
// order.
func Directives() []Directive {
	out := make([]Directive, len(directives))
	for i, d := range directives {
		out[i] = d.describe()
	}
	return out
}
