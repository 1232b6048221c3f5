package node

import (
	"math"
	"math/big"
	"time"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/tidwall/redcon"
)

// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, BLMPOP, BZMPOP...),
// as Redis 7.0's blocked.c serves them:
//
//   - A blocking command runs like any other, under the lock. When it finds
//     nothing to pop it registers a keyWait in FIFO lists per key and
//     replies nothing; its client's goroutine then waits, without the
//     lock, for the wait to end (awaitKeys).
//   - Creating a key (keyspace OnAdd, Redis's dbAdd → signalKeyAsReady)
//     marks it ready when someone waits on it. After each top-level command
//     (a whole EXEC included) call serves the ready keys under the lock:
//     the first waiter of the key's type pops, its reply goes to its own
//     buffer, its effect is propagated in the non-blocking form (LPOP,
//     LMOVE, ZPOPMIN...) after the push, and it is unblocked; the next
//     waiter is served until the key is gone.
//   - Timeouts, CLIENT UNBLOCK, a hang-up, CLIENT KILL, SHUTDOWN and a
//     master turning into a replica end a wait too. Nothing polls.

// keyWait is one client blocked on keys. Its fields are guarded by the
// node's lock; done is closed, under the lock, when the wait ends, after
// which the client's goroutine owns out.
type keyWait struct {
	c       *Client
	cmd     *command
	args    [][]byte // a private copy of the command's arguments
	db      int
	keys    []string
	kind    keyspace.Kind
	timeout time.Duration // 0: forever
	// serve pops for this client from key, whose live entry e holds a
	// value of kind, replies on x.w and queues the effect to propagate. It
	// reports whether the key is gone.
	serve      func(x *cmdCtx, key []byte, e *keyspace.Entry) (deleted bool)
	out        *redcon.Writer // the reply, written when the wait ends
	done       chan struct{}
	closeAfter bool // close the connection after the reply (-UNBLOCKED)
	// timedOut writes the reply of a timeout (CLIENT UNBLOCK TIMEOUT):
	// a null array when nil; WAIT's count of acknowledgements.
	timedOut func(out *redcon.Writer)
	// stream is what an XREAD/XREADGROUP waits for (serve is nil): such
	// a wait is served by serveStreamKey, and may stay blocked when the
	// key is ready but holds nothing new for it.
	stream *streamWait
}

// blockClient registers c as blocked on no key (WAIT): CLIENT UNBLOCK,
// CLIENT LIST, INFO and a change of master see it like a blocked pop.
func (n *Node) blockClient(c *Client, timeout time.Duration, timedOut func(out *redcon.Writer)) *keyWait {
	b := &keyWait{c: c, db: c.db, timeout: timeout, out: redcon.NewWriter(nil), done: make(chan struct{}), timedOut: timedOut}
	if timeout > 0 {
		n.keyWaits.timed++
	}
	c.keyWait = b
	n.blocked++
	return b
}

// keyWaits is the node's table of clients blocked on keys.
type keyWaits struct {
	byKey    map[watchKey][]*keyWait // in the order the clients blocked
	ready    []watchKey
	readySet map[watchKey]struct{}
	timed    int // waits with a timeout (INFO clients_in_timeout_table)
}

// blockOn blocks x's client on keys: serve runs when one of them is ready.
// The command replies nothing now.
func (x *cmdCtx) blockOn(kind keyspace.Kind, keys [][]byte, timeout time.Duration,
	serve func(x *cmdCtx, key []byte, e *keyspace.Entry) bool) {
	n, c := x.n, x.c
	bs := &n.keyWaits
	if bs.byKey == nil {
		bs.byKey = map[watchKey][]*keyWait{}
		bs.readySet = map[watchKey]struct{}{}
	}
	b := &keyWait{
		c: c, cmd: x.cmd, args: copyArgs(x.args), db: x.db.ID(), kind: kind,
		timeout: timeout, serve: serve, out: redcon.NewWriter(nil), done: make(chan struct{}),
	}
	for _, k := range keys {
		wk := watchKey{db: b.db, key: string(k)}
		dup := false
		for _, seen := range b.keys {
			dup = dup || seen == wk.key
		}
		if dup {
			continue
		}
		b.keys = append(b.keys, wk.key)
		bs.byKey[wk] = append(bs.byKey[wk], b)
	}
	if timeout > 0 {
		bs.timed++
	}
	c.keyWait = b
	n.blocked++
}

