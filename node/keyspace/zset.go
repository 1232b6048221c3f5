package keyspace

import (
	"math/rand/v2"
	"sync/atomic"
)

// Redis's defaults for the sorted-set encoding: a sorted set of at most
// MaxListpackEntries members, none longer than MaxListpackValue bytes, is
// listpack-encoded.
const (
	// MaxListpackEntries is zset-max-listpack-entries.
	MaxListpackEntries = 128
	// MaxListpackValue is zset-max-listpack-value.
	MaxListpackValue = 64
)

// ZSet is a Redis sorted set: a dict from member to score for lookups and
// scans, and a skiplist ordered by (score, member) with spans for ranks.
//
// It also follows the encoding Redis 7.0 would give the same set, because
// the encoding shows through some replies: a listpack is scanned in one
// ZSCAN call, in order, with integral scores printed as integers, and it
// stores -0 as the integer 0. Like Redis, a sorted set that outgrew the
// listpack never returns to it by shrinking.
type ZSet struct {
	dict *Dict[float64]
	sl   skiplist
	big  bool        // skiplist-encoded in Redis
	lim  *ZSetLimits // read at each insertion, as Redis reads its config
}

// ZSetLimits are zset-max-listpack-entries and zset-max-listpack-value:
// a sorted set outgrows the listpack when an insertion would pass them.
// They are atomics so that an RDB load running outside the node's lock
// may read them while CONFIG SET changes them.
type ZSetLimits struct {
	Entries atomic.Int64
	Value   atomic.Int64
}

// Set stores both limits.
func (l *ZSetLimits) Set(entries, value int64) {
	l.Entries.Store(entries)
	l.Value.Store(value)
}

var defaultZSetLimits = func() *ZSetLimits {
	l := &ZSetLimits{}
	l.Set(MaxListpackEntries, MaxListpackValue)
	return l
}()

// SetZSetLimits makes the sorted sets loaded into ks (Load) follow lim.
func (ks *Keyspace) SetZSetLimits(lim *ZSetLimits) { ks.zlim = lim }

// ZSetLimits returns the limits sorted sets loaded into db follow.
func (db *DB) ZSetLimits() *ZSetLimits {
	if db.ks.zlim == nil {
		return defaultZSetLimits
	}
	return db.ks.zlim
}

// NewZSet returns an empty sorted set under Redis's default limits.
func NewZSet() *ZSet { return NewZSetWith(defaultZSetLimits) }

// NewZSetWith returns an empty sorted set that follows the limits lim
// points to (a node's configuration, which CONFIG SET may change).
func NewZSetWith(lim *ZSetLimits) *ZSet {
	return &ZSet{dict: NewDict[float64](0), sl: newSkiplist(), lim: lim}
}

// Kind implements Object.
func (z *ZSet) Kind() Kind { return KindZSet }

// Len returns the number of members.
func (z *ZSet) Len() int { return z.dict.Len() }

func (z *ZSet) clone() Object {
	c := NewZSetWith(z.lim)
	for n := z.sl.head.level[0].forward; n != nil; n = n.level[0].forward {
		c.sl.insert(n.member, n.score)
	}
	c.dict = z.dict.Clone()
	c.big = z.big
	return c
}

// IsListpack reports whether Redis would hold this sorted set as a listpack.
func (z *ZSet) IsListpack() bool { return !z.big }

// Encoding returns the name OBJECT ENCODING gives the sorted set in Redis
// 7.0.
func (z *ZSet) Encoding() string {
	if z.big {
		return "skiplist"
	}
	return "listpack"
}

// Dict exposes the member→score dict (for ZSCAN and random picks).
func (z *ZSet) Dict() *Dict[float64] { return z.dict }

// Score returns member's score.
func (z *ZSet) Score(member []byte) (float64, bool) { return z.dict.GetBytes(member) }

// Set adds member with score or moves it to score. It reports whether the
// member is new. The score must not be NaN.
func (z *ZSet) Set(member []byte, score float64) bool {
	p := z.dict.Ptr(member)
	if p == nil && !z.big && (int64(z.Len()) >= z.lim.Entries.Load() || int64(len(member)) > z.lim.Value.Load()) {
		z.big = true
	}
	if !z.big && score == 0 {
		score = 0 // a listpack keeps integral scores as integers: -0 becomes 0
	}
	if p != nil {
		if *p != score {
			m := string(member)
			z.sl.delete(m, *p)
			z.sl.insert(m, score)
			*p = score
		}
		return false
	}
	m := string(member)
	z.sl.insert(m, score)
	z.dict.Set(m, score)
	return true
}

// Remove deletes member and reports whether it was present.
func (z *ZSet) Remove(member []byte) bool {
	score, ok := z.dict.GetBytes(member)
	if !ok {
		return false
	}
	z.sl.delete(string(member), score)
	z.dict.DeleteBytes(member)
	return true
}

// RemoveNode deletes a node of this set, e.g. one found by a range walk;
// nodes other than n stay valid.
func (z *ZSet) RemoveNode(n *Node) {
	z.sl.delete(n.member, n.score)
	z.dict.Delete(n.member)
}

// Rank returns member's 0-based rank in ascending order.
func (z *ZSet) Rank(member []byte) (int, bool) {
	score, ok := z.dict.GetBytes(member)
	if !ok {
		return 0, false
	}
	return z.sl.rank(string(member), score) - 1, true
}

// Node is a position in a sorted set's order, for range walks.
type Node = slNode

// Member returns the node's member.
func (n *slNode) Member() string { return n.member }

// Score returns the node's score.
func (n *slNode) Score() float64 { return n.score }

