// Package repl holds the replication rules of a Redis 7 node as a pure
// core, in the style of etcd-io/raft's RawNode: all the replication state
// of one node (history, backlog, replicas with their offsets, the full-sync
// queue, the link to a master) is one State value; inputs arrive as method
// calls (a PSYNC asked, an ACK read, bytes applied, a tick of the clock)
// and the effects come out as a Ready that the node carries out (bytes to
// queue for a replica, replicas to drop, a full sync to start, events and
// log lines). The package does no I/O, starts no goroutine, takes no lock
// and reads no clock: time arrives as unix milliseconds in the inputs.
// The node serializes every call under its one lock.
package repl

// Config holds the directives the replication rules read.
type Config struct {
	BacklogSize             int64 // repl-backlog-size
	BacklogTTL              int64 // repl-backlog-ttl, seconds; 0 never frees
	Timeout                 int   // repl-timeout, seconds
	PingPeriod              int   // repl-ping-replica-period, seconds
	DisklessSync            bool  // repl-diskless-sync
	DisklessSyncDelay       int   // repl-diskless-sync-delay, seconds
	DisklessSyncMaxReplicas int   // repl-diskless-sync-max-replicas
	MinReplicasMaxLag       int   // min-replicas-max-lag, seconds
	Limit                   Limit // client-output-buffer-limit replica
}

// Limit is an output buffer limit: a replica whose unsent stream passes
// Hard, or stays over Soft for SoftSeconds, is dropped.
type Limit struct {
	Hard, Soft  int64
	SoftSeconds int
}

// Stats are the replication counters of INFO stats.
type Stats struct {
	SyncFull        int64 // sync_full
	SyncPartialOK   int64 // sync_partial_ok
	SyncPartialErr  int64 // sync_partial_err
	COBDisconnects  int64 // client_output_buffer_limit_disconnections (replicas)
	ReplOutputBytes int64 // total_net_repl_output_bytes
	ReplInputBytes  int64 // total_net_repl_input_bytes
}

// State is the replication state of one node in both roles. Its zero
// value is not usable: call New.
type State struct {
	cfg   Config
	now   int64 // unix ms of the last input that carried the time
	newID func() string

	hist     History
	backlog  *Backlog // nil until the first replica (or a master link) needs one
	lenders  []*Peer  // dropped replicas whose writers still hold stream slices
	streamDB int      // database of the stream's last SELECT; -1 forces one
	pending  []propOp // effects of the running command, not yet fed
	feedBuf  []byte
	wake     bool // the stream grew since the writers were last woken

	// master side
	peers           []*Peer // attached replicas, in arrival order
	waiting         []*Peer // replicas waiting for the next full sync
	job             *Job
	nextJobID       int64
	noReplicasSince int64 // unix ms since when no replica is attached (backlog TTL)
	waiters         []waiter

	// replica side
	replica replicaState

	// Stats are the counters INFO reports; RESETSTAT clears them.
	Stats Stats

	rd Ready
}

// New returns the state of a master with a fresh history and no backlog.
// newID makes replication IDs (40 hex characters); now is the time.
func New(cfg Config, newID func() string, now int64) *State {
	s := &State{cfg: cfg, newID: newID, now: now, streamDB: -1, noReplicasSince: now}
	s.hist = History{ReplID: newID(), ReplID2: NoID, SecondOffset: -1}
	s.replica.lastSyncMs = -1
	return s
}

// SetConfig applies changed directives (CONFIG SET): a new backlog size
// takes effect at once.
func (s *State) SetConfig(cfg Config) {
	s.cfg = cfg
	if s.backlog != nil {
		s.backlog.Resize(cfg.BacklogSize)
	}
}

// History returns the node's replication IDs and offset.
func (s *State) History() History { return s.hist }

// Offset returns master_repl_offset.
func (s *State) Offset() int64 { return s.hist.Offset }

// StreamDB returns the database of the stream's last SELECT (-1: none).
func (s *State) StreamDB() int { return s.streamDB }

// Backlog returns the backlog, nil when there is none. The caller only
// reads it.
func (s *State) Backlog() *Backlog { return s.backlog }

// Peers returns the attached replicas. The caller only reads them.
func (s *State) Peers() []*Peer { return s.peers }

// Peer returns the attached or waiting replica with this id, or nil.
func (s *State) Peer(id int64) *Peer {
	for _, p := range s.peers {
		if p.ID == id {
			return p
		}
	}
	for _, p := range s.waiting {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// NewHistory starts a new replication ID and forgets the previous one
// (DEBUG CHANGE-REPL-ID).
func (s *State) NewHistory() {
	s.changeID()
	s.hist.ClearPrevious()
}

// Restore sets the history read from an RDB at start-up (PROTOCOL.md §3
// "Restart"): a replica becomes its own cached master and continues; a
// master keeps the stored ID as its previous one, valid up to the next
// byte, and a backlog from there.
func (s *State) Restore(id string, off int64, db int, now int64) {
	s.now = now
	if s.replica.master != nil {
		s.hist.ReplID = id
		s.hist.Offset = off
		s.replica.reploff, s.replica.readOff = off, off
		s.replica.cached = &Cached{ReplID: id, Offset: off}
		s.replica.masterDB = db
		return
	}
	s.hist.ReplID2 = id
	s.hist.SecondOffset = off + 1
	s.hist.Offset = off
	s.createBacklog()
	s.noReplicasSince = now
}

// changeID starts a new history (changeReplicationId).
func (s *State) changeID() { s.hist.ReplID = s.newID() }

func (s *State) createBacklog() { s.backlog = NewBacklog(s.cfg.BacklogSize, s.hist.Offset) }

// TakeWake reports whether the stream grew since the last call: the
// node then wakes the replica writers (once per batch of commands).
func (s *State) TakeWake() bool {
	w := s.wake
	s.wake = false
	return w
}
