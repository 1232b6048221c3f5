package keyspace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// zpair is one member of the sorted-slice model of a ZSet.
type zpair struct {
	m string
	s float64
}

// zmodel is a sorted set kept as a map and sorted on demand.
type zmodel map[string]float64

func (md zmodel) sorted() []zpair {
	out := make([]zpair, 0, len(md))
	for m, s := range md {
		out = append(out, zpair{m, s})
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i].s, out[i].m, out[j].s, out[j].m) })
	return out
}

// checkSkiplist verifies the skiplist's structure: order, backward links,
// tail, length, levels, and that every span with a successor equals the
// distance in ranks between the two nodes.
func checkSkiplist(t *testing.T, z *ZSet) {
	t.Helper()
	sl := &z.sl
	pos := map[*slNode]int{sl.head: 0}
	var prev *slNode
	n := 0
	for x := sl.head.level[0].forward; x != nil; x = x.level[0].forward {
		n++
		pos[x] = n
		if x.backward != prev {
			t.Fatalf("node %d (%s): wrong backward link", n, x.member)
		}
		if prev != nil && !less(prev.score, prev.member, x.score, x.member) {
			t.Fatalf("node %d (%s %v) not after (%s %v)", n, x.member, x.score, prev.member, prev.score)
		}
		if len(x.level) < 1 || len(x.level) > sl.level {
			t.Fatalf("node %d has %d levels, list has %d", n, len(x.level), sl.level)
		}
		if s, ok := z.dict.Get(x.member); !ok || s != x.score {
			t.Fatalf("node %s score %v, dict has %v %v", x.member, x.score, s, ok)
		}
		prev = x
	}
	if sl.tail != prev {
		t.Fatal("wrong tail")
	}
	if n != sl.length || n != z.dict.Len() {
		t.Fatalf("walked %d nodes, length %d, dict %d", n, sl.length, z.dict.Len())
	}
	if sl.level < 1 || (n > 0 && sl.level > 1 && sl.head.level[sl.level-1].forward == nil) {
		t.Fatalf("level %d with an empty top level", sl.level)
	}
	for i := 0; i < slMaxLevel; i++ {
		if i >= sl.level {
			if sl.head.level[i].forward != nil {
				t.Fatalf("head links at level %d above the list's level %d", i, sl.level)
			}
			continue
		}
		count := 0
		for x := sl.head; x.level[i].forward != nil; x = x.level[i].forward {
			f := x.level[i].forward
			if got, want := x.level[i].span, pos[f]-pos[x]; got != want {
				t.Fatalf("level %d: span from rank %d to %d is %d, want %d", i, pos[x], pos[f], got, want)
			}
			if pos[f] <= pos[x] {
				t.Fatalf("level %d goes backwards", i)
			}
			count++
		}
		tall := 0
		for x := sl.head.level[0].forward; x != nil; x = x.level[0].forward {
			if len(x.level) > i {
				tall++
			}
		}
		if count != tall {
			t.Fatalf("level %d links %d nodes, %d nodes are that tall", i, count, tall)
		}
	}
}

// checkAgainstModel compares every query of z with the sorted model.
func checkAgainstModel(t *testing.T, z *ZSet, md zmodel, r *rand.Rand) {
	t.Helper()
	want := md.sorted()
	if z.Len() != len(want) {
		t.Fatalf("Len %d want %d", z.Len(), len(want))
	}
	i := 0
	for n := z.First(); n != nil; n = n.Next() {
		if n.Member() != want[i].m || n.Score() != want[i].s {
			t.Fatalf("rank %d: %s %v, want %v", i, n.Member(), n.Score(), want[i])
		}
		if rk, ok := z.Rank([]byte(n.Member())); !ok || rk != i || z.RankOf(n) != i {
			t.Fatalf("rank of %s = %d/%d, want %d", n.Member(), rk, z.RankOf(n), i)
		}
		if z.ByRank(i) != n {
			t.Fatalf("ByRank(%d) is not the %d-th node", i, i)
		}
		i++
	}
	i = len(want) - 1
	for n := z.Last(); n != nil; n = n.Prev() {
		if n.Member() != want[i].m {
			t.Fatalf("backwards rank %d: %s, want %s", i, n.Member(), want[i].m)
		}
		i--
	}
	if z.ByRank(-1) != nil || z.ByRank(len(want)) != nil {
		t.Fatal("ByRank out of range returned a node")
	}
	if _, ok := z.Rank([]byte("absent")); ok {
		t.Fatal("Rank of an absent member")
	}
	for k := 0; k < 20; k++ {
		th := float64(r.IntN(60)) - 5
		if r.IntN(5) == 0 {
			th = []float64{math.Inf(-1), math.Inf(1)}[r.IntN(2)]
		}
		for _, ex := range []bool{false, true} {
			first := sort.Search(len(want), func(j int) bool {
				return want[j].s > th || (!ex && want[j].s == th)
			})
			checkNodeAt(t, fmt.Sprintf("FirstFrom(%v,%v)", th, ex), z.FirstFrom(th, ex), want, first)
			last := sort.Search(len(want), func(j int) bool {
				return want[j].s > th || (ex && want[j].s == th)
			}) - 1
			checkNodeAt(t, fmt.Sprintf("LastUpTo(%v,%v)", th, ex), z.LastUpTo(th, ex), want, last)
		}
	}
}

