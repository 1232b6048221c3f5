package topology

import (
	"slices"
	"sort"
	"time"
)

// Mentions returns the addresses a node points at: its master
// (master_host:master_port), its replicas (slaveN ip:port) and, for a
// Sentinel, the masters it monitors. Discovery probes these next.
// Addresses with port 0 (a replica that did not announce its port) are
// left out: nothing can be dialled there.
func (n *Node) Mentions() []string { return slices.Collect(n.mentioned) }

// mentioned yields what Mentions returns, without building the slice: a
// cluster node mentions every other node of the cluster.
func (n *Node) mentioned(yield func(string) bool) {
	if n.Upstream != nil && n.Upstream.Port > 0 && !yield(n.Upstream.Addr) {
		return
	}
	for _, l := range n.Replicas {
		if l.Port > 0 && !yield(l.Addr) {
			return
		}
	}
	for _, m := range n.Sentinel {
		if !yield(m.Addr) {
			return
		}
	}
	for _, a := range n.sentinelPeers() {
		if !yield(a) {
			return
		}
	}
	n.Cluster.clusterMentioned(yield)
}

// Build assembles a Graph from one round of probes, one Node per address
// probed. It is pure: the same probes give the same Graph.
//
//   - Probes that answered with the same run_id are one node, reached at
//     several addresses (announced ip/port, a proxy, a host name): the node
//     keeps one primary Addr (the one it had in prev, else a seed, else
//     the smallest) and lists the others as Aliases. Aliases in prev are
//     kept, so an alias need not be probed every round.
//   - A failed probe at an address that belongs to a node reached
//     elsewhere is dropped; otherwise it becomes a node with its Reach and
//     Error. It keeps the ID it had in prev (its last run_id), so the
//     dashboard's selection and the diff follow it.
//   - An address that some node mentions but nobody probed becomes an
//     unprobed node, never a dangling link.
//   - A link joins a master and a replica when either side reports it.
func Build(at time.Time, probes []*Node, prev *Graph, seeds []string) *Graph {
	b := builder{at: at, prev: prev, seed: map[string]bool{}, byAddr: map[string]*Node{}}
	for _, s := range seeds {
		b.seed[CanonAddr(s)] = true
	}
	b.mergeReachable(probes)
	b.addFailed(probes)
	b.addMentioned()
	b.addLinks()
	g := &Graph{At: at, Nodes: b.nodes, Links: b.links}
	g.sortGraph()
	g.Sentinels = sentinelGroups(g)
	g.Cluster = buildClusterState(g)
	return g
}

type builder struct {
	at     time.Time
	prev   *Graph
	seed   map[string]bool
	nodes  []*Node
	byAddr map[string]*Node
	links  []*Link
	linkAt map[[2]NodeID]*Link
}

// mergeReachable groups answering probes by ID and picks addresses.
func (b *builder) mergeReachable(probes []*Node) {
	groups := map[NodeID][]*Node{}
	answered := map[string]NodeID{}
	var order []NodeID
	for _, p := range probes {
		if p.Reach != ReachOK {
			continue
		}
		answered[p.Addr] = p.ID
		if _, ok := groups[p.ID]; !ok {
			order = append(order, p.ID)
		}
		groups[p.ID] = append(groups[p.ID], p)
	}
	for _, id := range order {
		g := groups[id]
		addrs := make([]string, len(g))
		for i, p := range g {
			addrs[i] = p.Addr
		}
		var prevNode *Node
		if b.prev != nil {
			prevNode = b.prev.Node(id)
		}
		primary := b.pickPrimary(addrs, prevNode)
		var n *Node
		for _, p := range g {
			if p.Addr == primary {
				n = p
			}
		}
		cp := *n
		cp.Aliases = nil
		for _, a := range addrs {
			if a != primary {
				cp.Aliases = append(cp.Aliases, a)
			}
		}
		if prevNode != nil {
			for _, a := range append([]string{prevNode.Addr}, prevNode.Aliases...) {
				if other, ok := answered[a]; ok && other != id {
					continue // that address is another node now
				}
				if a != primary && !slices.Contains(cp.Aliases, a) {
					cp.Aliases = append(cp.Aliases, a)
				}
			}
		}
		sort.Slice(cp.Aliases, func(i, j int) bool { return addrLess(cp.Aliases[i], cp.Aliases[j]) })
		b.add(&cp)
	}
}

