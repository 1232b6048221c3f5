package rdb

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/replscope/replscope/internal/redistest"
)

// TestStringEncodingMatchesRedis compares the Encoder's string encodings
// with the value part of DUMP payloads from redis-server (type byte 0,
// the string, then 2 bytes of RDB version and 8 of CRC-64).
func TestStringEncodingMatchesRedis(t *testing.T) {
	srv := redistest.Start(t, "--rdbcompression", "no")
	c := srv.Client(t)
	values := []string{"0", "-1", "127", "-128", "128", "-129", "32767", "-32768", "32768",
		"2147483647", "-2147483648", "2147483648", "9223372036854775807", "007", "-0", "+1",
		" 1", "", "abc", string(bytes.Repeat([]byte("x"), 64)), string(bytes.Repeat([]byte("y"), 16384))}
	for _, v := range values {
		if r, err := c.Do("SET", "k", v); err != nil || r.Err() != nil {
			t.Fatalf("SET: %v %v", err, r.Err())
		}
		r, err := c.Do("DUMP", "k")
		if err != nil || r.Err() != nil {
			t.Fatalf("DUMP: %v %v", err, r.Err())
		}
		p := r.Str
		if len(p) < 11 || p[0] != rdbString {
			t.Fatalf("DUMP payload % x", p)
		}
		redis := p[1 : len(p)-10]
		e := NewEncoder(io.Discard, EncoderOptions{})
		e.appendString([]byte(v))
		if !bytes.Equal(e.buf, redis) {
			t.Errorf("%.20q: we encode % .20x, Redis % .20x", v, e.buf, redis)
		}
	}
}

// TestInteropRedisWritesWeRead: redis-server 7.0 holds every kind in its
// small and large encodings; its SAVE file must decode to exactly what the
// server returns through commands.
func TestInteropRedisWritesWeRead(t *testing.T) {
	srv := redistest.Start(t, "--enable-debug-command", "yes")
	if err := srv.Do(t, packedThreshold...).Err(); err != nil {
		t.Fatal(err)
	}
	entries := mixedDataset(700) // above the default intset and listpack limits
	load(t, srv, entries)
	c := srv.Client(t)
	for _, cmd := range [][]string{
		{"SET", "rel:ttl", "v"}, {"EXPIRE", "rel:ttl", "1000"},
		{"RPUSH", "rel:list", "a", "b"}, {"PEXPIRE", "rel:list", "123456789"},
		{"SAVE"},
	} {
		if r, err := c.Do(cmd...); err != nil || r.Err() != nil {
			t.Fatalf("%q: %v %v", cmd, err, r.Err())
		}
	}
	data, err := os.ReadFile(filepath.Join(srv.Dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	got, d := decodeAll(t, data)
	if diff := diffKeyspaces(got, serverKeyspace(t, srv)); diff != "" {
		t.Fatalf("decoded file differs from the server's content:\n%s", diff)
	}
	for _, typ := range []byte{rdbSet, rdbHash, rdbZSet2, rdbHashListpack, rdbZSetListpack, rdbSetIntset, rdbListQuicklist2} {
		if d.stats.types[typ] == 0 {
			t.Errorf("the server wrote no value of type %d", typ)
		}
	}
	if d.stats.plainNodes == 0 || d.stats.lzfStrings == 0 {
		t.Errorf("plain nodes %d, LZF strings %d: want both", d.stats.plainNodes, d.stats.lzfStrings)
	}
}

// interopDataset is mixedDataset with extra large values for the Encoder
// to write: a long list, a big random string, a set of 600 integers (too
// many for an intset), a big intset of int64s.
func interopDataset() []*Entry {
	es := mixedDataset(700)
	r := prng(99)
	long := list(3, "big:list", -1)
	for i := 0; i < 5000; i++ {
		long.List = append(long.List, strconv.AppendInt(nil, int64(i*i), 10))
	}
	many := set(15, "big:intset-too-long", farFuture+9)
	for i := 0; i < 600; i++ {
		many.Set = append(many.Set, strconv.AppendInt(nil, int64(i), 10))
	}
	wide := set(0, "big:intset64", -1)
	for i := 0; i < 500; i++ {
		wide.Set = append(wide.Set, strconv.AppendInt(nil, int64(i)<<40-1<<45, 10))
	}
	return append(es, long, many, wide,
		str(0, "big:random", string(r.bytes(100000)), -1),
		str(0, "big:pattern", string(pattern("pat", 300000)), -1))
}

// TestInteropWeWriteRedisReads: redis-server 7.0 loads a file written by
// the Encoder and returns exactly the dataset through commands, and
// redis-check-rdb accepts the file.
func TestInteropWeWriteRedisReads(t *testing.T) {
	redistest.Require(t)
	entries := interopDataset()
	want := keyspaceOf(entries)
	for _, opt := range []EncoderOptions{{Compress: true}, {Compress: false}} {
		t.Run("compress="+strconv.FormatBool(opt.Compress), func(t *testing.T) {
			data := encodeEntries(t, entries, opt)
			checkRDB(t, data)
			srv := startWithRDB(t, data)
			if diff := diffKeyspaces(serverKeyspace(t, srv), want); diff != "" {
				t.Fatalf("server content differs from what we wrote:\n%s", diff)
			}
		})
	}
}
