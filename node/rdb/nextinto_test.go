package rdb

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// reuseFile is a file of string keys in every string encoding (raw, int,
// LZF for key and value, a value longer than a chunk) and a collection
// between them, for NextInto against Next.
func reuseFile(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := NewEncoder(&buf, EncoderOptions{Compress: true})
	_ = enc.Header()
	_ = enc.SelectDB(0, 7, 1)
	put := func(key, val string, exp int64) {
		if err := enc.BeginObject(TypeString, []byte(key), exp, 1); err != nil {
			t.Fatal(err)
		}
		if err := enc.String([]byte(val)); err != nil {
			t.Fatal(err)
		}
	}
	put("key:1", strings.Repeat("0", 100), -1)                   // LZF value
	put("12345", "raw value", 1700000000000)                     // int-encoded key
	put("key:3", "-42", -1)                                      // int-encoded value
	put(strings.Repeat("k", 200), strings.Repeat("ab", 150), -1) // LZF key and value
	_ = enc.BeginObject(TypeList, []byte("list"), -1, 2)
	_ = enc.String([]byte("a"))
	_ = enc.String([]byte("b"))
	put("big", strings.Repeat("xyz", stringChunk/2), -1) // longer than a chunk
	put("short", "v", -1)                                // after larger ones: reuses
	if err := enc.End(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNextIntoMatchesNext(t *testing.T) {
	data := reuseFile(t)
	want, _ := decodeAll(t, data)
	d := NewDecoder(bytes.NewReader(data))
	var en Entry // one entry reused for every key
	got := keyspace{}
	for {
		err := d.NextInto(&en)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c := en // copy what a loader would store: the bytes are reused
		c.Key, c.Str = bytes.Clone(en.Key), bytes.Clone(en.Str)
		got[dbKey{c.DB, string(c.Key)}] = normalized(&c)
	}
	if diff := diffKeyspaces(got, want); diff != "" {
		t.Fatal(diff)
	}
	if len(got) != 7 {
		t.Fatalf("%d keys, want 7", len(got))
	}
}

// A loader decoding string keys with NextInto allocates nothing per key
// once its entry's buffer has grown: on a replica loading a million keys
// the decoder's garbage was most of what the collector had to chase.
func TestNextIntoReusesStringMemory(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf, EncoderOptions{Compress: true})
	_ = enc.Header()
	const keys = 2000
	val := bytes.Repeat([]byte("0"), 100)
	raw := []byte("a raw value of some length, not compressible!")
	for i := range keys {
		_ = enc.BeginObject(TypeString, []byte("key:"+itoa(int64(i))), -1, 1)
		if i%2 == 0 {
			_ = enc.String(val)
		} else {
			_ = enc.String(raw)
		}
	}
	_ = enc.End()
	d := NewDecoder(bytes.NewReader(buf.Bytes()))
	var en Entry
	if err := d.NextInto(&en); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(keys/2, func() {
		if err := d.NextInto(&en); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("NextInto allocated %.2f times per string key, want 0", allocs)
	}
}

// TestTakeKV: a string key's key and value come out as one piece of
// exactly their size, which the entry then forgets; keys not decoded in
// one piece give nothing to take.
func TestTakeKV(t *testing.T) {
	data := reuseFile(t)
	d := NewDecoder(bytes.NewReader(data))
	var en Entry
	taken := map[string]string{}
	for {
		err := d.NextInto(&en)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		key, val := string(en.Key), string(en.Str)
		kv, klen := en.TakeKV()
		if kv == nil {
			continue
		}
		if string(kv[:klen]) != key || string(kv[klen:]) != val {
			t.Fatalf("TakeKV of %q = %q/%d", key, kv, klen)
		}
		if again, _ := en.TakeKV(); again != nil {
			t.Fatalf("%q taken twice", key)
		}
		taken[key] = string(kv)
	}
	for _, k := range []string{"key:1", "key:3", "big", "short"} { // LZF, int, LZF > 32 KB, raw
		if _, ok := taken[k]; !ok {
			t.Errorf("%.10q not taken whole", k)
		}
	}
	for _, k := range []string{"12345", "list", strings.Repeat("k", 200)} { // int key, collection, LZF key
		if _, ok := taken[k]; ok {
			t.Errorf("%q taken", k)
		}
	}
	// the memory taken is not decoded into again
	if taken["short"] != "shortv" || !strings.HasPrefix(taken["key:1"], "key:1000") {
		t.Fatalf("taken memory overwritten: %q %.12q", taken["short"], taken["key:1"])
	}
}
