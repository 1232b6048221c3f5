package scenarios

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/topology"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
}

// newCluster returns a Cluster closed when the test ends.
func newCluster(t *testing.T, o Options) *Cluster {
	t.Helper()
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// watch starts a Watcher over c, closed at the end of the test at the
// latest.
func watch(t *testing.T, c *Cluster, o WatchOptions) *topology.Watcher {
	t.Helper()
	w := Watch(c, o)
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// dbsize returns DBSIZE of node name.
func dbsize(t *testing.T, c *Cluster, name string) int64 {
	t.Helper()
	v, err := c.Do(context.Background(), name, "DBSIZE")
	if err != nil || v.Err() != nil {
		t.Fatalf("DBSIZE on %s: %v %v", name, err, v.Err())
	}
	return v.Int
}

// TestKillAndRestart checks the documented semantics: Restart of a running
// node is SHUTDOWN SAVE and a start from that RDB; Kill loses the RDB, so a
// killed node restarts empty.
func TestKillAndRestart(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t, Options{})
	if err := c.Add("a", Embedded); err != nil {
		t.Fatal(err)
	}
	addr := c.Addr("a")
	if _, _, err := c.Write(ctx, "a", 10, 5); err != nil {
		t.Fatal(err)
	}
	if err := c.Restart(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if n := dbsize(t, c, "a"); n != 10 || c.Addr("a") != addr {
		t.Fatalf("after a clean restart: %d keys at %s, want 10 at %s", n, c.Addr("a"), addr)
	}
	if _, err := c.WaitAcked(ctx, "a", 1, time.Millisecond); !errors.Is(err, ErrNoWrite) {
		t.Errorf("WaitAcked after a restart: %v, want ErrNoWrite: the connection that wrote is gone", err)
	}
	if err := c.Kill(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if c.Running("a") {
		t.Fatal("a still running after Kill")
	}
	if rdbs, _ := filepath.Glob(filepath.Join(c.root, "a", "*.rdb")); len(rdbs) != 0 {
		t.Fatalf("Kill left %v", rdbs)
	}
	if err := c.Kill(ctx, "a"); err == nil || !strings.Contains(err.Error(), "a is not running") {
		t.Fatalf("second Kill: %v", err)
	}
	if err := c.Restart(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if n := dbsize(t, c, "a"); n != 0 {
		t.Fatalf("after kill and restart: %d keys, want 0", n)
	}
	if _, _, err := c.Write(ctx, "a", 1, 1); err != nil {
		t.Fatal(err)
	}
	v, _ := c.Do(ctx, "a", "GET", "a:11")
	if v.String() != "x" {
		t.Fatalf("the key numbering goes on across restarts: GET a:11 = %q", v.String())
	}
}

// TestClusterOps checks the errors and bookkeeping of operations: cut on a
// master, a password set by the script, unknown nodes.
func TestClusterOps(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t, Options{})
	for _, n := range []string{"a", "b"} {
		if err := c.Add(n, Embedded); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Add("a", Embedded); err == nil {
		t.Error("Add of a taken name succeeded")
	}
	if err := c.Cut("a"); err == nil || !strings.Contains(err.Error(), "a follows no master") {
		t.Errorf("Cut of a master: %v", err)
	}
	if err := c.ReplicaOf(ctx, "b", "zz"); err == nil || !strings.Contains(err.Error(), `no node named "zz"`) {
		t.Errorf("ReplicaOf an unknown master: %v", err)
	}
	if err := c.Config(ctx, "a", "requirepass", "pw"); err != nil {
		t.Fatal(err)
	}
	if c.Password("a") != "pw" || dbsize(t, c, "a") != 0 {
		t.Error("the Cluster's clients do not use the password the script set")
	}
	if err := c.Config(ctx, "b", "masterauth", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := c.ReplicaOf(ctx, "b", "a"); err != nil {
		t.Fatal(err)
	}
	if err := c.Config(ctx, "a", "replicaof", "no", "one"); err == nil {
		t.Error("config replicaof was accepted")
	}
	waitFor(t, "b linked to a", func() bool {
		st, err := c.State(ctx, "b")
		return err == nil && st.LinkUp
	})
	if err := c.Restart(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Do(ctx, "a", "CONFIG", "GET", "requirepass"); !strings.Contains(v.String(), "pw") {
		t.Errorf("a restarted without the password the script set: %q", v.String())
	}
	if c.Master("b") != "a" {
		t.Errorf("Master(b) = %q", c.Master("b"))
	}
}

// TestLoadSwitch checks the demo's write load switch.
func TestLoadSwitch(t *testing.T) {
	c := newCluster(t, Options{})
	if err := c.Add("a", Embedded); err != nil {
		t.Fatal(err)
	}
	sw := c.LoadSwitch("a", 500)
	if sw.Enabled() {
		t.Fatal("a new switch is on")
	}
	sw.SetEnabled(true)
	waitFor(t, "writes from the load", func() bool { return c.LoadStats("a").Writes >= 20 })
	sw.SetEnabled(false)
	if sw.Enabled() || c.LoadStats("a").Rate != 0 {
		t.Fatal("the load still runs")
	}
	if n := dbsize(t, c, "a"); n < 20 || n > loadKeys {
		t.Fatalf("DBSIZE %d after the load", n)
	}
}

// TestCloseStopsEverything checks that Close stops the nodes, proxies,
// processes and loads, with their goroutines, and removes the directories.
func TestCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx := context.Background()
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	obs := watch(t, c, WatchOptions{Interval: 20 * time.Millisecond})
	kinds := map[string]Kind{"a": Embedded, "b": Embedded}
	if RedisAvailable() {
		kinds["r"] = Redis
	}
	for _, n := range []string{"a", "b", "r"} {
		if k, ok := kinds[n]; ok {
			if err := c.Add(n, k); err != nil {
				t.Fatal(err)
			}
			if n != "a" {
				if err := c.ReplicaOf(ctx, n, "a"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := c.Load("a", 200); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a round with every node", func() bool {
		g, err := pollGraph(ctx, obs)
		return err == nil && len(g.Links) == len(kinds)-1
	})
	_ = obs.Close()
	if _, ok := <-obs.Updates(); ok {
		t.Error("Updates still open after Close")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.root); !os.IsNotExist(err) {
		t.Errorf("%s still exists: %v", c.root, err)
	}
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before+1 })
}

// TestPauseAndExpiry checks Pause and Resume on a replica's link, for both
// kinds of replica, with the story the expiry scenario will tell: a
// replica hides a key that expired (GET says nil) while it still holds it
// (DBSIZE counts it) until the master's DEL arrives.
func TestPauseAndExpiry(t *testing.T) {
	for _, kind := range []Kind{Embedded, Redis} {
		t.Run(kind.String(), func(t *testing.T) {
			if kind == Redis && !RedisAvailable() {
				t.Skip("redis-server is not installed")
			}
			ctx := context.Background()
			c := newCluster(t, Options{})
			if err := c.Add("a", Embedded); err != nil {
				t.Fatal(err)
			}
			if err := c.Add("b", kind); err != nil {
				t.Fatal(err)
			}
			if err := c.ReplicaOf(ctx, "b", "a"); err != nil {
				t.Fatal(err)
			}
			if err := c.Set(ctx, "a", "k", "v", 300*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "b to hold k", func() bool { return dbsize(t, c, "b") == 1 })
			if err := c.Pause("b"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a to expire k", func() bool { return dbsize(t, c, "a") == 0 })
			if v, _ := c.Do(ctx, "b", "GET", "k"); !v.Null {
				t.Errorf("GET k on b after the TTL = %q, want nil (logically expired)", v.String())
			}
			if n := dbsize(t, c, "b"); n != 1 {
				t.Errorf("DBSIZE on b while paused = %d, want 1: the DEL must not have arrived", n)
			}
			if err := c.Resume("b"); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the master's DEL on b", func() bool { return dbsize(t, c, "b") == 0 })
		})
	}
}

// TestPausedLinkAbsorbsLittle checks what slow-replica relies on: with the
// fixed socket buffers, a paused link takes in about 1 MB at most, even
// after a stream that would have grown autotuned buffers, and the rest of
// what the master writes waits in its output buffer for the replica.
func TestPausedLinkAbsorbsLittle(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t, Options{})
	for _, n := range []string{"a", "b"} {
		if err := c.Add(n, Embedded); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.ReplicaOf(ctx, "b", "a"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Write(ctx, "a", 800, 10<<10); err != nil { // 8 MB through the link
		t.Fatal(err)
	}
	waitFor(t, "b in sync", func() bool {
		ms, err1 := c.State(ctx, "a")
		rs, err2 := c.State(ctx, "b")
		return err1 == nil && err2 == nil && rs.LinkUp && rs.ReplicaOffset >= ms.Offset
	})
	if err := c.Pause("b"); err != nil {
		t.Fatal(err)
	}
	const written = 3 << 20
	if _, _, err := c.Write(ctx, "a", written/(10<<10), 10<<10); err != nil {
		t.Fatal(err)
	}
	a := c.Embedded()[0]
	var pending int64 = -1
	for _, r := range a.Status().Replicas {
		pending = r.Pending
	}
	if absorbed := written - pending; pending < 0 || absorbed > 3<<19 {
		t.Errorf("a paused link took in %d bytes of %d (pending %d), want at most 1.5 MB", absorbed, written, pending)
	}
	if err := c.Resume("b"); err != nil {
		t.Fatal(err)
	}
}
