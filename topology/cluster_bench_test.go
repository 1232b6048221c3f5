package topology

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
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

// synthShardsReply is the CLUSTER SHARDS reply of the synthetic cluster
// (addresses as synthClusterText gives them), as Redis 7.0 writes it.
func synthShardsReply(shards int, addrs []string) resp.Value {
	bulk := func(s string) resp.Value { return resp.Value{Kind: resp.BulkString, Str: []byte(s)} }
	num := func(n int64) resp.Value { return resp.Value{Kind: resp.Integer, Int: n} }
	arr := func(vs ...resp.Value) resp.Value { return resp.Value{Kind: resp.Array, Elems: vs} }
	per := ClusterSlots / shards
	out := make([]resp.Value, shards)
	for sh := range shards {
		hi := (sh+1)*per - 1
		if sh == shards-1 {
			hi = ClusterSlots - 1
		}
		var nodes []resp.Value
		for i := sh; i < len(addrs); i += shards {
			role := "master"
			if i >= shards {
				role = "replica"
			}
			host, _, _ := strings.Cut(addrs[i], ":")
			nodes = append(nodes, arr(bulk("id"), bulk(fmt.Sprintf("%040x", i)), bulk("port"), num(6379), bulk("ip"), bulk(host),
				bulk("endpoint"), bulk(host), bulk("role"), bulk(role), bulk("replication-offset"), num(1000), bulk("health"), bulk("online")))
		}
		out[sh] = arr(bulk("slots"), arr(num(int64(sh*per)), num(int64(hi))), bulk("nodes"), arr(nodes...))
	}
	return arr(out...)
}

// synthClusterProbes are the probes of every node of the synthetic
// cluster at time at, each parsed from its own CLUSTER NODES text with
// its previous view (prev[i], nil for none) as a Remote keeps it; the
// first node also answered CLUSTER SHARDS (shardsReply), as the one node
// a round a Remote asks it of.
func synthClusterProbes(texts []string, addrs []string, shards int, at time.Time, prev []*Node, shardsReply resp.Value) []*Node {
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
		if i == 0 {
			n.Cluster.addShards(a, shardsReply, false)
		}
		probes[i] = n
	}
	return probes
}

// BenchmarkClusterRound300 is one poll round of a 100-shard cluster (100
// masters × 2 replicas, 300 nodes) without the network, as a watcher
// runs it round after round: every node's CLUSTER NODES (300 lines each,
// 90,000 lines a round, each line's ping/pong times new every round)
// read against the node's previous view, one node's CLUSTER SHARDS (300
// nodes), Build, Assess (health and alerts), Diff and Layout. The target is under 50 ms of CPU per round.
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
	shardsReply := synthShardsReply(shards, addrs)
	probes := synthClusterProbes(texts[1], addrs, shards, at, nil, shardsReply)
	b.ReportAllocs()
	c0 := cpuTime()
	round := 0
	for b.Loop() {
		at = at.Add(time.Second)
		switch mode {
		case roundSteady:
			probes = synthClusterProbes(texts[round%2], addrs, shards, at, probes, shardsReply)
		case roundCold:
			probes = synthClusterProbes(texts[round%2], addrs, shards, at, nil, shardsReply)
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
	if len(prev.Nodes) != total || len(prev.Cluster.Shards) != shards || len(prev.Cluster.Uncovered) != 0 || prev.Cluster.ShardsFrom == "" {
		b.Fatalf("nodes %d shards %d uncovered %v", len(prev.Nodes), len(prev.Cluster.Shards), prev.Cluster.Uncovered)
	}
	for _, a := range prev.Alerts {
		if a.Name != AlertOneHost {
			b.Fatalf("unexpected alert %s %s", a.Name, a.Message)
		}
	}
}