// pickPrimary keeps the previous primary address, else prefers a seed,
// else the smallest address.
func (b *builder) pickPrimary(addrs []string, prev *Node) string {
	if prev != nil && slices.Contains(addrs, prev.Addr) {
		return prev.Addr
	}
	best := ""
	for _, a := range addrs {
		switch {
		case best == "":
			best = a
		case b.seed[a] != b.seed[best]:
			if b.seed[a] {
				best = a
			}
		case addrLess(a, best):
			best = a
		}
	}
	return best
}

// add registers a node and its addresses; an address already taken by an
// earlier node keeps pointing there.
func (b *builder) add(n *Node) {
	b.nodes = append(b.nodes, n)
	for _, a := range append([]string{n.Addr}, n.Aliases...) {
		if _, taken := b.byAddr[a]; !taken {
			b.byAddr[a] = n
		}
	}
}

// addFailed adds probes that did not answer, unless their address belongs
// to a node that answered elsewhere.
func (b *builder) addFailed(probes []*Node) {
	for _, p := range probes {
		if p.Reach == ReachOK || b.byAddr[p.Addr] != nil {
			continue
		}
		cp := *p
		b.inherit(&cp)
		b.add(&cp)
	}
}

// inherit gives a node that did not answer the identity it had in prev.
func (b *builder) inherit(n *Node) {
	if b.prev == nil {
		return
	}
	old := b.prev.ByAddr(n.Addr)
	if old == nil || b.taken(old.ID) {
		return
	}
	n.ID, n.RunID = old.ID, old.RunID
	n.Aliases = nil
	for _, a := range append([]string{old.Addr}, old.Aliases...) {
		if a != n.Addr && b.byAddr[a] == nil {
			n.Aliases = append(n.Aliases, a)
		}
	}
}

// taken reports whether a node with this ID is already in the graph.
func (b *builder) taken(id NodeID) bool {
	for _, n := range b.nodes {
		if n.ID == id {
			return true
		}
	}
	return false
}

// addMentioned adds an unprobed node for every mentioned address that no
// node holds.
func (b *builder) addMentioned() {
	var missing []string
	for _, n := range b.nodes {
		for a := range n.mentioned {
			if b.byAddr[a] == nil && !slices.Contains(missing, a) {
				missing = append(missing, a)
			}
		}
		for _, l := range n.Replicas {
			if l.Port == 0 && b.byAddr[l.Addr] == nil && !slices.Contains(missing, l.Addr) {
				missing = append(missing, l.Addr)
			}
		}
	}
	for _, a := range missing {
		n := &Node{ID: NodeID(a), Addr: a, Reach: ReachUnprobed, Role: RoleUnknown, Keys: -1, At: b.at,
			Error: "not probed"}
		if portOf(a) == 0 {
			n.Error = "the replica did not announce a listening port"
		}
		b.inherit(n)
		b.add(n)
	}
}

// addLinks joins masters and replicas as either side reports them.
func (b *builder) addLinks() {
	b.linkAt = map[[2]NodeID]*Link{}
	for _, r := range b.nodes {
		if r.Reach != ReachOK || r.Upstream == nil {
			continue
		}
		if m := b.byAddr[r.Upstream.Addr]; m != nil {
			b.link(m.ID, r.ID).FromReplica = true
		}
	}
	for _, m := range b.nodes {
		if m.Reach != ReachOK {
			continue
		}
		for i := range m.Replicas {
			line := &m.Replicas[i]
			if r := b.byAddr[line.Addr]; r != nil {
				l := b.link(m.ID, r.ID)
				l.FromMaster, l.Line = true, line
			}
		}
	}
}

func (b *builder) link(m, r NodeID) *Link {
	k := [2]NodeID{m, r}
	if l := b.linkAt[k]; l != nil {
		return l
	}
	l := &Link{Master: m, Replica: r}
	b.linkAt[k] = l
	b.links = append(b.links, l)
	return l
}
