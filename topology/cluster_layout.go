package topology

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// annotateCluster adds each cluster node's place to its row's Note: on a
// master its shard's slots and config epoch, on every node the cluster
// flags that need attention (fail, pfail, handshake, noaddr, nofailover).
func annotateCluster(g *Graph, rows []Row) {
	if g.Cluster == nil {
		return
	}
	for i := range rows {
		if rows[i].Back {
			continue
		}
		if note := ClusterNote(g, rows[i].ID); note != "" {
			if rows[i].Note != "" {
				note = rows[i].Note + " · " + note
			}
			rows[i].Note = note
		}
	}
}

// ClusterNote describes node id's place in the cluster in a few words:
// "slots 0-5460 · epoch 1" on a master, "slots none · epoch 7 · fail" on
// a master that lost them; "" for a node outside the cluster.
func ClusterNote(g *Graph, id NodeID) string {
	m := g.ClusterMemberOf(id)
	if m == nil {
		return ""
	}
	var parts []string
	if m.IsMaster() {
		slots := "none"
		if len(m.Slots) > 0 {
			slots = clipSlots(m.Slots)
		}
		parts = append(parts, "slots "+slots, "epoch "+strconv.FormatInt(m.Epoch, 10))
	}
	for _, f := range []string{"fail", "pfail", "handshake", "noaddr", "nofailover"} {
		if m.Has(f) {
			parts = append(parts, f)
		}
	}
	return strings.Join(parts, " · ")
}

// ClusterHeader is the one-line summary of the cluster: "cluster ok ·
// 3 shards · slots 16384 assigned, 16384 ok, 0 pfail, 0 fail"; "" when
// the graph is not a cluster.
func ClusterHeader(g *Graph) string {
	if g == nil || g.Cluster == nil {
		return ""
	}
	c := g.Cluster
	s := fmt.Sprintf("cluster %s · %d shards · slots %d assigned, %d ok, %d pfail, %d fail",
		c.Info.State, len(c.Shards), c.Info.SlotsAssigned, c.Info.SlotsOK, c.Info.SlotsPFail, c.Info.SlotsFail)
	if len(c.Uncovered) > 0 {
		s += fmt.Sprintf(" · %d uncovered (%s)", CountSlots(c.Uncovered), clipSlots(c.Uncovered))
	}
	return s
}

// rootOrder is the order Layout considers roots in: address order, and in
// a cluster the shards' masters first by their first slot (the order of
// ClusterState.Shards), so the forest reads 0-5460, 5461-10922, ….
func rootOrder(g *Graph) []*Node {
	if g.Cluster == nil {
		return g.Nodes
	}
	rank := make(map[NodeID]int, len(g.Cluster.Shards))
	for i, s := range g.Cluster.Shards {
		if s.Master != "" {
			rank[s.Master] = i + 1
		}
	}
	out := slices.Clone(g.Nodes)
	slices.SortStableFunc(out, func(a, b *Node) int {
		ra, rb := rank[a.ID], rank[b.ID]
		switch {
		case ra == rb:
			return 0
		case ra == 0:
			return 1
		case rb == 0:
			return -1
		}
		return ra - rb
	})
	return out
}