// endKeyWait unblocks b's client: it leaves every key's list and its
// goroutine is woken to send what b.out holds. Ending a wait twice is
// harmless.
func (n *Node) endKeyWait(b *keyWait) {
	if b.c.keyWait != b {
		return
	}
	bs := &n.keyWaits
	for _, k := range b.keys {
		wk := watchKey{db: b.db, key: k}
		list := bs.byKey[wk]
		for i, w := range list {
			if w == b {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(bs.byKey, wk)
		} else {
			bs.byKey[wk] = list
		}
	}
	if b.timeout > 0 {
		bs.timed--
	}
	b.c.keyWait = nil
	n.blocked--
	close(b.done)
}

// signalKeyAsReady is the keyspace's OnAdd: a key was created, so clients
// blocked on it may be served after the current command.
func (n *Node) signalKeyAsReady(db int, key string) {
	bs := &n.keyWaits
	if len(bs.byKey) == 0 {
		return
	}
	wk := watchKey{db: db, key: key}
	if _, ok := bs.byKey[wk]; !ok {
		return
	}
	if _, ok := bs.readySet[wk]; ok {
		return
	}
	bs.readySet[wk] = struct{}{}
	bs.ready = append(bs.ready, wk)
}

// serveReadyKeys serves the clients blocked on keys made ready by the
// command that just ran (handleClientsBlockedOnKeys). Serving a BLMOVE
// can make its destination ready in turn: the loop runs until nothing is.
func (n *Node) serveReadyKeys() {
	bs := &n.keyWaits
	for len(bs.ready) > 0 {
		ready := bs.ready
		bs.ready = nil
		for _, wk := range ready {
			delete(bs.readySet, wk)
			n.serveKey(wk)
		}
	}
}

// serveKey serves the clients blocked on one ready key, first blocked
// first, while the key holds a value of the type they wait for.
func (n *Node) serveKey(wk watchKey) {
	depth := n.callDepth
	n.callDepth++
	defer func() { n.callDepth-- }()
	x := &n.ctxs[depth]
	key := []byte(wk.key)
	now := n.batchNow
	if now == 0 {
		now = n.nowMs()
	}
	n.serveStreamKey(wk, now)
	for {
		waits := n.keyWaits.byKey[wk]
		if len(waits) == 0 {
			return
		}
		*x = cmdCtx{n: n, c: waits[0].c, cmd: waits[0].cmd, now: now, db: n.ks.DB(wk.db)}
		e := x.lookup(key)
		var b *keyWait
		if e != nil {
			for _, w := range waits {
				if w.kind == e.Kind() && w.stream == nil {
					b = w
					break
				}
			}
		}
		if b == nil {
			*x = cmdCtx{}
			n.flushPropagationLocked(false) // a DEL of the key if it just expired
			return
		}
		*x = cmdCtx{n: n, c: b.c, cmd: b.cmd, args: b.args, w: b.out, now: now, db: x.db}
		deleted := b.serve(x, key, e)
		*x = cmdCtx{}
		n.endKeyWait(b)
		n.flushPropagationLocked(false)
		if deleted {
			return
		}
	}
}

// dispatchMayBlock runs a command that may block on keys (BLPOP...) for
// runBatch, under the lock like any other command so that it sees the
// commands that arrived before it. When it blocked, the lock is released
// while the client waits (replies to the commands before it go out
// first), and taken again for the rest of the batch.
func (n *Node) dispatchMayBlock(c *Client, w *redcon.Writer, args [][]byte) {
	c.mayBlock = true
	n.dispatch(c, w, args)
	c.mayBlock = false
	b := c.keyWait
	if b == nil {
		return
	}
	n.batchNow, n.callEnd = 0, 0
	n.mu.Unlock()
	if c.pub == nil {
		_ = w.Flush()
	}
	n.awaitKeys(c, w, b)
	n.mu.Lock()
	n.batchNow, n.callEnd = n.nowMs(), 0
}

// awaitKeys waits, without the lock, until b ends: served, timed out,
// unblocked, the client hung up, or the node closes. It then writes the
// reply to w (nothing when the client is gone).
func (n *Node) awaitKeys(c *Client, w *redcon.Writer, b *keyWait) {
	var hung <-chan struct{}
	if g, ok := c.netConn.(*guardConn); ok {
		var stop func()
		hung, stop = g.watchHangup()
		defer stop()
	}
	var expire <-chan time.Time
	if b.timeout > 0 {
		t := time.NewTimer(b.timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case <-b.done:
	case <-expire:
		n.mu.Lock()
		if c.keyWait == b {
			b.writeTimedOut()
			n.endKeyWait(b)
		}
		n.mu.Unlock()
	case <-hung:
		n.dropKeyWait(b)
		return
	case <-n.closing:
		n.dropKeyWait(b)
		return
	}
	b.reply(w)
}

func (b *keyWait) writeTimedOut() {
	if b.timedOut != nil {
		b.timedOut(b.out)
	} else {
		b.out.WriteRaw(b.c.nullReply(nullArray))
	}
}

// reply writes the reply of an ended wait to the client's writer; once
// done is closed, b is no longer shared.
func (b *keyWait) reply(w *redcon.Writer) {
	w.WriteRaw(b.out.Buffer())
	if b.closeAfter {
		// Close after the reply: the batch stops and the next read fails.
		b.c.killed.Store(true)
		_ = w.Flush()
		_ = b.c.netConn.Close()
	}
}

// dropKeyWait ends b for a client that will get no reply.
func (n *Node) dropKeyWait(b *keyWait) {
	n.mu.Lock()
	n.endKeyWait(b)
	n.mu.Unlock()
}

// unblockClient ends c's wait on keys as CLIENT UNBLOCK does: like a
// timeout, or with an error. It reports whether c was blocked.
func (n *Node) unblockClient(c *Client, withError bool) bool {
	b := c.keyWait
	if b == nil {
		return false
	}
	if withError {
		n.replyErr(b.out, "UNBLOCKED client unblocked via CLIENT UNBLOCK")
	} else {
		b.writeTimedOut()
	}
	n.endKeyWait(b)
	return true
}

// disconnectBlockedClientsLocked answers every blocked client (keys, WAIT) with
// -UNBLOCKED and closes it, as Redis does when a master turns into a
// replica (or changes master): serving them could diverge from the new
// master.
func (n *Node) disconnectBlockedClientsLocked() {
	for _, c := range n.clients {
		if b := c.keyWait; b != nil {
			n.replyErr(b.out, "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)")
			b.closeAfter = true
			n.endKeyWait(b)
		}
	}
}

// parseTimeout parses a blocking command's timeout in seconds as Redis's
// getTimeoutFromObjectOrReply does: a long double (string2ld), rounded up
// to milliseconds; 0 means forever. It replies the error itself.
func (x *cmdCtx) parseTimeout(b []byte) (time.Duration, bool) {
	f, ok := parseTimeoutSeconds(b)
	if !ok {
		x.err("ERR timeout is not a float or out of range")
		return 0, false
	}
	ms := math.Ceil(f * 1000)
	// (long long) of a value out of range is LLONG_MIN on x86: negative.
	if !(ms < 0x1p63) || ms < 0 {
		x.err("ERR timeout is negative")
		return 0, false
	}
	if ms > 1<<40 { // past any deadline Redis's clock reaches: forever
		return 0, true
	}
	return time.Duration(ms) * time.Millisecond, true
}

// parseTimeoutSeconds is string2ld: what strtold accepts in full, no
// leading space, not NaN, and no overflow or underflow of an x87 long
// double (whose range is far wider than a double's).
func parseTimeoutSeconds(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) >= 5*1024 || isCSpace(b[0]) {
		return 0, false
	}
	v, n, erange := strtod(b)
	if n != len(b) || isNaN(v) {
		return 0, false
	}
	if erange {
		f, _, err := big.ParseFloat(string(b), 0, 64, big.ToNearestEven)
		if err != nil || f.IsInf() {
			return 0, false
		}
		if exp := f.MantExp(nil); exp > 16384 || (f.Sign() != 0 && exp < -16444) {
			return 0, false
		}
	}
	return v, true
}

// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]
func (x *cmdCtx) clientUnblock() {
	if len(x.args) > 4 {
		x.err("ERR unknown subcommand or wrong number of arguments for '" + truncArg(x.args[1], 128) + "'. Try CLIENT HELP.")
		return
	}
	withError := false
	if len(x.args) == 4 {
		switch {
		case eqFold(x.args[3], "timeout"):
		case eqFold(x.args[3], "error"):
			withError = true
		default:
			x.err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	id, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	if c := x.n.clients[id]; c != nil && x.n.unblockClient(c, withError) {
		x.int(1)
	} else {
		x.int(0)
	}
}
