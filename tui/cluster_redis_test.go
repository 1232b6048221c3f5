package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/topology"
)

// pollUntil polls w until cond holds for a Graph, within limit.
func pollUntil(t *testing.T, w *topology.Watcher, limit time.Duration, what string, cond func(*topology.Graph) bool) *topology.Graph {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		g := w.Poll(t.Context()).Graph
		if cond(g) {
			return g
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s:\n%s", limit, what, topology.RenderText(g))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func clusterReady(g *topology.Graph) bool {
	if g.Cluster == nil || len(g.Nodes) != 6 || len(g.Cluster.Shards) != 3 || g.Cluster.Info.State != "ok" {
		return false
	}
	for _, s := range g.Cluster.Shards {
		if len(s.Replicas) != 1 {
			return false
		}
	}
	for _, l := range g.Links {
		if l.Health.State != topology.LinkUp {
			return false
		}
	}
	return len(g.Links) == 3
}

// TestClusterFailoverKey: on a real 6-node cluster, `f` on a replica asks
// CLUSTER FAILOVER with the guard's verdict, `T` turns it into TAKEOVER
// asked again, `d` is refused with the reason, and `f` + `y` makes the
// replica its shard's master.
func TestClusterFailoverKey(t *testing.T) {
	servers := redistest.StartCluster(t, 6, 1)
	w, err := topology.NewWatcher(topology.Config{Seeds: []string{servers[0].Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g := pollUntil(t, w, 15*time.Second, "the cluster", clusterReady)
	shard := g.Cluster.Shards[1]
	replica := g.Node(shard.Replicas[0])

	feed := newFakeFeed()
	m := New(context.Background(), Options{Feed: feed, Operator: w.Operator()})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
	m.Update(updateMsg{topology.Update{Graph: g}})
	r := &rig{m: m, feed: feed}
	if s := r.screen(); !strings.Contains(s, "cluster ok · 3 shards") || !strings.Contains(s, "slots 5461-10922") {
		t.Fatalf("no cluster header or shard slots:\n%s", s)
	}
	for i := 0; i < 10 && r.selected() != replica.Addr; i++ {
		r.keys("j")
	}
	r.keys("d")
	if s := r.screen(); !strings.Contains(s, "REPLICAOF not allowed in cluster mode") {
		t.Errorf("d on a cluster node is not refused with the reason:\n%s", s)
	}
	r.keys("f", "T")
	if s := r.screen(); !strings.Contains(s, "CLUSTER FAILOVER TAKEOVER") || !strings.Contains(s, "second confirmation") {
		t.Errorf("T does not ask for TAKEOVER again:\n%s", s)
	}
	r.keys("esc")

	r.keys("f")
	s := r.screen()
	if !strings.Contains(s, "CLUSTER FAILOVER") || !strings.Contains(s, "✓ allowed") || !strings.Contains(s, "takes over slots 5461-10922") {
		t.Fatalf("prompt:\n%s", s)
	}
	swapped := func(g *topology.Graph) bool {
		s := g.ShardOf(replica.ID)
		return clusterReady(g) && s != nil && s.Master == replica.ID
	}
	for attempt := 0; ; attempt++ {
		msg := r.run(t, r.keys("y"))
		done, ok := msg.(opDoneMsg)
		if !ok || done.err != nil {
			t.Fatalf("got %#v", msg)
		}
		// Redis abandons a coordinated failover after 5 s on a loaded
		// machine: press f + y again, as an operator would.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && !swapped(g) {
			g = w.Poll(t.Context()).Graph
			time.Sleep(50 * time.Millisecond)
		}
		if swapped(g) || attempt == 2 {
			break
		}
		m.Update(updateMsg{topology.Update{Graph: g}})
		r.keys("f")
	}
	g = pollUntil(t, w, 20*time.Second, replica.Addr+" master of its shard", swapped)
	m.Update(updateMsg{topology.Update{Graph: g}})
	if s := r.screen(); !strings.Contains(s, "CLUSTER FAILOVER → OK") {
		t.Errorf("the operation is not logged:\n%s", s)
	}
}

// TestFailoverKeyOnPlainGroup: outside a cluster `f` is the promote
// (REPLICAOF NO ONE), with the guard's verdict, and on a master it says
// which node to select.
func TestFailoverKeyOnPlainGroup(t *testing.T) {
	r := newRig(t, Options{})
	r.keys("f")
	if s := r.screen(); !strings.Contains(s, "is a master: select the replica to promote") {
		t.Errorf("f on a master:\n%s", s)
	}
	r.keys("j", "f")
	if s := r.screen(); !strings.Contains(s, "Confirm detach") || !strings.Contains(s, "REPLICAOF NO ONE") {
		t.Fatalf("f on a replica of a plain group:\n%s", s)
	}
	msg := r.run(t, r.keys("y"))
	if _, ok := msg.(opDoneMsg); !ok || len(r.op.Calls()) != 1 || r.op.Calls()[0] != "detach run-r1 force=false" {
		t.Errorf("calls %v", r.op.Calls())
	}
}
