package node_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// populateStreams writes streams as Redis 7.0 saves them in RDB type 19:
// several listpack nodes (stream-node-max-entries is small), entries with
// and without the master fields, integer and long values, tombstones,
// trimmed heads, an emptied stream, and consumer groups with pending
// entries, NOACK reads and an empty consumer.
func populateStreams(t testing.TB, addr string) {
	t.Helper()
	c := nodetest.Dial(t, addr)
	defer c.Close()
	do := func(args ...string) {
		t.Helper()
		if v, err := c.Do(args...); err != nil || v.Kind == resp.Error {
			t.Fatalf("%q: %v %s", args, err, v)
		}
	}
	do("CONFIG", "SET", "stream-node-max-entries", "5")
	long := string(make([]byte, 5000))
	for i := 1; i <= 40; i++ {
		id := strconv.Itoa(i) + "-" + strconv.Itoa(i%3)
		switch {
		case i%7 == 0:
			do("XADD", "s", id, "other", strconv.Itoa(-i*1000), "x", "")
		case i == 13:
			do("XADD", "s", id, "f", long, "g", "v")
		default:
			do("XADD", "s", id, "f", strconv.Itoa(i), "g", "value"+strconv.Itoa(i))
		}
	}
	do("XDEL", "s", "2-2", "3-0", "20-2", "40-1")
	do("XTRIM", "s", "MAXLEN", "34")
	do("XGROUP", "CREATE", "s", "g1", "0")
	do("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "4", "STREAMS", "s", ">")
	do("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "s", ">")
	do("XACK", "s", "g1", "9-0")
	do("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "30")
	do("XGROUP", "CREATECONSUMER", "s", "g2", "idle")
	do("XGROUP", "CREATE", "s", "g3", "10-0")
	do("XREADGROUP", "GROUP", "g3", "n", "NOACK", "COUNT", "2", "STREAMS", "s", ">")
	do("XADD", "empty", "5-5", "a", "b")
	do("XDEL", "empty", "5-5")
	do("XGROUP", "CREATE", "fresh", "g", "$", "MKSTREAM")
	do("XSETID", "fresh", "100-7", "ENTRIESADDED", "9", "MAXDELETEDID", "50-0")
	do("CONFIG", "SET", "stream-node-max-entries", "100")
}

// TestStreamRDBInteropWithRedis: streams saved by replscope load in
// redis-server, and streams saved by redis-server load in replscope,
// with the same entries, metadata and consumer groups.
func TestStreamRDBInteropWithRedis(t *testing.T) {
	bin := redistest.Require(t)
	n := nodetest.Start(t)
	populateStreams(t, n.Addr())
	want, wantKeys := nodetest.Digest(t, n.Addr())
	nodetest.MustDo(t, n.Addr(), "SAVE")
	r := redistest.StartIn(t, bin, n.Dir, redistest.FreePort(t))
	if got, gotKeys := nodetest.Digest(t, r.Addr); got != want || gotKeys != wantKeys {
		t.Fatalf("redis-server loaded %d keys %s from our dump, want %d keys %s", gotKeys, got, wantKeys, want)
	}
	sameStreamLayout(t, n.Addr(), r.Addr, "s")

	dir := t.TempDir()
	r2 := redistest.StartIn(t, bin, dir, redistest.FreePort(t))
	populateStreams(t, r2.Addr)
	want2, keys2 := nodetest.Digest(t, r2.Addr)
	if v, err := r2.Client(t).Do("SAVE"); err != nil || v.Kind == resp.Error {
		t.Fatalf("redis SAVE: %v %s", err, v)
	}
	n2 := nodetest.StartWith(t, nodetest.Options{Dir: dir})
	if got2, gotKeys2 := nodetest.Digest(t, n2.Addr()); got2 != want2 || gotKeys2 != keys2 {
		t.Fatalf("replscope loaded %d keys %s from redis's dump, want %d keys %s", gotKeys2, got2, keys2, want2)
	}
	if want != want2 {
		t.Fatalf("the same commands built different streams: replscope %s, redis-server %s", want, want2)
	}
	sameStreamLayout(t, n2.Addr(), r2.Addr, "s")
}

// sameStreamLayout compares what depends on the node layout: the node
// count, and what approximate trimming removes.
func sameStreamLayout(t *testing.T, a, b, key string) {
	t.Helper()
	keys := func(addr string) string {
		v := nodetest.Do(t, addr, "XINFO", "STREAM", key)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			if string(v.Elems[i].Str) == "radix-tree-keys" {
				return fmt.Sprint(v.Elems[i+1].Int)
			}
		}
		return "?"
	}
	if ka, kb := keys(a), keys(b); ka != kb {
		t.Fatalf("radix-tree-keys: %s on %s, %s on %s", ka, a, kb, b)
	}
	ta := nodetest.Do(t, a, "XTRIM", key, "MAXLEN", "~", "12")
	tb := nodetest.Do(t, b, "XTRIM", key, "MAXLEN", "~", "12")
	if ta.Int != tb.Int {
		t.Fatalf("XTRIM MAXLEN ~ 12 removed %d on %s, %d on %s", ta.Int, a, tb.Int, b)
	}
}

// TestStreamFullSyncToRedisReplica: a redis-server replica of a replscope
// master receives the streams in the full sync, then the effects of the
// stream commands (XADD ~, XREADGROUP as XCLAIM / XGROUP SETID, XCLAIM,
// XAUTOCLAIM, XACK, XTRIM ~) and ends as a redis-server replica of a
// redis-server master given the same commands. (Redis's own replicas
// differ from their master in a group's entries-read after a NOACK read,
// so the replicas are compared with each other.)
func TestStreamFullSyncToRedisReplica(t *testing.T) {
	redistest.Require(t)
	for _, diskless := range []string{"yes", "no"} {
		t.Run("diskless="+diskless, func(t *testing.T) {
			var digests []string
			for _, kind := range []string{"redis", "replscope"} {
				m := startServer(t, kind, "--repl-diskless-sync", diskless)
				populateStreams(t, m.addr)
				r := startServer(t, "redis")
				replicaOf(t, r, m)
				nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
				sameData(t, m, r)
				for _, cmd := range [][]string{
					{"XADD", "s", "MAXLEN", "~", "20", "41-0", "f", "new"},
					{"XREADGROUP", "GROUP", "g1", "carol", "STREAMS", "s", ">"},
					{"XREADGROUP", "GROUP", "g3", "n", "NOACK", "STREAMS", "s", ">"},
					{"XCLAIM", "s", "g1", "dave", "0", "33-0", "34-1"},
					{"XAUTOCLAIM", "s", "g1", "erin", "0", "0", "COUNT", "2"},
					{"XACK", "s", "g1", "36-0"},
					{"XTRIM", "s", "MINID", "~", "30"},
					{"XGROUP", "DELCONSUMER", "s", "g1", "bob"},
					{"XDEL", "s", "38-2"},
				} {
					if v := nodetest.Do(t, m.addr, cmd...); v.Kind == resp.Error {
						t.Fatalf("%q: %s", cmd, v.Str)
					}
				}
				nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
				d, _ := nodetest.Digest(t, r.addr)
				digests = append(digests, d)
			}
			if digests[0] != digests[1] {
				t.Fatalf("replica of redis-server: %s, replica of replscope: %s", digests[0], digests[1])
			}
		})
	}
}
