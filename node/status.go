package node

import (
	"time"
)

// Status is a snapshot of everything INFO replication says about a node,
// plus the stats and settings the rest of replscope needs to judge its
// health. Offsets and IDs follow Redis's INFO fields.
type Status struct {
	Time    time.Time
	Addr    string // listen address
	RunID   string
	Version string // redis_version compatibility level
	Role    string // "master" or "replica"

	ReplID       string // master_replid
	ReplID2      string // master_replid2
	SecondOffset int64  // second_repl_offset
	Offset       int64  // master_repl_offset

	BacklogActive    bool
	BacklogSize      int64 // repl_backlog_size (configured)
	BacklogFirstByte int64 // repl_backlog_first_byte_offset
	BacklogHistLen   int64 // repl_backlog_histlen

	// Replica side (Role == "replica").
	MasterHost        string
	MasterPort        int
	LinkUp            bool   // master_link_status:up
	LinkState         string // ROLE's state: connect, connecting, handshake, sync, connected
	MasterLastIO      int64  // master_last_io_seconds_ago (-1 when no link)
	LinkDownSince     int64  // master_link_down_since_seconds (-1 unknown, 0 when up)
	ReplicaOffset     int64  // slave_repl_offset
	ReplicaReadOffset int64  // slave_read_repl_offset
	SyncInProgress    bool
	SyncTotalBytes    int64 // -1 for an EOF-marked transfer of unknown size
	SyncReadBytes     int64
	SyncLastIO        int64  // seconds since the last transfer I/O
	LastSync          string // "full" or "partial": how the last sync with the master went
	LastSyncError     string
	// LastSyncDurationMs is INFO's last_successful_sync_duration_ms: how
	// long the last successful sync with the master took, from PSYNC sent
	// to streaming (a full sync: waiting for the RDB, transfer and
	// loading); -1 before the first.
	LastSyncDurationMs int64
	ReplicaPriority    int
	ReplicaReadOnly    bool

	// Master side: attached replicas in Redis's slaveN order.
	Replicas []ReplicaStatus

	Stats StatusStats

	// Settings that bound replication.
	ReplTimeout        int   // seconds
	PingPeriod         int   // repl-ping-replica-period seconds
	OutputLimitHard    int64 // client-output-buffer-limit replica hard
	OutputLimitSoft    int64
	OutputLimitSecs    int
	MinReplicasToWrite int
	MinReplicasMaxLag  int
}

// ReplicaStatus is one slaveN line, with the unsent bytes Redis shows as
// omem in CLIENT LIST.
type ReplicaStatus struct {
	IP         string
	Port       int
	State      string // wait_bgsave, send_bulk, online
	AckOffset  int64  // offset=: the last ACKed offset
	AckAgeMs   int64  // lag= is this in seconds: the ACK's age, not data delay
	Pending    int64  // stream bytes not yet sent (output buffer)
	SentRDB    int64  // bytes of the last RDB sent
	ClientID   int64
	ClientAddr string
}

// StatusStats are the INFO stats that matter to replication health.
type StatusStats struct {
	SyncFull        int64
	SyncPartialOK   int64
	SyncPartialErr  int64
	ReplInputBytes  int64
	ReplOutputBytes int64
	Commands        int64
	OpsPerSec       int64
	ExpiredKeys     int64
	Keys            int64
	Clients         int
	CobDisconnects  int64
	NetInputBytes   int64
	NetOutputBytes  int64
	Dirty           int64 // rdb_changes_since_last_save
	EventsDropped   int64
}

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
