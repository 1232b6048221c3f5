package keyspace

import "testing"

// TestZSetLimitsApplyAtNextInsertion checks that a sorted set reads
// zset-max-listpack-* at each insertion, as Redis reads its config: a
// change converts an existing set at its next insertion past the limit.
func TestZSetLimitsApplyAtNextInsertion(t *testing.T) {
	var lim ZSetLimits
	lim.Set(2, 64)
	z := NewZSetWith(&lim)
	z.Set([]byte("a"), 1)
	z.Set([]byte("b"), 2)
	if !z.IsListpack() {
		t.Fatal("2 members under a limit of 2: want listpack")
	}
	lim.Set(1, 64)
	if !z.IsListpack() {
		t.Fatal("a new limit alone must not convert the set")
	}
	z.Set([]byte("a"), 3) // an update adds nothing
	if !z.IsListpack() {
		t.Fatal("updating a member must not convert the set")
	}
	z.Set([]byte("c"), 3)
	if z.IsListpack() {
		t.Fatal("insertion past the new limit: want skiplist")
	}

	lim.Set(0, 64)
	e := NewZSetWith(&lim)
	e.Set([]byte("a"), 1)
	if e.IsListpack() {
		t.Fatal("zset-max-listpack-entries 0: want skiplist from the first member")
	}
	lim.Set(128, 1)
	v := NewZSetWith(&lim)
	v.Set([]byte("ab"), 1)
	if v.IsListpack() {
		t.Fatal("member longer than zset-max-listpack-value: want skiplist")
	}
}
