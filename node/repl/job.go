package repl

import "fmt"

// Job is one full sync: a snapshot encoded once and sent to every replica
// attached to it, in the diskless $EOF: form or, for replicas without
// "capa eof" (or with repl-diskless-sync no), the $<len> form from a
// temporary file.
type Job struct {
	ID      int64
	Disk    bool
	Offset  int64  // master_repl_offset of the snapshot
	ReplID  string // replication ID of the snapshot
	peers   []*Peer
	startAt int64 // unix ms; diskless jobs wait repl-diskless-sync-delay for more replicas
	started bool
}

// Peers returns the replicas the job sends to.
func (j *Job) Peers() []*Peer { return j.peers }

// diskFor tells whether a replica needs the $<len> form.
func (s *State) diskFor(p *Peer) bool { return !s.cfg.DisklessSync || !p.CapaEOF }

// scheduleFullSync attaches a replica to the pending job, or starts a new
// one, or makes it wait for the next when a transfer it cannot share is
// running ("Waiting for next BGSAVE for SYNC").
func (s *State) scheduleFullSync(p *Peer) {
	disk := s.diskFor(p)
	switch {
	case s.job != nil && !s.job.started && s.job.Disk == disk:
		s.job.peers = append(s.job.peers, p)
		s.notice("Replica %s joins the full sync that is about to start", p.Name)
	case s.job == nil:
		delay := int64(0)
		if !disk {
			delay = int64(s.cfg.DisklessSyncDelay) * 1000
		}
		s.nextJobID++
		s.job = &Job{ID: s.nextJobID, Disk: disk, peers: []*Peer{p}, startAt: s.now + delay}
		if delay > 0 {
			s.notice("Delay next BGSAVE for diskless SYNC")
		}
	default:
		s.waiting = append(s.waiting, p)
		s.notice("Can't attach the replica %s to the current BGSAVE. Waiting for next BGSAVE for SYNC", p.Name)
	}
	s.checkJob()
}

// checkJob says in Ready whether the pending full sync may start: its
// delay has passed or enough replicas joined. A job all of whose replicas
// left is forgotten, and the waiting replicas get the next one.
func (s *State) checkJob() {
	j := s.job
	if j == nil || j.started {
		return
	}
	if len(j.peers) == 0 {
		s.job = nil
		s.nextJob()
		return
	}
	maxed := s.cfg.DisklessSyncMaxReplicas > 0 && len(j.peers) >= s.cfg.DisklessSyncMaxReplicas
	if s.now >= j.startAt || maxed {
		s.rd.SyncDue = true
	}
}

// nextJob schedules the replicas that waited for the last job.
func (s *State) nextJob() {
	waiting := s.waiting
	s.waiting = nil
	for _, p := range waiting {
		s.scheduleFullSync(p)
	}
}

// StartSync starts the due full sync once the node holds a snapshot
// (after Ready.SyncDue); it returns nil when none is due any more.
func (s *State) StartSync(now int64) *Job {
	s.now = now
	j := s.job
	if j == nil || j.started || len(j.peers) == 0 {
		return nil
	}
	j.started = true
	j.Offset = s.hist.Offset
	j.ReplID = s.hist.ReplID
	// The replicas start from a fresh client: force a SELECT before the
	// next write (replicationSetupSlaveForFullResync).
	s.streamDB = -1
	mode := "disk"
	if !j.Disk {
		mode = "socket"
	}
	s.notice("Starting BGSAVE for SYNC with target: %s", mode)
	for _, p := range j.peers {
		p.State = SendBulk
		p.Acked = false
		p.SendOff = j.Offset + 1
		if !p.PrePsync {
			s.out(p, []byte(fmt.Sprintf("+FULLRESYNC %s %d\r\n", j.ReplID, j.Offset)))
		}
		s.notice("Full resync requested by replica %s", p.Name)
		s.emit(Event{Kind: "full-sync-started", Peer: p.Name, Offset: j.Offset})
	}
	return j
}

// PayloadStarted records that the RDB payload of job j is being sent: its
// replicas get no more keepalive newlines.
func (s *State) PayloadStarted(j *Job) {
	for _, p := range j.peers {
		p.Payload = true
	}
}

// SyncDone ends job j: on success (size bytes sent) its replicas go
// online; on failure they are dropped. The next job is scheduled.
func (s *State) SyncDone(now int64, j *Job, size int64, failed bool) {
	s.now = now
	if s.job == j {
		s.job = nil
	}
	if failed {
		for _, p := range append([]*Peer(nil), j.peers...) {
			s.drop(p, "full sync failed")
		}
	} else {
		for _, p := range j.peers {
			if p.Dropped {
				continue
			}
			p.State = Online
			p.Streaming = !p.RDBOnly
			// The replica's first ACK may already be in (the writer can
			// finish sending before this runs): then stream at once.
			p.WaitAck = !j.Disk && !p.PrePsync && !p.Acked
			p.AckTime = now
			p.SentRDB = size
			s.notice("Synchronization with replica %s succeeded", p.Name)
			s.emit(Event{Kind: "full-sync-finished", Peer: p.Name, Offset: j.Offset, Bytes: size})
			s.emit(Event{Kind: "replica-online", Peer: p.Name, Offset: j.Offset})
			if p.RDBOnly {
				s.rd.Out = append(s.rd.Out, Out{Peer: p.ID, Close: true}) // the writer closes after the RDB
			}
			s.wakePeer(p)
		}
	}
	s.nextJob()
	s.checkJob()
}