// Next returns the following node in ascending order, or nil.
func (n *slNode) Next() *slNode { return n.level[0].forward }

// Prev returns the preceding node, or nil.
func (n *slNode) Prev() *slNode { return n.backward }

// First returns the lowest node, or nil when empty.
func (z *ZSet) First() *Node { return z.sl.head.level[0].forward }

// Last returns the highest node, or nil when empty.
func (z *ZSet) Last() *Node { return z.sl.tail }

// ByRank returns the node at 0-based rank r, or nil.
func (z *ZSet) ByRank(r int) *Node {
	if r < 0 || r >= z.sl.length {
		return nil
	}
	return z.sl.byRank(r + 1)
}

// FirstFrom returns the first node not below the given bound: score > min
// (exclusive) or >= min, or nil.
func (z *ZSet) FirstFrom(min float64, exclusive bool) *Node {
	return z.sl.firstWhere(func(n *slNode) bool {
		if exclusive {
			return n.score > min
		}
		return n.score >= min
	})
}

// LastUpTo returns the last node not above the bound: score < max
// (exclusive) or <= max, or nil.
func (z *ZSet) LastUpTo(max float64, exclusive bool) *Node {
	return z.sl.lastWhere(func(n *slNode) bool {
		if exclusive {
			return n.score < max
		}
		return n.score <= max
	})
}

// FirstWhere returns the first node for which ok holds, given that ok is
// false for a prefix of the order and true for the rest.
func (z *ZSet) FirstWhere(ok func(*Node) bool) *Node { return z.sl.firstWhere(ok) }

// LastWhere returns the last node for which ok holds, given that ok is true
// for a prefix of the order and false for the rest.
func (z *ZSet) LastWhere(ok func(*Node) bool) *Node { return z.sl.lastWhere(ok) }

// RankOf returns the 0-based rank of a node of this set.
func (z *ZSet) RankOf(n *Node) int { return z.sl.rank(n.member, n.score) - 1 }

// Random returns a uniformly chosen member and score; the set must not be
// empty.
func (z *ZSet) Random(r *rand.Rand) (string, float64) {
	it := z.dict.Random(r)
	return it.Key, it.Val
}

const (
	slMaxLevel = 32
	slP        = 0.25
)

type slLevel struct {
	forward *slNode
	span    int
}

type slNode struct {
	member   string
	score    float64
	backward *slNode
	level    []slLevel
}

type skiplist struct {
	head   *slNode
	tail   *slNode
	length int
	level  int
	rng    *rand.Rand
}

func newSkiplist() skiplist {
	return skiplist{head: &slNode{level: make([]slLevel, slMaxLevel)}, level: 1,
		rng: rand.New(rand.NewPCG(0x5eed, 0x2a))}
}

func (sl *skiplist) randomLevel() int {
	lvl := 1
	for lvl < slMaxLevel && sl.rng.Float64() < slP {
		lvl++
	}
	return lvl
}

// less orders by score, then member bytes.
func less(s1 float64, m1 string, s2 float64, m2 string) bool {
	return s1 < s2 || (s1 == s2 && m1 < m2)
}

func (sl *skiplist) insert(member string, score float64) {
	var update [slMaxLevel]*slNode
	var rank [slMaxLevel]int
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		if i < sl.level-1 {
			rank[i] = rank[i+1]
		}
		for f := x.level[i].forward; f != nil && less(f.score, f.member, score, member); f = x.level[i].forward {
			rank[i] += x.level[i].span
			x = f
		}
		update[i] = x
	}
	lvl := sl.randomLevel()
	if lvl > sl.level {
		for i := sl.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = sl.head
			update[i].level[i].span = sl.length
		}
		sl.level = lvl
	}
	n := &slNode{member: member, score: score, level: make([]slLevel, lvl)}
	for i := 0; i < lvl; i++ {
		n.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = n
		n.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < sl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != sl.head {
		n.backward = update[0]
	}
	if n.level[0].forward != nil {
		n.level[0].forward.backward = n
	} else {
		sl.tail = n
	}
	sl.length++
}

func (sl *skiplist) delete(member string, score float64) {
	var update [slMaxLevel]*slNode
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && less(f.score, f.member, score, member); f = x.level[i].forward {
			x = f
		}
		update[i] = x
	}
	x = x.level[0].forward
	if x == nil || x.score != score || x.member != member {
		return
	}
	for i := 0; i < sl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		sl.tail = x.backward
	}
	for sl.level > 1 && sl.head.level[sl.level-1].forward == nil {
		sl.level--
	}
	sl.length--
}

// rank returns the 1-based rank of (member, score), 0 if absent.
func (sl *skiplist) rank(member string, score float64) int {
	r := 0
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && (less(f.score, f.member, score, member) || (f.score == score && f.member == member)); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
		if x != sl.head && x.member == member && x.score == score {
			return r
		}
	}
	return 0
}

// byRank returns the node at 1-based rank r.
func (sl *skiplist) byRank(r int) *slNode {
	traversed := 0
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= r {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == r {
			return x
		}
	}
	return nil
}

// firstWhere finds the first node satisfying a monotone predicate.
func (sl *skiplist) firstWhere(ok func(*slNode) bool) *slNode {
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && !ok(f); f = x.level[i].forward {
			x = f
		}
	}
	return x.level[0].forward
}

// lastWhere finds the last node satisfying a predicate that holds for a
// prefix of the order.
func (sl *skiplist) lastWhere(ok func(*slNode) bool) *slNode {
	x := sl.head
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && ok(f); f = x.level[i].forward {
			x = f
		}
	}
	if x == sl.head {
		return nil
	}
	return x
}
