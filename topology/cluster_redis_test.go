package topology

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

// clusterOK holds when n nodes answer, the cluster view has three shards
// of one replica each covering every slot, and every link is up.
func clusterOK(n int) func(*Graph) bool {
	return func(g *Graph) bool {
		if len(g.Nodes) != n || len(g.Links) != n/2 || g.Cluster == nil || len(g.Cluster.Shards) != 3 || len(g.Cluster.Uncovered) != 0 {
			return false
		}
		for _, l := range g.Links {
			if l.Health.State != LinkUp {
				return false
			}
		}
		for _, nd := range g.Nodes {
			if nd.Reach != ReachOK {
				return false
			}
		}
		for _, s := range g.Cluster.Shards {
			if len(s.Replicas) != 1 || s.Master == "" {
				return false
			}
		}
		return g.Cluster.Info.State == "ok"
	}
}

// TestRealRedisCluster: a 6-node cluster made with redis-cli --cluster
// create. Discovery from each node finds all 6 (CLUSTER NODES names the
// other shards, which replication alone never reaches); CLUSTER FAILOVER
// sent to a replica makes it its shard's master; CLUSTER REPLICATE moves
// the old master to another shard.
func TestRealRedisCluster(t *testing.T) {
	servers := redistest.StartCluster(t, 6, 1)
	var w *Watcher
	var g *Graph
	for _, s := range servers {
		ws, err := NewWatcher(Config{Seeds: []string{s.Addr}})
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		g, _ = watchUntil(t, ws, 15*time.Second, "6 cluster nodes from "+s.Addr, clusterOK(6))
		w = ws
	}
	if CountSlots(g.Cluster.Shards[0].Slots)+CountSlots(g.Cluster.Shards[1].Slots)+CountSlots(g.Cluster.Shards[2].Slots) != ClusterSlots {
		t.Fatalf("shards do not hold every slot: %+v", g.Cluster.Shards)
	}
	for _, a := range g.Alerts {
		if a.Name != AlertOneHost {
			t.Errorf("unexpected alert on a healthy cluster: %s %s", a.Name, a.Message)
		}
	}

	shard := g.Cluster.Shards[0]
	replica, oldMaster := g.Node(shard.Replicas[0]), g.Node(shard.Master)
	if _, err := ClusterFailoverOp(g, oldMaster.Addr); err == nil {
		t.Fatal("failover planned on a master")
	}
	plan, err := ClusterFailoverOp(g, replica.Addr)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "command", plan.Command(), "CLUSTER FAILOVER")
	if !plan.Verdict.Allowed {
		t.Fatalf("guard refused a healthy failover: %+v", plan.Verdict)
	}
	swapped := func(g *Graph) bool {
		s := g.ShardOf(replica.ID)
		return clusterOK(6)(g) && s != nil && s.Master == replica.ID && s.Replicas[0] == oldMaster.ID
	}
	// A coordinated failover that cannot finish within Redis's manual
	// failover timeout (5 s, on a loaded machine) is abandoned by the
	// replica: ask again, as an operator would.
	for attempt := 0; ; attempt++ {
		out, err := w.Operator().RunPlan(t.Context(), g, plan, false)
		if err != nil {
			t.Fatalf("run %s: %v", plan.Command(), err)
		}
		eq(t, "reply", out.Reply, "OK")
		if attempt == 2 {
			g, _ = watchUntil(t, w, 20*time.Second, replica.Addr+" master of its shard", swapped)
			break
		}
		if g = waitGraph(w, 10*time.Second, swapped); g != nil {
			break
		}
		g = w.Latest()
	}

	other := g.Cluster.Shards[1]
	if g.ShardOf(replica.ID).Master == other.Master {
		other = g.Cluster.Shards[2]
	}
	target := g.Node(other.Master)
	if _, err := ClusterReplicatePlan(g, oldMaster.ID, replica.Addr); err != nil {
		t.Fatalf("plan replicate to its own master: %v", err)
	}
	plan, err = ClusterReplicatePlan(g, oldMaster.ID, target.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plan.Command(), "CLUSTER REPLICATE ") || len(plan.Args[2]) != 40 {
		t.Fatalf("command %q", plan.Command())
	}
	if _, err := w.Operator().RunPlan(t.Context(), g, plan, true); err != nil {
		t.Fatalf("run %s: %v", plan.Command(), err)
	}
	g, _ = watchUntil(t, w, 20*time.Second, oldMaster.Addr+" in the other shard", func(g *Graph) bool {
		n := g.Node(oldMaster.ID)
		return n != nil && n.Upstream != nil && n.Upstream.Addr == target.Addr && n.Upstream.LinkUp
	})
	if s := g.ShardOf(replica.ID); s == nil || len(s.Replicas) != 0 || !g.HasAlert(replica.ID, AlertNoReplica) {
		t.Fatalf("%s lost its only replica: want shard-no-replica\n%s", replica.Addr, RenderText(g))
	}
}

// waitGraph polls w until cond holds, or returns nil after limit.
func waitGraph(w *Watcher, limit time.Duration, cond func(*Graph) bool) *Graph {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if g := w.Poll(context.Background()).Graph; cond(g) {
			return g
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// TestRealRedisNoClusterErrors: a node without cluster support is never
// asked CLUSTER commands, so watching it adds nothing to the error
// counters operators alert on (total_error_replies, errorstat_ERR).
func TestRealRedisNoClusterErrors(t *testing.T) {
	s := redistest.Start(t)
	w, err := NewWatcher(Config{Seeds: []string{s.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for range 3 {
		if g := w.Poll(t.Context()).Graph; g.Cluster != nil {
			t.Fatal("a cluster view of a plain node")
		}
	}
	info := string(s.Do(t, "INFO", "stats").Str)
	if !strings.Contains(info, "total_error_replies:0\r\n") {
		t.Errorf("watching caused error replies:\n%s", info)
	}
}
