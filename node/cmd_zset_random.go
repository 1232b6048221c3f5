package node

import (
	"github.com/replscope/replscope/node/config"
	"github.com/replscope/replscope/node/keyspace"
)

// ZRANDMEMBER key [count [WITHSCORES]]
func cmdZRandMember(x *cmdCtx) {
	if len(x.args) == 2 {
		e := x.lookupRead(x.args[1])
		if e == nil {
			x.null()
			return
		}
		if x.zsetEntry(e) {
			m, _ := e.ZSet().Random(x.n.rng)
			x.bulkStr(m)
		}
		return
	}
	l, ok := x.parseRandCount(x.args[2])
	if !ok {
		return
	}
	withScores := len(x.args) == 4
	if len(x.args) > 4 || (withScores && !eqFold(x.args[3], "withscores")) {
		x.syntaxErr()
		return
	}
	if withScores && (l < -maxInt64/2 || l > maxInt64/2) {
		x.err("ERR value is out of range")
		return
	}
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.array(0)
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	x.zrandWithCount(e.ZSet(), l, withScores)
}

// parseRandCount parses SRANDMEMBER / ZRANDMEMBER's count, which must lie
// in [-LONG_MAX, LONG_MAX].
func (x *cmdCtx) parseRandCount(b []byte) (int64, bool) {
	l, ok := parseInt(b)
	if !ok {
		x.err(errNotInt)
		return 0, false
	}
	if l == minInt64 {
		x.err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return 0, false
	}
	return l, true
}

// zrandWithCount follows zrandmemberWithCountCommand: a negative count
// allows repeats, a positive one returns distinct members, all of them
// (highest first) when count reaches the size.
func (x *cmdCtx) zrandWithCount(z *keyspace.ZSet, l int64, withScores bool) {
	count, uniq := l, true
	if l < 0 {
		count, uniq = -l, false
	}
	if count == 0 {
		x.array(0)
		return
	}
	per := 1
	if withScores {
		per = 2
	}
	emit := func(m string, s float64) {
		if withScores {
			x.pair()
		}
		x.bulkStr(m)
		if withScores {
			x.double(s)
		}
	}
	if !uniq || count == 1 {
		if x.chosenReplyTooLarge(count, int64(per)) {
			return
		}
		x.rowsLen(int(count), withScores)
		for i := int64(0); i < count; i++ {
			if i&1023 == 1023 && x.replyOverLimit() {
				return
			}
			emit(z.Random(x.n.rng))
		}
		return
	}
	size := z.Len()
	if count >= int64(size) {
		x.rowsLen(size, withScores)
		for n := z.Last(); n != nil; n = n.Prev() { // zuiNext walks from the top
			emit(n.Member(), n.Score())
		}
		return
	}
	x.rowsLen(int(count), withScores)
	items := z.Dict().Items()
	for _, i := range randomDistinct(x.n.rng, size, int(count)) {
		emit(items[i].Key, items[i].Val)
	}
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
//
// A sorted set Redis keeps as a listpack is returned whole, in order, in
// one call, with its scores as the listpack holds them; a larger one is
// scanned through its dict.
func cmdZScan(x *cmdCtx) {
	cursor, ok := x.scanCursor(x.args[2])
	if !ok {
		return
	}
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.replyScan(0, nil)
		return
	}
	if !x.zsetEntry(e) {
		return
	}
	o, ok := x.parseScanOptions(x.args[3:], false)
	if !ok {
		return
	}
	z := e.ZSet()
	var out [][]byte
	keep := func(m string) bool { return !o.hasPat || config.Match(o.match, m, false) }
	if z.IsListpack() {
		for n := z.First(); n != nil; n = n.Next() {
			if keep(n.Member()) {
				out = append(out, []byte(n.Member()), appendListpackScore(nil, n.Score()))
			}
		}
		x.replyScan(0, out)
		return
	}
	next := z.Dict().Scan(cursor, o.count, func(it *keyspace.DictItem[float64]) {
		if keep(it.Key) {
			out = append(out, []byte(it.Key), appendDouble(nil, it.Val))
		}
	})
	x.replyScan(next, out)
}
