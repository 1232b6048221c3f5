// Package status holds what an embedded node reports about itself: the
// Status snapshot (everything INFO replication says, plus stats) and the
// Events of its replication feed. It is data only, so that readers such as
// the topology model depend on it and not on the server.
package status

import "time"

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
	Replicas []Replica

	Stats Stats

	// Settings that bound replication.
	ReplTimeout        int   // seconds
	PingPeriod         int   // repl-ping-replica-period seconds
	OutputLimitHard    int64 // client-output-buffer-limit replica hard
	OutputLimitSoft    int64
	OutputLimitSecs    int
	MinReplicasToWrite int
	MinReplicasMaxLag  int
}

// Replica is one slaveN line, with the unsent bytes Redis shows as
// omem in CLIENT LIST.
type Replica struct {
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

// Stats are the INFO stats that matter to replication health.
type Stats struct {
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

// EventKind names what happened in an Event.
type EventKind string

// The events a node reports.
const (
	EventRoleChanged         EventKind = "role-changed"
	EventLinkUp              EventKind = "link-up"
	EventLinkDown            EventKind = "link-down"
	EventFullSyncStarted     EventKind = "full-sync-started"
	EventFullSyncFinished    EventKind = "full-sync-finished"
	EventPartialSyncStarted  EventKind = "partial-sync-started"
	EventPartialSyncFinished EventKind = "partial-sync-finished"
	EventReplicaOnline       EventKind = "replica-online"
	EventReplicaDropped      EventKind = "replica-dropped"
	EventBacklogOverflow     EventKind = "backlog-overflow"
)

// Event is one thing that happened to a node's replication. Peer names a
// replica (ip:port) on the master side; Master names the master on the
// replica side.
type Event struct {
	Time   time.Time
	Node   string // the node's address
	Kind   EventKind
	Role   string
	Master string
	Peer   string
	Offset int64
	Bytes  int64
	Reason string
}
