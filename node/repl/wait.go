package repl

// waiter is a client blocked in WAIT numreplicas: it is answered once num
// online replicas acknowledged offset target.
type waiter struct {
	id     int64
	target int64
	num    int64
}

// Unblock is a WAIT caller to answer with the count of replicas that
// acknowledged its offset.
type Unblock struct {
	Client int64
	Acked  int64
}

// Wait blocks client id until num replicas acknowledged offset target
// (WAIT). When enough already did it returns done and does not block;
// otherwise it asks the replicas for an ACK (REPLCONF GETACK *) and the
// answer comes in a later Ready's Unblock.
func (s *State) Wait(now int64, id, target, num int64) (acked int64, done bool) {
	if acked = s.Acked(target); acked >= num {
		return acked, true
	}
	s.waiters = append(s.waiters, waiter{id: id, target: target, num: num})
	s.RequestAcks(now)
	return acked, false
}

// StopWait ends client id's WAIT early (its timeout passed, CLIENT
// UNBLOCK, the client left) and returns the count to answer with; found
// is false when the WAIT was already answered (Unblock) or never blocked.
func (s *State) StopWait(id int64) (acked int64, found bool) {
	for i, w := range s.waiters {
		if w.id == id {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return s.Acked(w.target), true
		}
	}
	return 0, false
}

// checkWaiters answers the WAIT callers whose replicas acknowledged
// enough, after an ACK.
func (s *State) checkWaiters() {
	kept := s.waiters[:0]
	for _, w := range s.waiters {
		if acked := s.Acked(w.target); acked >= w.num {
			s.rd.Unblock = append(s.rd.Unblock, Unblock{Client: w.id, Acked: acked})
			continue
		}
		kept = append(kept, w)
	}
	s.waiters = kept
}
