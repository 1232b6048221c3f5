package topology

import (
	"slices"
	"sort"
)

// ClusterState is a Redis Cluster as the graph's nodes describe it: the
// CLUSTER INFO of one reachable node (the one with the highest current
// epoch, so the most recent view), every cluster node known to anyone
// (Members, merged) and the shards they form: as CLUSTER SHARDS groups
// them when a node answered it, else as the merged CLUSTER NODES lines do.
type ClusterState struct {
	Info ClusterInfo
	// From is the node whose CLUSTER INFO Info is.
	From NodeID
	// ShardsFrom is the node whose CLUSTER SHARDS grouped the shards (""
	// when none answered it: the grouping is CLUSTER NODES's).
	ShardsFrom NodeID
	Members    []ClusterMember
	Shards     []Shard
	// Uncovered are the slots no master claims.
	Uncovered []SlotRange
}

// ClusterMember is one cluster node merged from every view: its own line
// when it answered (role, master and slots are what it says of itself),
// else the line with the highest config epoch among its peers'. Flags
// gathers fail and pfail as any reachable peer sees them.
type ClusterMember struct {
	ClusterPeer
	Node NodeID // the graph node at Addr ("" when none)
	// Health and ReplOffset are what CLUSTER SHARDS says of the node
	// (online, fail or loading; "" and 0 when no node answered SHARDS).
	Health     string
	ReplOffset int64
}

// Shard is a master with its replicas and slots. A master that lost its
// slots (after a failover it was not there for) is a shard of its own
// with no slots.
type Shard struct {
	ID         string // the master's cluster node id
	Master     NodeID // the graph node of the master ("" when unknown)
	MasterAddr string
	Replicas   []NodeID // graph nodes of its replicas, in address order
	Slots      []SlotRange
	Epoch      int64 // the master's config epoch
}

// ClusterMemberOf returns the merged cluster line of the graph node id,
// or nil when it is not a known cluster node.
func (g *Graph) ClusterMemberOf(id NodeID) *ClusterMember {
	if g == nil || g.Cluster == nil {
		return nil
	}
	for i := range g.Cluster.Members {
		if g.Cluster.Members[i].Node == id {
			return &g.Cluster.Members[i]
		}
	}
	return nil
}

// ShardOf returns the shard whose master or replica is node id, or nil.
func (g *Graph) ShardOf(id NodeID) *Shard {
	if g == nil || g.Cluster == nil {
		return nil
	}
	for i := range g.Cluster.Shards {
		s := &g.Cluster.Shards[i]
		if s.Master == id || slices.Contains(s.Replicas, id) {
			return s
		}
	}
	return nil
}

// buildClusterState merges the cluster views of g's nodes; nil when no
// node answered in cluster mode.
func buildClusterState(g *Graph) *ClusterState {
	var cs *ClusterState
	var withShards *Node       // the node whose CLUSTER SHARDS is used
	self := map[string]*Node{} // cluster id → the node that answered as it
	for _, n := range g.Nodes {
		if n.Reach != ReachOK || n.Cluster == nil {
			continue
		}
		if n.Cluster.Shards != nil && (withShards == nil || n.Cluster.Info.CurrentEpoch > withShards.Cluster.Info.CurrentEpoch) {
			withShards = n
		}
		if cs == nil || n.Cluster.Info.CurrentEpoch > cs.Info.CurrentEpoch {
			if cs == nil {
				cs = &ClusterState{}
			}
			cs.Info, cs.From = n.Cluster.Info, n.ID
		}
		self[n.Cluster.Myself.ID] = n
	}
	if cs == nil {
		return nil
	}
	cs.Members = mergeMembers(g, self)
	if withShards != nil {
		cs.ShardsFrom = withShards.ID
		at := make(map[string]int, len(cs.Members)) // cluster id → member
		for i := range cs.Members {
			at[cs.Members[i].ID] = i
		}
		applyShardsHealth(cs.Members, at, withShards.Cluster.Shards)
		cs.Shards = shardsFromShards(g, cs.Members, at, withShards.Cluster.Shards)
	} else {
		cs.Shards = shardsOf(cs.Members)
	}
	cs.Uncovered = uncovered(cs.Members)
	return cs
}

