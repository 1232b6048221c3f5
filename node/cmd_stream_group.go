package node

import (
	"math"
	"strings"

	"github.com/replscope/replscope/node/cmddocs"
	"github.com/replscope/replscope/node/keyspace"
)

// Consumer groups: XGROUP, XACK, XPENDING (t_stream.c). XCLAIM and
// XAUTOCLAIM are in cmd_stream_claim.go.

func init() {
	register(
		&command{name: "xgroup", arity: -2, flags: cWrite | cDenyOOM, firstKey: 2, lastKey: 2, acl: "@slow", fn: cmdXGroup,
			summary: "A container for consumer groups commands", group: "stream", since: "5.0.0",
			subs: []string{"create", "createconsumer", "delconsumer", "destroy", "setid", "help"}, container: true},
		&command{name: "xack", arity: -4, flags: cWrite | cFast, firstKey: 1, lastKey: 1, acl: "@write @stream @fast", fn: cmdXAck,
			summary: "Marks a pending message as correctly processed", group: "stream", since: "5.0.0"},
		&command{name: "xpending", arity: -3, flags: cReadOnly, firstKey: 1, lastKey: 1, acl: "@read @stream @slow", fn: cmdXPending,
			summary: "Return information and entries from a stream consumer group pending entries list", group: "stream", since: "5.0.0"},
	)
}

// subArityOK checks a container's subcommand against Redis's arity for
// it, replying the error when it does not fit.
func (x *cmdCtx) subArityOK(sub string) bool {
	d := cmddocs.Lookup(x.cmd.name + "|" + sub)
	if d == nil {
		x.subcommandError()
		return false
	}
	if a := d.Arity; (a > 0 && len(x.args) != a) || (a < 0 && len(x.args) < -a) {
		x.subcommandError()
		return false
	}
	return true
}

