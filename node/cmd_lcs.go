package node

import (
	"math"

	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	register(&command{name: "lcs", arity: -3, flags: cReadOnly, firstKey: 1, lastKey: 2, acl: "@read @string @slow", fn: cmdLCS,
		summary: "Finds the longest common substring.", group: "string", since: "7.0.0"})
}

// lcsRange is one matching run reported by LCS IDX.
type lcsRange struct{ aStart, aEnd, bStart, bEnd uint32 }

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
func cmdLCS(x *cmdCtx) {
	ea, eb := x.lookupRead(x.args[1]), x.lookupRead(x.args[2])
	if (ea != nil && ea.Kind() != keyspace.KindString) || (eb != nil && eb.Kind() != keyspace.KindString) {
		x.err("ERR The specified keys must contain string values")
		return
	}
	var a, b []byte
	if ea != nil {
		a = ea.Str()
	}
	if eb != nil {
		b = eb.Str()
	}
	getLen, getIdx, withLen := false, false, false
	minLen := int64(0)
	for j := 3; j < len(x.args); j++ {
		opt := x.args[j]
		switch {
		case eqFold(opt, "idx"):
			getIdx = true
		case eqFold(opt, "len"):
			getLen = true
		case eqFold(opt, "withmatchlen"):
			withLen = true
		case eqFold(opt, "minmatchlen") && j+1 < len(x.args):
			v, ok := parseInt(x.args[j+1])
			if !ok {
				x.err(errNotInt)
				return
			}
			minLen = max(v, 0)
			j++
		default:
			x.syntaxErr()
			return
		}
	}
	if getLen && getIdx {
		x.err("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	if uint64(len(a)) >= math.MaxUint32-1 || uint64(len(b)) >= math.MaxUint32-1 {
		x.err("ERR String too long for LCS")
		return
	}
	cells := uint64(len(a)+1) * uint64(len(b)+1)
	if cells*4 > uint64(x.n.cfg.ProtoMaxBulkLen) {
		x.err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	result, ranges, total := lcs(a, b, minLen, getIdx || !getLen)
	switch {
	case getIdx:
		x.mapLen(2)
		x.bulkStr("matches")
		x.array(len(ranges))
		for _, r := range ranges {
			if withLen {
				x.array(3)
			} else {
				x.array(2)
			}
			x.array(2)
			x.int(int64(r.aStart))
			x.int(int64(r.aEnd))
			x.array(2)
			x.int(int64(r.bStart))
			x.int(int64(r.bEnd))
			if withLen {
				x.int(int64(r.aEnd - r.aStart + 1))
			}
		}
		x.bulkStr("len")
		x.int(int64(total))
	case getLen:
		x.int(int64(total))
	default:
		x.bulk(result)
	}
}

// lcs is the dynamic-programming table walk of Redis's lcsCommand: the
// common subsequence (when compute is set), its matching runs from the
// end backwards of at least minLen bytes, and its length.
func lcs(a, b []byte, minLen int64, compute bool) ([]byte, []lcsRange, uint32) {
	alen, blen := uint32(len(a)), uint32(len(b))
	w := blen + 1
	t := make([]uint32, uint64(alen+1)*uint64(w))
	at := func(i, j uint32) uint32 { return t[uint64(i)*uint64(w)+uint64(j)] }
	for i := uint32(1); i <= alen; i++ {
		for j := uint32(1); j <= blen; j++ {
			v := max(at(i-1, j), at(i, j-1))
			if a[i-1] == b[j-1] {
				v = at(i-1, j-1) + 1
			}
			t[uint64(i)*uint64(w)+uint64(j)] = v
		}
	}
	total := at(alen, blen)
	if !compute {
		return nil, nil, total
	}
	result := make([]byte, total)
	var ranges []lcsRange
	idx := total
	cur := lcsRange{aStart: alen} // aStart == alen: no run open
	for i, j := alen, blen; i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			switch {
			case cur.aStart == alen:
				cur = lcsRange{i - 1, i - 1, j - 1, j - 1}
			case cur.aStart == i && cur.bStart == j:
				cur.aStart--
				cur.bStart--
			default:
				emit = true
			}
			if cur.aStart == 0 || cur.bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if at(i-1, j) > at(i, j-1) {
				i--
			} else {
				j--
			}
			if cur.aStart != alen {
				emit = true
			}
		}
		if emit {
			if n := cur.aEnd - cur.aStart + 1; minLen == 0 || int64(n) >= minLen {
				ranges = append(ranges, cur)
			}
			cur.aStart = alen
		}
	}
	return result, ranges, total
}
