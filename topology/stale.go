package topology

import (
	"fmt"
	"time"
)

// staleIntervals is how many polling intervals old a node's data may be
// before it is stale.
const staleIntervals = 2

// The events a Watcher adds when a node's data turns stale (its probe is
// stuck, or it stopped answering) and when it is fresh again.
const (
	EventStale EventKind = "stale"
	EventFresh EventKind = "fresh"
)

// DataAge returns how old n's data is at the graph's time: the time since
// the node last answered. ok is false for a node that never answered.
func (g *Graph) DataAge(n *Node) (age time.Duration, ok bool) {
	last := n.LastOKOrAt()
	if last.IsZero() {
		return 0, false
	}
	return max(g.At.Sub(last), 0), true
}

// IsStale reports whether n's data is older than g.StaleAfter (two polling
// intervals): a node whose probe is still running shows what it said
// last, and a node that stopped answering shows nothing newer. Always
// false when StaleAfter is not set.
func (g *Graph) IsStale(n *Node) bool {
	if g.StaleAfter <= 0 {
		return false
	}
	age, ok := g.DataAge(n)
	return ok && age > g.StaleAfter
}

// Stale returns the nodes whose data is stale, in graph order, and the
// age of the oldest.
func (g *Graph) Stale() (nodes []*Node, oldest time.Duration) {
	for _, n := range g.Nodes {
		if g.IsStale(n) {
			nodes = append(nodes, n)
			age, _ := g.DataAge(n)
			oldest = max(oldest, age)
		}
	}
	return nodes, oldest
}

// StaleEvents lists the nodes whose data turned stale from prev to cur,
// and those fresh again.
func StaleEvents(prev, cur *Graph) []Event {
	if prev == nil || cur == nil {
		return nil
	}
	var out []Event
	for _, n := range cur.Nodes {
		p := prev.Node(n.ID)
		if p == nil {
			continue
		}
		was, is := prev.IsStale(p), cur.IsStale(n)
		switch {
		case is && !was:
			age, _ := cur.DataAge(n)
			out = append(out, Event{Time: cur.At, Kind: EventStale, Node: n.ID, Addr: n.Addr, Source: "poll",
				Detail: fmt.Sprintf("data %s old: no answer since %s", age.Round(100*time.Millisecond), n.LastOKOrAt().Format("15:04:05.000"))})
		case was && !is:
			out = append(out, Event{Time: cur.At, Kind: EventFresh, Node: n.ID, Addr: n.Addr, Source: "poll",
				Detail: "answering again"})
		}
	}
	return out
}

// LastOKOrAt is when the node last answered: LastOK, or At for a node
// that answered in this round.
func (n *Node) LastOKOrAt() time.Time {
	if n.LastOK.IsZero() && n.Reach == ReachOK {
		return n.At
	}
	return n.LastOK
}
