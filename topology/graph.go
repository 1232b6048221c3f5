package topology

import (
	"slices"
	"sort"
	"time"
)

// NodeID is a node's stable identity within and across Graphs: its run_id
// when the node answered, else the address it is known by (a node that
// was never reached, or that only other nodes mention).
type NodeID string

// Role is what a node says it is.
type Role string

// The roles a node can report. RoleUnknown is a node that did not answer.
const (
	RoleMaster   Role = "master"
	RoleReplica  Role = "replica"
	RoleSentinel Role = "sentinel"
	RoleUnknown  Role = "unknown"
)

// Reach says whether replscope could read a node's state, and if not, why.
type Reach string

// The reach states. Only ReachOK nodes carry fresh replication fields; the
// others are shown with the reason, never dropped.
const (
	ReachOK          Reach = "ok"
	ReachUnreachable Reach = "unreachable" // dial failed, timed out or the connection broke
	ReachAuthFailed  Reach = "auth-failed" // NOAUTH / WRONGPASS / NOPERM
	ReachError       Reach = "error"       // answered, but not like a Redis node
	ReachUnprobed    Reach = "unprobed"    // mentioned by others but not probed (port 0, node cap)
)

// Graph is one snapshot of a replication topology: every node found, every
// master→replica link, and, once Assess has run, the health and alerts.
// Nodes are ordered by address then ID, links by master then replica
// address, alerts by node, name and peer: two Graphs of the same state
// compare and print identically. A Graph handed out by a Watcher is
// shared: treat it as read-only.
type Graph struct {
	At time.Time // when the observation round started
	// StaleAfter is the age past which a node's data is stale (two
	// polling intervals; zero when the source does not say).
	StaleAfter time.Duration
	Nodes      []*Node
	Links      []*Link
	Alerts     []Alert
	// Sentinels are the Sentinel-managed groups the probed Sentinels
	// monitor (sentinel.go), by name.
	Sentinels []SentinelGroup
	// Cluster is the Redis Cluster the nodes form (shards, slots, flags),
	// merged from every node's view; nil when no node is in cluster mode.
	Cluster *ClusterState

	byID      map[NodeID]*Node
	byAddr    map[string]*Node
	byReplica map[NodeID][]*Link
	byMaster  map[NodeID][]*Link
}

// Node is one server as observed: identity, role, replication history
// (replid, offsets, backlog), its view of its master (Upstream) and of its
// replicas (Replicas), counters, and computed health.
type Node struct {
	ID       NodeID
	Addr     string   // primary address: a seed address when it is one, else the smallest
	Aliases  []string // other addresses of the same run_id (announced ip/port, proxies, hostnames)
	RunID    string
	Version  string // redis_version
	Software string // "redis", "replscope" or "sentinel"; "" when unknown
	Embedded bool   // an in-process node observed through Status()
	Reach    Reach
	Error    string    // why Reach is not ok; never contains a password
	At       time.Time // when this node's state was read
	// LastOK is when the node last answered: At when it answered this
	// probe, an earlier time after a failed one, zero when unknown.
	LastOK time.Time
	Role   Role

	ReplID       string // master_replid: the history this node's offsets belong to
	ReplID2      string // master_replid2: the previous history ("000…0" when none)
	Offset       int64  // master_repl_offset: bytes of replication stream this node holds
	SecondOffset int64  // second_repl_offset: replid2 is valid up to here (-1 when none)
	Backlog      Backlog

	Upstream *Upstream     // the replica's view of its master; nil on masters
	Replicas []ReplicaLine // the master's slaveN lines, in order

	Keys        int64 // keys in all databases; -1 when unknown
	Loading     bool  // loading a dataset (RDB after a full sync, or at start-up)
	LoadingPerc float64
	Stats       Stats
	Limits      Limits
	// FullSync is the full sync this replica is going through, phase by
	// phase (fullsync.go); nil when none. LastFullSync is the last one
	// that ended (Outcome done or failed); nil before the watcher saw
	// one. Both are set by the Watcher's FullSyncTracker.
	FullSync     *FullSync
	LastFullSync *FullSync
	Sentinel     []MonitoredMaster // masters a Sentinel monitors (Role == RoleSentinel)
	// Refused names the commands of the probe the node answered with an
	// error — renamed away (managed services rename CONFIG, CLIENT…) or
	// not permitted to the ACL user: "CLIENT", "CONFIG". What they would
	// have told is unknown (see Unknown); the node is still shown from
	// INFO.
	Refused []string
	// SentinelView is a Sentinel's SENTINEL MASTERS/REPLICAS/SENTINELS
	// view (sentinel.go); nil on other nodes or when refused.
	SentinelView []SentinelMaster
	Cluster      *ClusterNode // the node's view of its Redis Cluster; nil without cluster support

	Health NodeHealth // filled by Assess
}

