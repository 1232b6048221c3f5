package node

import (
	"math"

	"github.com/replscope/replscope/node/keyspace"
)

// XCLAIM and XAUTOCLAIM (t_stream.c): pending entries change owner. Both
// replicate as one idempotent XCLAIM per entry whose pending state changed
// (and XGROUP SETID when only the group's last ID moved).

func init() {
	register(
		&command{name: "xclaim", arity: -6, flags: cWrite | cFast, firstKey: 1, lastKey: 1, acl: "@write @stream @fast", fn: cmdXClaim,
			summary: "Changes (or acquires) ownership of a message in a consumer group", group: "stream", since: "5.0.0"},
		&command{name: "xautoclaim", arity: -6, flags: cWrite | cFast, firstKey: 1, lastKey: 1, acl: "@write @stream @fast", fn: cmdXAutoClaim,
			summary: "Changes (or acquires) ownership of messages in a consumer group", group: "stream", since: "6.2.0"},
	)
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func cmdXClaim(x *cmdCtx) {
	key, group := x.args[1], x.args[2]
	e, g, ok := x.streamGroupFor(key, group)
	if !ok {
		return
	}
	if g == nil {
		x.err("NOGROUP No such key '" + string(cString(key)) + "' or consumer group '" + string(cString(group)) + "'")
		return
	}
	minIdle, ok := parseInt(x.args[4])
	if !ok {
		x.err("ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	j := 5
	var ids []keyspace.StreamID
	for ; j < len(x.args); j++ {
		id, ok := parseStreamID(x.args[j], 0, true, nil)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	o, ok := x.xclaimOptions(j)
	if !ok {
		return
	}
	force, justid, retry, delivery, lastID := o.force, o.justid, o.retry, o.delivery, o.lastID
	x.noProp = true
	x.db.Modify(e)
	s := e.Stream()
	g = s.Group(group)
	propLastID := false
	if g.LastID.Less(lastID) {
		g.LastID = lastID
		propLastID = true
	}
	if delivery == -1 || delivery < 0 || delivery > x.now {
		delivery = x.now
	}
	var c *keyspace.StreamConsumer
	var claimed []keyspace.StreamID
	out := x.w
	x.w = newScratchWriter()
	for i, id := range ids {
		idArg := x.args[5+i]
		nack := g.NACK(id)
		if s.Get(id) == nil {
			if nack != nil {
				x.propagateXClaim(key, g, group, copyBytes(idArg), nack)
				propLastID = false
				x.changed(1)
				g.Ack(id)
			}
			continue
		}
		if force && nack == nil {
			nack = &keyspace.StreamNACK{DeliveryTime: x.now, DeliveryCount: 1}
			g.AddNACK(id, nack)
		}
		if nack == nil {
			continue
		}
		if nack.Consumer != nil && minIdle != 0 && x.now-nack.DeliveryTime < minIdle {
			continue
		}
		if c == nil {
			c = x.streamConsumer(key, g, x.args[3], false)
		}
		g.Assign(id, nack, c)
		nack.DeliveryTime = delivery
		if retry >= 0 {
			nack.DeliveryCount = uint64(retry)
		} else if !justid {
			nack.DeliveryCount++
		}
		if justid {
			x.streamID(id)
		} else {
			x.streamEntry(s.Get(id))
		}
		claimed = append(claimed, id)
		x.propagateXClaim(key, g, group, copyBytes(idArg), nack)
		propLastID = false
		x.changed(1)
	}
	if propLastID {
		x.propagateGroupID(key, g, group)
		x.changed(1)
	}
	body := x.w.Buffer()
	x.w = out
	x.array(len(claimed))
	x.w.WriteRaw(body)
}

// xclaimOpts are XCLAIM's options.
type xclaimOpts struct {
	force, justid   bool
	retry, delivery int64 // -1: not given
	lastID          keyspace.StreamID
}

// xclaimOptions reads XCLAIM's options from position j; it replies the
// error and reports false on a bad one.
func (x *cmdCtx) xclaimOptions(j int) (c xclaimOpts, ok bool) {
	c.retry, c.delivery = -1, -1
	for o := x.options(j); o.next(); {
		switch {
		case o.is("force", 0):
			c.force = true
		case o.is("justid", 0):
			c.justid = true
		case o.is("idle", 1):
			v, ok := o.int(0, "ERR Invalid IDLE option argument for XCLAIM")
			if !ok {
				return c, false
			}
			c.delivery = x.now - v
		case o.is("time", 1):
			if c.delivery, ok = o.int(0, "ERR Invalid TIME option argument for XCLAIM"); !ok {
				return c, false
			}
		case o.is("retrycount", 1):
			if c.retry, ok = o.int(0, "ERR Invalid RETRYCOUNT option argument for XCLAIM"); !ok {
				return c, false
			}
		case o.is("lastid", 1):
			if c.lastID, ok = x.streamIDArg(o.arg(0), 0, true); !ok {
				return c, false
			}
		default:
			x.err("ERR Unrecognized XCLAIM option '" + string(cString(o.name())) + "'")
			return c, false
		}
	}
	return c, true
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXAutoClaim(x *cmdCtx) {
	minIdle, ok := parseInt(x.args[4])
	if !ok {
		x.err("ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	start, ex, ok := x.intervalID(x.args[5], 0)
	if !ok {
		return
	}
	if ex {
		if start, ok = start.Incr(); !ok {
			x.err(errStreamStart)
			return
		}
	}
	count := int64(100)
	justid := false
	for o := x.options(6); o.next(); {
		switch {
		case o.is("count", 1):
			v, ok := parseInt(o.arg(0))
			if !ok || v < 1 || v > math.MaxInt64/16 {
				x.err("ERR COUNT must be > 0")
				return
			}
			count = v
		case o.is("justid", 0):
			justid = true
		default:
			x.syntaxErr()
			return
		}
	}
	key, group := x.args[1], x.args[2]
	e, g, ok := x.streamGroupFor(key, group)
	if !ok {
		return
	}
	if g == nil {
		x.err("NOGROUP No such key '" + string(cString(key)) + "' or consumer group '" + string(cString(group)) + "'")
		return
	}
	x.noProp = true
	x.db.Modify(e)
	s := e.Stream()
	g = s.Group(group)
	attempts := count * 10
	var c *keyspace.StreamConsumer
	var deleted []keyspace.StreamID
	claimed := 0
	out := x.w
	x.w = newScratchWriter()
	pos := g.PEL.Seek(start)
	for ; attempts > 0 && count > 0 && pos < g.PEL.Len(); attempts-- {
		id := g.PEL.IDs()[pos]
		nack := g.NACK(id)
		if s.Get(id) == nil {
			x.propagateXClaim(key, g, group, streamIDBytes(id), nack)
			x.changed(1)
			g.Ack(id)
			deleted = append(deleted, id)
			count--
			continue
		}
		pos++
		if minIdle != 0 && x.now-nack.DeliveryTime < minIdle {
			continue
		}
		if c == nil {
			c = x.streamConsumer(key, g, x.args[3], false)
		}
		g.Assign(id, nack, c)
		nack.DeliveryTime = x.now
		if !justid {
			nack.DeliveryCount++
		}
		if justid {
			x.streamID(id)
		} else {
			x.streamEntry(s.Get(id))
		}
		claimed++
		count--
		x.propagateXClaim(key, g, group, streamIDBytes(id), nack)
		x.changed(1)
	}
	var next keyspace.StreamID
	if pos < g.PEL.Len() {
		next = g.PEL.IDs()[pos]
	}
	body := x.w.Buffer()
	x.w = out
	x.array(3)
	x.streamID(next)
	x.array(claimed)
	x.w.WriteRaw(body)
	x.array(len(deleted))
	for _, id := range deleted {
		x.streamID(id)
	}
}
