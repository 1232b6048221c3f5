package node_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// TestSaveAndLoad saves a mixed dataset with SAVE, restarts the node on
// the same directory and finds the same data; the INFO persistence fields
// follow.
func TestSaveAndLoad(t *testing.T) {
	n := nodetest.Start(t)
	nodetest.Populate(t, n.Addr(), "k", 2)
	before, keys := nodetest.Digest(t, n.Addr())
	if v := nodetest.Int(nodetest.Info(t, n.Addr(), "persistence"), "rdb_changes_since_last_save"); v == 0 {
		t.Fatal("rdb_changes_since_last_save is 0 after writes")
	}
	last := nodetest.MustDo(t, n.Addr(), "LASTSAVE").Int
	nodetest.MustDo(t, n.Addr(), "SAVE")
	p := nodetest.Info(t, n.Addr(), "persistence")
	if p["rdb_changes_since_last_save"] != "0" || p["rdb_last_bgsave_status"] != "ok" || nodetest.Int(p, "rdb_last_save_time") < last {
		t.Fatalf("after SAVE: %v", p)
	}
	if _, err := os.Stat(filepath.Join(n.Dir, "dump.rdb")); err != nil {
		t.Fatalf("no dump.rdb after SAVE: %v", err)
	}
	_ = n.Close()
	n2 := nodetest.StartWith(t, nodetest.Options{Dir: n.Dir})
	after, keys2 := nodetest.Digest(t, n2.Addr())
	if after != before || keys2 != keys {
		t.Fatalf("reloaded dataset differs: %d keys %s, want %d keys %s", keys2, after, keys, before)
	}
	if got := nodetest.Info(t, n2.Addr(), "persistence")["rdb_last_load_keys_loaded"]; got != strconv.Itoa(keys) {
		t.Fatalf("rdb_last_load_keys_loaded = %s, want %d", got, keys)
	}
}

// TestBGSAVEIsPointInTime overwrites every key right after BGSAVE
// replied: the file must hold the values of the moment BGSAVE ran, and the
// writes must not wait for the save.
func TestBGSAVEIsPointInTime(t *testing.T) {
	n := nodetest.Start(t)
	const keys = 50000
	nodetest.Write(t, n.Addr(), "key:", keys, 100)
	c := nodetest.Dial(t, n.Addr())
	if v, err := c.Do("BGSAVE"); err != nil || string(v.Str) != "Background saving started" {
		t.Fatalf("BGSAVE: %v %q", err, v.Str)
	}
	nodetest.Write(t, n.Addr(), "key:", keys, 10) // new, shorter values
	nodetest.MustDo(t, n.Addr(), "DEL", "key:0")
	nodetest.WaitFor(t, 30*time.Second, "the background save", func() (bool, string) {
		p := nodetest.Info(t, n.Addr(), "persistence")
		return p["rdb_bgsave_in_progress"] == "0" && p["rdb_saves"] == "1", p["rdb_bgsave_in_progress"] + "/" + p["rdb_saves"]
	})
	_ = n.Close()
	n2 := nodetest.StartWith(t, nodetest.Options{Dir: n.Dir})
	if got := nodetest.MustDo(t, n2.Addr(), "DBSIZE").Int; got != keys {
		t.Fatalf("saved file has %d keys, want %d (the DEL came after BGSAVE)", got, keys)
	}
	for _, k := range []string{"key:0", "key:1", "key:49999"} {
		if v := nodetest.MustDo(t, n2.Addr(), "STRLEN", k); v.Int != 100 {
			t.Fatalf("%s has length %d in the saved file: a write after BGSAVE leaked into it", k, v.Int)
		}
	}
}

// TestSavePointsAndShutdown: a save point triggers a background save, and
// SHUTDOWN saves when save points are set (NOSAVE skips it).
func TestSavePointsAndShutdown(t *testing.T) {
	n := nodetest.Start(t, "--save", "1 1")
	nodetest.MustDo(t, n.Addr(), "SET", "a", "1")
	nodetest.WaitFor(t, 10*time.Second, "a save point", func() (bool, string) {
		p := nodetest.Info(t, n.Addr(), "persistence")
		return p["rdb_saves"] == "1", "rdb_saves=" + p["rdb_saves"]
	})
	nodetest.MustDo(t, n.Addr(), "SET", "b", "2")
	c := nodetest.Dial(t, n.Addr())
	_ = c.Send("SHUTDOWN")
	<-n.Done()
	_ = n.Close()
	n2 := nodetest.StartWith(t, nodetest.Options{Dir: n.Dir})
	if v := nodetest.MustDo(t, n2.Addr(), "GET", "b"); string(v.Str) != "2" {
		t.Fatalf("SHUTDOWN with save points did not save: GET b = %q", v.Str)
	}
	nodetest.MustDo(t, n2.Addr(), "SET", "c", "3")
	c2 := nodetest.Dial(t, n2.Addr())
	_ = c2.Send("SHUTDOWN", "NOSAVE")
	<-n2.Done()
	_ = n2.Close()
	n3 := nodetest.StartWith(t, nodetest.Options{Dir: n.Dir})
	if v := nodetest.Do(t, n3.Addr(), "GET", "c"); !v.Null {
		t.Fatalf("SHUTDOWN NOSAVE saved anyway: GET c = %q", v.Str)
	}
}

