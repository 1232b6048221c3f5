package node

import (
	"math"
	"strconv"
	"strings"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
	"github.com/tidwall/redcon"
)

var (
	posInf = math.Inf(1)
	negInf = math.Inf(-1)
)

func isNaN(f float64) bool { return f != f }

// cmdCtx is what a command handler works with: the node, the client, the
// arguments, the reply writer and the time the command started. Handlers
// run under the node's lock.
type cmdCtx struct {
	n    *Node
	c    *Client
	cmd  *command
	args [][]byte
	w    *redcon.Writer
	now  int64 // unix ms, fixed for the whole command
	db   *keyspace.DB

	dirty  int      // changes made by this command
	prop   [][]byte // rewritten argv to replicate instead of args
	noProp bool     // replicate nothing even if dirty
	// forceProp replicates the command although it changed no key
	// (forceCommandPropagation: PUBLISH).
	forceProp bool
	// replyAt is where this command's reply starts in the client's buffer.
	replyAt int
	// rejected marks a container's subcommand refused for its arity:
	// Redis refuses it before running (rejected_calls, not a call).
	rejected bool
	// noTouch keeps lookups from recording an access (LOOKUP_NOTOUCH:
	// TYPE, EXISTS, the TTL family, OBJECT).
	noTouch bool
}

// maxChosenReply bounds a reply whose length the client chooses rather
// than the data, when client-output-buffer-limit normal sets no hard limit.
const maxChosenReply = 64 << 20

// replyOverLimit reports whether the reply being built has outgrown what
// one client may be sent: the client-output-buffer-limit normal hard limit
// when set, maxChosenReply otherwise. Loops whose length the client
// chooses rather than the data (random picks with repeats, a count of up
// to 2^63) check it now and then: Redis would build such a reply until it
// ran out of memory, with every other client waiting. Over the limit the
// partial reply is dropped and the client closed, as Redis closes a client
// over its output buffer limit.
func (x *cmdCtx) replyOverLimit() bool {
	if int64(replyLen(x.w)-x.replyAt) <= x.chosenReplyLimit() {
		return false
	}
	x.dropReplyAndClose()
	return true
}

// chosenReplyTooLarge is replyOverLimit decided before building: count
// elements of per bulk strings each take at least 6 bytes ("$0\r\n\r\n").
func (x *cmdCtx) chosenReplyTooLarge(count, per int64) bool {
	if count <= x.chosenReplyLimit()/(6*per) {
		return false
	}
	x.dropReplyAndClose()
	return true
}

func (x *cmdCtx) chosenReplyLimit() int64 {
	if limit := x.n.cfg.OutputBufferLimit("normal").Hard; limit > 0 {
		return limit
	}
	return maxChosenReply
}

// dropReplyAndClose drops this command's reply and closes the client.
func (x *cmdCtx) dropReplyAndClose() {
	x.w.SetBuffer(x.w.Buffer()[:x.replyAt])
	x.c.flags |= flagCloseASAP
	x.n.log.Warnf("Client id=%d addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.", x.c.id, x.c.addr)
}

// Reply helpers.

func (x *cmdCtx) ok()              { x.w.WriteRaw(okReply) }
func (x *cmdCtx) status(s string)  { x.w.WriteString(s) }
func (x *cmdCtx) err(msg string)   { x.n.replyErr(x.w, msg) }
func (x *cmdCtx) int(n int64)      { x.w.WriteInt64(n) }
func (x *cmdCtx) bulk(b []byte)    { x.w.WriteBulk(b) }
func (x *cmdCtx) bulkStr(s string) { x.w.WriteBulkString(s) }
func (x *cmdCtx) null()            { x.w.WriteRaw(x.c.nullReply(nullBulk)) }
func (x *cmdCtx) nullArray()       { x.w.WriteRaw(x.c.nullReply(nullArray)) }
func (x *cmdCtx) array(n int)      { x.w.WriteArray(n) }
func (x *cmdCtx) wrongType()       { x.err(errWrongType) }
func (x *cmdCtx) syntaxErr()       { x.err(errSyntax) }
func (x *cmdCtx) bulkInt(n int64)  { x.w.WriteBulk(strconv.AppendInt(x.n.scratch[:0], n, 10)) }
func (x *cmdCtx) wrongArgs()       { x.err(wrongArgsError(x.cmd.name)) }

