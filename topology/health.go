package topology

import "time"

// NodeHealth is what Assess computes for one node from two consecutive
// Graphs: rates, backlog sizing advice, and the short history it carries
// forward from one Graph to the next.
type NodeHealth struct {
	// WriteRate is the replication stream's growth, bytes/s: the change of
	// master_repl_offset between two observations of the same history. On
	// a replica it is the rate at which it applies its master's stream.
	WriteRate Rate
	// ReplOutRate is total_net_repl_output_bytes per second: what the node
	// sends to its replicas, full-sync payloads included.
	ReplOutRate Rate
	// ReplInRate is total_net_repl_input_bytes per second.
	ReplInRate Rate
	// Backlog says whether repl-backlog-size rides out an outage of
	// Thresholds.OutageWindow at the current write rate, and what would.
	Backlog BacklogAdvice
	// Freshness is how far this node's data is behind the root master
	// of its chain, judged past stalled or unreadable upstreams.
	Freshness Freshness

	History History `json:"-"`
}

// Rate is a per-second rate measured between two observations; Known is
// false on the first observation, after a restart or a change of history.
type Rate struct {
	PerSec float64
	Known  bool
}

// History is the short memory Assess carries from one Graph to the next:
// offset samples (for the time lag of replicas), full-sync times (for the
// resync-loop detector) and replicas seen before (so a first attach is not
// taken for a loop). It is bounded in size.
type History struct {
	Samples   []OffsetSample // this node's offset over time, oldest first
	FullSyncs []time.Time    // when sync_full rose, one entry per increment
	Joins     []time.Time    // when a never-seen replica address first appeared
	Seen      []string       // replica addresses this master ever listed (sorted)
	SyncStart []ReplicaSync  // full-sync episodes seen per replica
	// Last is the node's state at its last successful read: what a node
	// that stopped answering, or restarted, is compared with.
	Last *Mark
	// Reset is the last time this node came back with a new history at a
	// lower offset (master-reset), with its replicas' fate.
	Reset *MasterReset
	// Rates are recent write-rate readings, for backlog advice smoothed
	// over the outage window.
	Rates []RateSample
}

// Mark is a node's identity and position at one read.
type Mark struct {
	At     time.Time
	RunID  string
	Role   Role
	ReplID string
	Offset int64
	Keys   int64
	Stats  Stats
}

// RateSample is one write-rate reading.
type RateSample struct {
	At     time.Time
	PerSec float64
}

// OffsetSample is a node's replication offset at a moment.
type OffsetSample struct {
	At     time.Time
	ReplID string
	Offset int64
}

// ReplicaSync records a replica seen entering a full sync.
type ReplicaSync struct {
	Replica string // address
	At      time.Time
}

// LagFrom names where a byte lag came from.
type LagFrom string

// Byte lag sources, best first.
const (
	// LagFromReplica is the master's master_repl_offset minus the
	// replica's own slave_repl_offset (both read this round): the bytes
	// of stream the replica has not applied yet.
	LagFromReplica LagFrom = "replica-offset"
	// LagFromAck uses the offset in the master's slaveN line instead: the
	// last ACKed offset, up to a second old, so it overstates the lag by
	// what was written since the ACK.
	LagFromAck LagFrom = "ack-offset"
)

// LagTimeFrom names how a time lag was estimated.
type LagTimeFrom string

// Time lag methods, best first.
const (
	// LagTimeFromHistory looks up when the master's offset was at the
	// replica's offset in the master's recent offset samples: the age of
	// the oldest write the replica is missing.
	LagTimeFromHistory LagTimeFrom = "history"
	// LagTimeFromRate divides the byte lag by the current write rate.
	LagTimeFromRate LagTimeFrom = "rate"
)

// LinkState summarizes a link for display and alerts.
type LinkState string

// Link states.
const (
	LinkUp         LinkState = "up"         // replica says up and the master lists it online
	LinkSyncing    LinkState = "syncing"    // a full sync is being sent or loaded
	LinkConnecting LinkState = "connecting" // replica is connecting or handshaking
	LinkDown       LinkState = "down"       // replica reports the link down
	LinkUnknown    LinkState = "unknown"    // neither side could be read well enough
)

// LinkHealth is what Assess computes for one link.
type LinkHealth struct {
	State LinkState
	// LagBytes is how many bytes of stream the replica still has to
	// apply: master offset minus replica offset (never negative). This is
	// the data lag; Redis's lag= field is AckAge, a heartbeat.
	LagBytes int64
	LagKnown bool
	LagFrom  LagFrom
	// LagTime estimates how old the replica's data is: when the master
	// was at the replica's offset. Resolution is the poll interval.
	LagTime      time.Duration
	LagTimeKnown bool
	LagTimeFrom  LagTimeFrom
	// AckAge is the age of the replica's last REPLCONF ACK as the master
	// sees it (lag= in slaveN); negative when unknown.
	AckAge time.Duration
	// LastIO is the age of the last byte the replica got from its master
	// (master_last_io_seconds_ago); negative when unknown.
	LastIO time.Duration
	// DownFor is how long the replica has reported the link down; 0 when
	// up, negative when unknown.
	DownFor time.Duration
	// Sync is the full sync in progress, if any.
	Sync *SyncProgress
	// Coverage says whether the replica could still partially resync if
	// the link dropped now.
	Coverage Coverage
	// ReplicaOffset is the replica offset the lag was measured from (its
	// own report, else its last ACK); -1 when unknown.
	ReplicaOffset int64
}

// Rates between two observations: pure helpers.

// rate returns (cur-prev)/dt when dt > 0 and the counter did not go back.
func rate(prev, cur int64, dt time.Duration) Rate {
	if dt <= 0 || cur < prev {
		return Rate{}
	}
	return Rate{PerSec: float64(cur-prev) / dt.Seconds(), Known: true}
}