// Unknown returns why what cmd tells is unknown on n — "unknown (CONFIG
// refused)" — or "" when n answered cmd.
func (n *Node) Unknown(cmd string) string {
	if n == nil || !slices.Contains(n.Refused, cmd) {
		return ""
	}
	return "unknown (" + cmd + " refused)"
}

// Backlog is a node's replication backlog as INFO replication reports it.
type Backlog struct {
	Active    bool  `json:"active"`     // repl_backlog_active
	Size      int64 `json:"size"`       // repl_backlog_size: the configured capacity
	FirstByte int64 `json:"first_byte"` // repl_backlog_first_byte_offset
	HistLen   int64 `json:"histlen"`    // repl_backlog_histlen: bytes held
}

// CanServe reports whether a PSYNC asking for the stream from offset
// from (the first byte the replica lacks, its offset + 1) would be served
// from this backlog. This is Redis's masterTryPartialResynchronization
// range check: FirstByte <= from <= FirstByte+HistLen.
func (b Backlog) CanServe(from int64) bool {
	return b.Active && from >= b.FirstByte && from <= b.FirstByte+b.HistLen
}

// Upstream is a replica's view of the link to its master (INFO replication
// master_* fields and ROLE's link state).
type Upstream struct {
	Host      string // master_host as configured (may be a name)
	Port      int    // master_port
	Addr      string // canonical host:port of Host/Port
	LinkUp    bool   // master_link_status:up (only once fully connected)
	LinkState string // ROLE's state: none, connect, connecting, handshake, sync, connected; "" unknown
	// LastIO is master_last_io_seconds_ago: the age of the last byte from
	// the master (data or its PING every repl-ping-replica-period). Negative
	// when there is no master connection.
	LastIO time.Duration
	// DownFor is master_link_down_since_seconds: 0 while up, negative when
	// the link never came up (Redis prints -1).
	DownFor    time.Duration
	Offset     int64         // slave_repl_offset: stream bytes applied
	ReadOffset int64         // slave_read_repl_offset: stream bytes read
	Sync       *SyncProgress // non-nil while master_sync_in_progress:1
	// LastSyncDuration is last_successful_sync_duration_ms (replscope
	// nodes only): the last successful sync, PSYNC to streaming; negative
	// when unknown.
	LastSyncDuration time.Duration
	Priority         int // slave_priority (0 = never promote)
	ReadOnly         bool
	Announced        bool // replica_announced
}

// SyncProgress is a full sync being received (master_sync_* fields).
type SyncProgress struct {
	TotalBytes int64         // master_sync_total_bytes; <= 0 for a diskless ($EOF:) transfer of unknown size
	ReadBytes  int64         // master_sync_read_bytes
	LastIO     time.Duration // master_sync_last_io_seconds_ago
}

// Fraction returns how much of the transfer has arrived, in [0,1], and
// false when the size is unknown (diskless transfers).
func (p SyncProgress) Fraction() (float64, bool) {
	if p.TotalBytes <= 0 {
		return 0, false
	}
	return min(float64(p.ReadBytes)/float64(p.TotalBytes), 1), true
}

// ReplicaLine is one slaveN line on a master: the master's view of a
// replica.
type ReplicaLine struct {
	IP    string // announced ip, else the peer address
	Port  int    // the replica's listening port (0 when it did not say)
	Addr  string // canonical ip:port
	State string // wait_bgsave, send_bulk or online
	// AckOffset is offset=: the last offset the replica acknowledged
	// (REPLCONF ACK, about once a second).
	AckOffset int64
	// AckAge is lag=: the age of the last ACK. It is NOT how far behind
	// the data is; see LinkHealth.LagBytes and LagTime for that.
	AckAge time.Duration
	// Pending is the replica's unsent output on the master (CLIENT LIST
	// omem), -1 when unknown.
	Pending int64
	// ConnID is the replica connection's client id (CLIENT LIST id=), 0
	// when unknown: a new id means the link was dropped and re-made.
	ConnID int64
}

// Stats are the INFO stats counters that matter to replication.
type Stats struct {
	SyncFull        int64   // sync_full: full syncs this node served as a master
	SyncPartialOK   int64   // sync_partial_ok
	SyncPartialErr  int64   // sync_partial_err
	ReplInputBytes  int64   // total_net_repl_input_bytes
	ReplOutputBytes int64   // total_net_repl_output_bytes
	InputReplKbps   float64 // instantaneous_input_repl_kbps
	OutputReplKbps  float64 // instantaneous_output_repl_kbps
	CobDisconnects  int64   // client_output_buffer_limit_disconnections
	ExpiredKeys     int64
	Commands        int64 // total_commands_processed
}

// Limits are the settings that bound replication on a node, read with
// CONFIG GET (zero when unknown or not allowed).
type Limits struct {
	Known             bool
	OutputHard        int64 // client-output-buffer-limit replica hard bytes (0 = none)
	OutputSoft        int64 // soft bytes
	OutputSoftSeconds int   // soft seconds
	// ReplTimeout is repl-timeout: a replica silent this long is dropped
	// (0 when unknown).
	ReplTimeout time.Duration
}

