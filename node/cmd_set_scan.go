package node

import (
	"strconv"

	"github.com/replscope/replscope/node/config"
	"github.com/replscope/replscope/node/keyspace"
)

// SSCAN key cursor [MATCH pattern] [COUNT count]
//
// As sscanCommand: the cursor is checked first, then the key (a missing
// one is an empty, finished scan), then the options. A set Redis keeps as
// an intset is returned whole, in order, in one call; a larger one is
// scanned through its dict.
func cmdSScan(x *cmdCtx) {
	cursor, ok := x.scanCursor(x.args[2])
	if !ok {
		return
	}
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.replyScan(0, nil)
		return
	}
	if !x.setEntry(e) {
		return
	}
	o, ok := x.parseScanOptions(x.args[3:], false)
	if !ok {
		return
	}
	s := e.Set()
	var out [][]byte
	keep := func(m string) {
		if !o.hasPat || config.Match(o.match, m, false) {
			out = append(out, []byte(m))
		}
	}
	if s.IsIntset() {
		for _, m := range s.Members() {
			keep(m)
		}
		x.replyScan(0, out)
		return
	}
	next := s.Scan(cursor, o.count, func(it *keyspace.DictItem[struct{}]) { keep(it.Key) })
	x.replyScan(next, out)
}

// scanCursor parses a SCAN-family cursor as Redis's
// parseScanCursorOrReply does with strtoul: no leading space, an optional
// sign (a negative cursor wraps around), no overflow, nothing after the
// digits up to a NUL byte; an empty cursor is 0. It replies the error.
func (x *cmdCtx) scanCursor(b []byte) (uint64, bool) {
	b = cString(b)
	if len(b) == 0 {
		return 0, true
	}
	digits, neg := b, false
	if b[0] == '+' || b[0] == '-' {
		digits, neg = b[1:], b[0] == '-'
	}
	v, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil || len(digits) == 0 || digits[0] < '0' || digits[0] > '9' {
		x.err("ERR invalid cursor")
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// replyScan replies with a SCAN-family result: the next cursor and the
// elements.
func (x *cmdCtx) replyScan(next uint64, elems [][]byte) {
	x.array(2)
	x.bulk(strconv.AppendUint(x.n.scratch[:0], next, 10))
	x.array(len(elems))
	for _, b := range elems {
		x.bulk(b)
	}
}
