package repl

// PendingLen is the number of effects queued since the last Flush: a
// script takes it before a command so that it can drop what the command
// queued (redis.set_repl(redis.REPL_NONE)).
func (s *State) PendingLen() int { return len(s.pending) }

// DropPending forgets the effects queued after the first n.
func (s *State) DropPending(n int) {
	if n < 0 || n >= len(s.pending) {
		return
	}
	for i := n; i < len(s.pending); i++ {
		s.pending[i] = propOp{}
	}
	s.pending = s.pending[:n]
}