// MonitoredMaster is one master a Sentinel monitors (INFO sentinel
// masterN line).
type MonitoredMaster struct {
	Name      string `json:"name"`
	Addr      string `json:"addr"`   // canonical ip:port
	Status    string `json:"status"` // ok, sdown, odown
	Replicas  int    `json:"replicas"`
	Sentinels int    `json:"sentinels"`
}

// Link is one master→replica edge. A link exists when either side reports
// it: the master lists the replica in a slaveN line (FromMaster), or the
// replica names the master in master_host/master_port (FromReplica).
type Link struct {
	Master      NodeID
	Replica     NodeID
	FromMaster  bool
	FromReplica bool
	Line        *ReplicaLine // the master's slaveN line for this replica; nil if not listed
	Health      LinkHealth   // filled by Assess
}

// Node returns the node with this ID, or nil.
func (g *Graph) Node(id NodeID) *Node {
	if g == nil {
		return nil
	}
	g.ensureIndex()
	return g.byID[id]
}

// ByAddr returns the node known at addr (primary address or alias), or
// nil. addr is canonicalized first. Node and ByAddr accept a nil Graph.
func (g *Graph) ByAddr(addr string) *Node {
	if g == nil {
		return nil
	}
	g.ensureIndex()
	return g.byAddr[CanonAddr(addr)]
}

// Upstream returns the link to the node's master, or nil. A node that
// answered knows its own master: only the link it reports counts, and a
// slaveN line naming it on another master is stale (the master has not
// noticed yet). For a node that did not answer, a slaveN line is all
// there is.
func (g *Graph) Upstream(id NodeID) *Link {
	if g == nil {
		return nil
	}
	g.ensureIndex()
	var listed *Link
	for _, l := range g.byReplica[id] {
		if l.FromReplica {
			return l
		}
		if listed == nil {
			listed = l
		}
	}
	if n := g.Node(id); n != nil && n.Reach == ReachOK {
		return nil
	}
	return listed
}

// Downstream returns the links to the node's replicas, in replica address
// order.
func (g *Graph) Downstream(id NodeID) []*Link {
	if g == nil {
		return nil
	}
	g.ensureIndex()
	return g.byMaster[id]
}

// AlertsFor returns the alerts raised on a node.
func (g *Graph) AlertsFor(id NodeID) []Alert {
	var out []Alert
	for _, a := range g.Alerts {
		if a.Node == id {
			out = append(out, a)
		}
	}
	return out
}

// HasAlert reports whether the node has an alert of that name (what a
// scenario's "expect <node> alert <name>" checks).
func (g *Graph) HasAlert(id NodeID, name AlertName) bool {
	for _, a := range g.Alerts {
		if a.Node == id && a.Name == name {
			return true
		}
	}
	return false
}

// ensureIndex builds the lookup maps once; Graphs are not modified after
// they are published.
func (g *Graph) ensureIndex() {
	if g.byID != nil {
		return
	}
	g.reindex()
}

func (g *Graph) reindex() {
	g.byID = make(map[NodeID]*Node, len(g.Nodes))
	g.byAddr = make(map[string]*Node, len(g.Nodes))
	for _, n := range g.Nodes {
		g.byID[n.ID] = n
		g.byAddr[n.Addr] = n
	}
	for _, n := range g.Nodes {
		for _, a := range n.Aliases {
			if _, ok := g.byAddr[a]; !ok {
				g.byAddr[a] = n
			}
		}
	}
	g.byReplica = make(map[NodeID][]*Link, len(g.Links))
	g.byMaster = make(map[NodeID][]*Link, len(g.Nodes))
	for _, l := range g.Links {
		g.byReplica[l.Replica] = append(g.byReplica[l.Replica], l)
		g.byMaster[l.Master] = append(g.byMaster[l.Master], l)
	}
}

// sortGraph puts nodes, links and alerts in their canonical order.
func (g *Graph) sortGraph() {
	sort.Slice(g.Nodes, func(i, j int) bool {
		a, b := g.Nodes[i], g.Nodes[j]
		if a.Addr != b.Addr {
			return addrLess(a.Addr, b.Addr)
		}
		return a.ID < b.ID
	})
	g.reindex()
	addrOf := func(id NodeID) string {
		if n := g.byID[id]; n != nil {
			return n.Addr
		}
		return string(id)
	}
	sort.Slice(g.Links, func(i, j int) bool {
		a, b := g.Links[i], g.Links[j]
		if a.Master != b.Master {
			return addrLess(addrOf(a.Master), addrOf(b.Master))
		}
		return addrLess(addrOf(a.Replica), addrOf(b.Replica))
	})
	sortAlerts(g.Alerts, addrOf)
	g.reindex()
}
