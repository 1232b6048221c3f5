package node

import (
	"github.com/replscope/replscope/node/keyspace"
)

// How a ZRANGE-family command selects members (zrange_type).
type zrangeBy uint8

const (
	zrAuto zrangeBy = iota
	zrRank
	zrScore
	zrLex
)

// Which way a ZRANGE-family command walks (zrange_direction).
type zrangeDir uint8

const (
	zdAuto zrangeDir = iota
	zdForward
	zdReverse
)

// zrangeQuery is a parsed ZRANGE-family command.
type zrangeQuery struct {
	by            zrangeBy
	dir           zrangeDir
	store         bool
	withScores    bool
	offset, limit int64
	start, end    int64 // by rank
	score         scoreRange
	lex           lexRange
}

// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
// ZREVRANGE key start stop [WITHSCORES]
// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
// ZRANGEBYLEX key min max [LIMIT offset count]
// ZREVRANGEBYLEX key max min [LIMIT offset count]
//
// All of them run zrangeGenericCommand's steps: options, conflicts, the
// range, then the key.
func cmdZRange(x *cmdCtx) {
	switch x.cmd.name {
	case "zrange":
		x.zrange(1, zrangeQuery{})
	case "zrangestore":
		x.zrange(2, zrangeQuery{store: true})
	case "zrevrange":
		x.zrange(1, zrangeQuery{by: zrRank, dir: zdReverse})
	case "zrangebyscore":
		x.zrange(1, zrangeQuery{by: zrScore, dir: zdForward})
	case "zrevrangebyscore":
		x.zrange(1, zrangeQuery{by: zrScore, dir: zdReverse})
	case "zrangebylex":
		x.zrange(1, zrangeQuery{by: zrLex, dir: zdForward})
	case "zrevrangebylex":
		x.zrange(1, zrangeQuery{by: zrLex, dir: zdReverse})
	}
}

