package keyspace

import (
	"bytes"
	"testing"
	"unsafe"
)

// TestOverwriteInPlace: with no snapshot active, a string value replaced
// by one that fits its room is written over the old bytes (no new block);
// one under half of a large room gets a block of its own.
func TestOverwriteInPlace(t *testing.T) {
	ks := New(1)
	db := ks.DB(0)
	key := []byte("k")
	val := bytes.Repeat([]byte("a"), 100)
	e := db.SetString(key, val, 0, false)
	before := unsafe.SliceData(e.Str())

	e = db.SetString(key, bytes.Repeat([]byte("b"), 100), 0, false)
	if unsafe.SliceData(e.Str()) != before {
		t.Fatal("a same-size value got a new block")
	}
	e = db.SetString(key, bytes.Repeat([]byte("c"), 60), 0, false)
	if unsafe.SliceData(e.Str()) != before || string(e.Str()) != string(bytes.Repeat([]byte("c"), 60)) {
		t.Fatalf("a 60-byte value in a 100-byte room: %q, same block %v", e.Str(), unsafe.SliceData(e.Str()) == before)
	}
	e = db.SetString(key, []byte("tiny"), 0, false)
	if unsafe.SliceData(e.Str()) == before {
		t.Fatal("a 4-byte value kept a 100-byte block")
	}
	if string(e.Str()) != "tiny" || e.Key() != "k" {
		t.Fatalf("got %q=%q", e.Key(), e.Str())
	}
	e = db.SetString(key, bytes.Repeat([]byte("d"), 5), 0, false) // fits a small room
	if string(e.Str()) != "ddddd" {
		t.Fatalf("got %q", e.Str())
	}
}

// TestOverwriteSparesSnapshot: items a snapshot handed out (and its
// pre-images) keep their bytes when the live key is set again to a value
// of the same size, as the encoder reads them outside the lock.
func TestOverwriteSparesSnapshot(t *testing.T) {
	ks := New(1)
	db := ks.DB(0)
	old := bytes.Repeat([]byte("o"), 100)
	db.SetString([]byte("a"), old, 0, false)
	db.SetString([]byte("b"), old, 0, false)
	s := ks.Snapshot()
	items := s.Next(nil, 1) // one emitted, the other still to walk
	if len(items) != 1 {
		t.Fatalf("walk gave %d items", len(items))
	}
	for _, k := range []string{"a", "b"} {
		db.SetString([]byte(k), bytes.Repeat([]byte("n"), 100), 0, false)
	}
	items = append(items, s.Next(nil, 10)...)
	items = append(items, s.PreImages()...)
	for _, k := range []string{"a", "b"} {
		db.SetString([]byte(k), bytes.Repeat([]byte("z"), 100), 0, false)
	}
	if len(items) != 2 {
		t.Fatalf("snapshot has %d items, want 2", len(items))
	}
	for _, it := range items {
		if !bytes.Equal(it.Entry.Str(), old) {
			t.Fatalf("snapshot item %s = %q, want its value at the start", it.Entry.Key(), it.Entry.Str())
		}
	}
	s.Close()
	e := db.SetString([]byte("a"), bytes.Repeat([]byte("y"), 100), 0, false)
	if string(e.Str()) != string(bytes.Repeat([]byte("y"), 100)) {
		t.Fatalf("after close: %q", e.Str())
	}
}
