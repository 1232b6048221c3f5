package topology

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// synthClusterText is the CLUSTER NODES reply of a cluster of shards
// masters with replicas each, as seen by node me (a "myself" flag on its
// line) at round (which moves every line's ping-sent and pong-recv times,
// as in a real reply), and the addresses in order (masters first).
func synthClusterText(shards, replicas, me, round int) (string, []string) {
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
		ping, pong := 0, 1700000000000+int64(round)*1000+int64(i)
		if round%2 == 1 {
			ping = 1700000000000 + round
		}
		fmt.Fprintf(&b, "%040x %s@16379 %s %s %d %d %d connected%s\n", i, addrs[i], flags, master, ping, pong, shard+1, slots)
	}
	return b.String(), addrs
}

// synthClusterProbes are the probes of every node of the synthetic
// cluster at time at, each parsed from its own CLUSTER NODES text with
// its previous view (prev[i], nil for none) as a Remote keeps it.
func synthClusterProbes(texts []string, addrs []string, shards int, at time.Time, prev []*Node) []*Node {
	probes := make([]*Node, len(addrs))
	for i, a := range addrs {
		n := &Node{ID: NodeID(fmt.Sprintf("run%06d", i)), RunID: fmt.Sprintf("run%06d", i), Addr: a, Reach: ReachOK, At: at,
			Role: RoleMaster, ReplID: fmt.Sprintf("%040d", i%shards), Offset: 1000, Keys: 10}
		if i >= shards {
			m := addrs[i%shards]
			n.Role = RoleReplica
			n.Upstream = &Upstream{Addr: m, Port: 6379, LinkUp: true, Offset: 1000, Priority: 100, LinkState: "connected"}
		}
		var was *ClusterNode
		if prev != nil {
			was = prev[i].Cluster
		}
		n.Cluster = clusterFromReplies(a, "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_current_epoch:100\r\n", texts[i], was)
		probes[i] = n
	}
	return probes
}

// BenchmarkClusterRound300 is one poll round of a 100-shard cluster (100
// masters × 2 replicas, 300 nodes) without the network, as a watcher
// runs it round after round: every node's CLUSTER NODES (300 lines each,
// 90,000 lines a round, each line's ping/pong times new every round)
// read against the node's previous view, Build, Assess (health and
// alerts), Diff and Layout. The target is under 50 ms of CPU per round.
func BenchmarkClusterRound300(b *testing.B) { benchClusterRound(b, roundSteady) }

// BenchmarkClusterRound300Cold is the same round with no previous view:
// all 90,000 lines parsed (a watcher's first round, or every line changed).
func BenchmarkClusterRound300Cold(b *testing.B) { benchClusterRound(b, roundCold) }

// BenchmarkClusterHealth300 is the same round from probes already read:
// Build (with the merged cluster view), Assess, Diff and Layout.
func BenchmarkClusterHealth300(b *testing.B) { benchClusterRound(b, roundRead) }

type roundMode int

const (
	roundSteady roundMode = iota // parse against the previous views
	roundCold                    // parse without them
	roundRead                    // probes already parsed
)

func benchClusterRound(b *testing.B, mode roundMode) {
	const shards, replicas = 100, 2
	total := shards * (1 + replicas)
	var texts [2][]string // two rounds' replies, alternated
	var addrs []string
	for r := range texts {
		texts[r] = make([]string, total)
		for i := range total {
			texts[r][i], addrs = synthClusterText(shards, replicas, i, r)
		}
	}
	var prev *Graph
	at := t0
	probes := synthClusterProbes(texts[1], addrs, shards, at, nil)
	b.ReportAllocs()
	c0 := cpuTime()
	round := 0
	for b.Loop() {
		at = at.Add(time.Second)
		switch mode {
		case roundSteady:
			probes = synthClusterProbes(texts[round%2], addrs, shards, at, probes)
		case roundCold:
			probes = synthClusterProbes(texts[round%2], addrs, shards, at, nil)
		case roundRead:
			for i, p := range probes {
				cp := *p
				cp.At = at
				probes[i] = &cp
			}
		}
		round++
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
