package keyspace

import (
	"fmt"
	"testing"
)

// TestLimitsFollowConfig checks that encodings follow the keyspace's
// Limits as Redis follows its config: a value built before it is stored
// converts when stored if it already exceeds them, a stored value converts
// at the next write past them, and a changed limit applies to the next
// write (a converted value never goes back).
func TestLimitsFollowConfig(t *testing.T) {
	ks := New(1)
	lim := DefaultLimits()
	lim.ZSetEntries.Store(2)
	lim.SetIntset.Store(2)
	lim.HashEntries.Store(2)
	lim.HashValue.Store(3)
	ks.SetLimits(lim)
	db := ks.DB(0)

	z := NewZSet()
	for i := 0; i < 3; i++ {
		z.Set([]byte(fmt.Sprint("m", i)), 1) // not stored yet: no conversion
	}
	if !z.IsListpack() {
		t.Fatal("a sorted set converted before it was stored")
	}
	db.Add([]byte("z"), nil, z, 0)
	if z.IsListpack() {
		t.Fatal("3 members over zset-max-listpack-entries 2: still a listpack once stored")
	}

	s := NewSet(0)
	db.Add([]byte("s"), nil, s, 0)
	s.Add([]byte("1"))
	s.Add([]byte("2"))
	if !s.IsIntset() {
		t.Fatal("2 integers with set-max-intset-entries 2: not an intset")
	}
	s.Add([]byte("3"))
	if s.IsIntset() {
		t.Fatal("3 integers with set-max-intset-entries 2: still an intset")
	}

	h := NewHash(0)
	db.Add([]byte("h"), nil, h, 0)
	h.SetField([]byte("f"), []byte("abc"))
	if !h.Small() {
		t.Fatal("a 3-byte value with hash-max-listpack-value 3 converted the hash")
	}
	h.SetField([]byte("g"), []byte("abcd"))
	if h.Small() {
		t.Fatal("a 4-byte value with hash-max-listpack-value 3 kept the listpack")
	}

	z2 := NewZSet()
	db.Add([]byte("z2"), nil, z2, 0)
	z2.Set([]byte("a"), 1)
	z2.Set([]byte("b"), 2)
	lim.ZSetEntries.Store(1) // CONFIG SET at run time
	if !z2.IsListpack() {
		t.Fatal("a lower limit converted a value nobody wrote")
	}
	z2.Set([]byte("c"), 3)
	if z2.IsListpack() {
		t.Fatal("the lowered limit did not apply to the next write")
	}
	if c := CloneObject(z2).(*ZSet); c.IsListpack() || c.lim != lim {
		t.Fatal("a copy lost the encoding or the limits")
	}
}
