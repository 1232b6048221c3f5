package repl

import "fmt"

// PeerState is a replica's state as the master's slaveN line shows it.
type PeerState int

// The replica states.
const (
	WaitBgsave PeerState = iota // waiting for a full sync to start
	SendBulk                    // receiving the RDB
	Online                      // streaming
)

func (s PeerState) String() string {
	return [...]string{"wait_bgsave", "send_bulk", "online"}[s]
}

// PeerInfo is what a replica told the master before PSYNC or SYNC.
type PeerInfo struct {
	ID         int64  // the client id
	Name       string // ip:port, for log lines and events
	Addr       string // the connection's remote address
	CapaEOF    bool   // REPLCONF capa eof
	CapaPsync2 bool   // REPLCONF capa psync2
	RDBOnly    bool   // REPLCONF rdb-only 1
}

// Peer is one replica attached to this node, as the rules see it. The
// node reads it (INFO, ROLE, its writer) and changes it only through the
// State's methods.
type Peer struct {
	PeerInfo
	State    PeerState
	PrePsync bool // came with SYNC: sends no ACKs

	AckOff    int64 // offset of its last ACK
	AckTime   int64 // unix ms of its last ACK (or of attaching)
	SendOff   int64 // next stream offset to send (or, before streaming, to keep)
	Streaming bool  // the writer sends the stream from SendOff
	WaitAck   bool  // EOF transfer done: the stream starts at the first ACK
	Acked     bool  // an ACK arrived since the full sync started
	Payload   bool  // the RDB payload began: no more keepalive newlines
	SentRDB   int64 // size of the RDB it was sent
	Dropped   bool
	// lent is the offset of the first stream byte NextChunk handed to the
	// writer and the writer has not yet reported sent (Sent) or given up
	// (Release); 0 when none. Trim keeps those bytes' blocks, dropped or not.
	lent int64

	softSince int64 // unix ms since when it is over the soft output limit
}

// Pending returns how many stream bytes the replica has not been sent yet,
// its output buffer in Redis's terms.
func (s *State) Pending(p *Peer) int64 {
	if p.SendOff == 0 {
		return 0
	}
	return max(s.hist.Offset+1-p.SendOff, 0)
}

// Psync is a replica asking to synchronize: PSYNC replid offset (isPsync)
// or SYNC. The answer is +CONTINUE and the backlog from the offset, or a
// full sync queued (masterTryPartialResynchronization, syncCommand).
func (s *State) Psync(now int64, info PeerInfo, isPsync bool, req Request) *Peer {
	s.now = now
	p := &Peer{PeerInfo: info, PrePsync: !isPsync, AckTime: now}
	s.notice("Replica %s asks for synchronization", p.Name)
	if isPsync {
		d, reason, counted := s.hist.Decide(req, s.backlog.Window())
		if d == Continue {
			s.continuePeer(p, req)
			return p
		}
		if counted {
			s.Stats.SyncPartialErr++
		}
		if req.ReplID != "?" {
			s.notice("Partial resynchronization not accepted: %s", reason)
		}
	}
	s.Stats.SyncFull++
	p.State = WaitBgsave
	s.attach(p)
	s.scheduleFullSync(p)
	return p
}

// continuePeer accepts a partial resync: +CONTINUE and the backlog from
// the requested offset.
func (s *State) continuePeer(p *Peer, req Request) {
	s.Stats.SyncPartialOK++
	line := "+CONTINUE\r\n"
	if p.CapaPsync2 {
		line = "+CONTINUE " + s.hist.ReplID + "\r\n"
	}
	s.out(p, []byte(line))
	p.State = Online
	p.SendOff = req.Offset
	p.Streaming = true
	p.Payload = true
	p.AckOff = req.Offset - 1
	s.attach(p)
	s.notice("Partial resynchronization request from %s accepted. Sending %d bytes of backlog starting from offset %d.",
		p.Name, s.hist.Offset+1-req.Offset, req.Offset)
	s.emit(Event{Kind: "partial-sync-started", Peer: p.Name, Offset: req.Offset, Bytes: s.hist.Offset + 1 - req.Offset})
	s.emit(Event{Kind: "replica-online", Peer: p.Name, Offset: req.Offset - 1})
	s.wakePeer(p)
}

// attach adds a replica to the list, creating the backlog (and a new
// replication ID) for the first one, as Redis does.
func (s *State) attach(p *Peer) {
	s.peers = append(s.peers, p)
	if s.backlog == nil {
		s.changeID()
		s.hist.ClearPrevious()
		s.createBacklog()
		s.notice("Replication backlog created, my new replication IDs are '%s' and '%s'", s.hist.ReplID, s.hist.ReplID2)
	}
	s.noReplicasSince = 0
}

// Ack is REPLCONF ACK <off> read from a replica.
func (s *State) Ack(now int64, p *Peer, off int64) {
	s.now = now
	if off > p.AckOff {
		p.AckOff = off
	}
	p.Acked = true
	p.AckTime = now
	if p.WaitAck && p.State == Online {
		p.WaitAck = false
		s.wakePeer(p)
	}
	s.rd.AcksChanged = true
	s.checkWaiters()
}

// DropPeer detaches a replica (connection gone, a protocol breach, a
// write error, ...); reason is logged unless empty.
func (s *State) DropPeer(now int64, p *Peer, reason string) {
	s.now = now
	s.drop(p, reason)
}

