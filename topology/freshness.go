package topology

import (
	"fmt"
	"time"

	"github.com/replscope/replscope/internal/human"
)

// Freshness says how far a replica's data is behind the root master of
// its chain: the node at the top, where writes happen. A replica below a
// frozen or unreadable middle node still reports its own link up (the
// frozen node holds the TCP connection open), and its lag against that
// middle node cannot be read or is zero: only the root tells how stale it
// is.
type Freshness struct {
	Root  NodeID // the master at the top of the chain; "" when none was found
	Depth int    // links between the node and Root
	// Stalled is true when a node between this one and Root cannot be
	// read, or a link above this node's own is not up: this node's data
	// stops where that upstream stopped.
	Stalled bool
	Via     NodeID // the first stalled upstream, when Stalled
	// Known is true when the lag against Root could be computed (Root
	// readable and on the same history as this node).
	Known        bool
	LagBytes     int64
	LagTime      time.Duration
	LagTimeKnown bool
	LagTimeFrom  LagTimeFrom
	// Note explains a stall or why freshness is unknown, e.g. "upstream
	// 127.0.0.1:7002 unreachable — freshness unknown".
	Note string
}

// assessFreshness walks n's chain up to its root master and measures n's
// lag against it.
func assessFreshness(g *Graph, n *Node) Freshness {
	f := Freshness{}
	if n.Reach != ReachOK || n.Upstream == nil {
		return f
	}
	seen := map[NodeID]bool{n.ID: true}
	cur := n
	var stalledAt *Node
	for {
		l := g.Upstream(cur.ID)
		if l == nil {
			break
		}
		m := g.Node(l.Master)
		if m == nil || seen[m.ID] {
			return Freshness{Note: "replication cycle — freshness unknown"}
		}
		seen[m.ID] = true
		f.Depth++
		if cur != n && stalledAt == nil && l.Health.State != LinkUp {
			stalledAt = cur // a middle node whose own link is not up
		}
		if m.Reach != ReachOK && stalledAt == nil && g.Upstream(m.ID) != nil {
			stalledAt = m // a middle node that cannot be read
		}
		cur = m
	}
	if cur == n {
		return f
	}
	if last := cur.Health.History.Last; cur.Reach != ReachOK && stalledAt == nil && last != nil && last.Role == RoleReplica {
		stalledAt = cur // was a replica itself when last read: not the root
	}
	f.Root = cur.ID
	if stalledAt != nil {
		f.Stalled, f.Via = true, stalledAt.ID
	}
	switch {
	case cur.Reach != ReachOK && stalledAt != nil && stalledAt.Reach != ReachOK:
		if stalledAt == cur {
			f.Root = ""
		}
		f.Note = fmt.Sprintf("upstream %s %s — freshness unknown", stalledAt.Addr, cur.Reach)
		return f
	case cur.Reach != ReachOK:
		f.Note = fmt.Sprintf("root master %s %s — freshness unknown", cur.Addr, cur.Reach)
		return f
	case !sameHistory(n.ReplID, n.Upstream.Offset, cur):
		f.Note = fmt.Sprintf("on another history than root master %s — freshness unknown", cur.Addr)
		return f
	}
	off := n.Upstream.Offset
	f.Known = true
	f.LagBytes = max(cur.Offset-off, 0)
	f.LagTime, f.LagTimeFrom, f.LagTimeKnown = timeLag(cur, off, f.LagBytes)
	if stalledAt != nil {
		what := "link down"
		if stalledAt.Reach != ReachOK {
			what = string(stalledAt.Reach)
		} else if l := g.Upstream(stalledAt.ID); l != nil {
			what = "link " + string(l.Health.State)
		}
		f.Note = fmt.Sprintf("upstream %s %s — %s behind root master %s", stalledAt.Addr, what, human.Bytes(f.LagBytes), cur.Addr)
	}
	return f
}

// freshnessAlerts judges a replica behind a stalled upstream against its
// root master: lag-bytes and lag-seconds with the root as Peer.
func freshnessAlerts(g *Graph, n *Node, th Thresholds, add func(Alert)) {
	f := n.Health.Freshness
	if !f.Stalled || !f.Known {
		return
	}
	root, via := g.Node(f.Root), g.Node(f.Via)
	base := Alert{Node: n.ID, Peer: f.Root, Severity: Warning}
	if f.LagBytes > th.LagBytes {
		a := base
		a.Name = AlertLagBytes
		a.Message = fmt.Sprintf("%s behind root master %s by %s (its upstream %s is stalled)",
			n.Addr, root.Addr, human.Bytes(f.LagBytes), via.Addr)
		a.Value, a.Limit = float64(f.LagBytes), float64(th.LagBytes)
		add(a)
	}
	if f.LagTimeKnown && f.LagTime > th.LagTime {
		a := base
		a.Name = AlertLagSeconds
		a.Message = fmt.Sprintf("%s's data is about %s old against root master %s (its upstream %s is stalled; estimated from %s)",
			n.Addr, shortDur(f.LagTime), root.Addr, via.Addr, f.LagTimeFrom)
		a.Value, a.Limit = f.LagTime.Seconds(), th.LagTime.Seconds()
		add(a)
	}
}
