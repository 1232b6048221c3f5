package topology

import (
	"fmt"
	"strings"
)

// Row is one line of the topology tree the dashboard draws.
type Row struct {
	ID     NodeID
	Depth  int    // 0 for roots
	Parent NodeID // "" for roots
	Link   *Link  // the link from Parent; nil for roots
	// Prefix is the tree drawing to print before the node, e.g. "│  ├─ ".
	Prefix string
	// Back marks a row that closes a replication cycle: ID is drawn
	// above already, so this row is a reference, not a subtree.
	Back bool
	// Note explains a row that is not a plain tree node: "cycle" on the
	// first node of a cycle, "sentinel: …" on Sentinels.
	Note string
}

// Layout arranges g as a forest: masters (and nodes whose master is
// unknown) as roots, each node's replicas nested under it in address
// order, chains nested further. A replica claimed by two masters sits
// under the one it names itself. Nodes on a replication cycle are shown
// from the cycle's first node (Note "cycle") with a Back row where the
// cycle closes. Sentinels come last. Every node appears exactly once as a
// non-Back row.
func Layout(g *Graph) []Row {
	parent := parents(g)
	children := map[NodeID][]NodeID{}
	for _, n := range g.Nodes {
		if p, ok := parent[n.ID]; ok {
			children[p] = append(children[p], n.ID)
		}
	}
	lay := layouter{g: g, children: children, done: map[NodeID]bool{}}
	var sentinels []*Node
	for _, n := range rootOrder(g) {
		if _, has := parent[n.ID]; has {
			continue
		}
		if n.Role == RoleSentinel {
			sentinels = append(sentinels, n)
			continue
		}
		lay.walk(n.ID, "", 0, "", nil, "", true)
	}
	for _, cyc := range findCycles(g) {
		if !lay.done[cyc[0]] {
			lay.walk(cyc[0], "", 0, "", nil, "cycle", true)
		}
	}
	for _, s := range sentinels {
		lay.rows = append(lay.rows, Row{ID: s.ID, Note: sentinelNote(s)})
		lay.done[s.ID] = true
	}
	annotateCluster(g, lay.rows)
	return lay.rows
}

type layouter struct {
	g        *Graph
	children map[NodeID][]NodeID
	done     map[NodeID]bool
	rows     []Row
}

// walk emits id's row and its subtree. indent is the drawing inherited
// from ancestors; last says whether id is its parent's last child.
func (l *layouter) walk(id NodeID, indent string, depth int, par NodeID, link *Link, note string, last bool) {
	prefix := ""
	if depth > 0 {
		prefix = indent + "├─ "
		if last {
			prefix = indent + "└─ "
		}
	}
	if l.done[id] {
		l.rows = append(l.rows, Row{ID: id, Depth: depth, Parent: par, Link: link, Prefix: prefix, Back: true, Note: "cycle"})
		return
	}
	l.done[id] = true
	l.rows = append(l.rows, Row{ID: id, Depth: depth, Parent: par, Link: link, Prefix: prefix, Note: note})
	next := indent
	if depth > 0 {
		next += map[bool]string{true: "   ", false: "│  "}[last]
	}
	kids := l.children[id]
	for i, c := range kids {
		l.walk(c, next, depth+1, id, l.linkBetween(id, c), "", i == len(kids)-1)
	}
}

func (l *layouter) linkBetween(m, r NodeID) *Link {
	if up := l.g.Upstream(r); up != nil && up.Master == m {
		return up
	}
	return nil
}

// parents maps each node with a master to that master (the replica's own
// claim first, see Graph.Upstream).
func parents(g *Graph) map[NodeID]NodeID {
	out := make(map[NodeID]NodeID, len(g.Links))
	for _, n := range g.Nodes {
		if l := g.Upstream(n.ID); l != nil {
			out[n.ID] = l.Master
		}
	}
	return out
}

// findCycles returns every cycle of replica→master links, each starting
// at its node that comes first in the graph's order.
func findCycles(g *Graph) [][]NodeID {
	parent := parents(g)
	order := make(map[NodeID]int, len(g.Nodes))
	for i, n := range g.Nodes {
		order[n.ID] = i
	}
	state := map[NodeID]int{} // 0 new, 1 on the current path, 2 finished
	var out [][]NodeID
	for _, n := range g.Nodes {
		var path []NodeID
		id, closed := n.ID, false
		for {
			if state[id] != 0 {
				closed = state[id] == 1
				break
			}
			state[id] = 1
			path = append(path, id)
			p, ok := parent[id]
			if !ok {
				break
			}
			id = p
		}
		if closed {
			// id is on this path: the cycle is the path from id onwards.
			start := 0
			for path[start] != id {
				start++
			}
			cyc := path[start:]
			first := 0
			for i := range cyc {
				if order[cyc[i]] < order[cyc[first]] {
					first = i
				}
			}
			out = append(out, append(append([]NodeID{}, cyc[first:]...), cyc[:first]...))
		}
		for _, p := range path {
			state[p] = 2
		}
	}
	return out
}

func sentinelNote(s *Node) string {
	var parts []string
	for _, m := range s.Sentinel {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", m.Name, m.Addr, m.Status))
	}
	if len(parts) == 0 {
		return "sentinel: no masters"
	}
	return "sentinel: " + strings.Join(parts, ", ")
}