func (x *cmdCtx) zrange(src int, q zrangeQuery) {
	if !x.parseZRangeOptions(src+3, &q) || !x.parseZRangeBounds(src, &q) {
		return
	}
	e := x.lookupRead(x.args[src])
	if e == nil {
		if q.store {
			x.storeResult(x.args[1], keyspace.NewZSet())
		} else {
			x.array(0)
		}
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	nodes := q.collect(e.ZSet())
	if q.store {
		z := keyspace.NewZSetSized(x.n.ks.Limits(), len(nodes), 0)
		for _, n := range nodes {
			z.Set([]byte(n.Member()), n.Score())
		}
		x.storeResult(x.args[1], z)
		return
	}
	x.replyZNodes(nodes, q.withScores)
}

// parseZRangeOptions reads the options from args[from:] and checks their
// conflicts.
func (x *cmdCtx) parseZRangeOptions(from int, q *zrangeQuery) bool {
	q.limit = -1
	for j := from; j < len(x.args); j++ {
		a := x.args[j]
		switch {
		case !q.store && eqFold(a, "withscores"):
			q.withScores = true
		case eqFold(a, "limit") && len(x.args)-j-1 >= 2:
			off, ok := parseInt(x.args[j+1])
			if !ok {
				x.err(errNotInt)
				return false
			}
			lim, ok := parseInt(x.args[j+2])
			if !ok {
				x.err(errNotInt)
				return false
			}
			q.offset, q.limit = off, lim
			j += 2
		case q.dir == zdAuto && eqFold(a, "rev"):
			q.dir = zdReverse
		case q.by == zrAuto && eqFold(a, "bylex"):
			q.by = zrLex
		case q.by == zrAuto && eqFold(a, "byscore"):
			q.by = zrScore
		default:
			x.syntaxErr()
			return false
		}
	}
	if q.dir == zdAuto {
		q.dir = zdForward
	}
	if q.by == zrAuto {
		q.by = zrRank
	}
	if q.limit != -1 && q.by == zrRank {
		x.err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return false
	}
	if q.withScores && q.by == zrLex {
		x.err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return false
	}
	return true
}

// parseZRangeBounds parses the two bounds after the source key; reversed
// score and lex ranges are given as max then min.
func (x *cmdCtx) parseZRangeBounds(src int, q *zrangeQuery) bool {
	lo, hi := x.args[src+1], x.args[src+2]
	if q.dir == zdReverse && q.by != zrRank {
		lo, hi = hi, lo
	}
	var ok bool
	switch q.by {
	case zrRank:
		if q.start, ok = parseInt(lo); ok {
			q.end, ok = parseInt(hi)
		}
		if !ok {
			x.err(errNotInt)
		}
	case zrScore:
		if q.score, ok = parseScoreRange(lo, hi); !ok {
			x.err(errMinMaxFloat)
		}
	case zrLex:
		if q.lex, ok = parseLexRange(lo, hi); !ok {
			x.err(errMinMaxLex)
		}
	}
	return ok
}

// collect returns the selected nodes in reply order.
func (q *zrangeQuery) collect(z *keyspace.ZSet) []*keyspace.Node {
	rev := q.dir == zdReverse
	if q.by == zrRank {
		start, end, ok := rankRange(q.start, q.end, z.Len())
		if !ok {
			return nil
		}
		out := make([]*keyspace.Node, 0, end-start+1)
		n := z.ByRank(int(start))
		if rev {
			n = z.ByRank(z.Len() - 1 - int(start))
		}
		for i := start; i <= end; i++ {
			out = append(out, n)
			n = step(n, rev)
		}
		return out
	}
	var n *keyspace.Node
	var inRange func(*keyspace.Node) bool
	switch {
	case q.by == zrScore && q.offset > 0 && q.offset >= int64(z.Len()):
		return nil
	case q.by == zrScore && rev:
		n, inRange = q.score.last(z), func(n *keyspace.Node) bool { return q.score.gteMin(n.Score()) }
	case q.by == zrScore:
		n, inRange = q.score.first(z), func(n *keyspace.Node) bool { return q.score.lteMax(n.Score()) }
	case rev:
		n, inRange = q.lex.last(z), func(n *keyspace.Node) bool { return q.lex.gteMin(n.Member()) }
	default:
		n, inRange = q.lex.first(z), func(n *keyspace.Node) bool { return q.lex.lteMax(n.Member()) }
	}
	if q.offset < 0 {
		return nil // Redis skips "offset" nodes one by one: a negative one skips them all
	}
	for off := q.offset; n != nil && off > 0; off-- {
		n = step(n, rev)
	}
	var out []*keyspace.Node
	for lim := q.limit; n != nil && lim != 0 && inRange(n); lim-- {
		out = append(out, n)
		n = step(n, rev)
	}
	return out
}

func step(n *keyspace.Node, rev bool) *keyspace.Node {
	if rev {
		return n.Prev()
	}
	return n.Next()
}

// rankRange clamps a start/stop rank pair (negative counts from the end)
// to a set of n members; ok is false when the range is empty.
func rankRange(start, end int64, n int) (int64, int64, bool) {
	l := int64(n)
	if start < 0 {
		start += l
	}
	if end < 0 {
		end += l
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= l {
		return 0, 0, false
	}
	if end >= l {
		end = l - 1
	}
	return start, end, true
}

// replyZNodes replies with members, each followed by its score when asked
// (one flat array, as RESP2 has it).
func (x *cmdCtx) replyZNodes(nodes []*keyspace.Node, withScores bool) {
	x.rowsLen(len(nodes), withScores)
	for _, n := range nodes {
		if withScores {
			x.pair()
		}
		x.bulkStr(n.Member())
		if withScores {
			x.double(n.Score())
		}
	}
}

// ZCOUNT key min max
func cmdZCount(x *cmdCtx) {
	r, ok := parseScoreRange(x.args[2], x.args[3])
	if !ok {
		x.err(errMinMaxFloat)
		return
	}
	x.zcount(func(z *keyspace.ZSet) (*keyspace.Node, *keyspace.Node) { return r.first(z), r.last(z) })
}

// ZLEXCOUNT key min max
func cmdZLexCount(x *cmdCtx) {
	r, ok := parseLexRange(x.args[2], x.args[3])
	if !ok {
		x.err(errMinMaxLex)
		return
	}
	x.zcount(func(z *keyspace.ZSet) (*keyspace.Node, *keyspace.Node) { return r.first(z), r.last(z) })
}

// zcount replies with the number of members between the first and last
// node of a range.
func (x *cmdCtx) zcount(bounds func(*keyspace.ZSet) (*keyspace.Node, *keyspace.Node)) {
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.int(0)
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	z := e.ZSet()
	first, last := bounds(z)
	if first == nil || last == nil {
		x.int(0)
		return
	}
	x.int(int64(z.RankOf(last) - z.RankOf(first) + 1))
}
