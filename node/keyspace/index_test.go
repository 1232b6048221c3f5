package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestIndexAgainstMap drives the index and a Go map with the same random
// inserts, replacements and deletions, through many bucket splits and
// backward shifts, and checks that they agree on every key.
func TestIndexAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := newIndex(0)
	want := map[string]*Entry{}
	var keys []string
	for op := 0; op < 200000; op++ {
		switch k := r.IntN(10); {
		case k < 6 || len(keys) == 0: // insert or replace
			key := fmt.Sprintf("k%d", r.IntN(60000))
			e := newEntry(key, nil, 0)
			if old := x.set(e); old != want[key] {
				t.Fatalf("set(%q) replaced %p, want %p", key, old, want[key])
			}
			if want[key] == nil {
				keys = append(keys, key)
			}
			want[key] = e
		default: // delete
			i := r.IntN(len(keys))
			key := keys[i]
			keys[i] = keys[len(keys)-1]
			keys = keys[:len(keys)-1]
			x.del(want[key])
			delete(want, key)
		}
	}
	if x.len() != len(want) {
		t.Fatalf("len = %d, want %d", x.len(), len(want))
	}
	if x.depth < 5 {
		t.Fatalf("depth %d: the test did not split buckets", x.depth)
	}
	for i := 0; i < 60000; i++ {
		key := fmt.Sprintf("k%d", i)
		if got := x.getBytes([]byte(key)); got != want[key] {
			t.Fatalf("get(%q) = %p, want %p", key, got, want[key])
		}
	}
	n := 0
	for _, b := range x.dir {
		for i, e := range b.slots {
			if (e == nil) != (b.tags[i] == 0) {
				t.Fatalf("slot %d: entry %p with tag %#x", i, e, b.tags[i])
			}
		}
		if int(b.n) > bucketMax {
			t.Fatalf("bucket holds %d > %d", b.n, bucketMax)
		}
		n++
	}
	if n != 1<<x.depth {
		t.Fatalf("directory of %d for depth %d", n, x.depth)
	}
}

// TestIndexSized: an index sized for n keys takes them without a split.
func TestIndexSized(t *testing.T) {
	x := newIndex(100000)
	depth := x.depth
	for i := 0; i < 100000; i++ {
		x.set(newEntry(fmt.Sprintf("key:%d", i), nil, 0))
	}
	if x.depth != depth || x.len() != 100000 {
		t.Fatalf("depth %d -> %d, len %d", depth, x.depth, x.len())
	}
	if x.get("key:99999") == nil || x.get("key:100000") != nil {
		t.Fatal("lookups after sizing")
	}
}

// TestIndexBytesPerKey: grown key by key, the index costs well under the
// ~40 bytes per key of a map[string]*Entry.
func TestIndexBytesPerKey(t *testing.T) {
	const n = 300000
	x := newIndex(0)
	for i := 0; i < n; i++ {
		x.set(newEntry(fmt.Sprintf("key:%012d", i), nil, 0))
	}
	buckets := map[*ibucket]bool{}
	for _, b := range x.dir {
		buckets[b] = true
	}
	bytes := len(buckets)*int(unsafe.Sizeof(ibucket{})) + 8*len(x.dir)
	if per := float64(bytes) / n; per > 25 {
		t.Fatalf("%.1f bytes per key (%d buckets, directory of %d)", per, len(buckets), len(x.dir))
	} else {
		t.Logf("%.1f bytes per key (%d buckets, directory of %d)", per, len(buckets), len(x.dir))
	}
}

// TestEntryLayout: an entry header fits the 64-byte size class and keeps
// its key and string value in one allocation that APPEND may extend.
func TestEntryLayout(t *testing.T) {
	if n := unsafe.Sizeof(Entry{}); n != 64 {
		t.Fatalf("Entry is %d bytes, want 64", n)
	}
	e := newEntry("key", []byte("abc"), 0)
	if e.Key() != "key" || string(e.Str()) != "abc" {
		t.Fatalf("key %q value %q", e.Key(), e.Str())
	}
	val := make([]byte, 100)
	if allocs := testing.AllocsPerRun(100, func() { _ = newEntry("key:000000000001", val, 0) }); allocs > 2 {
		t.Fatalf("%v allocations per entry", allocs)
	}
	v := append(make([]byte, 0, 16), "abc"...)
	e.SetStr(v)
	grown := append(e.Str(), "def"...) // within the capacity: in place
	e.SetStr(grown)
	if e.Key() != "key" || string(e.Str()) != "abcdef" || e.vcap != 16 {
		t.Fatalf("after APPEND: key %q value %q cap %d", e.Key(), e.Str(), e.vcap)
	}
	snap := *e // a snapshot's copy keeps its view
	e.SetStr(append(e.Str(), "ghi"...))
	if string(snap.Str()) != "abcdef" || string(e.Str()) != "abcdefghi" || snap.Key() != "key" {
		t.Fatalf("copy %q, entry %q", snap.Str(), e.Str())
	}
}

// TestIndexPrefetch: prefetch reads present and absent keys, of an empty
// index too, without changing what lookups find.
func TestIndexPrefetch(t *testing.T) {
	x := newIndex(0)
	if x.prefetch([][]byte{[]byte("a")}) != 0 {
		t.Fatal("an empty index read something")
	}
	var keys [][]byte
	for i := 0; i < 40; i++ {
		k := []byte{'k', byte('a' + i%26), byte('0' + i/26)}
		keys = append(keys, k)
		if i%2 == 0 {
			x.set(newEntry(string(k), []byte("v"), 0))
		}
	}
	x.prefetch(keys)
	for i, k := range keys {
		if got := x.getBytes(k) != nil; got != (i%2 == 0) {
			t.Fatalf("key %q found=%v after prefetch", k, got)
		}
	}
}
