package node

// alsoPropagate queues an effect of the running command for the
// replication stream; the outermost call flushes the queue. A replica
// never builds its own stream: it forwards its master's bytes verbatim
// (see streamFromMaster).
func (n *Node) alsoPropagate(db int, argv [][]byte) {
	n.repl.core.Propagate(db, argv)
}

// flushPropagationLocked feeds the queued effects to the stream, wrapped in
// MULTI/EXEC when there is more than one, except for commands that touch
// arbitrary keys (repl.State.Flush).
func (n *Node) flushPropagationLocked(arbitrary bool) {
	now := n.batchNow // one clock read per batch, not per command
	if now == 0 {
		now = n.nowMs()
	}
	n.repl.core.Flush(now, arbitrary)
	n.carryOutLocked()
}

// propagateDelLocked replicates the deletion of an expired key.
func (n *Node) propagateDelLocked(db int, key string) {
	n.alsoPropagate(db, [][]byte{[]byte("DEL"), []byte(key)})
}
