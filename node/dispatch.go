package node

import (
	"strings"
	"time"

	"github.com/tidwall/redcon"
)

// dispatch runs one command for client c, replying on w. It is called with
// the node's lock held. It applies, in Redis's order, the checks that can
// refuse a command (unknown, arity, auth, pub/sub context, MULTI queuing,
// role and durability checks) and then calls it.
func (n *Node) dispatch(c *Client, w *redcon.Writer, args [][]byte) {
	if c.replyOff || c.replySkip {
		n.dispatchSilenced(c, w, args)
	} else {
		n.dispatchCmd(c, w, args)
	}
	if c.replySkipNext { // CLIENT REPLY SKIP: the next command's reply
		c.replySkipNext = false
		c.replySkip = true
	}
}

// dispatchSilenced runs a command for a client that turned its replies
// off or skips this one (CLIENT REPLY OFF|SKIP): the reply is dropped,
// except the pub/sub confirmations Redis pushes regardless
// (CLIENT_PUSHING).
func (n *Node) dispatchSilenced(c *Client, w *redcon.Writer, args [][]byte) {
	at := len(w.Buffer())
	skip := c.replySkip
	c.replySkip = false
	n.dispatchCmd(c, w, args)
	if (c.replyOff || skip) && !isSubscribeCommand(args[0]) && len(w.Buffer()) >= at {
		w.SetBuffer(w.Buffer()[:at])
	}
}

func isSubscribeCommand(name []byte) bool {
	return eqFold(name, "subscribe") || eqFold(name, "psubscribe") ||
		eqFold(name, "unsubscribe") || eqFold(name, "punsubscribe")
}

