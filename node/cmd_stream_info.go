package node

import (
	"encoding/binary"
	"strings"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/tidwall/redcon"
)

// XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS, HELP (xinfoCommand).

func init() {
	register(
		&command{name: "xinfo", arity: -2, flags: cReadOnly, firstKey: 2, lastKey: 2, acl: "@slow", fn: cmdXInfo,
			summary: "A container for stream introspection commands", group: "stream", since: "5.0.0",
			subs: []string{"consumers", "groups", "stream", "help"}, container: true},
	)
}

func newScratchWriter() *redcon.Writer { return redcon.NewWriter(nil) }

// XINFO CONSUMERS key group
// XINFO GROUPS key
// XINFO STREAM key [FULL [COUNT count]]
// XINFO HELP
func cmdXInfo(x *cmdCtx) {
	sub := strings.ToLower(string(x.args[1]))
	if !x.subArityOK(sub) {
		return
	}
	if sub == "help" {
		x.help("XINFO",
			"CONSUMERS <key> <groupname>",
			"    Show consumers of <groupname>.",
			"GROUPS <key>",
			"    Show the stream consumer groups.",
			"STREAM <key> [FULL [COUNT <count>]",
			"    Show information about the stream.")
		return
	}
	key := x.args[2]
	e := x.lookupRead(key)
	if e == nil {
		x.err(errNoSuchKey)
		return
	}
	if e.Kind() != keyspace.KindStream {
		x.wrongType()
		return
	}
	s := e.Stream()
	switch sub {
	case "consumers":
		g := s.Group(x.args[3])
		if g == nil {
			x.noGroupErr(x.args[3], key)
			return
		}
		cs := g.Consumers()
		x.array(len(cs))
		for _, c := range cs {
			x.mapLen(3)
			x.bulkStr("name")
			x.bulkStr(c.Name)
			x.bulkStr("pending")
			x.int(int64(c.PEL.Len()))
			x.bulkStr("idle")
			x.int(max(x.now-c.SeenTime, 0))
		}
	case "groups":
		gs := s.Groups()
		x.array(len(gs))
		for _, g := range gs {
			x.mapLen(6)
			x.bulkStr("name")
			x.bulkStr(g.Name)
			x.bulkStr("consumers")
			x.int(int64(g.ConsumerCount()))
			x.bulkStr("pending")
			x.int(int64(g.PEL.Len()))
			x.bulkStr("last-delivered-id")
			x.streamID(g.LastID)
			x.groupCounters(s, g)
		}
	case "stream":
		x.xinfoStream(s)
	}
}

// groupCounters writes a group's entries-read and lag.
func (x *cmdCtx) groupCounters(s *keyspace.Stream, g *keyspace.StreamGroup) {
	x.bulkStr("entries-read")
	if g.EntriesRead != keyspace.EntriesReadInvalid {
		x.int(g.EntriesRead)
	} else {
		x.null()
	}
	x.bulkStr("lag")
	if lag, ok := s.Lag(g); ok {
		x.int(lag)
	} else {
		x.null()
	}
}

