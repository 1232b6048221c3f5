package node

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/tidwall/redcon"
)

// A panic in a client's goroutine must never leave the node's lock held:
// redcon's cleanup for the connection (onClosed) takes the lock, so a
// panic unwinding with it held froze the whole node, SIGTERM included.
// What happens instead depends on where the panic was raised:
//
//   - in a command that cannot change the dataset (no write flag, nothing
//     dirtied): the dataset and the replication stream are as they were
//     before it, so the node logs a bug report, answers that client an
//     error, closes it and goes on serving everyone else;
//   - in a write command, or in the node's own machinery with the lock
//     held: the dataset, the backlog or a replica's stream may be half
//     changed, and a master that carried on could feed its replicas a
//     history it does not have. The node logs the bug report and dies,
//     as Redis's serverPanic does (Options.Fatal; `replscope node` exits 1);
//   - anywhere else in the client's goroutine (a blocking command, the
//     loop serving a replica), where it cannot tell whether the lock is
//     held: the same as a write command.

// errInternal is the reply to a client whose read-only command panicked.
const errInternal = "ERR internal error while running the command; the server log has a bug report"

// panicking is a panic caught in a client's goroutine, with what the node
// knew about where it was raised.
type panicking struct {
	value any
	stack []byte
	held  bool // the goroutine held the node's lock
}

// containBatchPanic is runBatch's deferred guard: it releases the lock if
// the goroutine holds it (p.held) and marks the client to be closed. A
// contained panic replaces the command's partial reply (from where the
// outermost running command's reply starts) by an error; any other goes
// to Options.Fatal.
func (n *Node) containBatchPanic(c *Client, w *redcon.Writer, p panicking) {
	stackNames := n.runningCommands()
	safe := p.held && n.callDepth > 0 && n.readOnlyStack()
	mark := n.ctxs[0].replyAt // valid when safe: a command was running
	report := bugReport(p, c, stackNames, safe)
	n.log.Warnf("%s", report)
	if p.held {
		// Whatever ran is over: forget its contexts, and flush the
		// effects it queued (keys it found expired) so that they are not
		// merged into the next command's.
		for i := range n.ctxs[:n.callDepth] {
			n.ctxs[i] = cmdCtx{}
		}
		n.callDepth = 0
		n.batchNow, n.callEnd = 0, 0
		if safe {
			n.flushPropagationLocked(true)
			n.wakeAllPeersIfPendingLocked()
			if buf := w.Buffer(); mark <= len(buf) {
				w.SetBuffer(buf[:mark])
			}
			n.replyErr(w, errInternal)
		}
		c.flags |= flagCloseASAP
		n.mu.Unlock()
	}
	if !safe {
		n.fatal(report)
	}
}

// runningCommands names the commands being run under the lock, outermost
// first (EXEC, then the queued command that was running).
func (n *Node) runningCommands() []string {
	var names []string
	for _, x := range n.ctxs[:n.callDepth] {
		if x.cmd != nil {
			names = append(names, x.cmd.name)
		}
	}
	return names
}

// readOnlyStack reports whether every command being run is one that
// cannot change the dataset and none has changed anything.
func (n *Node) readOnlyStack() bool {
	for _, x := range n.ctxs[:n.callDepth] {
		if x.cmd == nil || x.cmd.flags&cWrite != 0 || x.dirty > 0 || x.cmd.name == "exec" {
			return false
		}
	}
	return true
}

// fatal ends the node after a panic it could not contain.
func (n *Node) fatal(report string) {
	if n.opts.Fatal != nil {
		n.opts.Fatal(report)
		return
	}
	// No owner told us how to die: die as an unrecovered panic would, on
	// a goroutine no one recovers, so that the process exits loudly.
	go panic("replscope node: " + report)
}

// bugReport formats the panic as Redis's crash report does: a banner, the
// cause, the client and command, the stack.
func bugReport(p panicking, c *Client, cmds []string, contained bool) string {
	var b strings.Builder
	b.WriteString("\n\n=== REPLSCOPE BUG REPORT START: Cut & paste starting from here ===\n")
	fmt.Fprintf(&b, "------ PANIC ------\n%v\n", p.value)
	if len(cmds) > 0 {
		fmt.Fprintf(&b, "command: %s\n", strings.Join(cmds, " > "))
	} else {
		b.WriteString("command: (none: in the node's own code)\n")
	}
	if c != nil {
		fmt.Fprintf(&b, "client: id=%d addr=%s name=%s\n", c.id, c.addr, c.name)
	}
	fmt.Fprintf(&b, "lock held: %v\n", p.held)
	if contained {
		b.WriteString("outcome: the command could not have changed the dataset; the client was answered an error and closed, the node goes on\n")
	} else {
		b.WriteString("outcome: the dataset or replication state may be half changed; the node stops\n")
	}
	b.WriteString("------ STACK TRACE ------\n")
	b.Write(p.stack)
	b.WriteString("\n=== REPLSCOPE BUG REPORT END. Make sure to include from START to END. ===")
	return b.String()
}

// caught builds a panicking value from recover()'s result.
func caught(v any, held bool) panicking {
	return panicking{value: v, stack: debug.Stack(), held: held}
}
