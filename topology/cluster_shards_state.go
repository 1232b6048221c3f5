package topology

// applyShardsHealth copies CLUSTER SHARDS's health and replication
// offset of each node onto its member. A node SHARDS reports "fail" is
// flagged fail (its pfail dropped) even when no CLUSTER NODES line read
// this round says so yet. "loading" is kept as the member's Health only:
// Redis says it of any replica at offset 0, an idle cluster's included.
func applyShardsHealth(ms []ClusterMember, at map[string]int, shards []ShardsEntry) {
	for _, e := range shards {
		for _, n := range e.Nodes {
			i, ok := at[n.ID]
			if !ok {
				continue
			}
			m := &ms[i]
			m.Health, m.ReplOffset = n.Health, n.Offset
			if n.Health == "fail" && !m.Has("fail") {
				// mergeMembers gave each member its own Flags slice.
				flags := m.Flags[:0:0]
				for _, f := range m.Flags {
					if f != "pfail" {
						flags = append(flags, f)
					}
				}
				m.Flags = append(flags, "fail")
			}
		}
	}
}

// shardsFromShards groups members into shards, CLUSTER SHARDS speaking
// for the nodes that did not answer for themselves. A node that answered
// is placed by its own CLUSTER NODES line (role, master, slots), as
// shardsOf does: SHARDS comes from one node a round, which can lag
// behind a change the moved node already reports (seen on a real cluster:
// after CLUSTER REPLICATE, the SHARDS of a third node kept the moved
// replica in its old shard for a round or two). For the others (down,
// unreachable, not probed yet) SHARDS's grouping replaces the merged
// peer lines.
//
// In the steady state every node answers, and this is shardsOf with no
// more work than finding that out.
func shardsFromShards(g *Graph, ms []ClusterMember, at map[string]int, shards []ShardsEntry) []Shard {
	silent := false
	for _, e := range shards {
		for _, n := range e.Nodes {
			if i, ok := at[n.ID]; !ok || !answeredAs(g, &ms[i]) {
				silent = true
			}
		}
	}
	if !silent {
		return shardsOf(ms)
	}
	type placed struct {
		master bool
		of     string // the master's id (replicas)
		slots  []SlotRange
	}
	said := map[string]placed{}
	for _, e := range shards {
		m := e.Master()
		if m == nil {
			continue
		}
		for _, n := range e.Nodes {
			if n.Role == "master" {
				said[n.ID] = placed{master: true, slots: e.Slots}
			} else {
				said[n.ID] = placed{of: m.ID}
			}
		}
	}
	return groupShards(ms, func(m *ClusterMember) (bool, string, []SlotRange) {
		p, ok := said[m.ID]
		if !ok || answeredAs(g, m) {
			return m.IsMaster(), m.MasterID, m.Slots
		}
		return p.master, p.of, p.slots
	})
}

// answeredAs reports whether m's graph node answered this round as m
// (its own CLUSTER NODES line is then what m says of itself).
func answeredAs(g *Graph, m *ClusterMember) bool {
	if m.Node == "" {
		return false
	}
	n := g.Node(m.Node)
	return n != nil && n.Reach == ReachOK && n.Cluster != nil && n.Cluster.Myself.ID == m.ID
}
