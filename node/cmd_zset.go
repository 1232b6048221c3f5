package node

import (
	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	const w, r, g = cWrite, cReadOnly, "sorted-set"
	register(
		&command{name: "zadd", arity: -4, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @sortedset @fast", fn: cmdZAdd,
			summary: "Add one or more members to a sorted set, or update its score if it already exists", group: g, since: "1.2.0"},
		&command{name: "zincrby", arity: 4, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @sortedset @fast", fn: cmdZAdd,
			summary: "Increment the score of a member in a sorted set", group: g, since: "1.2.0"},
		&command{name: "zrem", arity: -3, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @sortedset @fast", fn: cmdZRem,
			summary: "Remove one or more members from a sorted set", group: g, since: "1.2.0"},
		&command{name: "zcard", arity: 2, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @sortedset @fast", fn: cmdZCard,
			summary: "Get the number of members in a sorted set", group: g, since: "1.2.0"},
		&command{name: "zscore", arity: 3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @sortedset @fast", fn: cmdZScore,
			summary: "Get the score associated with the given member in a sorted set", group: g, since: "1.2.0"},
		&command{name: "zmscore", arity: -3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @sortedset @fast", fn: cmdZMScore,
			summary: "Get the score associated with the given members in a sorted set", group: g, since: "6.2.0"},
		&command{name: "zrank", arity: 3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @sortedset @fast", fn: cmdZRank,
			summary: "Determine the index of a member in a sorted set", group: g, since: "2.0.0"},
		&command{name: "zrevrank", arity: 3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @sortedset @fast", fn: cmdZRank,
			summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", group: g, since: "2.0.0"},
		&command{name: "zrange", arity: -4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @sortedset @slow", fn: cmdZRange,
			summary: "Return a range of members in a sorted set", group: g, since: "1.2.0"},
		&command{name: "zrevrange", arity: -4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @sortedset @slow", fn: cmdZRange,
			summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", group: g, since: "1.2.0"},
		&command{name: "zrangebyscore", arity: -4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @sortedset @slow", fn: cmdZRange,
			summary: "Return a range of members in a sorted set, by score", group: g, since: "1.0.5"},
		&command{name: "zrevrangebyscore", arity: -4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @sortedset @slow", fn: cmdZRange,
			summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", group: g, since: "2.2.0"},
		&command{name: "zrangebylex", arity: -4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @sortedset @slow", fn: cmdZRange,
			summary: "Return a range of members in a sorted set, by lexicographical range", group: g, since: "2.8.9"},
		&command{name: "zrevrangebylex", arity: -4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @sortedset @slow", fn: cmdZRange,
			summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", group: g, since: "2.8.9"},
		&command{name: "zrangestore", arity: -5, flags: w | cDenyOOM, firstKey: 1, lastKey: 2, acl: "@write @sortedset @slow", fn: cmdZRange,
			summary: "Store a range of members from sorted set into another key", group: g, since: "6.2.0"},
		&command{name: "zcount", arity: 4, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @sortedset @fast", fn: cmdZCount,
			summary: "Count the members in a sorted set with scores within the given values", group: g, since: "2.0.0"},
		&command{name: "zlexcount", arity: 4, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @sortedset @fast", fn: cmdZLexCount,
			summary: "Count the number of members in a sorted set between a given lexicographical range", group: g, since: "2.8.9"},
		&command{name: "zpopmin", arity: -2, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @sortedset @fast", fn: cmdZPop,
			summary: "Remove and return members with the lowest scores in a sorted set", group: g, since: "5.0.0"},
		&command{name: "zpopmax", arity: -2, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @sortedset @fast", fn: cmdZPop,
			summary: "Remove and return members with the highest scores in a sorted set", group: g, since: "5.0.0"},
		&command{name: "zremrangebyrank", arity: 4, flags: w, firstKey: 1, lastKey: 1, acl: "@write @sortedset @slow", fn: cmdZRemRange,
			summary: "Remove all members in a sorted set within the given indexes", group: g, since: "2.0.0"},
		&command{name: "zremrangebyscore", arity: 4, flags: w, firstKey: 1, lastKey: 1, acl: "@write @sortedset @slow", fn: cmdZRemRange,
			summary: "Remove all members in a sorted set within the given scores", group: g, since: "1.2.0"},
		&command{name: "zremrangebylex", arity: 4, flags: w, firstKey: 1, lastKey: 1, acl: "@write @sortedset @slow", fn: cmdZRemRange,
			summary: "Remove all members in a sorted set between the given lexicographical range", group: g, since: "2.8.9"},
		&command{name: "zscan", arity: -3, flags: r, firstKey: 1, lastKey: 1, acl: "@read @sortedset @slow", fn: cmdZScan,
			summary: "Incrementally iterate sorted sets elements and associated scores", group: g, since: "2.8.0"},
		&command{name: "zrandmember", arity: -2, flags: r, firstKey: 1, lastKey: 1, acl: "@read @sortedset @slow", fn: cmdZRandMember,
			summary: "Get one or multiple random elements from a sorted set", group: g, since: "6.2.0"},
	)
}

// zsetEntry checks that e (possibly nil) holds a sorted set, replying
// WRONGTYPE when it does not.
func (x *cmdCtx) zsetEntry(e *keyspace.Entry) bool {
	if e != nil && e.Kind() != keyspace.KindZSet {
		x.wrongType()
		return false
	}
	return true
}

// ZADD options.
const (
	zNX = 1 << iota
	zXX
	zGT
	zLT
	zCH
	zIncr
)

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
// ZINCRBY key increment member
//
// Both follow zaddGenericCommand: ZINCRBY is ZADD INCR, option words
// included (so "ZINCRBY key nx m" is a syntax error).
func cmdZAdd(x *cmdCtx) {
	flags := 0
	if x.cmd.name == "zincrby" {
		flags = zIncr
	}
	i := 2
options:
	for ; i < len(x.args); i++ {
		a := x.args[i]
		switch {
		case eqFold(a, "nx"):
			flags |= zNX
		case eqFold(a, "xx"):
			flags |= zXX
		case eqFold(a, "ch"):
			flags |= zCH
		case eqFold(a, "incr"):
			flags |= zIncr
		case eqFold(a, "gt"):
			flags |= zGT
		case eqFold(a, "lt"):
			flags |= zLT
		default:
			break options
		}
	}
	rest := x.args[i:]
	if len(rest) == 0 || len(rest)%2 != 0 {
		x.syntaxErr()
		return
	}
	switch {
	case flags&zNX != 0 && flags&zXX != 0:
		x.err("ERR XX and NX options at the same time are not compatible")
		return
	case flags&zNX != 0 && flags&(zGT|zLT) != 0, flags&zGT != 0 && flags&zLT != 0:
		x.err("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	case flags&zIncr != 0 && len(rest) > 2:
		x.err("ERR INCR option supports a single increment-element pair")
		return
	}
	scores := make([]float64, len(rest)/2)
	for j := range scores {
		v, ok := parseScore(rest[2*j])
		if !ok {
			x.err(errNotFloat)
			return
		}
		scores[j] = v
	}
	x.zadd(flags, scores, rest)
}

// zadd applies parsed ZADD pairs (zsetAdd for each) and replies.
func (x *cmdCtx) zadd(flags int, scores []float64, pairs [][]byte) {
	key := x.args[1]
	e := x.lookupWrite(key)
	if !x.zsetEntry(e) {
		return
	}
	incr := flags&zIncr != 0
	var z *keyspace.ZSet
	switch {
	case e != nil:
		z = e.ZSet()
	case flags&zXX != 0:
		if incr {
			x.null()
		} else {
			x.int(0)
		}
		return
	default:
		// Redis 7.0.15's zaddGenericCommand picks the encoding from the
		// first member alone (a skiplist only for zset-max-listpack-entries
		// 0 or a long first member); later members convert it as they
		// come, so a -0 added before that is stored as the listpack's 0.
		z = keyspace.NewZSetSized(x.n.ks.Limits(), 1, len(pairs[1]))
	}
	var added, updated, processed int
	var last float64
	for j, score := range scores {
		m := pairs[2*j+1]
		cur, exists := z.Score(m)
		if exists {
			if flags&zNX != 0 {
				continue
			}
			if incr {
				score += cur
				if isNaN(score) {
					x.err("ERR resulting score is not a number (NaN)")
					return // INCR takes one pair: nothing changed
				}
			}
			if (flags&zLT != 0 && score >= cur) || (flags&zGT != 0 && score <= cur) {
				continue
			}
			if score != cur {
				z = x.modifyZSet(e, z, added+updated)
				z.Set(m, score)
				updated++
			}
		} else if flags&zXX == 0 {
			z = x.modifyZSet(e, z, added+updated)
			z.Set(m, score)
			added++
		} else {
			continue
		}
		processed++
		last = score
	}
	if e == nil && z.Len() > 0 {
		x.db.Add(key, nil, z, 0)
	}
	if added+updated > 0 {
		x.touchN(key, added+updated)
		if incr {
			x.notify(notifyZSet, "zincr", key)
		} else {
			x.notify(notifyZSet, "zadd", key)
		}
	}
	switch {
	case !incr && flags&zCH != 0:
		x.int(int64(added + updated))
	case !incr:
		x.int(int64(added))
	case processed > 0:
		x.double(last)
	default:
		x.null()
	}
}

// modifyZSet prepares e's sorted set for its first in-place change (done
// counts the changes already made) and returns the set to change.
func (x *cmdCtx) modifyZSet(e *keyspace.Entry, z *keyspace.ZSet, done int) *keyspace.ZSet {
	if e == nil || done > 0 {
		return z
	}
	x.db.Modify(e)
	return e.ZSet()
}

// ZREM key member [member ...]
func cmdZRem(x *cmdCtx) {
	key := x.args[1]
	e := x.lookupWrite(key)
	if e == nil {
		x.int(0)
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	z := e.ZSet()
	deleted := 0
	for _, m := range x.args[2:] {
		if _, ok := z.Score(m); !ok {
			continue
		}
		z = x.modifyZSet(e, z, deleted)
		z.Remove(m)
		deleted++
		if z.Len() == 0 {
			x.db.DeleteEntry(e)
			break
		}
	}
	if deleted > 0 {
		x.touchN(key, deleted)
		x.notify(notifyZSet, "zrem", key)
		if z.Len() == 0 {
			x.notify(notifyGeneric, "del", key)
		}
	}
	x.int(int64(deleted))
}

// ZCARD key
func cmdZCard(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.int(0)
		return
	}
	if x.zsetEntry(e) {
		x.int(int64(e.ZSet().Len()))
	}
}

// ZSCORE key member
func cmdZScore(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.null()
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	if s, ok := e.ZSet().Score(x.args[2]); ok {
		x.double(s)
	} else {
		x.null()
	}
}

// ZMSCORE key member [member ...]
func cmdZMScore(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if !x.zsetEntry(e) {
		return
	}
	x.array(len(x.args) - 2)
	for _, m := range x.args[2:] {
		if e == nil {
			x.null()
		} else if s, ok := e.ZSet().Score(m); ok {
			x.double(s)
		} else {
			x.null()
		}
	}
}

// ZRANK key member
// ZREVRANK key member
func cmdZRank(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.null()
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	z := e.ZSet()
	r, ok := z.Rank(x.args[2])
	switch {
	case !ok:
		x.null()
	case x.cmd.name == "zrevrank":
		x.int(int64(z.Len() - 1 - r))
	default:
		x.int(int64(r))
	}
}
