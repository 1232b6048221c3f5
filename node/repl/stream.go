package repl

import (
	"strconv"

	"github.com/replscope/replscope/internal/resp"
)

// propOp is one effect waiting to be fed to the replication stream.
type propOp struct {
	db   int
	argv [][]byte
}

// Propagate queues an effect of the running command (alsoPropagate); the
// outermost call ends with Flush. A replica never builds its own stream:
// it forwards its master's bytes verbatim (Applied).
func (s *State) Propagate(db int, argv [][]byte) {
	if s.replica.master != nil {
		return
	}
	s.pending = append(s.pending, propOp{db: db, argv: argv})
}

// Flush feeds the queued effects to the stream, wrapped in MULTI/EXEC
// when there is more than one (propagatePendingCommands in Redis 7.0),
// except for commands that touch arbitrary keys.
func (s *State) Flush(now int64, arbitrary bool) {
	ops := s.pending
	if len(ops) == 0 {
		return
	}
	s.now = now
	s.pending = ops[:0]
	wrap := len(ops) > 1 && !arbitrary
	if wrap {
		s.feed(ops[0].db, multiArgv)
	}
	for _, op := range ops {
		s.feed(op.db, op.argv)
	}
	if wrap {
		s.feed(ops[len(ops)-1].db, execArgv)
	}
	for i := range ops {
		ops[i] = propOp{}
	}
}

// RequestAcks feeds REPLCONF GETACK * to the replicas (WAIT).
func (s *State) RequestAcks(now int64) {
	if len(s.peers) == 0 {
		return
	}
	s.now = now
	s.feed(-1, getackArgv)
}

// feed appends one command to the stream, preceded by SELECT when its
// database differs from the stream's current one.
func (s *State) feed(db int, argv [][]byte) {
	if s.backlog == nil && len(s.peers) == 0 {
		// Redis feeds nothing (and the offset stands still) while there
		// is neither a backlog nor a replica.
		return
	}
	buf := s.feedBuf[:0]
	if db >= 0 && db != s.streamDB {
		buf = resp.AppendCommand(buf, "SELECT", strconv.Itoa(db))
		s.streamDB = db
	}
	buf = resp.AppendCommandBytes(buf, argv)
	s.feedBuf = buf
	s.feedRaw(buf)
}

// feedRaw appends bytes to the stream: the backlog and every attached
// replica read from it.
func (s *State) feedRaw(b []byte) {
	if s.backlog == nil {
		s.createBacklog()
	}
	s.backlog.Append(b)
	s.hist.Offset += int64(len(b))
	s.checkLimits()
	s.trim()
	s.wake = true
}
