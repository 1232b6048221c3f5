package node

import (
	"sort"

	"github.com/replscope/replscope/node/keyspace"
)

// Sorted-set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms and
// ZINTERCARD, as zunionInterDiffGenericCommand computes them. Plain sets
// are accepted as inputs, each member scoring 1.

func init() {
	const g = "sorted-set"
	register(
		&command{name: "zunion", arity: -3, flags: cReadOnly, acl: "@read @sortedset @slow", fn: cmdZSetOp,
			summary: "Add multiple sorted sets", group: g, since: "6.2.0"},
		&command{name: "zinter", arity: -3, flags: cReadOnly, acl: "@read @sortedset @slow", fn: cmdZSetOp,
			summary: "Intersect multiple sorted sets", group: g, since: "6.2.0"},
		&command{name: "zdiff", arity: -3, flags: cReadOnly, acl: "@read @sortedset @slow", fn: cmdZSetOp,
			summary: "Subtract multiple sorted sets", group: g, since: "6.2.0"},
		&command{name: "zintercard", arity: -3, flags: cReadOnly, acl: "@read @sortedset @slow", fn: cmdZSetOp,
			summary: "Intersect multiple sorted sets and return the cardinality of the result", group: g, since: "7.0.0"},
		&command{name: "zunionstore", arity: -4, flags: cWrite | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @sortedset @slow", fn: cmdZSetOp,
			summary: "Add multiple sorted sets and store the resulting sorted set in a new key", group: g, since: "2.0.0"},
		&command{name: "zinterstore", arity: -4, flags: cWrite | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @sortedset @slow", fn: cmdZSetOp,
			summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", group: g, since: "2.0.0"},
		&command{name: "zdiffstore", arity: -4, flags: cWrite | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @sortedset @slow", fn: cmdZSetOp,
			summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", group: g, since: "6.2.0"},
	)
}

type zsetOpKind int

const (
	zopUnion zsetOpKind = iota
	zopInter
	zopDiff
)

type zaggregate int

const (
	aggSum zaggregate = iota
	aggMin
	aggMax
)

// zsrc is one input: a sorted set, a set, or nothing (a missing key).
type zsrc struct {
	z      *keyspace.ZSet
	s      *keyspace.Set
	weight float64
}

func (s *zsrc) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.s != nil:
		return s.s.Len()
	}
	return 0
}

// each calls fn for every member and its score (1 for a set member).
func (s *zsrc) each(fn func(m string, score float64) bool) {
	switch {
	case s.z != nil:
		for nd := s.z.First(); nd != nil; nd = nd.Next() {
			if !fn(nd.Member(), nd.Score()) {
				return
			}
		}
	case s.s != nil:
		for _, it := range s.s.Items() {
			if !fn(it.Key, 1) {
				return
			}
		}
	}
}

// find returns member's score in s.
func (s *zsrc) find(m string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Dict().Get(m)
	case s.s != nil:
		_, ok := s.s.Get(m)
		return 1, ok
	}
	return 0, false
}

// same reports whether two inputs are the same key's value.
func (s *zsrc) same(o *zsrc) bool {
	return (s.z != nil && s.z == o.z) || (s.s != nil && s.s == o.s)
}

func aggregate(target *float64, v float64, agg zaggregate) {
	switch agg {
	case aggSum:
		*target += v
		if isNaN(*target) { // +inf + -inf: Redis's convention is 0
			*target = 0
		}
	case aggMin:
		if v < *target {
			*target = v
		}
	case aggMax:
		if v > *target {
			*target = v
		}
	}
}

// ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
// ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
// ZDIFF numkeys key [key ...] [WITHSCORES]
// ZINTERCARD numkeys key [key ...] [LIMIT limit]
// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX]
// ZDIFFSTORE destination numkeys key [key ...]
func cmdZSetOp(x *cmdCtx) {
	name := x.cmd.name
	op := zopUnion
	switch name[:5] {
	case "zinte":
		op = zopInter
	case "zdiff":
		op = zopDiff
	}
	cardOnly := name == "zintercard"
	var dst []byte
	numIdx := 1
	if len(name) > 5 && name[len(name)-5:] == "store" {
		dst, numIdx = x.args[1], 2
	}
	setnum, ok := parseInt(x.args[numIdx])
	if !ok {
		x.err(errNotInt)
		return
	}
	if setnum < 1 {
		x.err("ERR at least 1 input key is needed for '" + name + "' command")
		return
	}
	if setnum > int64(len(x.args)-numIdx-1) {
		x.syntaxErr()
		return
	}
	src := make([]zsrc, setnum)
	j := numIdx + 1
	for i := range src {
		src[i].weight = 1
		e := x.lookupRead(x.args[j])
		j++
		if e == nil {
			continue
		}
		switch e.Kind() {
		case keyspace.KindZSet:
			src[i].z = e.ZSet()
		case keyspace.KindSet:
			src[i].s = e.Set()
		default:
			x.wrongType()
			return
		}
	}
	agg, withScores, limit := aggSum, false, int64(0)
	for j < len(x.args) {
		a, remaining := x.args[j], len(x.args)-j
		switch {
		case op != zopDiff && !cardOnly && remaining >= len(src)+1 && eqFold(a, "weights"):
			j++
			for i := range src {
				w, ok := parseScore(x.args[j])
				if !ok {
					x.err("ERR weight value is not a float")
					return
				}
				src[i].weight = w
				j++
			}
		case op != zopDiff && !cardOnly && remaining >= 2 && eqFold(a, "aggregate"):
			switch v := x.args[j+1]; {
			case eqFold(v, "sum"):
				agg = aggSum
			case eqFold(v, "min"):
				agg = aggMin
			case eqFold(v, "max"):
				agg = aggMax
			default:
				x.syntaxErr()
				return
			}
			j += 2
		case dst == nil && !cardOnly && eqFold(a, "withscores"):
			withScores = true
			j++
		case cardOnly && remaining >= 2 && eqFold(a, "limit"):
			l, ok := parseInt(x.args[j+1])
			if !ok || l < 0 {
				x.err("ERR LIMIT can't be negative")
				return
			}
			limit = l
			j += 2
		default:
			x.syntaxErr()
			return
		}
	}
	if op != zopDiff {
		// Smallest first, as Redis sorts them (glibc's qsort is a stable
		// merge sort): the order in which SUM adds the scores.
		sort.SliceStable(src, func(a, b int) bool { return src[a].len() < src[b].len() })
	}
	var out []zmember
	switch op {
	case zopInter:
		var card int64
		out, card = zinter(src, agg, cardOnly, limit)
		if cardOnly {
			x.int(card)
			return
		}
	case zopUnion:
		out = zunion(src, agg)
	default:
		out = zdiff(src)
	}
	sortZMembers(out)
	if dst != nil {
		x.storeZSet(dst, out)
	} else {
		x.replyZMembers(out, withScores)
	}
}

