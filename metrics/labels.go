package metrics

import "github.com/replscope/replscope/topology"

// graphLabels holds what the labels of one scrape need: each node's
// address, cluster shard and Sentinel group, looked up once per Graph.
type graphLabels struct {
	addrs  map[topology.NodeID]string
	shards map[topology.NodeID]string
	groups map[topology.NodeID]string
}

// newGraphLabels indexes g. A shard is named by its slot ranges
// ("0-5460"), which a failover does not change; a shard whose master has
// no slots is "-". A group is the name Sentinel monitors it under.
func newGraphLabels(g *topology.Graph) *graphLabels {
	ctx := &graphLabels{
		addrs:  make(map[topology.NodeID]string, len(g.Nodes)),
		shards: map[topology.NodeID]string{},
		groups: map[topology.NodeID]string{},
	}
	for _, n := range g.Nodes {
		ctx.addrs[n.ID] = n.Addr
		if sg := g.SentinelGroupOf(n.ID); sg != nil {
			ctx.groups[n.ID] = sg.Name
		}
	}
	if g.Cluster != nil {
		for _, s := range g.Cluster.Shards {
			name := topology.FormatSlots(s.Slots)
			if s.Master != "" {
				ctx.shards[s.Master] = name
			}
			for _, r := range s.Replicas {
				ctx.shards[r] = name
			}
		}
	}
	return ctx
}

// addr is the address a node is known by ("" for no node; the ID itself
// for a node the Graph does not hold).
func (c *graphLabels) addr(id topology.NodeID) string {
	if id == "" {
		return ""
	}
	if a, ok := c.addrs[id]; ok {
		return a
	}
	return string(id)
}

// node returns the values of nodeLabels for a node.
func (c *graphLabels) node(id topology.NodeID) []string {
	return []string{c.addr(id), c.shards[id], c.groups[id]}
}

// link returns the values of linkLabels for a link: its shard and group
// are the master's, else the replica's.
func (c *graphLabels) link(l *topology.Link) []string {
	return []string{c.addr(l.Master), c.addr(l.Replica),
		firstOf(c.shards[l.Master], c.shards[l.Replica]),
		firstOf(c.groups[l.Master], c.groups[l.Replica])}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
