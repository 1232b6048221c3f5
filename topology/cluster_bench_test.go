package topology

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// synthClusterText is the CLUSTER NODES reply of a cluster of shards
// masters with replicas each, as seen by node me (a "myself" flag on its
// line), and the addresses in order (masters first).
func synthClusterText(shards, replicas, me int) (string, []string) {
	total := shards * (1 + replicas)
	addrs := make([]string, total)
	var b strings.Builder
	per := ClusterSlots / shards
	for i := 0; i < total; i++ {
		addrs[i] = fmt.Sprintf("10.%d.%d.%d:6379", i%7, i/250, i%250)
		flags, master, slots := "master", "-", ""
		shard := i % shards
		if i >= shards {
			flags, master = "slave", fmt.Sprintf("%040x", shard)
		} else {
			hi := (shard+1)*per - 1
			if shard == shards-1 {
				hi = ClusterSlots - 1
			}
			slots = fmt.Sprintf(" %d-%d", shard*per, hi)
		}
		if i == me {
			flags = "myself," + flags
		}
		fmt.Fprintf(&b, "%040x %s@16379 %s %s 0 1700000000000 %d connected%s\n", i, addrs[i], flags, master, shard+1, slots)
	}
	return b.String(), addrs
}

// synthClusterProbes are the probes of every node of the synthetic
// cluster at time at, each parsed from its own CLUSTER NODES text.
func synthClusterProbes(texts []string, addrs []string, shards int, at time.Time) []*Node {
	probes := make([]*Node, len(addrs))
	for i, a := range addrs {
		n := &Node{ID: NodeID(fmt.Sprintf("run%06d", i)), RunID: fmt.Sprintf("run%06d", i), Addr: a, Reach: ReachOK, At: at,
			Role: RoleMaster, ReplID: fmt.Sprintf("%040d", i%shards), Offset: 1000, Keys: 10}
		if i >= shards {
			m := addrs[i%shards]
			n.Role = RoleReplica
			n.Upstream = &Upstream{Addr: m, Port: 6379, LinkUp: true, Offset: 1000, Priority: 100, LinkState: "connected"}
		}
		n.Cluster = clusterFromReplies(a, "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_current_epoch:100\r\n", texts[i])
		probes[i] = n
	}
	return probes
}

// BenchmarkClusterRound300 is one poll round of a 100-shard cluster (100
// masters × 2 replicas, 300 nodes) without the network: every node's
// CLUSTER NODES (300 lines each, 90,000 lines a round) parsed, Build,
// Assess (health and alerts), Diff and Layout.
func BenchmarkClusterRound300(b *testing.B) { benchClusterRound(b, true) }

// BenchmarkClusterHealth300 is the same round from probes already read:
// Build (with the merged cluster view), Assess, Diff and Layout. The
// target is under 50 ms of CPU per round.
func BenchmarkClusterHealth300(b *testing.B) { benchClusterRound(b, false) }

func benchClusterRound(b *testing.B, parse bool) {
	const shards, replicas = 100, 2
	total := shards * (1 + replicas)
	texts := make([]string, total)
	var addrs []string
	for i := range texts {
		texts[i], addrs = synthClusterText(shards, replicas, i)
	}
	var prev *Graph
	at := t0
	probes := synthClusterProbes(texts, addrs, shards, at)
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		at = at.Add(time.Second)
		if parse {
			probes = synthClusterProbes(texts, addrs, shards, at)
		} else {
			for i, p := range probes {
				cp := *p
				cp.At = at
				probes[i] = &cp
			}
		}
		g := Build(at, probes, prev, addrs[:1])
		Assess(prev, g, Thresholds{})
		_ = Diff(prev, g)
		_ = Layout(g)
		prev = g
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/round")
	if len(prev.Nodes) != total || len(prev.Cluster.Shards) != shards || len(prev.Cluster.Uncovered) != 0 {
		b.Fatalf("nodes %d shards %d uncovered %v", len(prev.Nodes), len(prev.Cluster.Shards), prev.Cluster.Uncovered)
	}
	for _, a := range prev.Alerts {
		if a.Name != AlertOneHost {
			b.Fatalf("unexpected alert %s %s", a.Name, a.Message)
		}
	}
}
