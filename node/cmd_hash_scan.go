package node

import (
	"math/rand/v2"
	"strconv"

	"github.com/replscope/replscope/node/config"
	"github.com/replscope/replscope/node/keyspace"
)

// hashEmptyScan is HSCAN's reply for a missing key (shared.emptyscan).
var hashEmptyScan = []byte("*2\r\n$1\r\n0\r\n*0\r\n")

// HSCAN key cursor [MATCH pattern] [COUNT count]
//
// A hash Redis would hold as a listpack is returned whole in field order
// with cursor 0, whatever COUNT says, as Redis does; a larger one is walked
// COUNT fields per call with Dict's cursor.
func cmdHScan(x *cmdCtx) {
	cursor, ok := x.scanCursor(x.args[2])
	if !ok {
		return
	}
	e := x.entryOrReply(x.args[1], keyspace.KindHash, false, hashEmptyScan)
	if e == nil {
		return
	}
	o, ok := x.parseScanOptions(x.args[3:], false)
	if !ok {
		return
	}
	h := e.Hash()
	var batch []*keyspace.DictItem[[]byte]
	var next uint64
	if h.Small() {
		for i := 0; i < h.Len(); i++ {
			batch = append(batch, h.At(i))
		}
	} else {
		next = h.Scan(cursor, o.count, func(it *keyspace.DictItem[[]byte]) { batch = append(batch, it) })
		// Scan walks down from the top: list the batch in field order.
		for i, j := 0, len(batch)-1; i < j; i, j = i+1, j-1 {
			batch[i], batch[j] = batch[j], batch[i]
		}
	}
	if o.hasPat {
		kept := batch[:0]
		for _, it := range batch {
			if config.Match(o.match, it.Key, false) {
				kept = append(kept, it)
			}
		}
		batch = kept
	}
	x.array(2)
	x.bulkStr(strconv.FormatUint(next, 10))
	x.array(2 * len(batch))
	for _, it := range batch {
		x.bulkStr(it.Key)
		x.bulk(it.Val)
	}
}

// HRANDFIELD key [count [WITHVALUES]]
func cmdHRandField(x *cmdCtx) {
	if len(x.args) < 3 {
		e := x.entryOrReply(x.args[1], keyspace.KindHash, false, nullBulk)
		if e == nil {
			return
		}
		x.bulkStr(e.Hash().Random(x.n.rng).Key)
		return
	}
	count, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	if count == minInt64 {
		x.err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	}
	withValues := false
	if len(x.args) > 4 || (len(x.args) == 4 && !eqFold(x.args[3], "withvalues")) {
		x.syntaxErr()
		return
	}
	if len(x.args) == 4 {
		withValues = true
		if count < -maxInt64/2 || count > maxInt64/2 {
			x.err("ERR value is out of range")
			return
		}
	}
	e := x.entryOrReply(x.args[1], keyspace.KindHash, false, hashEmptyRaw)
	if e == nil {
		return
	}
	x.hashRandFields(e.Hash(), count, withValues)
}

// hashRandFields replies with count random fields of h: distinct ones for
// a positive count (all of h when count >= its size, in field order), and
// |count| picks that may repeat for a negative one.
func (x *cmdCtx) hashRandFields(h *keyspace.Hash, count int64, withValues bool) {
	size := h.Len()
	width := 1
	if withValues {
		width = 2
	}
	reply := func(it *keyspace.DictItem[[]byte]) {
		if withValues {
			x.pair()
		}
		x.bulkStr(it.Key)
		if withValues {
			x.bulk(it.Val)
		}
	}
	switch {
	case count == 0:
		x.w.WriteRaw(hashEmptyRaw)
	case count < 0 || count == 1:
		n := count
		if n < 0 {
			n = -n
		}
		if x.chosenReplyTooLarge(n, int64(width)) {
			return
		}
		x.rowsLen(int(n), withValues)
		for i := int64(0); i < n; i++ {
			if i&1023 == 1023 && x.replyOverLimit() {
				return
			}
			reply(h.Random(x.n.rng))
		}
	case count >= int64(size):
		x.rowsLen(size, withValues)
		for i := 0; i < size; i++ {
			reply(h.At(i))
		}
	default:
		picks := hashSampleDistinct(x.n.rng, size, int(count))
		x.rowsLen(len(picks), withValues)
		for _, i := range picks {
			reply(h.At(i))
		}
	}
}

// hashSampleDistinct returns k distinct indices below n (0 < k < n) in random
// order: a partial shuffle when k is a large share of n, rejection
// sampling otherwise.
func hashSampleDistinct(r *rand.Rand, n, k int) []int {
	if k*3 > n {
		p := r.Perm(n)
		return p[:k]
	}
	seen := make(map[int]struct{}, k)
	out := make([]int, 0, k)
	for len(out) < k {
		i := r.IntN(n)
		if _, dup := seen[i]; dup {
			continue
		}
		seen[i] = struct{}{}
		out = append(out, i)
	}
	return out
}
