package topology

// jsonCluster is the "cluster" member of a graph object: the header
// facts (CLUSTER INFO of the node named in "from") and the shards.
type jsonCluster struct {
	State string `json:"state"`
	From  NodeID `json:"from"`
	// ShardsFrom names the node whose CLUSTER SHARDS grouped the shards
	// (absent when the grouping is CLUSTER NODES's).
	ShardsFrom NodeID        `json:"shards_from,omitempty"`
	Info       ClusterInfo   `json:"info"`
	Uncovered  []SlotRange   `json:"uncovered_slots"`
	Shards     []jsonShard   `json:"shards"`
	Nodes      []jsonCMember `json:"nodes"`
}

type jsonShard struct {
	ID         string      `json:"id"`
	Slots      []SlotRange `json:"slots"`
	SlotsText  string      `json:"slots_text"`
	SlotCount  int         `json:"slot_count"`
	Master     NodeID      `json:"master,omitempty"`
	MasterAddr string      `json:"master_addr"`
	Replicas   []NodeID    `json:"replicas"`
	Epoch      int64       `json:"config_epoch"`
}

type jsonCMember struct {
	ClusterPeer
	Node       NodeID `json:"node,omitempty"`
	Health     string `json:"health,omitempty"`             // CLUSTER SHARDS's online, fail or loading
	ReplOffset int64  `json:"replication_offset,omitempty"` // CLUSTER SHARDS's replication-offset
}

func clusterJSON(g *Graph) *jsonCluster {
	cs := g.Cluster
	if cs == nil {
		return nil
	}
	out := &jsonCluster{State: cs.Info.State, From: cs.From, ShardsFrom: cs.ShardsFrom, Info: cs.Info,
		Uncovered: append([]SlotRange{}, cs.Uncovered...), Shards: []jsonShard{}, Nodes: []jsonCMember{}}
	for _, s := range cs.Shards {
		out.Shards = append(out.Shards, jsonShard{ID: s.ID, Slots: append([]SlotRange{}, s.Slots...),
			SlotsText: FormatSlots(s.Slots), SlotCount: CountSlots(s.Slots), Master: s.Master,
			MasterAddr: s.MasterAddr, Replicas: append([]NodeID{}, s.Replicas...), Epoch: s.Epoch})
	}
	for _, m := range cs.Members {
		out.Nodes = append(out.Nodes, jsonCMember{m.ClusterPeer, m.Node, m.Health, m.ReplOffset})
	}
	return out
}