func (x *cmdCtx) noGroupErr(group, key []byte) {
	x.err("NOGROUP No such consumer group '" + string(cString(group)) + "' for key name '" + string(cString(key)) + "'")
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
// XGROUP SETID key group id|$ [ENTRIESREAD n]
// XGROUP DESTROY key group
// XGROUP CREATECONSUMER key group consumer
// XGROUP DELCONSUMER key group consumer
// XGROUP HELP
func cmdXGroup(x *cmdCtx) {
	sub := strings.ToLower(string(x.args[1]))
	if !x.subArityOK(sub) {
		return
	}
	if sub == "help" {
		xgroupHelp(x)
		return
	}
	mkstream := false
	entriesRead := int64(keyspace.EntriesReadInvalid)
	for o := x.options(5); o.next(); {
		switch {
		case sub == "create" && o.is("mkstream", 0):
			mkstream = true
		case (sub == "create" || sub == "setid") && o.is("entriesread", 1):
			v, ok := o.int(0, errNotInt)
			if !ok {
				return
			}
			if v < 0 && v != keyspace.EntriesReadInvalid {
				x.err("ERR value for ENTRIESREAD must be positive or -1")
				return
			}
			entriesRead = v
		default:
			x.subcommandSyntaxError()
			return
		}
	}
	key, name := x.args[2], x.args[3]
	e := x.lookupWrite(key)
	if e != nil && e.Kind() != keyspace.KindStream {
		x.wrongType()
		return
	}
	var g *keyspace.StreamGroup
	if !mkstream {
		if e == nil {
			x.err("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
			return
		}
		if g = e.Stream().Group(name); g == nil && sub != "create" && sub != "destroy" {
			x.noGroupErr(name, key)
			return
		}
	}
	switch sub {
	case "create":
		xgroupCreate(x, e, key, name, entriesRead)
	case "setid":
		xgroupSetID(x, e, key, name, entriesRead)
	case "destroy":
		xgroupDestroy(x, e, g, key, name)
	case "createconsumer":
		xgroupCreateConsumer(x, e, g, key, name)
	case "delconsumer":
		xgroupDelConsumer(x, e, g, key, name)
	default:
		x.subcommandSyntaxError()
	}
}

// xgroupHelp is XGROUP HELP.
func xgroupHelp(x *cmdCtx) {
	x.help("XGROUP",
		"CREATE <key> <groupname> <id|$> [option]",
		"    Create a new consumer group. Options are:",
		"    * MKSTREAM",
		"      Create the empty stream if it does not exist.",
		"    * ENTRIESREAD entries_read",
		"      Set the group's entries_read counter (internal use).",
		"CREATECONSUMER <key> <groupname> <consumer>",
		"    Create a new consumer in the specified group.",
		"DELCONSUMER <key> <groupname> <consumer>",
		"    Remove the specified consumer.",
		"DESTROY <key> <groupname>",
		"    Remove the specified group.",
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
		"    Set the current group ID and entries_read counter.")
}

// xgroupCreate is XGROUP CREATE once the options are read: e is the
// stream (nil with MKSTREAM when it does not exist).
func xgroupCreate(x *cmdCtx, e *keyspace.Entry, key, name []byte, entriesRead int64) {
	if len(x.args) > 8 {
		x.subcommandSyntaxError()
		return
	}
	var id keyspace.StreamID
	if string(cString(x.args[4])) == "$" {
		if e != nil {
			id = e.Stream().LastID
		}
	} else {
		var ok bool
		if id, ok = x.streamIDArg(x.args[4], 0, true); !ok {
			return
		}
	}
	if e == nil {
		e = x.db.Add(key, nil, keyspace.NewStream(), 0)
		x.signal(key)
	}
	if e.Stream().Group(name) != nil {
		x.err("BUSYGROUP Consumer Group name already exists")
		return
	}
	x.db.Modify(e)
	e.Stream().CreateGroup(copyBytes(name), id, entriesRead)
	x.ok()
	x.changed(1)
	x.notify(notifyStream, "xgroup-create", key)
}

// xgroupSetID is XGROUP SETID once the options are read.
func xgroupSetID(x *cmdCtx, e *keyspace.Entry, key, name []byte, entriesRead int64) {
	if len(x.args) != 5 && len(x.args) != 7 {
		x.subcommandSyntaxError()
		return
	}
	var id keyspace.StreamID
	if string(cString(x.args[4])) == "$" {
		id = e.Stream().LastID
	} else {
		var ok bool
		if id, ok = x.streamIDArg(x.args[4], 0, false); !ok {
			return
		}
	}
	x.db.Modify(e)
	g := e.Stream().Group(name)
	g.LastID, g.EntriesRead = id, entriesRead
	x.ok()
	x.changed(1)
	x.notify(notifyStream, "xgroup-setid", key)
}

// xgroupDestroy is XGROUP DESTROY: g is the group, nil when missing.
func xgroupDestroy(x *cmdCtx, e *keyspace.Entry, g *keyspace.StreamGroup, key, name []byte) {
	if g == nil {
		x.int(0)
		return
	}
	x.db.Modify(e)
	e.Stream().DestroyGroup(name)
	x.int(1)
	x.changed(1)
	x.notify(notifyStream, "xgroup-destroy", key)
	x.n.signalKeyAsReady(x.db.ID(), string(key))
}

// xgroupCreateConsumer is XGROUP CREATECONSUMER of the group g.
func xgroupCreateConsumer(x *cmdCtx, e *keyspace.Entry, g *keyspace.StreamGroup, key, name []byte) {
	if g.Consumer(x.args[4]) != nil {
		x.int(0)
		return
	}
	x.db.Modify(e)
	e.Stream().Group(name).CreateConsumer(copyBytes(x.args[4]), x.now)
	x.changed(1)
	x.notify(notifyStream, "xgroup-createconsumer", key)
	x.int(1)
}

// xgroupDelConsumer is XGROUP DELCONSUMER of the group g; it answers the
// consumer's pending entries.
func xgroupDelConsumer(x *cmdCtx, e *keyspace.Entry, g *keyspace.StreamGroup, key, name []byte) {
	c := g.Consumer(x.args[4])
	if c == nil {
		x.int(0)
		return
	}
	x.db.Modify(e)
	g = e.Stream().Group(name)
	c = g.Consumer(x.args[4])
	pending := c.PEL.Len()
	g.DeleteConsumer(c)
	x.changed(1)
	x.notify(notifyStream, "xgroup-delconsumer", key)
	x.int(int64(pending))
}

// streamGroupFor looks up key and group for XACK/XCLAIM/XAUTOCLAIM: nil
// entry or group when missing; ok false after WRONGTYPE.
func (x *cmdCtx) streamGroupFor(key, group []byte) (*keyspace.Entry, *keyspace.StreamGroup, bool) {
	e := x.lookupRead(key)
	if e == nil {
		return nil, nil, true
	}
	if e.Kind() != keyspace.KindStream {
		x.wrongType()
		return nil, nil, false
	}
	return e, e.Stream().Group(group), true
}

// XACK key group id [id ...]
func cmdXAck(x *cmdCtx) {
	e, g, ok := x.streamGroupFor(x.args[1], x.args[2])
	if !ok {
		return
	}
	if g == nil {
		x.int(0)
		return
	}
	ids, ok := x.streamIDArgs(x.args[3:])
	if !ok {
		return
	}
	x.db.Modify(e)
	g = e.Stream().Group(x.args[2])
	acked := 0
	for _, id := range ids {
		if g.Ack(id) {
			acked++
		}
	}
	x.changed(acked)
	x.int(int64(acked))
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func cmdXPending(x *cmdCtx) {
	argc := len(x.args)
	if argc != 3 && (argc < 6 || argc > 9) {
		x.syntaxErr()
		return
	}
	var start, end keyspace.StreamID
	var count, minIdle int64
	var consumerName []byte
	if argc >= 6 {
		si := 3
		if eqFold(x.args[3], "idle") {
			v, ok := parseInt(x.args[4])
			if !ok {
				x.err(errNotInt)
				return
			}
			minIdle = v
			if argc < 8 {
				x.syntaxErr()
				return
			}
			si += 2
		}
		v, ok := parseInt(x.args[si+2])
		if !ok {
			x.err(errNotInt)
			return
		}
		count = max(v, 0)
		var ex bool
		if start, ex, ok = x.intervalID(x.args[si], 0); !ok {
			return
		}
		if ex {
			if start, ok = start.Incr(); !ok {
				x.err(errStreamStart)
				return
			}
		}
		if end, ex, ok = x.intervalID(x.args[si+1], math.MaxUint64); !ok {
			return
		}
		if ex {
			if end, ok = end.Decr(); !ok {
				x.err(errStreamEnd)
				return
			}
		}
		if si+3 < argc {
			consumerName = x.args[si+3]
		}
	}
	key, group := x.args[1], x.args[2]
	_, g, ok := x.streamGroupFor(key, group)
	if !ok {
		return
	}
	if g == nil {
		x.err("NOGROUP No such key '" + string(cString(key)) + "' or consumer group '" + string(cString(group)) + "'")
		return
	}
	if argc == 3 {
		x.array(4)
		x.int(int64(g.PEL.Len()))
		if g.PEL.Len() == 0 {
			x.null()
			x.null()
			x.nullArray()
			return
		}
		ids := g.PEL.IDs()
		x.streamID(ids[0])
		x.streamID(ids[len(ids)-1])
		var withPending []*keyspace.StreamConsumer
		for _, c := range g.Consumers() {
			if c.PEL.Len() > 0 {
				withPending = append(withPending, c)
			}
		}
		x.array(len(withPending))
		for _, c := range withPending {
			x.array(2)
			x.bulkStr(c.Name)
			x.bulkInt(int64(c.PEL.Len()))
		}
		return
	}
	pel := &g.PEL
	if consumerName != nil {
		c := g.Consumer(consumerName)
		if c == nil {
			x.array(0)
			return
		}
		pel = &c.PEL
	}
	type row struct {
		id   keyspace.StreamID
		nack *keyspace.StreamNACK
	}
	var rows []row
	ids := pel.IDs()
	for i := pel.Seek(start); count > 0 && i < len(ids) && !end.Less(ids[i]); i++ {
		nack := g.NACK(ids[i])
		if minIdle != 0 && x.now-nack.DeliveryTime < minIdle {
			continue
		}
		rows = append(rows, row{ids[i], nack})
		count--
	}
	x.array(len(rows))
	for _, r := range rows {
		x.array(4)
		x.streamID(r.id)
		x.bulkStr(r.nack.Consumer.Name)
		x.int(max(x.now-r.nack.DeliveryTime, 0))
		x.int(int64(r.nack.DeliveryCount))
	}
}
