package node

import (
	"strconv"
	"time"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/tidwall/redcon"
)

// XREAD and XREADGROUP (xreadCommand), and serving the clients they block
// (serveClientsBlockedOnStreamKey). A read through a group changes the
// group and replicates as XCLAIM (one per entry now pending), XGROUP
// SETID (NOACK reads) and XGROUP CREATECONSUMER (a consumer created by a
// NOACK read), never as XREADGROUP.

func init() {
	register(
		&command{name: "xread", arity: -4, flags: cReadOnly | cBlocksOnKeys, acl: "@read @stream @slow @blocking", fn: cmdXRead,
			summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.", group: "stream", since: "5.0.0"},
		&command{name: "xreadgroup", arity: -7, flags: cWrite | cBlocksOnKeys, acl: "@write @stream @slow @blocking", fn: cmdXRead,
			summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.", group: "stream", since: "5.0.0"},
	)
}

// xreadBlockedDefaultCount caps what a blocked XREAD without COUNT gets.
const xreadBlockedDefaultCount = 1000

// streamWait is what a client blocked by XREAD/XREADGROUP waits for.
type streamWait struct {
	ids      map[string]keyspace.StreamID // per key: serve entries after this
	group    []byte                       // XREADGROUP's group, nil for XREAD
	consumer []byte
	noack    bool
	count    int64
}

var (
	xclaimName     = []byte("XCLAIM")
	xgroupName     = []byte("XGROUP")
	zeroArg        = []byte("0")
	timeArg        = []byte("TIME")
	retrycountArg  = []byte("RETRYCOUNT")
	forceArg       = []byte("FORCE")
	justidArg      = []byte("JUSTID")
	lastidArg      = []byte("LASTID")
	setidArg       = []byte("SETID")
	entriesreadArg = []byte("ENTRIESREAD")
)

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
func cmdXRead(x *cmdCtx) {
	readgroup := x.cmd.name == "xreadgroup"
	x.noProp = true // effects are propagated one by one
	timeout := time.Duration(-1)
	var count int64
	var group, consumer []byte
	noack := false
	streamsArg := 0
	for o := x.options(1); o.next(); {
		switch {
		case o.is("block", 1):
			if x.c.is(flagScript) {
				x.err("ERR " + x.cmd.name + " command is not allowed with BLOCK option from scripts")
				return
			}
			ms, ok := o.int(0, "ERR timeout is not an integer or out of range")
			if !ok {
				return
			}
			if ms < 0 {
				x.err("ERR timeout is negative")
				return
			}
			timeout = time.Duration(ms) * time.Millisecond
			if ms > 1<<40 {
				timeout = 0
			}
		case o.is("count", 1):
			v, ok := o.int(0, errNotInt)
			if !ok {
				return
			}
			count = max(v, 0)
		case o.is("streams", 1):
			streamsArg = o.at + 1
			if (len(x.args)-streamsArg)%2 != 0 {
				x.err("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return
			}
			o.stop()
		case o.is("group", 2):
			if !readgroup {
				x.err("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			group, consumer = o.arg(0), o.arg(1)
		case o.is("noack", 0):
			if !readgroup {
				x.err("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			noack = true
		default:
			x.syntaxErr()
			return
		}
	}
	if streamsArg == 0 {
		x.syntaxErr()
		return
	}
	if readgroup && group == nil {
		x.err("ERR Missing GROUP option for XREADGROUP")
		return
	}
	n := (len(x.args) - streamsArg) / 2
	keys := x.args[streamsArg : streamsArg+n]
	ids := make([]keyspace.StreamID, n)
	for i := range n {
		key, arg := keys[i], x.args[streamsArg+n+i]
		e := x.lookupRead(key)
		if e != nil && e.Kind() != keyspace.KindStream {
			x.wrongType()
			return
		}
		if group != nil && (e == nil || e.Stream().Group(group) == nil) {
			x.err("NOGROUP No such key '" + string(cString(key)) + "' or consumer group '" + string(cString(group)) + "' in XREADGROUP with GROUP option")
			return
		}
		switch string(cString(arg)) {
		case "$":
			if readgroup {
				x.err("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
				return
			}
			if e != nil {
				ids[i] = e.Stream().LastID
			}
			continue
		case ">":
			if !readgroup {
				x.err("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
				return
			}
			ids[i] = keyspace.MaxStreamID
			continue
		}
		id, ok := x.streamIDArg(arg, 0, true)
		if !ok {
			return
		}
		ids[i] = id
	}
	sw := &streamWait{group: group, consumer: consumer, noack: noack, count: count}
	out, served := redcon.NewWriter(nil), 0
	w := x.w
	x.w = out
	for i := range n {
		if x.serveStream(keys[i], ids[i], sw, false) {
			served++
		}
	}
	x.w = w
	if served > 0 {
		if x.resp3() {
			x.mapLen(served)
		} else {
			x.array(served)
		}
		x.w.WriteRaw(out.Buffer())
		return
	}
	if timeout < 0 || !x.c.mayBlock {
		x.nullArray()
		return
	}
	if sw.count == 0 {
		sw.count = xreadBlockedDefaultCount
	}
	sw.ids = make(map[string]keyspace.StreamID, n)
	for i, k := range keys {
		if _, dup := sw.ids[string(k)]; !dup {
			sw.ids[string(k)] = ids[i]
		}
	}
	x.blockOn(keyspace.KindStream, keys, timeout, nil)
	x.c.keyWait.stream = sw
}

// serveStream replies [key, entries] for one stream of an XREAD when it
// has something to give after gt (blocked: only new entries) and reports
// whether it did.
func (x *cmdCtx) serveStream(key []byte, gt keyspace.StreamID, sw *streamWait, blocked bool) bool {
	var e *keyspace.Entry
	if blocked {
		e = x.db.Peek(key) // serveStreamKey checked it: no stats, no expiry
	} else {
		e = x.lookupRead(key)
	}
	if e == nil {
		return false
	}
	s := e.Stream()
	history := false
	var g *keyspace.StreamGroup
	if sw.group != nil {
		g = s.Group(sw.group)
	}
	switch {
	case blocked:
		if g != nil {
			gt = g.LastID
		}
		if !gt.Less(s.LastID) {
			return false
		}
	case g != nil && gt != keyspace.MaxStreamID:
		history = true
	case g != nil:
		if s.Length() == 0 || !g.LastID.Less(s.LastValidID()) {
			return false
		}
		gt = g.LastID
	default:
		if s.Length() == 0 || !gt.Less(s.LastValidID()) {
			return false
		}
	}
	start, _ := gt.Incr()
	if !x.resp3() {
		x.array(2)
	}
	x.bulk(key)
	var c *keyspace.StreamConsumer
	if g != nil {
		x.db.Modify(e)
		s = e.Stream()
		g = s.Group(sw.group)
		c = x.streamConsumer(key, g, sw.consumer, sw.noack)
		x.changed(1)
	}
	flags := 0
	if sw.noack {
		flags |= streamRWNoAck
	}
	if history {
		flags |= streamRWHistory
	}
	x.streamReadRange(key, s, start, sw.count, g, c, sw.group, flags)
	return true
}

// streamConsumer looks a consumer up (refreshing its seen time) or
// creates it; a NOACK read replicates the creation.
func (x *cmdCtx) streamConsumer(key []byte, g *keyspace.StreamGroup, name []byte, noack bool) *keyspace.StreamConsumer {
	if c := g.Consumer(name); c != nil {
		c.SeenTime = x.now
		return c
	}
	c := g.CreateConsumer(name, x.now)
	x.changed(1)
	x.notify(notifyStream, "xgroup-createconsumer", key)
	if noack {
		x.n.alsoPropagate(x.db.ID(), [][]byte{xgroupName, []byte("CREATECONSUMER"), copyBytes(key), []byte(g.Name), copyBytes(name)})
	}
	return c
}

// streamReadRange is streamReplyWithRange for reads: entries from start
// on (at most count), through group g for consumer c when g is set.
func (x *cmdCtx) streamReadRange(key []byte, s *keyspace.Stream, start keyspace.StreamID, count int64, g *keyspace.StreamGroup, c *keyspace.StreamConsumer, groupName []byte, flags int) {
	if g != nil && flags&streamRWHistory != 0 {
		x.streamHistory(s, g, c, start, count)
		return
	}
	if g == nil {
		x.streamRange(s, start, keyspace.MaxStreamID, count, false)
		return
	}
	var got []*keyspace.StreamEntry
	s.Range(start, keyspace.MaxStreamID, false, func(e *keyspace.StreamEntry) bool {
		got = append(got, e)
		return count == 0 || int64(len(got)) < count
	})
	x.array(len(got))
	moved := false
	for _, e := range got {
		if s.Deliver(g, e.ID) && flags&streamRWNoAck != 0 {
			moved = true
		}
		x.streamEntry(e)
		if flags&streamRWNoAck != 0 {
			continue
		}
		nack := g.NACK(e.ID)
		if nack == nil {
			nack = &keyspace.StreamNACK{DeliveryTime: x.now, DeliveryCount: 1, Consumer: c}
			g.AddNACK(e.ID, nack)
		} else {
			g.Assign(e.ID, nack, c)
			nack.DeliveryTime, nack.DeliveryCount = x.now, 1
		}
		x.propagateXClaim(key, g, groupName, streamIDBytes(e.ID), nack)
	}
	if moved {
		x.propagateGroupID(key, g, groupName)
	}
}

// streamHistory replies the entries of c's pending list from start on
// (streamReplyWithRangeFromConsumerPEL); a pending entry no longer in the
// stream shows as [id, nil].
func (x *cmdCtx) streamHistory(s *keyspace.Stream, g *keyspace.StreamGroup, c *keyspace.StreamConsumer, start keyspace.StreamID, count int64) {
	ids := c.PEL.IDs()[c.PEL.Seek(start):]
	if count > 0 && int64(len(ids)) > count {
		ids = ids[:count]
	}
	ids = append([]keyspace.StreamID(nil), ids...)
	x.array(len(ids))
	for _, id := range ids {
		if e := s.Get(id); e != nil {
			x.streamEntry(e)
			nack := g.NACK(id)
			nack.DeliveryTime = x.now
			nack.DeliveryCount++
		} else {
			x.array(2)
			x.streamID(id)
			x.nullArray()
		}
	}
}

// propagateXClaim replicates a pending entry's state as
// XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID id.
func (x *cmdCtx) propagateXClaim(key []byte, g *keyspace.StreamGroup, groupName, id []byte, nack *keyspace.StreamNACK) {
	x.n.alsoPropagate(x.db.ID(), [][]byte{xclaimName, copyBytes(key), copyBytes(groupName), []byte(nack.Consumer.Name), zeroArg, copyBytes(id),
		timeArg, strconv.AppendInt(nil, nack.DeliveryTime, 10), retrycountArg, strconv.AppendUint(nil, nack.DeliveryCount, 10),
		forceArg, justidArg, lastidArg, streamIDBytes(g.LastID)})
}

// propagateGroupID replicates a group's last ID and read counter as
// XGROUP SETID key group id ENTRIESREAD n.
func (x *cmdCtx) propagateGroupID(key []byte, g *keyspace.StreamGroup, groupName []byte) {
	x.n.alsoPropagate(x.db.ID(), [][]byte{xgroupName, setidArg, copyBytes(key), copyBytes(groupName),
		streamIDBytes(g.LastID), entriesreadArg, strconv.AppendInt(nil, g.EntriesRead, 10)})
}

// serveStreamKey serves the clients blocked by XREAD/XREADGROUP on a
// ready key, in the order they blocked, as serveClientsBlockedOnStreamKey
// and unblockDeletedStreamReadgroupClients do: a reader gets the entries
// added after its ID; an XREADGROUP whose group or key is gone gets an
// error. Readers with nothing new stay blocked.
func (n *Node) serveStreamKey(wk watchKey, now int64) {
	waits := n.keyWaits.byKey[wk]
	if len(waits) == 0 {
		return
	}
	waits = append([]*keyWait(nil), waits...)
	key := []byte(wk.key)
	depth := n.callDepth
	n.callDepth++
	defer func() { n.callDepth-- }()
	x := &n.ctxs[depth]
	for _, b := range waits {
		sw := b.stream
		if sw == nil || b.c.keyWait != b {
			continue
		}
		*x = cmdCtx{n: n, c: b.c, cmd: b.cmd, args: b.args, w: b.out, now: now, db: n.ks.DB(wk.db)}
		e := x.db.Peek(key)
		if e != nil && e.Expired(now) {
			e = nil
		}
		switch {
		case e == nil || e.Kind() != keyspace.KindStream:
			if sw.group == nil {
				continue
			}
			n.failBlocked(x, b, "UNBLOCKED the stream key no longer exists")
		case sw.group != nil && e.Stream().Group(sw.group) == nil:
			n.failBlocked(x, b, "NOGROUP the consumer group this client was blocked on no longer exists")
		default:
			gt := sw.ids[wk.key]
			if sw.group == nil && !gt.Less(e.Stream().LastID) {
				continue
			}
			if sw.group != nil && !e.Stream().Group(sw.group).LastID.Less(e.Stream().LastID) {
				continue
			}
			if x.resp3() {
				x.mapLen(1)
			} else {
				x.array(1)
			}
			x.serveStream(key, gt, sw, true)
		}
		*x = cmdCtx{}
		n.endKeyWait(b)
		n.flushPropagationLocked(false)
	}
}

// failBlocked answers a blocked command with an error; it counts as a
// failed call of the command (updateStatsOnUnblock).
func (n *Node) failBlocked(x *cmdCtx, b *keyWait, msg string) {
	x.err(msg)
	if st := n.cmdStatFor(b.cmd, b.args); st != nil {
		st.failed++
	}
	n.stats.prevErrors = n.stats.errorReplies
}

// signalDeletedStreams makes the keys of emptied that hold a stream, and
// that clients wait on, ready, so that XREADGROUP readers learn the
// stream is gone (scanDatabaseForDeletedStreams): before FLUSHDB and
// FLUSHALL empty a database (replacedWith nil), or SWAPDB replaces its
// contents (keys that stay streams in replacedWith are not signalled).
func (n *Node) signalDeletedStreams(emptied, replacedWith *keyspace.DB) {
	for wk := range n.keyWaits.byKey {
		if wk.db != emptied.ID() {
			continue
		}
		if e := emptied.PeekString(wk.key); e == nil || e.Kind() != keyspace.KindStream {
			continue
		}
		if replacedWith != nil {
			if e := replacedWith.PeekString(wk.key); e != nil && e.Kind() == keyspace.KindStream {
				continue
			}
		}
		n.signalKeyAsReady(wk.db, wk.key)
	}
}
