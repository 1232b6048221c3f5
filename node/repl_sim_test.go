package node_test

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/replscope/replscope/internal/nodestart"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/internal/simnet"
	"github.com/replscope/replscope/node"
)

// simCluster runs nodes on an in-memory network inside a synctest bubble:
// time is fake and advances only when every goroutine waits, so the
// replication rules are exercised deterministically and instantly.
type simCluster struct {
	t     *testing.T
	nw    *simnet.Network
	nodes map[string]*node.Node
}

func newSimCluster(t *testing.T) *simCluster {
	return &simCluster{t: t, nw: simnet.New(), nodes: map[string]*node.Node{}}
}

func (c *simCluster) start(host string, args ...string) *node.Node {
	c.t.Helper()
	all := append([]string{"--port", "6379", "--save", "", "--dir", c.t.TempDir(), "--repl-diskless-sync-delay", "0"}, args...)
	ln, err := c.nw.Listen(host + ":6379")
	if err != nil {
		c.t.Fatal(err)
	}
	n, err := nodestart.Start(all, node.Options{Log: io.Discard, Dial: node.Dialer(c.nw.Dialer(host)), Version: "sim"}, ln)
	if err != nil {
		c.t.Fatal(err)
	}
	c.nodes[host] = n
	return n
}

func (c *simCluster) close() {
	for _, n := range c.nodes {
		_ = n.Close()
	}
}

// do runs one command on host from a client host "cli".
func (c *simCluster) do(host string, args ...string) resp.Value {
	c.t.Helper()
	conn, err := c.nw.Dialer("cli")(context.Background(), "tcp", host+":6379")
	if err != nil {
		c.t.Fatalf("dial %s: %v", host, err)
	}
	defer conn.Close()
	v, err := resp.NewClient(conn, 0).Do(args...)
	if err != nil {
		c.t.Fatalf("%s %q: %v", host, args, err)
	}
	if v.Kind == resp.Error {
		c.t.Fatalf("%s %q: -%s", host, args, v.Str)
	}
	return v
}

func (c *simCluster) write(host, prefix string, n int) {
	for i := 0; i < n; i++ {
		c.do(host, "SET", prefix+strconv.Itoa(i), "value-"+strconv.Itoa(i))
	}
}

// waitSynced advances fake time until replica has applied all of master's
// stream with its link up.
func (c *simCluster) waitSynced(master, replica string) {
	c.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		m, r := c.nodes[master].Status(), c.nodes[replica].Status()
		if r.LinkUp && r.ReplicaOffset == m.Offset {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	m, r := c.nodes[master].Status(), c.nodes[replica].Status()
	c.t.Fatalf("%s never synced with %s: link up=%v state=%s offset %d vs %d (%s)",
		replica, master, r.LinkUp, r.LinkState, r.ReplicaOffset, m.Offset, r.LastSyncError)
}

// TestSimLinkDropAndBacklog walks the PSYNC rules on a simulated network:
// full sync, partial resync after a cut, full resync after the backlog
// overflowed, and heartbeats and timeouts measured in fake time.
func TestSimLinkDropAndBacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newSimCluster(t)
		defer c.close()
		m := c.start("m", "--repl-backlog-size", "16kb", "--repl-timeout", "5")
		c.start("r")
		c.write("m", "a", 50)
		c.do("r", "REPLICAOF", "m", "6379")
		c.waitSynced("m", "r")
		if s := m.Status().Stats; s.SyncFull != 1 || s.SyncPartialOK != 0 {
			t.Fatalf("after the first sync: %+v", s)
		}

		// A short cut with a small gap: partial resync.
		c.nw.Cut("r", "m")
		c.write("m", "b", 20)
		c.nw.Heal("r", "m")
		c.waitSynced("m", "r")
		if s := m.Status().Stats; s.SyncFull != 1 || s.SyncPartialOK != 1 {
			t.Fatalf("after a cut within the backlog: full=%d partial=%d", s.SyncFull, s.SyncPartialOK)
		}

		// A gap larger than the 16 KB backlog: full resync.
		c.nw.Cut("r", "m")
		c.write("m", "c", 600)
		c.nw.Heal("r", "m")
		c.waitSynced("m", "r")
		if s := m.Status().Stats; s.SyncFull != 2 {
			t.Fatalf("after the backlog overflowed: full=%d", s.SyncFull)
		}

		// An idle link stays up: the master pings every 10 s (fake), the
		// replica ACKs every second, neither times out.
		before := m.Status().Offset
		time.Sleep(25 * time.Second)
		st := c.nodes["r"].Status()
		if !st.LinkUp || m.Status().Offset != before+2*14 {
			t.Fatalf("after 25 s idle: link up=%v, master offset %d (want %d: two 14-byte pings)",
				st.LinkUp, m.Status().Offset, before+28)
		}
		if ms := m.Status().Replicas; len(ms) != 1 || ms[0].AckAgeMs > 1500 || ms[0].AckOffset != m.Status().Offset {
			t.Fatalf("replica as the master sees it: %+v", ms)
		}

		// A paused link (bytes held, nothing closed) times out after
		// repl-timeout on both sides, then recovers.
		c.nw.Pause("r", "m")
		time.Sleep(7 * time.Second)
		if st := c.nodes["r"].Status(); st.LinkUp {
			t.Fatalf("a link silent for 7 s with repl-timeout 5 is still up")
		}
		if n := len(m.Status().Replicas); n != 0 {
			t.Fatalf("the master still lists %d replicas after the timeout", n)
		}
		c.nw.Resume("r", "m")
		c.waitSynced("m", "r")
	})
}

// TestSimFailover promotes a replica in a simulated star and re-points the
// others, all continuing partially through replid2.
func TestSimFailover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newSimCluster(t)
		defer c.close()
		c.start("a")
		b := c.start("b")
		c.start("c")
		c.write("a", "k", 30)
		c.do("b", "REPLICAOF", "a", "6379")
		c.do("c", "REPLICAOF", "a", "6379")
		c.waitSynced("a", "b")
		c.waitSynced("a", "c")
		c.write("a", "more", 10)
		c.waitSynced("a", "b")
		c.waitSynced("a", "c")

		c.do("b", "REPLICAOF", "NO", "ONE")
		st := b.Status()
		if st.Role != "master" || st.ReplID2 != c.nodes["a"].Status().ReplID || st.SecondOffset != st.Offset+1 {
			t.Fatalf("after promotion: role=%s replid2=%s second=%d offset=%d", st.Role, st.ReplID2, st.SecondOffset, st.Offset)
		}
		c.do("c", "REPLICAOF", "b", "6379")
		c.do("a", "REPLICAOF", "b", "6379")
		c.write("b", "after", 10)
		c.waitSynced("b", "c")
		c.waitSynced("b", "a")
		if s := b.Status().Stats; s.SyncFull != 0 || s.SyncPartialOK != 2 {
			t.Fatalf("promoted node: full=%d partial=%d, want 0 and 2", s.SyncFull, s.SyncPartialOK)
		}
		for _, h := range []string{"a", "c"} {
			if got := c.do(h, "GET", "after9"); string(got.Str) != "value-9" {
				t.Fatalf("%s GET after9 = %q", h, got.Str)
			}
			if st := c.nodes[h].Status(); st.ReplID != b.Status().ReplID {
				t.Fatalf("%s replid %s, want the promoted node's %s", h, st.ReplID, b.Status().ReplID)
			}
		}
		_ = fmt.Sprint()
	})
}
