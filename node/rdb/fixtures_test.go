package rdb

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/replscope/replscope/internal/redistest"
)

var update = flag.Bool("update", false, "regenerate node/rdb/testdata/*.rdb with the installed redis-server")

// fixtureLarge is the size of the large collections in the committed
// fixtures; fixtureArgs lower the encoding limits below it so the files
// stay small but still hold hashtable, skiplist and multi-node encodings.
const fixtureLarge = 40

var fixtureArgs = []string{
	"--enable-debug-command", "yes",
	"--list-max-listpack-size", "4",
	"--set-max-intset-entries", "16",
	"--hash-max-listpack-entries", "16",
	"--hash-max-listpack-value", "32",
	"--zset-max-listpack-entries", "16",
	"--zset-max-listpack-value", "32",
}

// packedThreshold makes list elements of 5000 bytes and more PLAIN
// quicklist nodes (the 7.0 default is 1 GB).
var packedThreshold = []string{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5000"}

// The stream/function fixture: a stream with a consumer group and a
// pending entry, a function library, and plain keys around them.
var streamFixtureCommands = [][]string{
	{"SET", "before", "1"},
	{"XADD", "mystream", "1-1", "field", "value1"},
	{"XADD", "mystream", "2-1", "field", "value2"},
	{"XGROUP", "CREATE", "mystream", "group1", "0"},
	{"XREADGROUP", "GROUP", "group1", "consumer1", "COUNT", "1", "STREAMS", "mystream", ">"},
	{"FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('echo1', function(keys, args) return args[1] end)"},
	{"RPUSH", "after", "a", "b"},
}

func fixturePath(name string) string { return filepath.Join("testdata", name) }

// TestRegenerateFixtures rebuilds the committed Redis fixtures; it runs
// only with -update (see testdata/README.md).
func TestRegenerateFixtures(t *testing.T) {
	if !*update {
		t.Skip("run with -update to regenerate the fixtures from redis-server")
	}
	type step struct {
		cmds [][]string
		file string // SAVE and copy dump.rdb here after cmds
	}
	mixed := [][]string{packedThreshold}
	for _, en := range sortedByDB(mixedDataset(fixtureLarge)) {
		mixed = append(mixed, append([]string{"SELECT"}, strconv.Itoa(en.DB)))
		mixed = append(mixed, commandsFor(en)...)
	}
	runs := []struct {
		args  []string
		steps []step
	}{
		{fixtureArgs, []step{
			{mixed, "redis-7.0-mixed.rdb"},
			{[][]string{{"CONFIG", "SET", "rdbcompression", "no"}}, "redis-7.0-nocompress.rdb"},
		}},
		{append(slices.Clone(fixtureArgs), "--rdbchecksum", "no"), []step{
			{mixed, "redis-7.0-nochecksum.rdb"},
		}},
		{nil, []step{{streamFixtureCommands, "redis-7.0-stream-function.rdb"}}},
	}
	for _, run := range runs {
		srv := redistest.Start(t, run.args...)
		c := srv.Client(t) // one connection: SELECT must stick
		for _, st := range run.steps {
			for _, cmd := range append(st.cmds, []string{"SAVE"}) {
				v, err := c.Do(cmd...)
				if err == nil {
					err = v.Err()
				}
				if err != nil {
					t.Fatalf("%.80q: %v", cmd, err)
				}
			}
			data, err := os.ReadFile(filepath.Join(srv.Dir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(fixturePath(st.file), data, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d bytes)", st.file, len(data))
		}
		srv.Stop()
	}
}

// TestRedisFixtures decodes the files saved by redis-server 7.0.15 and
// compares them with the dataset script that produced them. It needs no
// server.
func TestRedisFixtures(t *testing.T) {
	want := keyspaceOf(mixedDataset(fixtureLarge))
	tests := []struct {
		file         string
		lzf          bool
		zeroChecksum bool
	}{
		{"redis-7.0-mixed.rdb", true, false},
		{"redis-7.0-nocompress.rdb", false, false},
		{"redis-7.0-nochecksum.rdb", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(fixturePath(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, d := decodeAll(t, data)
			if diff := diffKeyspaces(got, want); diff != "" {
				t.Fatalf("decoded content differs from the dataset:\n%s", diff)
			}
			if d.Version() != 10 {
				t.Errorf("version %d, want 10 (Redis 7.0)", d.Version())
			}
			if v := d.Aux()["redis-ver"]; v != "7.0.15" {
				t.Errorf("aux redis-ver = %q", v)
			}
			if d.Read() != int64(len(data)) {
				t.Errorf("Read() = %d, file has %d bytes", d.Read(), len(data))
			}
			st := d.stats
			if !st.checksumFound || st.zeroChecksum != tc.zeroChecksum {
				t.Errorf("checksum found=%v zero=%v, want zero=%v", st.checksumFound, st.zeroChecksum, tc.zeroChecksum)
			}
			if (st.lzfStrings > 0) != tc.lzf {
				t.Errorf("%d LZF strings, want some: %v", st.lzfStrings, tc.lzf)
			}
			// Every encoding Redis 7.0 writes must be in the file.
			for _, typ := range []byte{rdbString, rdbSet, rdbHash, rdbZSet2, rdbSetIntset,
				rdbHashListpack, rdbZSetListpack, rdbListQuicklist2} {
				if st.types[typ] == 0 {
					t.Errorf("no value of RDB type %d in the fixture", typ)
				}
			}
			if st.plainNodes == 0 || st.packedNodes == 0 || st.intStrings == 0 {
				t.Errorf("plain nodes %d, packed nodes %d, int strings %d: want all > 0",
					st.plainNodes, st.packedNodes, st.intStrings)
			}
		})
	}
}

// TestRedisStreamFunctionFixture checks that a stream saved by Redis 7.0
// (type 19) decodes, and that a function library (FUNCTION2) is skipped.
func TestRedisStreamFunctionFixture(t *testing.T) {
	data, err := os.ReadFile(fixturePath("redis-7.0-stream-function.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(bytesReader(data))
	var keys []string
	var stream *Entry
	for {
		en, err := d.Next()
		if errors.Is(err, errEOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if en.Type == TypeStream {
			stream = en
			continue
		}
		keys = append(keys, string(en.Key))
	}
	if stream == nil || string(stream.Key) != "mystream" || stream.Stream.Length == 0 || len(stream.Stream.Nodes) == 0 {
		t.Fatalf("stream %+v, want mystream with entries", stream)
	}
	if len(keys) != 2 {
		t.Fatalf("keys %q, want before and after", keys)
	}
}