func (n *Node) dispatchCmd(c *Client, w *redcon.Writer, args [][]byte) {
	// Clients repeat commands: check the one this client ran last before
	// looking the table up.
	cmd := c.cmdCache
	if cmd == nil || !eqFoldExact(args[0], cmd.name) {
		cmd = lookupCommand(args[0])
		c.cmdCache = cmd
	}
	if cmd == nil {
		n.reject(c, w, nil, args, unknownCommandError(args))
		return
	}
	if !cmd.arityOK(len(args)) {
		n.reject(c, w, cmd, args, wrongArgsError(cmd.name))
		return
	}
	if len(args) > 1 && (cmd.container || cmd.name == "command") {
		if msg, known := subcommandRefusal(cmd, args); msg != "" {
			if !known {
				cmd = nil // no such command: no command statistics
			}
			n.reject(c, w, cmd, args, msg)
			return
		}
	}
	if !c.authed && cmd.flags&cNoAuth == 0 && n.cfg.RequirePass != "" {
		n.reject(c, w, cmd, args, errNoAuth)
		return
	}
	if c.pubsubRestricted() && !allowedInPubSub(cmd.name) {
		n.reject(c, w, cmd, args, "ERR Can't execute '"+cmd.name+"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return
	}
	if c.is(flagMulti) && !runsInMulti(cmd.name) {
		if cmd.flags&cNoMulti != 0 {
			n.reject(c, w, cmd, args, "ERR Command not allowed inside a transaction")
			return
		}
		if msg := n.refusal(c, cmd, args); msg != "" {
			n.reject(c, w, cmd, args, msg)
			return
		}
		c.multiQ = append(c.multiQ, queuedCmd{cmd: cmd, args: copyArgs(args)})
		w.WriteRaw(queuedReply)
		return
	}
	if msg := n.refusal(c, cmd, args); msg != "" {
		n.reject(c, w, cmd, args, msg)
		return
	}
	n.call(c, w, cmd, args)
}

var queuedReply = []byte("+QUEUED\r\n")

// copyArgs detaches queued arguments from the connection's read buffer,
// in one allocation. An empty argument stays an empty, non-nil slice:
// handlers tell a given "" from an absent argument by nil.
func copyArgs(args [][]byte) [][]byte {
	total := 0
	for _, a := range args {
		total += len(a)
	}
	buf := make([]byte, 0, total)
	out := make([][]byte, len(args))
	for i, a := range args {
		start := len(buf)
		buf = append(buf, a...)
		out[i] = buf[start:len(buf):len(buf)]
	}
	return out
}

// reject answers a command refused before it runs (Redis's rejectCommand).
// A refused command inside MULTI makes the later EXEC abort; a refused
// EXEC itself ends the transaction and answers EXECABORT with the reason,
// even outside MULTI, as Redis's execCommandAbort does.
func (n *Node) reject(c *Client, w *redcon.Writer, cmd *command, args [][]byte, msg string) {
	if cmd != nil {
		n.noteRejected(cmd, args)
	}
	if cmd != nil && cmd.name == "exec" {
		n.discardMulti(c)
		n.replyErr(w, "EXECABORT Transaction discarded because of: "+strings.TrimPrefix(msg, "ERR "))
		return
	}
	n.rejectQueued(c)
	n.replyErr(w, msg)
}

// rejectQueued marks a transaction as failed when a command is refused
// while queuing, so that EXEC answers EXECABORT.
func (n *Node) rejectQueued(c *Client) {
	if c.is(flagMulti) {
		c.flags |= flagDirtyExec
	}
}

func allowedInPubSub(name string) bool {
	switch name {
	case "ping", "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "quit", "reset":
		return true
	}
	return false
}

func runsInMulti(name string) bool {
	switch name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// refusal returns the error a command gets from the node's state (role,
// link, replicas, loading), or "" when it may run. EXEC is judged by the
// commands it queued, as Redis does with mstate.cmd_flags: it is a write
// when one of them is, and refused where one of them would be.
func (n *Node) refusal(c *Client, cmd *command, args [][]byte) string {
	if c.is(flagMaster) {
		return ""
	}
	if n.scriptBusy && !allowedBusy(cmd, args) {
		return errBusyScript
	}
	flags := cmd.flags
	if cmd.name == "exec" {
		for _, q := range c.multiQ {
			flags |= q.cmd.flags & cWrite
			flags &^= ^q.cmd.flags & (cStale | cLoading)
		}
	}
	write := flags&cWrite != 0
	if n.isReplica() {
		if write && n.cfg.ReplicaReadOnly {
			return errReadOnly
		}
		if !n.cfg.ReplicaServeStaleData && !n.masterLinkUp() && flags&cStale == 0 {
			return errMasterDown
		}
	} else if write && n.cfg.MinReplicasToWrite > 0 && n.repl.core.GoodReplicas(n.nowMs()) < n.cfg.MinReplicasToWrite {
		return errNoReplicas
	}
	if write && !n.isReplica() && n.cfg.StopWritesOnBgsaveError && len(n.cfg.Save) > 0 && !n.persist.lastBgsaveOK {
		return errMisconf
	}
	if n.loading && flags&cLoading == 0 {
		return errLoading
	}
	return ""
}

// call runs a command that passed every check, counts it and feeds its
// effects to the replication stream. Calls nest (EXEC runs its queued
// commands through call); effects are flushed by the outermost call, in a
// MULTI/EXEC block when there is more than one, as Redis 7.0 does.
func (n *Node) call(c *Client, w *redcon.Writer, cmd *command, args [][]byte) {
	depth := n.callDepth
	if depth >= len(n.ctxs) {
		panic("node: commands nested too deeply")
	}
	n.callDepth++
	x := &n.ctxs[depth]
	now := n.batchNow
	if now == 0 {
		now = n.nowMs()
	}
	*x = cmdCtx{n: n, c: c, cmd: cmd, args: args, w: w, now: now, db: n.ks.DB(c.db), replyAt: replyLen(w)}
	before := n.offset()
	n.stats.prevErrors = n.stats.errorReplies
	c.lastCmd = fullName(cmd, args)
	started := n.callEnd
	if depth > 0 || n.batchNow == 0 || started == 0 {
		started = monoNow()
	}
	cmd.fn(x)
	ended := monoNow()
	if depth == 0 && n.batchNow != 0 {
		n.callEnd = ended
	}
	n.noteCall(cmd, args, time.Duration(ended-started), x.rejected)
	n.stats.commands++
	if (x.dirty > 0 && cmd.flags&(cWrite|cMayReplicate) != 0 || x.forceProp) && !x.noProp {
		argv := x.prop
		if argv == nil {
			argv = args
		}
		n.alsoPropagate(x.db.ID(), argv)
	}
	*x = cmdCtx{} // drop references to the arguments
	n.callDepth--
	if depth == 0 {
		n.flushPropagationLocked(cmd.flags&cArbitraryKeys != 0)
	}
	if n.offset() != before {
		c.woff = n.offset()
	}
	if depth == 0 && len(n.keyWaits.ready) > 0 {
		// Clients blocked on keys this command created (block.go).
		n.serveReadyKeys()
	}
}
