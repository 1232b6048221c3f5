package keyspace

import (
	"fmt"
	"strings"
	"testing"
)

func listOf(elems ...string) *List {
	l := NewList()
	for _, e := range elems {
		l.PushBack([]byte(e))
	}
	return l
}

func listString(l *List) string {
	var parts []string
	for _, e := range l.Elements() {
		parts = append(parts, string(e))
	}
	return strings.Join(parts, " ")
}

// TestListRemoveEqual checks LREM's three directions: the first count
// matches from the head, the last -count from the tail, or all of them.
func TestListRemoveEqual(t *testing.T) {
	cases := []struct {
		count   int
		removed int
		want    string
	}{
		{2, 2, "b c a b a"},
		{-2, 2, "a b a c b"},
		{0, 4, "b c b"},
		{10, 4, "b c b"},
		{-10, 4, "b c b"},
		{-1 << 63, 4, "b c b"}, // Redis negates LONG_MIN to itself and removes all
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.count), func(t *testing.T) {
			l := listOf("a", "b", "a", "c", "a", "b", "a")
			l.PushFront([]byte("x")) // wrap the ring buffer's head
			l.PopFront()
			if got := l.RemoveEqual([]byte("a"), tc.count); got != tc.removed {
				t.Fatalf("removed %d, want %d", got, tc.removed)
			}
			if got := listString(l); got != tc.want {
				t.Fatalf("list %q, want %q", got, tc.want)
			}
			if l.Len() != len(strings.Fields(tc.want)) {
				t.Fatalf("Len %d after removal", l.Len())
			}
		})
	}
	l := listOf("a", "b")
	if l.RemoveEqual([]byte("z"), 0) != 0 || listString(l) != "a b" {
		t.Fatalf("removing a missing element changed the list: %q", listString(l))
	}
}

func TestListIndex(t *testing.T) {
	l := listOf("a", "b", "c", "b")
	for v, want := range map[string]int{"a": 0, "b": 1, "c": 2, "z": -1} {
		if got := l.Index([]byte(v)); got != want {
			t.Errorf("Index(%q) = %d, want %d", v, got, want)
		}
	}
}

func hashKeys(h *Hash) string {
	var keys []string
	for _, it := range h.Items() {
		keys = append(keys, it.Key)
	}
	return strings.Join(keys, " ")
}

// TestHashListpackOrder checks that a small hash keeps Redis's listpack
// order: insertion order, overwrites in place, deletions closing the gap.
func TestHashListpackOrder(t *testing.T) {
	h := NewHash(0)
	for _, f := range []string{"a", "b", "c", "d", "e"} {
		if !h.SetField([]byte(f), []byte("v"+f)) {
			t.Fatalf("SetField(%s) on a new field reported an existing one", f)
		}
	}
	if h.SetField([]byte("b"), []byte("new")) {
		t.Fatal("SetField on an existing field reported a new one")
	}
	if !h.DeleteField([]byte("a")) || !h.DeleteField([]byte("c")) || h.DeleteField([]byte("zz")) {
		t.Fatal("DeleteField results wrong")
	}
	if got := hashKeys(h); got != "b d e" {
		t.Fatalf("order %q, want %q", got, "b d e")
	}
	for _, f := range []string{"b", "d", "e"} {
		v, ok := h.GetBytes([]byte(f))
		want := "v" + f
		if f == "b" {
			want = "new"
		}
		if !ok || string(v) != want {
			t.Fatalf("field %s = %q %v after deletions, want %q", f, v, ok, want)
		}
	}
	if !h.Small() {
		t.Fatal("a 3-field hash must be small")
	}
}

// TestHashConversion checks the one-way listpack → hash table conversion
// Redis makes: more than 512 fields, or a field or value over 64 bytes.
func TestHashConversion(t *testing.T) {
	long := []byte(strings.Repeat("x", 65))
	cases := []struct {
		name string
		fill func(h *Hash)
	}{
		{"many fields", func(h *Hash) {
			for i := 0; i <= hashMaxListpackEntries; i++ {
				h.SetField(fmt.Appendf(nil, "f%d", i), []byte("v"))
			}
		}},
		{"long value", func(h *Hash) { h.SetField([]byte("f"), long) }},
		{"long field", func(h *Hash) { h.SetField(long, []byte("v")) }},
		{"loaded with a long value", func(h *Hash) { h.Set("f", long) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHash(0)
			h.SetField([]byte("keep"), []byte("v"))
			tc.fill(h)
			if h.Small() {
				t.Fatal("hash still small")
			}
			// Shrinking back does not convert back.
			for _, it := range append([]DictItem[[]byte](nil), h.Items()...) {
				if it.Key != "keep" {
					h.DeleteField([]byte(it.Key))
				}
			}
			if h.Len() != 1 || h.Small() {
				t.Fatalf("after shrinking to %d fields Small() = %v, want false", h.Len(), h.Small())
			}
			if c := h.clone().(*Hash); c.Small() {
				t.Fatal("a clone lost the conversion")
			}
		})
	}
}