// zmember is one member of a result with its exact score (a reply keeps
// -0, which a small stored sorted set turns into 0).
type zmember struct {
	m     string
	score float64
}

// sortZMembers orders a result as a skiplist does: by score, then member.
func sortZMembers(ms []zmember) {
	sort.Slice(ms, func(a, b int) bool {
		if ms[a].score != ms[b].score {
			return ms[a].score < ms[b].score
		}
		return ms[a].m < ms[b].m
	})
}

func zinter(src []zsrc, agg zaggregate, cardOnly bool, limit int64) ([]zmember, int64) {
	var out []zmember
	var card int64
	if src[0].len() == 0 {
		return nil, 0
	}
	src[0].each(func(m string, s0 float64) bool {
		score := src[0].weight * s0
		if isNaN(score) {
			score = 0
		}
		for j := 1; j < len(src); j++ {
			var v float64
			if src[j].same(&src[0]) {
				v = s0 * src[j].weight
			} else if s, ok := src[j].find(m); ok {
				v = s * src[j].weight
			} else {
				return true
			}
			aggregate(&score, v, agg)
		}
		if cardOnly {
			card++
			return limit == 0 || card < limit
		}
		out = append(out, zmember{m, score})
		return true
	})
	return out, card
}

func zunion(src []zsrc, agg zaggregate) []zmember {
	idx := map[string]int{}
	var out []zmember
	for i := range src {
		src[i].each(func(m string, s float64) bool {
			score := src[i].weight * s
			if isNaN(score) {
				score = 0
			}
			if k, ok := idx[m]; ok {
				aggregate(&out[k].score, score, agg)
			} else {
				idx[m] = len(out)
				out = append(out, zmember{m, score})
			}
			return true
		})
	}
	return out
}

func zdiff(src []zsrc) []zmember {
	var out []zmember
	src[0].each(func(m string, s float64) bool {
		for j := 1; j < len(src); j++ {
			if src[j].same(&src[0]) {
				return true
			}
			if _, ok := src[j].find(m); ok {
				return true
			}
		}
		out = append(out, zmember{m, s})
		return true
	})
	return out
}

// storeZSet stores a result as the STORE forms do: setKey when it has
// members (any old value and TTL replaced), otherwise the destination is
// deleted. The reply is the result's size. Redis builds the result as a
// skiplist and converts it to a listpack when it fits
// (zsetConvertToListpackIfNeeded), so a -0 score survives only in a
// result too large for one.
func (x *cmdCtx) storeZSet(dst []byte, ms []zmember) {
	old := x.lookupWrite(dst)
	if len(ms) == 0 {
		x.int(0)
		if old != nil {
			x.db.DeleteEntry(old)
			x.touch(dst)
		}
		return
	}
	maxLen := 0
	for _, zm := range ms {
		maxLen = max(maxLen, len(zm.m))
	}
	z := keyspace.NewZSetSized(x.n.ks.Limits(), len(ms), maxLen)
	for _, zm := range ms {
		z.Set([]byte(zm.m), zm.score)
	}
	if old != nil {
		x.db.DeleteEntry(old)
	}
	x.db.Add(dst, nil, z, 0)
	x.touch(dst)
	x.int(int64(z.Len()))
}

// replyZMembers replies with a result's members in order, with their
// scores when asked.
func (x *cmdCtx) replyZMembers(ms []zmember, withScores bool) {
	x.rowsLen(len(ms), withScores)
	for _, zm := range ms {
		if withScores {
			x.pair()
		}
		x.bulkStr(zm.m)
		if withScores {
			x.double(zm.score)
		}
	}
}
