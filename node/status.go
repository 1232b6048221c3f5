package node

import "github.com/replscope/replscope/node/status"

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
	r := &n.repl
	nowT := n.clock.Now()
	now := nowT.UnixMilli()
	s := Status{
		Time:               nowT,
		Addr:               n.addr,
		RunID:              n.runID,
		Version:            redisVersion,
		Role:               "master",
		ReplID:             r.hist.ReplID,
		ReplID2:            r.hist.ReplID2,
		SecondOffset:       r.hist.SecondOffset,
		Offset:             r.hist.Offset,
		BacklogSize:        n.cfg.ReplBacklogSize,
		ReplTimeout:        n.cfg.ReplTimeout,
		PingPeriod:         n.cfg.ReplPingReplicaPeriod,
		MinReplicasToWrite: n.cfg.MinReplicasToWrite,
		MinReplicasMaxLag:  n.cfg.MinReplicasMaxLag,
	}
	lim := n.cfg.OutputBufferLimit("replica")
	s.OutputLimitHard, s.OutputLimitSoft, s.OutputLimitSecs = lim.Hard, lim.Soft, lim.SoftSeconds
	if r.backlog != nil {
		s.BacklogActive = true
		s.BacklogFirstByte = r.backlog.FirstByte()
		s.BacklogHistLen = r.backlog.HistLen()
	}
	if r.master != nil {
		s.Role = "replica"
		s.MasterHost, s.MasterPort = r.master.Host, r.master.Port
		s.LinkUp = r.state == linkConnected
		s.LinkState = r.state.String()
		s.MasterLastIO = -1
		if r.conn != nil {
			s.MasterLastIO = (now - r.lastIO) / 1000
		}
		s.LinkDownSince = 0
		if !s.LinkUp {
			s.LinkDownSince = -1
			if r.downSince != 0 {
				s.LinkDownSince = (now - r.downSince) / 1000
			}
		}
		s.ReplicaOffset, s.ReplicaReadOffset = 1, 1
		if r.conn != nil || r.cached != nil {
			s.ReplicaOffset, s.ReplicaReadOffset = r.reploff, r.readOff
		}
		if r.state == linkTransfer {
			s.SyncInProgress = true
			s.SyncTotalBytes = r.sync.total
			s.SyncReadBytes = r.sync.read
			s.SyncLastIO = (now - r.sync.lastIO) / 1000
		}
		s.LastSync = r.lastSyncKind
		s.LastSyncError = r.lastSyncErr
		s.LastSyncDurationMs = r.lastSyncMs
		s.ReplicaPriority = n.cfg.ReplicaPriority
		s.ReplicaReadOnly = n.cfg.ReplicaReadOnly
	}
	for _, p := range r.replicas {
		rs := ReplicaStatus{IP: p.ip(), Port: p.conf.port, State: p.state.String(), AckOffset: p.ackOff,
			Pending: n.replicaPending(p), SentRDB: p.sentRDB, ClientID: p.c.id, ClientAddr: p.c.addr}
		if p.state == peerOnline {
			rs.AckAgeMs = now - p.ackTime
		}
		s.Replicas = append(s.Replicas, rs)
	}
	st := &n.stats
	clients := 0
	for _, c := range n.clients {
		if !c.is(flagReplica) && !c.is(flagMaster) {
			clients++
		}
	}
	s.Stats = StatusStats{
		SyncFull: st.syncFull, SyncPartialOK: st.syncPartialOK, SyncPartialErr: st.syncPartialErr,
		ReplInputBytes: st.replInputBytes, ReplOutputBytes: st.replOutputBytes,
		Commands: st.commands, OpsPerSec: n.opsPerSec(), ExpiredKeys: st.expiredKeys,
		Keys: int64(n.ks.Keys()), Clients: clients, CobDisconnects: st.cobDisconnects,
		NetInputBytes: n.netInput.Load(), NetOutputBytes: n.netOutput.Load(), Dirty: n.dirty,
	}
	return s
}
