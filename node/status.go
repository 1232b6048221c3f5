package node

import (
	"time"

	"github.com/replscope/replscope/node/repl"
	"github.com/replscope/replscope/node/status"
)

// The node's Status and Events are declared in node/status, which
// readers (topology) import instead of the whole server.
type (
	// Status is status.Status.
	Status = status.Status
	// ReplicaStatus is status.Replica.
	ReplicaStatus = status.Replica
	// StatusStats is status.Stats.
	StatusStats = status.Stats
)

// Status returns the node's current replication status.
func (n *Node) Status() Status {
	n.mu.Lock()
	defer n.mu.Unlock()
	core := n.repl.core
	r, h := core.Replica(), core.History()
	nowT := time.Now()
	now := nowT.UnixMilli()
	s := Status{
		Time:               nowT,
		Addr:               n.addr,
		RunID:              n.runID,
		Version:            redisVersion,
		Role:               "master",
		ReplID:             h.ReplID,
		ReplID2:            h.ReplID2,
		SecondOffset:       h.SecondOffset,
		Offset:             h.Offset,
		BacklogSize:        n.cfg.ReplBacklogSize,
		ReplTimeout:        n.cfg.ReplTimeout,
		PingPeriod:         n.cfg.ReplPingReplicaPeriod,
		MinReplicasToWrite: n.cfg.MinReplicasToWrite,
		MinReplicasMaxLag:  n.cfg.MinReplicasMaxLag,
	}
	lim := n.cfg.OutputBufferLimit("replica")
	s.OutputLimitHard, s.OutputLimitSoft, s.OutputLimitSecs = lim.Hard, lim.Soft, lim.SoftSeconds
	if w := core.Backlog().Window(); w.Active {
		s.BacklogActive = true
		s.BacklogFirstByte = w.First
		s.BacklogHistLen = w.Len
	}
	if r.Master != nil {
		s.Role = "replica"
		s.MasterHost, s.MasterPort = r.Master.Host, r.Master.Port
		s.LinkUp = r.Link == repl.LinkConnected
		s.LinkState = r.Link.String()
		s.MasterLastIO = -1
		if r.Connected {
			s.MasterLastIO = (now - r.LastIO) / 1000
		}
		s.LinkDownSince = 0
		if !s.LinkUp {
			s.LinkDownSince = -1
			if r.DownSince != 0 {
				s.LinkDownSince = (now - r.DownSince) / 1000
			}
		}
		s.ReplicaOffset, s.ReplicaReadOffset = 1, 1
		if r.Connected || r.Cached {
			s.ReplicaOffset, s.ReplicaReadOffset = r.Reploff, r.ReadOff
		}
		if r.Link == repl.LinkTransfer {
			s.SyncInProgress = true
			s.SyncTotalBytes = r.Sync.Total
			s.SyncReadBytes = r.Sync.Read
			s.SyncLastIO = (now - r.Sync.LastIO) / 1000
		}
		s.LastSync = r.LastSyncKind
		s.LastSyncError = r.LastSyncErr
		s.LastSyncDurationMs = r.LastSyncMs
		s.ReplicaPriority = n.cfg.ReplicaPriority
		s.ReplicaReadOnly = n.cfg.ReplicaReadOnly
	}
	for _, p := range n.replicaPeersLocked() {
		rs := ReplicaStatus{IP: p.ip(), Port: p.conf.port, State: p.State.String(), AckOffset: p.AckOff,
			Pending: core.Pending(p.Peer), SentRDB: p.SentRDB, ClientID: p.c.id, ClientAddr: p.c.addr}
		if p.State == repl.Online {
			rs.AckAgeMs = now - p.AckTime
		}
		s.Replicas = append(s.Replicas, rs)
	}
	st := &n.stats
	rst := core.Stats
	clients := 0
	for _, c := range n.clients {
		if !c.is(flagReplica) && !c.is(flagMaster) {
			clients++
		}
	}
	s.Stats = StatusStats{
		SyncFull: rst.SyncFull, SyncPartialOK: rst.SyncPartialOK, SyncPartialErr: rst.SyncPartialErr,
		ReplInputBytes: rst.ReplInputBytes, ReplOutputBytes: rst.ReplOutputBytes,
		Commands: st.commands, OpsPerSec: n.opsPerSecLocked(), ExpiredKeys: st.expiredKeys,
		Keys: int64(n.ks.Keys()), Clients: clients, CobDisconnects: st.cobDisconnects + rst.COBDisconnects,
		NetInputBytes: n.netInput.Load(), NetOutputBytes: n.netOutput.Load(), Dirty: n.dirty,
	}
	return s
}