// checkNodeAt checks that n is the model's element at rank i (nil when i
// is out of range).
func checkNodeAt(t *testing.T, what string, n *Node, want []zpair, i int) {
	t.Helper()
	if i < 0 || i >= len(want) {
		if n != nil {
			t.Fatalf("%s = %s, want none", what, n.Member())
		}
		return
	}
	if n == nil || n.Member() != want[i].m {
		t.Fatalf("%s = %v, want %s", what, n, want[i].m)
	}
}

// TestSkiplistRandomOps drives a ZSet with random adds, score moves,
// removals (by member and by node) and checks structure and queries
// against a sorted-slice model along the way. Scores repeat a lot so that
// ties are ordered by member.
func TestSkiplistRandomOps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	z := NewZSet()
	md := zmodel{}
	for op := 0; op < 20000; op++ {
		m := fmt.Sprint("m", r.IntN(400))
		switch k := r.IntN(10); {
		case k < 5:
			s := float64(r.IntN(50))
			if r.IntN(20) == 0 {
				s = []float64{math.Inf(-1), math.Inf(1), -0.5, 1e300}[r.IntN(4)]
			}
			_, had := md[m]
			if isNew := z.Set([]byte(m), s); isNew == had {
				t.Fatalf("Set(%s) new=%v, model had it: %v", m, isNew, had)
			}
			md[m] = s
		case k < 8:
			_, had := md[m]
			if z.Remove([]byte(m)) != had {
				t.Fatalf("Remove(%s) disagrees with the model", m)
			}
			delete(md, m)
		default:
			if z.Len() > 0 {
				n := z.ByRank(r.IntN(z.Len()))
				delete(md, n.Member())
				z.RemoveNode(n)
			}
		}
		if op%500 == 0 {
			checkSkiplist(t, z)
			checkAgainstModel(t, z, md, r)
		}
	}
	checkSkiplist(t, z)
	checkAgainstModel(t, z, md, r)
	for z.Len() > 0 {
		z.RemoveNode(z.First())
	}
	checkSkiplist(t, z)
	if z.sl.level != 1 || z.First() != nil || z.Last() != nil {
		t.Fatalf("emptied skiplist: level %d", z.sl.level)
	}
}

// TestSkiplistFirstLastWhere checks the monotone searches used by range
// commands, for lex predicates over equal scores.
func TestSkiplistFirstLastWhere(t *testing.T) {
	z := NewZSet()
	var members []string
	for i := 0; i < 300; i++ {
		m := fmt.Sprintf("k%03d", i)
		members = append(members, m)
		z.Set([]byte(m), 0)
	}
	for _, bound := range []string{"", "k", "k000", "k0005", "k150", "k299", "k3", "z"} {
		want := sort.SearchStrings(members, bound)
		checkNodeAt(t, "FirstWhere(>= "+bound+")", z.FirstWhere(func(n *Node) bool { return n.Member() >= bound }), toPairs(members), want)
		want = sort.Search(len(members), func(i int) bool { return members[i] > bound }) - 1
		checkNodeAt(t, "LastWhere(<= "+bound+")", z.LastWhere(func(n *Node) bool { return n.Member() <= bound }), toPairs(members), want)
	}
}

func toPairs(ms []string) []zpair {
	out := make([]zpair, len(ms))
	for i, m := range ms {
		out[i] = zpair{m: m}
	}
	return out
}

// TestZSetCloneIsIndependent checks that a clone (copy-on-write for
// snapshots) and its original no longer share structure.
func TestZSetCloneIsIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	z := NewZSet()
	md := zmodel{}
	for i := 0; i < 500; i++ {
		m := fmt.Sprint("m", i)
		s := float64(r.IntN(100))
		z.Set([]byte(m), s)
		md[m] = s
	}
	c := z.clone().(*ZSet)
	cm := zmodel{}
	for k, v := range md {
		cm[k] = v
	}
	for i := 0; i < 300; i++ {
		m := fmt.Sprint("m", r.IntN(600))
		z.Set([]byte(m), -1)
		md[m] = -1
		m2 := fmt.Sprint("m", r.IntN(600))
		c.Remove([]byte(m2))
		delete(cm, m2)
	}
	checkSkiplist(t, z)
	checkSkiplist(t, c)
	checkAgainstModel(t, z, md, r)
	checkAgainstModel(t, c, cm, r)
	if c.IsListpack() != z.IsListpack() {
		t.Fatal("clone lost the encoding")
	}
}