func (x *cmdCtx) xinfoStream(s *keyspace.Stream) {
	full := false
	count := int64(10)
	opts := x.args[3:]
	if len(opts) > 0 {
		if (len(opts) != 1 && len(opts) != 3) || !eqFold(opts[0], "full") || (len(opts) == 3 && !eqFold(opts[1], "count")) {
			x.subcommandSyntaxError()
			return
		}
		full = true
		if len(opts) == 3 {
			v, ok := parseInt(opts[2])
			if !ok {
				x.err(errNotInt)
				return
			}
			if v < 0 {
				v = 10
			}
			count = v
		}
	}
	if full {
		x.mapLen(9)
	} else {
		x.mapLen(10)
	}
	x.bulkStr("length")
	x.int(int64(s.Length()))
	x.bulkStr("radix-tree-keys")
	x.int(int64(len(s.Nodes())))
	x.bulkStr("radix-tree-nodes")
	x.int(raxNodes(s))
	x.bulkStr("last-generated-id")
	x.streamID(s.LastID)
	x.bulkStr("max-deleted-entry-id")
	x.streamID(s.MaxDeletedID)
	x.bulkStr("entries-added")
	x.int(int64(s.EntriesAdded))
	x.bulkStr("recorded-first-entry-id")
	x.streamID(s.FirstID)
	if !full {
		x.bulkStr("groups")
		x.int(int64(s.GroupCount()))
		for _, rev := range []bool{false, true} {
			if rev {
				x.bulkStr("last-entry")
			} else {
				x.bulkStr("first-entry")
			}
			var got *keyspace.StreamEntry
			s.Range(keyspace.StreamID{}, keyspace.MaxStreamID, rev, func(e *keyspace.StreamEntry) bool { got = e; return false })
			if got == nil {
				x.null()
			} else {
				x.streamEntry(got)
			}
		}
		return
	}
	x.bulkStr("entries")
	x.streamRange(s, keyspace.StreamID{}, keyspace.MaxStreamID, count, false)
	x.bulkStr("groups")
	gs := s.Groups()
	x.array(len(gs))
	for _, g := range gs {
		x.mapLen(7)
		x.bulkStr("name")
		x.bulkStr(g.Name)
		x.bulkStr("last-delivered-id")
		x.streamID(g.LastID)
		x.groupCounters(s, g)
		x.bulkStr("pel-count")
		x.int(int64(g.PEL.Len()))
		x.bulkStr("pending")
		ids := limitIDs(g.PEL.IDs(), count)
		x.array(len(ids))
		for _, id := range ids {
			n := g.NACK(id)
			x.array(4)
			x.streamID(id)
			x.bulkStr(n.Consumer.Name)
			x.int(n.DeliveryTime)
			x.int(int64(n.DeliveryCount))
		}
		x.bulkStr("consumers")
		cs := g.Consumers()
		x.array(len(cs))
		for _, c := range cs {
			x.mapLen(4)
			x.bulkStr("name")
			x.bulkStr(c.Name)
			x.bulkStr("seen-time")
			x.int(c.SeenTime)
			x.bulkStr("pel-count")
			x.int(int64(c.PEL.Len()))
			x.bulkStr("pending")
			ids := limitIDs(c.PEL.IDs(), count)
			x.array(len(ids))
			for _, id := range ids {
				n := g.NACK(id)
				x.array(3)
				x.streamID(id)
				x.int(n.DeliveryTime)
				x.int(int64(n.DeliveryCount))
			}
		}
	}
}

func limitIDs(ids []keyspace.StreamID, count int64) []keyspace.StreamID {
	if count > 0 && int64(len(ids)) > count {
		return ids[:count]
	}
	return ids
}

// raxNodes is the node count of the radix tree Redis keeps the stream's
// nodes in, keyed by 16-byte big-endian master IDs: the tree compressed
// as rax keeps it (a chain without branches is one node, every key ends
// in a leaf), one node for an empty tree.
func raxNodes(s *keyspace.Stream) int64 {
	nodes := s.Nodes()
	if len(nodes) == 0 {
		return 1
	}
	keys := make([][16]byte, len(nodes))
	for i, n := range nodes {
		binary.BigEndian.PutUint64(keys[i][:8], n.Master.Ms)
		binary.BigEndian.PutUint64(keys[i][8:], n.Master.Seq)
	}
	return raxCount(keys, 0)
}

// raxCount counts the nodes below (and including) the one at depth d of
// the sorted keys sharing their first d bytes.
func raxCount(keys [][16]byte, d int) int64 {
	if d == 16 {
		return 1
	}
	first, last := keys[0], keys[len(keys)-1]
	if first[d] == last[d] {
		e := d
		for e < 16 && first[e] == last[e] {
			e++
		}
		return 1 + raxCount(keys, e)
	}
	total := int64(1)
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j][d] == keys[i][d] {
			j++
		}
		total += raxCount(keys[i:j], d+1)
		i = j
	}
	return total
}
