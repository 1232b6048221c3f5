package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/topology"
)

// clusterGraph is an assessed 100-shard cluster (100 masters × 2
// replicas, 300 nodes on 7 hosts), every node with the whole cluster
// view, as a watcher would publish it.
func clusterGraph(at time.Time) *topology.Graph {
	const shards, replicas = 100, 2
	total := shards * (1 + replicas)
	peers := make([]topology.ClusterPeer, total)
	addrs := make([]string, total)
	per := topology.ClusterSlots / shards
	for i := range peers {
		addrs[i] = fmt.Sprintf("10.%d.%d.%d:6379", i%7, i/250, i%250)
		p := topology.ClusterPeer{ID: fmt.Sprintf("%040x", i), Addr: addrs[i], Epoch: int64(i%shards + 1), LinkUp: true}
		if i < shards {
			hi := (i+1)*per - 1
			if i == shards-1 {
				hi = topology.ClusterSlots - 1
			}
			p.Flags, p.Slots = []string{"master"}, []topology.SlotRange{{Lo: i * per, Hi: hi}}
		} else {
			p.Flags, p.MasterID = []string{"slave"}, fmt.Sprintf("%040x", i%shards)
		}
		peers[i] = p
	}
	probes := make([]*topology.Node, total)
	for i, a := range addrs {
		n := &topology.Node{ID: topology.NodeID(fmt.Sprintf("run%06d", i)), RunID: fmt.Sprintf("run%06d", i), Addr: a,
			Reach: topology.ReachOK, At: at, Role: topology.RoleMaster, ReplID: fmt.Sprintf("%040d", i%shards), Offset: 1000, Keys: 10,
			Cluster: &topology.ClusterNode{Myself: peers[i], Peers: peers,
				Info: topology.ClusterInfo{State: "ok", SlotsAssigned: 16384, SlotsOK: 16384, CurrentEpoch: 100}}}
		if i >= shards {
			m := addrs[i%shards]
			n.Role = topology.RoleReplica
			n.Upstream = &topology.Upstream{Addr: m, Port: 6379, LinkUp: true, Offset: 1000, Priority: 100, LinkState: "connected"}
		}
		probes[i] = n
	}
	g := topology.Build(at, probes, nil, addrs[:1])
	topology.Assess(nil, g, topology.Thresholds{})
	return g
}

// BenchmarkClusterView300 is one frame of the 300-node cluster at 160×48,
// the cursor deep in the forest of shards: the target is < 5 ms.
func BenchmarkClusterView300(b *testing.B) {
	m := New(context.Background(), Options{Feed: newFakeFeed(), Operator: &fakeOperator{}})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	g := clusterGraph(t0)
	if g.Cluster == nil || len(g.Cluster.Shards) != 100 {
		b.Fatal("not a 100-shard cluster")
	}
	m.Update(updateMsg{topology.Update{Graph: g}})
	for range 150 {
		m.Update(press("j"))
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}
