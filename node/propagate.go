package node

import (
	"strconv"

	"github.com/replscope/replscope/internal/resp"
)

// propOp is one effect waiting to be fed to the replication stream.
type propOp struct {
	db   int
	argv [][]byte
}

// alsoPropagate queues an effect; the outermost call flushes the queue.
func (n *Node) alsoPropagate(db int, argv [][]byte) {
	if n.isReplica() {
		// A replica never builds its own stream: it forwards its master's
		// bytes verbatim (see applyFromMaster).
		return
	}
	n.repl.pending = append(n.repl.pending, propOp{db: db, argv: argv})
}

// flushPropagation feeds the queued effects to the stream, wrapped in
// MULTI/EXEC when there is more than one (propagatePendingCommands in
// Redis 7.0), except for commands that touch arbitrary keys.
func (n *Node) flushPropagation(arbitrary bool) {
	ops := n.repl.pending
	if len(ops) == 0 {
		return
	}
	n.repl.pending = ops[:0]
	wrap := len(ops) > 1 && !arbitrary
	if wrap {
		n.feedCommand(ops[0].db, multiArgv)
	}
	for _, op := range ops {
		n.feedCommand(op.db, op.argv)
	}
	if wrap {
		n.feedCommand(ops[len(ops)-1].db, execArgv)
	}
	for i := range ops {
		ops[i] = propOp{}
	}
}

var (
	multiArgv = [][]byte{[]byte("MULTI")}
	execArgv  = [][]byte{[]byte("EXEC")}
)

// feedCommand appends one command to the replication stream, preceded by
// SELECT when its database differs from the stream's current one.
func (n *Node) feedCommand(db int, argv [][]byte) {
	r := &n.repl
	if r.backlog == nil && len(r.replicas) == 0 {
		// Redis feeds nothing (and the offset stands still) while there
		// is neither a backlog nor a replica.
		return
	}
	buf := r.feedBuf[:0]
	if db >= 0 && db != r.streamDB {
		buf = resp.AppendCommand(buf, "SELECT", strconv.Itoa(db))
		r.streamDB = db
	}
	buf = resp.AppendCommandBytes(buf, argv)
	r.feedBuf = buf
	n.feedStream(buf)
}

// propagateDel replicates the deletion of an expired key.
func (n *Node) propagateDel(db int, key string) {
	n.alsoPropagate(db, [][]byte{[]byte("DEL"), []byte(key)})
}
