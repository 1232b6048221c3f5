package node

import (
	"github.com/replscope/replscope/node/keyspace"
)

// ZREMRANGEBYRANK key start stop
// ZREMRANGEBYSCORE key min max
// ZREMRANGEBYLEX key min max
//
// As zremrangeGenericCommand: the range is parsed before the key is looked
// up, and a set left empty is deleted.
func cmdZRemRange(x *cmdCtx) {
	var bounds func(z *keyspace.ZSet) (first *keyspace.Node, n int)
	switch x.cmd.name {
	case "zremrangebyrank":
		start, ok1 := parseInt(x.args[2])
		end, ok2 := parseInt(x.args[3])
		if !ok1 || !ok2 {
			x.err(errNotInt)
			return
		}
		bounds = func(z *keyspace.ZSet) (*keyspace.Node, int) {
			s, e, ok := rankRange(start, end, z.Len())
			if !ok {
				return nil, 0
			}
			return z.ByRank(int(s)), int(e - s + 1)
		}
	case "zremrangebyscore":
		r, ok := parseScoreRange(x.args[2], x.args[3])
		if !ok {
			x.err(errMinMaxFloat)
			return
		}
		bounds = func(z *keyspace.ZSet) (*keyspace.Node, int) { return spanOf(z, r.first(z), r.last(z)) }
	default:
		r, ok := parseLexRange(x.args[2], x.args[3])
		if !ok {
			x.err(errMinMaxLex)
			return
		}
		bounds = func(z *keyspace.ZSet) (*keyspace.Node, int) { return spanOf(z, r.first(z), r.last(z)) }
	}
	key := x.args[1]
	e := x.lookupWrite(key)
	if e == nil {
		x.int(0)
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	if _, n := bounds(e.ZSet()); n == 0 {
		x.int(0)
		return
	}
	x.db.Modify(e) // may copy the set: find the range again in the copy
	z := e.ZSet()
	nd, n := bounds(z)
	for i := 0; i < n; i++ {
		next := nd.Next()
		z.RemoveNode(nd)
		nd = next
	}
	if z.Len() == 0 {
		x.db.DeleteEntry(e)
	}
	x.touchN(key, n)
	if n > 0 {
		x.notify(notifyZSet, x.cmd.name, key)
		if z.Len() == 0 {
			x.notify(notifyGeneric, "del", key)
		}
	}
	x.int(int64(n))
}

// spanOf returns the first node of a range and the number of nodes up to
// last.
func spanOf(z *keyspace.ZSet, first, last *keyspace.Node) (*keyspace.Node, int) {
	if first == nil || last == nil {
		return nil, 0
	}
	return first, z.RankOf(last) - z.RankOf(first) + 1
}

// ZPOPMIN key [count]
// ZPOPMAX key [count]
//
// It replicates as sent: popping from either end is deterministic.
func cmdZPop(x *cmdCtx) {
	if len(x.args) > 3 {
		x.syntaxErr()
		return
	}
	count := int64(1)
	if len(x.args) == 3 {
		c, ok := parseInt(x.args[2])
		if !ok || c < 0 {
			x.err(errNotPositive)
			return
		}
		count = c
	}
	key := x.args[1]
	e := x.lookupWrite(key)
	if e == nil {
		x.array(0)
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	if count == 0 {
		x.array(0)
		return
	}
	x.db.Modify(e)
	z := e.ZSet()
	n := int(min(count, int64(z.Len())))
	max := x.cmd.name == "zpopmax"
	// With a count RESP3 gets [member, score] pairs (use_nested_array).
	nested := len(x.args) == 3
	if nested {
		x.pairsLen(n)
	} else {
		x.array(2 * n)
	}
	for i := 0; i < n; i++ {
		nd := z.First()
		if max {
			nd = z.Last()
		}
		if nested {
			x.pair()
		}
		x.bulkStr(nd.Member())
		x.double(nd.Score())
		z.RemoveNode(nd)
	}
	x.notify(notifyZSet, x.cmd.name, key)
	if z.Len() == 0 {
		x.db.DeleteEntry(e)
		x.notify(notifyGeneric, "del", key)
	}
	x.touchN(key, n)
}