// drop detaches a replica and asks the node to close its connection.
func (s *State) drop(p *Peer, reason string) {
	if p.Dropped {
		return
	}
	p.Dropped = true
	s.peers = remove(s.peers, p)
	if p.lent > 0 {
		s.lenders = append(s.lenders, p) // its writer still sends them
	}
	s.waiting = remove(s.waiting, p)
	if s.job != nil {
		s.job.peers = remove(s.job.peers, p)
	}
	if len(s.peers) == 0 {
		s.noReplicasSince = s.now
	}
	s.rd.Drop = append(s.rd.Drop, Drop{Peer: p.ID, Reason: reason})
	if reason != "" {
		s.notice("Connection with replica %s lost (%s).", p.Name, reason)
	}
	s.emit(Event{Kind: "replica-dropped", Peer: p.Name, Reason: reason})
	s.trim()
	s.rd.AcksChanged = true // WAIT and SHUTDOWN re-count their replicas
}

// DropAll drops every replica (reason is logged unless empty).
func (s *State) DropAll(now int64, reason string) {
	s.now = now
	s.dropAll(reason)
}

// dropAll drops every replica (they reconnect and resync).
func (s *State) dropAll(reason string) {
	for len(s.peers) > 0 {
		s.drop(s.peers[0], reason)
	}
	for len(s.waiting) > 0 {
		s.drop(s.waiting[0], reason)
	}
}

func remove(ps []*Peer, p *Peer) []*Peer {
	for i, q := range ps {
		if q == p {
			return append(ps[:i], ps[i+1:]...)
		}
	}
	return ps
}

// NextChunk returns the stream bytes the replica's writer should send
// next, at most max of them, as slices that stay valid after the lock is
// released: none before the replica streams, nor, after a diskless sync,
// before its first ACK. ok is false when the replica is dropped, or was
// just dropped because the stream it needs is gone.
func (s *State) NextChunk(p *Peer, max int, dst [][]byte) (chunks [][]byte, ok bool) {
	if p.Dropped {
		return dst, false
	}
	if !p.Streaming || p.WaitAck {
		return dst, true
	}
	if s.backlog == nil || !s.backlog.Retains(p.SendOff) {
		s.drop(p, "stream data no longer available")
		return dst, false
	}
	chunks = s.backlog.Read(p.SendOff, max, dst)
	if len(chunks) > len(dst) && p.lent == 0 {
		p.lent = p.SendOff
	}
	return chunks, true
}

// Sent records that the writer sent k stream bytes to the replica: the
// slices NextChunk handed it are no longer in use.
func (s *State) Sent(p *Peer, k int) {
	p.SendOff += int64(k)
	s.Stats.ReplOutputBytes += int64(k)
	s.Release(p)
}

// Release records that the replica's writer no longer uses the slices
// NextChunk handed it (it sent them, or it stops), so that their blocks
// may be freed and written again. A writer calls it when it ends.
func (s *State) Release(p *Peer) {
	p.lent = 0
	s.lenders = remove(s.lenders, p)
	s.trim()
}

// trim frees stream blocks nobody needs any more: not the history, nor
// what a replica still has to be sent, nor what a writer holds (even the
// writer of a replica dropped meanwhile).
func (s *State) trim() {
	oldest := s.hist.Offset + 1
	for _, p := range s.peers {
		if p.SendOff > 0 && p.SendOff < oldest {
			oldest = p.SendOff
		}
		if p.lent > 0 && p.lent < oldest {
			oldest = p.lent
		}
	}
	for _, p := range s.lenders {
		oldest = min(oldest, p.lent)
	}
	if s.backlog != nil {
		s.backlog.Trim(oldest)
	}
}

// Acked counts online replicas that acknowledged offset off (WAIT).
func (s *State) Acked(off int64) int64 {
	var k int64
	for _, p := range s.peers {
		if p.State == Online && p.AckOff >= off {
			k++
		}
	}
	return k
}

// GoodReplicas counts online replicas whose last ACK is within
// min-replicas-max-lag seconds (min-replicas-to-write).
func (s *State) GoodReplicas(now int64) int {
	good := 0
	for _, p := range s.peers {
		if p.State == Online && now-p.AckTime <= int64(s.cfg.MinReplicasMaxLag)*1000 {
			good++
		}
	}
	return good
}

// checkLimits drops replicas whose unsent stream is over the
// client-output-buffer-limit for replicas, so that a slow replica can
// never grow the master's memory without bound.
func (s *State) checkLimits() {
	lim := s.cfg.Limit
	if lim.Hard == 0 && lim.Soft == 0 {
		return
	}
	for i := len(s.peers) - 1; i >= 0; i-- {
		p := s.peers[i]
		pending := s.Pending(p)
		over := ""
		if lim.Hard > 0 && pending > lim.Hard {
			over = fmt.Sprintf("output buffer hard limit: omem %d over %d", pending, lim.Hard)
		}
		if lim.Soft > 0 && pending > lim.Soft {
			if p.softSince == 0 {
				p.softSince = s.now
			} else if s.now-p.softSince >= int64(lim.SoftSeconds)*1000 && over == "" {
				over = fmt.Sprintf("output buffer soft limit: omem %d over %d for %ds", pending, lim.Soft, lim.SoftSeconds)
			}
		} else {
			p.softSince = 0
		}
		if over != "" {
			s.Stats.COBDisconnects++
			s.warn("Client id=%d addr=%s flags=S omem=%d scheduled to be closed ASAP for overcoming of output buffer limits.",
				p.ID, p.Addr, pending)
			s.drop(p, over)
		}
	}
}
