package node

import (
	"math/rand/v2"

	"github.com/replscope/replscope/node/keyspace"
)

// spopMoveStrategyMul is Redis's SPOP_MOVE_STRATEGY_MUL: when fewer than
// count/5 members would remain, SPOP picks the members to keep instead of
// the ones to pop.
const spopMoveStrategyMul = 5

var (
	sremArgv0 = []byte("SREM")
	delArgv0  = []byte("DEL")
)

// SPOP key [count]
//
// It replicates as SREM key member (one per popped member, in MULTI/EXEC
// when there are several), or as DEL when the whole set goes, as Redis 7.0
// does.
func cmdSPop(x *cmdCtx) {
	switch {
	case len(x.args) == 3:
		x.spopCount()
		return
	case len(x.args) > 3:
		x.syntaxErr()
		return
	}
	key := x.args[1]
	e := x.lookupWrite(key)
	if e == nil {
		x.null()
		return
	}
	if !x.setEntry(e) {
		return
	}
	x.db.Modify(e)
	s := e.Set()
	m := s.Random(x.n.rng).Key
	s.Delete(m)
	x.prop = [][]byte{sremArgv0, key, []byte(m)}
	x.bulkStr(m)
	x.notify(notifySet, "spop", key)
	if s.Len() == 0 {
		x.db.DeleteEntry(e)
		x.notify(notifyGeneric, "del", key)
	}
	x.touch(key)
}

// spopCount is SPOP with a count (spopWithCountCommand).
func (x *cmdCtx) spopCount() {
	c, ok := parseInt(x.args[2])
	if !ok || c < 0 {
		x.err(errNotPositive)
		return
	}
	key := x.args[1]
	e := x.lookupWrite(key)
	if e == nil {
		x.setLen(0)
		return
	}
	if !x.setEntry(e) {
		return
	}
	if c == 0 {
		x.setLen(0)
		return
	}
	size := e.Set().Len()
	if c >= int64(size) {
		x.replySet(unionOf([]*keyspace.Set{e.Set()}).Members())
		x.db.DeleteEntry(e)
		x.prop = [][]byte{delArgv0, key}
		x.touchN(key, size)
		x.notify(notifySet, "spop", key)
		x.notify(notifyGeneric, "del", key)
		return
	}
	count := int(c)
	x.db.Modify(e)
	s := e.Set()
	x.setLen(count)
	emit := func(m string) {
		x.bulkStr(m)
		x.n.alsoPropagate(x.db.ID(), [][]byte{sremArgv0, key, []byte(m)})
	}
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		for i := 0; i < count; i++ {
			m := s.Random(x.n.rng).Key
			s.Delete(m)
			emit(m)
		}
	} else {
		// Move the members that stay to a new set and pop what is left.
		keep := keyspace.NewSet(remaining)
		for i := 0; i < remaining; i++ {
			m := s.Random(x.n.rng).Key
			s.Delete(m)
			keep.Add([]byte(m))
		}
		for _, m := range s.Members() {
			emit(m)
		}
		s.ReplaceWith(keep)
	}
	x.noProp = true
	x.touchN(key, count)
	x.notify(notifySet, "spop", key)
}

// SRANDMEMBER key [count]
func cmdSRandMember(x *cmdCtx) {
	switch {
	case len(x.args) == 3:
		x.srandCount()
		return
	case len(x.args) > 3:
		x.syntaxErr()
		return
	}
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.null()
		return
	}
	if x.setEntry(e) {
		x.bulkStr(e.Set().Random(x.n.rng).Key)
	}
}

// srandCount is SRANDMEMBER with a count (srandmemberWithCountCommand): a
// negative count allows repeats, a positive one returns distinct members,
// all of them when count reaches the size.
func (x *cmdCtx) srandCount() {
	l, ok := x.parseRandCount(x.args[2])
	if !ok {
		return
	}
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.array(0)
		return
	}
	if !x.setEntry(e) {
		return
	}
	s := e.Set()
	count, uniq := l, true
	if l < 0 {
		count, uniq = -l, false
	}
	switch {
	case count == 0:
		x.array(0)
	case !uniq || count == 1:
		if x.chosenReplyTooLarge(count, 1) {
			return
		}
		x.array(int(count))
		for i := int64(0); i < count; i++ {
			if i&1023 == 1023 && x.replyOverLimit() {
				return
			}
			x.bulkStr(s.Random(x.n.rng).Key)
		}
	case count >= int64(s.Len()):
		x.replyStrings(s.Members())
	default:
		x.array(int(count))
		for _, i := range randomDistinct(x.n.rng, s.Len(), int(count)) {
			x.bulkStr(s.At(i).Key)
		}
	}
}

// randomDistinct returns count distinct indices below size (count < size)
// in random order: from a permutation when count is close to size, by
// rejection otherwise.
func randomDistinct(r *rand.Rand, size, count int) []int {
	if count*3 > size {
		return r.Perm(size)[:count]
	}
	seen := make(map[int]struct{}, count)
	out := make([]int, 0, count)
	for len(out) < count {
		i := r.IntN(size)
		if _, dup := seen[i]; !dup {
			seen[i] = struct{}{}
			out = append(out, i)
		}
	}
	return out
}
