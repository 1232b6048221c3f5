package node

import (
	"time"

	"github.com/replscope/replscope/node/repl"
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
	ReplicaPriority   int
	ReplicaReadOnly   bool

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