// TestZSetEncoding checks the Redis 7.0 encoding rules the ZSet follows:
// listpack up to 128 members of at most 64 bytes, skiplist after, never
// back; a listpack stores -0 as 0.
func TestZSetEncoding(t *testing.T) {
	z := NewZSet()
	z.settle(DefaultLimits()) // as stored in a keyspace
	z.Set([]byte("neg"), math.Copysign(0, -1))
	if s, _ := z.Score([]byte("neg")); math.Signbit(s) {
		t.Fatal("a listpack kept -0")
	}
	for i := 1; i < MaxListpackEntries; i++ {
		z.Set([]byte(fmt.Sprint("m", i)), float64(i))
	}
	if !z.IsListpack() || z.Encoding() != "listpack" {
		t.Fatalf("%d members: %s, want listpack", z.Len(), z.Encoding())
	}
	z.Set([]byte("m1"), 5) // an update does not convert
	if !z.IsListpack() {
		t.Fatal("updating a member converted the set")
	}
	z.Set([]byte("one-more"), 1)
	if z.IsListpack() || z.Encoding() != "skiplist" {
		t.Fatalf("%d members: still a listpack", z.Len())
	}
	z.Set([]byte("neg2"), math.Copysign(0, -1))
	if s, _ := z.Score([]byte("neg2")); !math.Signbit(s) {
		t.Fatal("a skiplist lost the sign of -0")
	}
	for z.Len() > 1 {
		z.RemoveNode(z.Last())
	}
	if z.IsListpack() {
		t.Fatal("shrinking returned to a listpack")
	}
	long := NewZSet()
	long.settle(DefaultLimits())
	long.Set([]byte(string(make([]byte, MaxListpackValue))), 1)
	if !long.IsListpack() {
		t.Fatal("a 64-byte member converted the set")
	}
	long.Set([]byte(string(make([]byte, MaxListpackValue+1))), 1)
	if long.IsListpack() {
		t.Fatal("a 65-byte member did not convert the set")
	}
}

// TestSetEncoding checks the intset rules the Set follows and its
// iteration order.
func TestSetEncoding(t *testing.T) {
	s := NewSet(0)
	for _, m := range []string{"10", "-3", "7", "0", "-9223372036854775808"} {
		s.Add([]byte(m))
	}
	if !s.IsIntset() || s.Encoding() != "intset" {
		t.Fatal("integers should make an intset")
	}
	if got, want := s.Members(), []string{"-9223372036854775808", "-3", "0", "7", "10"}; !slices.Equal(got, want) {
		t.Fatalf("intset order %q, want %q", got, want)
	}
	for _, m := range []string{"007", "+1", "1.0", " 1", "9223372036854775808", "-0", ""} {
		c := NewSet(0)
		c.Add([]byte("1"))
		c.Add([]byte(m))
		if c.IsIntset() {
			t.Fatalf("%q is not a canonical integer: the set must leave the intset", m)
		}
		c.DeleteBytes([]byte(m))
		if c.IsIntset() {
			t.Fatal("a set went back to intset by shrinking")
		}
		c.Reencode()
		if !c.IsIntset() {
			t.Fatal("Reencode of integers must give an intset")
		}
	}
	big := NewSet(0)
	big.settle(DefaultLimits())
	for i := 0; i < MaxIntsetEntries; i++ {
		big.Add([]byte(fmt.Sprint(i)))
	}
	if !big.IsIntset() {
		t.Fatal("512 integers should still be an intset")
	}
	big.Add([]byte("100")) // present: no conversion
	if !big.IsIntset() {
		t.Fatal("re-adding a member converted the set")
	}
	big.Add([]byte("512"))
	if big.IsIntset() || big.Encoding() != "hashtable" {
		t.Fatal("513 integers should be a hashtable")
	}
	if c := big.clone().(*Set); c.IsIntset() || c.Len() != big.Len() {
		t.Fatal("clone lost the encoding or members")
	}
	small := NewSet(0)
	small.Add([]byte("x"))
	big.ReplaceWith(small)
	if big.Len() != 1 || !big.Has([]byte("x")) || big.IsIntset() {
		t.Fatal("ReplaceWith did not take the other set's contents")
	}
}