var (
	okReply   = []byte("+OK\r\n")
	nullBulk  = []byte("$-1\r\n")
	nullArray = []byte("*-1\r\n")
	nullResp3 = []byte("_\r\n")
)

// appendDouble formats a double the way Redis 7.0 replies with one
// (addReplyDouble: "%.17g", "inf", "-inf").
func appendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return rdb.AppendG17(dst, f)
}

// touch records that key changed: the change counter for save points and
// replication, and WATCHers of the key.
func (x *cmdCtx) touch(key []byte) {
	x.dirty++
	x.n.dirty++
	if len(x.n.watchers) > 0 {
		x.n.touchWatched(x.db.ID(), key)
	}
}

// changed counts n changes that touch no particular key (FLUSHALL).
func (x *cmdCtx) changed(n int) {
	x.dirty += n
	x.n.dirty += int64(n)
}

// lookupRead returns the live entry for key as a read sees it: a key past
// its TTL is missing (and, on a master, deleted and replicated as DEL).
// The link from our master sees every key. It counts hits and misses.
func (x *cmdCtx) lookupRead(key []byte) *keyspace.Entry {
	e := x.lookup(key)
	if e == nil {
		x.n.stats.keyspaceMisses++
		x.notify(notifyKeyMiss, "keymiss", key)
	} else {
		x.n.stats.keyspaceHits++
	}
	return e
}

// lookupWrite returns the live entry for key before a write.
func (x *cmdCtx) lookupWrite(key []byte) *keyspace.Entry { return x.lookup(key) }

func (x *cmdCtx) lookup(key []byte) *keyspace.Entry {
	e := x.db.Peek(key)
	if e == nil {
		return nil
	}
	if e.ExpireAt() == 0 || e.ExpireAt() > x.now || x.c.is(flagMaster) {
		if !x.noTouch {
			x.n.touchAccessLocked(e, x.now) // lookupKey's LRU/LFU update
		}
		return e
	}
	if x.n.isReplica() {
		// Replicas hide logically expired keys but leave the deletion to
		// the master's DEL.
		return nil
	}
	x.n.expireEntry(x.db, e)
	return nil
}

// replyErr writes an error reply and counts it for INFO (total_error_replies
// and errorstats by prefix). Callers hold the lock.
func (n *Node) replyErr(w *redcon.Writer, msg string) {
	n.stats.errorReplies++
	prefix := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		prefix = msg[:i]
	}
	if n.stats.errorsByPrefix == nil {
		n.stats.errorsByPrefix = map[string]int64{}
	}
	if len(n.stats.errorsByPrefix) < 128 || n.stats.errorsByPrefix[prefix] > 0 {
		n.stats.errorsByPrefix[prefix]++
	}
	w.WriteError(msg)
}

// replyErrUnlocked is replyErr for callers that do not hold the lock
// (commands that block outside it).
func (n *Node) replyErrUnlocked(w *redcon.Writer, msg string) {
	n.mu.Lock()
	n.replyErr(w, msg)
	n.mu.Unlock()
}

// touchN records that n elements of key changed: one touch (WATCH,
// replication) and n changes for the save counter, as Redis adds n to
// server.dirty.
func (x *cmdCtx) touchN(key []byte, n int) {
	x.touch(key)
	if n > 1 {
		x.changed(n - 1)
	}
}

// signal invalidates WATCHes of key without counting a change (Redis's
// signalModifiedKey without server.dirty), e.g. an LTRIM that removed
// nothing.
func (x *cmdCtx) signal(key []byte) {
	if len(x.n.watchers) > 0 {
		x.n.touchWatched(x.db.ID(), key)
	}
}

// entryOrReply looks key up (for a write when write is set) and returns
// its entry when it holds a value of kind. A missing key gets the raw
// reply missing and a key of another kind WRONGTYPE; both return nil.
func (x *cmdCtx) entryOrReply(key []byte, kind keyspace.Kind, write bool, missing []byte) *keyspace.Entry {
	var e *keyspace.Entry
	if write {
		e = x.lookupWrite(key)
	} else {
		e = x.lookupRead(key)
	}
	if e == nil {
		x.w.WriteRaw(x.c.nullReply(missing))
		return nil
	}
	if e.Kind() != kind {
		x.wrongType()
		return nil
	}
	return e
}
