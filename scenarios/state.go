package scenarios

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/info"
)

// NodeState is what the player checks about one node: INFO replication's
// essentials, read from Status() for an embedded node and over RESP for a
// redis-server.
type NodeState struct {
	Name    string
	Addr    string
	Kind    Kind
	Running bool
	Role    string // "master" or "replica"
	ReplID  string
	Offset  int64 // master_repl_offset
	Keys    int64

	// Replica side.
	MasterAddr    string // where it replicates from (a proxy for a redis-server replica)
	LinkUp        bool
	ReplicaOffset int64  // slave_repl_offset
	LastSync      string // "full" or "partial": how its last sync with a master went; "" before any
}

// State reads node name's replication state. A node that is not running
// comes back with Running false and no error.
func (c *Cluster) State(ctx context.Context, name string) (NodeState, error) {
	c.mu.Lock()
	m := c.members[name]
	if m == nil {
		c.mu.Unlock()
		return NodeState{}, fmt.Errorf("no node named %q", name)
	}
	st := NodeState{Name: name, Addr: m.addr(), Kind: m.kind, Running: m.running()}
	n, logPath := m.node, m.log
	c.mu.Unlock()
	switch {
	case !st.Running:
		return st, nil
	case n != nil:
		s := n.Status()
		st.Role, st.ReplID, st.Offset, st.Keys = s.Role, s.ReplID, s.Offset, s.Stats.Keys
		if s.Role == "replica" {
			st.MasterAddr = net.JoinHostPort(s.MasterHost, strconv.Itoa(s.MasterPort))
			st.LinkUp, st.ReplicaOffset, st.LastSync = s.LinkUp, s.ReplicaOffset, s.LastSync
		}
		return st, nil
	}
	v, err := c.Do(ctx, name, "INFO", "replication")
	if err != nil {
		return st, err
	}
	if err := v.Err(); err != nil {
		return st, fmt.Errorf("INFO on %s: %w", name, err)
	}
	fillFromInfo(&st, info.Parse(v.String()))
	st.LastSync = lastSyncInLog(logPath)
	return st, nil
}

// fillFromInfo copies INFO replication fields into st.
func fillFromInfo(st *NodeState, inf info.Info) {
	st.Role = inf.Str("role")
	if st.Role == "slave" {
		st.Role = "replica"
	}
	st.ReplID = inf.Str("master_replid")
	st.Offset = inf.Int("master_repl_offset", 0)
	if st.Role == "replica" {
		st.MasterAddr = net.JoinHostPort(inf.Str("master_host"), inf.Str("master_port"))
		st.LinkUp = inf.Str("master_link_status") == "up"
		st.ReplicaOffset = inf.Int("slave_repl_offset", 0)
	}
}

// The lines redis-server 7 logs when a replica's sync with its master
// completes: a partial resync accepted, or a full resync begun.
const (
	logPartial = "Successful partial resynchronization with master"
	logFull    = "Full resync from master"
)

// lastSyncInLog returns how the last sync of a redis-server replica went,
// from its own log: each sync logs exactly one of logPartial or logFull,
// so unlike the master's sync_full / sync_partial_ok counters it tells
// replicas of one master apart.
func lastSyncInLog(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return lastSyncIn(string(b))
}

// lastSyncIn is lastSyncInLog's pure part.
func lastSyncIn(log string) string {
	p, f := strings.LastIndex(log, logPartial), strings.LastIndex(log, logFull)
	switch {
	case p < 0 && f < 0:
		return ""
	case p > f:
		return "partial"
	default:
		return "full"
	}
}