// mergeMembers builds one member per cluster id. It visits every line
// of every node's view (90,000 for 300 nodes), so each line costs one
// map look-up.
func mergeMembers(g *Graph, self map[string]*Node) []ClusterMember {
	type merged struct {
		best        ClusterPeer
		self        *Node // the node that answered as this id (nil for none)
		fail, pfail bool  // as any peer sees it
	}
	at := map[string]*merged{}
	var order []*merged
	for _, n := range g.Nodes {
		if n.Reach != ReachOK || n.Cluster == nil {
			continue
		}
		for _, p := range n.Cluster.Peers {
			m := at[p.ID]
			if m == nil {
				m = &merged{best: p, self: self[p.ID]}
				at[p.ID] = m
				order = append(order, m)
			} else if m.self == n || (m.self == nil && p.Epoch > m.best.Epoch) {
				m.best = p
			}
			for _, f := range p.Flags {
				switch f {
				case "fail":
					m.fail = true
				case "pfail":
					m.pfail = true
				}
			}
		}
	}
	out := make([]ClusterMember, 0, len(order))
	for _, e := range order {
		p := e.best
		p.Flags = slices.DeleteFunc(slices.Clone(p.Flags), func(f string) bool {
			return f == "myself" || f == "fail" || f == "pfail"
		})
		if e.fail {
			p.Flags = append(p.Flags, "fail")
		} else if e.pfail {
			p.Flags = append(p.Flags, "pfail")
		}
		m := ClusterMember{ClusterPeer: p}
		if n := e.self; n != nil {
			m.Node = n.ID
		} else if n := g.ByAddr(p.Addr); n != nil && p.Addr != "" && (n.Cluster == nil || n.Cluster.Myself.ID == p.ID) {
			m.Node = n.ID
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Addr != out[j].Addr {
			return addrLess(out[i].Addr, out[j].Addr)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// shardsOf groups members into shards as their merged CLUSTER NODES
// lines say: one per master, ordered by first slot (masters without
// slots last, by address).
func shardsOf(ms []ClusterMember) []Shard {
	return groupShards(ms, func(m *ClusterMember) (bool, string, []SlotRange) {
		return m.IsMaster(), m.MasterID, m.Slots
	})
}

// groupShards makes one shard per member place calls a master (with the
// slots it gives), puts each other member that is a graph node in the
// shard of the master place names, and orders the shards (sortShards).
func groupShards(ms []ClusterMember, place func(*ClusterMember) (master bool, of string, slots []SlotRange)) []Shard {
	var out []Shard
	at := map[string]int{}
	for i := range ms {
		m := &ms[i]
		if master, _, slots := place(m); master {
			at[m.ID] = len(out)
			out = append(out, Shard{ID: m.ID, Master: m.Node, MasterAddr: m.Addr, Slots: slots, Epoch: m.Epoch})
		}
	}
	for i := range ms {
		m := &ms[i]
		master, of, _ := place(m)
		if j, ok := at[of]; ok && !master && m.Node != "" {
			out[j].Replicas = append(out[j].Replicas, m.Node)
		}
	}
	sortShards(out)
	return out
}

// sortShards orders shards by first slot, those without slots last by
// master address.
func sortShards(out []Shard) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (len(a.Slots) == 0) != (len(b.Slots) == 0) {
			return len(a.Slots) > 0
		}
		if len(a.Slots) > 0 && a.Slots[0].Lo != b.Slots[0].Lo {
			return a.Slots[0].Lo < b.Slots[0].Lo
		}
		return addrLess(a.MasterAddr, b.MasterAddr)
	})
}

// uncovered returns the slots no master claims, as ranges.
func uncovered(ms []ClusterMember) []SlotRange {
	var owned [ClusterSlots]bool
	for _, m := range ms {
		if !m.IsMaster() {
			continue
		}
		for _, r := range m.Slots {
			for s := max(r.Lo, 0); s <= min(r.Hi, ClusterSlots-1); s++ {
				owned[s] = true
			}
		}
	}
	var out []SlotRange
	for s := 0; s < ClusterSlots; s++ {
		if owned[s] {
			continue
		}
		if len(out) > 0 && out[len(out)-1].Hi == s-1 {
			out[len(out)-1].Hi = s
		} else {
			out = append(out, SlotRange{s, s})
		}
	}
	return out
}