// TestLoadExpiredKeys: a master drops keys that expired while it was down;
// a replica keeps them (hidden) for its master's DEL.
func TestLoadExpiredKeys(t *testing.T) {
	n := nodetest.Start(t)
	nodetest.MustDo(t, n.Addr(), "SET", "short", "v", "PX", "100")
	nodetest.MustDo(t, n.Addr(), "SET", "long", "v")
	nodetest.MustDo(t, n.Addr(), "SAVE")
	_ = n.Close()
	time.Sleep(150 * time.Millisecond) // let the TTL pass while the node is down
	m := nodetest.StartWith(t, nodetest.Options{Dir: n.Dir})
	p := nodetest.Info(t, m.Addr(), "persistence")
	if p["rdb_last_load_keys_loaded"] != "1" || p["rdb_last_load_keys_expired"] != "1" {
		t.Fatalf("master load: loaded=%s expired=%s, want 1 and 1", p["rdb_last_load_keys_loaded"], p["rdb_last_load_keys_expired"])
	}
	_ = m.Close()
	r := nodetest.StartWith(t, nodetest.Options{Dir: n.Dir}, "--replicaof", "127.0.0.1", "1")
	if got := nodetest.MustDo(t, r.Addr(), "DBSIZE").Int; got != 2 {
		t.Fatalf("replica load kept %d keys, want 2", got)
	}
	if v := nodetest.Do(t, r.Addr(), "GET", "short"); !v.Null {
		t.Fatalf("replica serves an expired key: %q", v.Str)
	}
}

// TestRDBInteropWithRedis: a dump saved by replscope loads in
// redis-server, and one saved by redis-server loads in replscope, with the
// same content.
func TestRDBInteropWithRedis(t *testing.T) {
	bin := redistest.Require(t)
	n := nodetest.Start(t)
	nodetest.Populate(t, n.Addr(), "k", 2)
	want, wantKeys := nodetest.Digest(t, n.Addr())
	nodetest.MustDo(t, n.Addr(), "SAVE")
	r := redistest.StartIn(t, bin, n.Dir, redistest.FreePort(t))
	got, gotKeys := nodetest.Digest(t, r.Addr)
	if got != want || gotKeys != wantKeys {
		t.Fatalf("redis-server loaded %d keys %s from our dump, want %d keys %s", gotKeys, got, wantKeys, want)
	}
	// and back: redis-server saves, replscope loads
	dir := t.TempDir()
	r2 := redistest.StartIn(t, bin, dir, redistest.FreePort(t))
	nodetest.Populate(t, r2.Addr, "r", 2)
	want2, keys2 := nodetest.Digest(t, r2.Addr)
	if v, err := r2.Client(t).Do("SAVE"); err != nil || v.Kind == resp.Error {
		t.Fatalf("redis SAVE: %v %s", err, v)
	}
	n2 := nodetest.StartWith(t, nodetest.Options{Dir: dir})
	got2, gotKeys2 := nodetest.Digest(t, n2.Addr())
	if got2 != want2 || gotKeys2 != keys2 {
		t.Fatalf("replscope loaded %d keys %s from redis's dump, want %d keys %s", gotKeys2, got2, keys2, want2)
	}
}

// TestFailedSaveStopsWrites: with save points set, a failing save makes
// writes fail with MISCONF until a save succeeds again.
func TestFailedSaveStopsWrites(t *testing.T) {
	// A removed directory fails the save even for root, whom permissions
	// would not stop.
	n := nodetest.Start(t, "--save", "3600 1", "--enable-protected-configs", "yes")
	dir := filepath.Join(n.Dir, "gone")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	nodetest.MustDo(t, n.Addr(), "CONFIG", "SET", "dir", dir)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	nodetest.MustDo(t, n.Addr(), "SET", "a", "1")
	if v := nodetest.Do(t, n.Addr(), "BGSAVE"); v.Kind == resp.Error {
		t.Fatalf("BGSAVE: %q", v.Str)
	}
	nodetest.WaitFor(t, 10*time.Second, "the failed save", func() (bool, string) {
		p := nodetest.Info(t, n.Addr(), "persistence")
		return p["rdb_last_bgsave_status"] == "err", p["rdb_last_bgsave_status"]
	})
	if v := nodetest.Do(t, n.Addr(), "SET", "b", "2"); v.Kind != resp.Error || string(v.Str[:8]) != "MISCONF " {
		t.Fatalf("write after a failed save: %q", v.Str)
	}
	if v := nodetest.Do(t, n.Addr(), "GET", "a"); string(v.Str) != "1" {
		t.Fatalf("reads must go on: GET a = %q", v.Str)
	}
}
