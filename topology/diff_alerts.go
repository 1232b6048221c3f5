package topology

import (
	"fmt"

	"github.com/replscope/replscope/internal/human"
)

// alerts emits alert-raised for each new alert, alert-cleared for one
// whose condition no longer holds, and alert-ended for one whose subject
// went away (the replica was dropped, the node stopped answering): that is
// not good news and must not read as "cleared". Alerts raised on every
// member of a group with one message (shared-replid, replication-cycle)
// are logged once.
func (d *differ) alerts() {
	was := map[string]bool{}
	if d.prev != nil {
		for _, a := range d.prev.Alerts {
			was[addrKey(a, d.prev)] = true
		}
	}
	is := map[string]bool{}
	logged := map[string]bool{}
	once := func(kind EventKind, a Alert) bool {
		k := string(kind) + "\x00" + string(a.Name) + "\x00" + a.Message
		if logged[k] {
			return false
		}
		logged[k] = true
		return true
	}
	for _, a := range d.cur.Alerts {
		is[addrKey(a, d.cur)] = true
		if !was[addrKey(a, d.cur)] && once(EventAlertRaised, a) {
			d.alertEvent(EventAlertRaised, a, d.cur, a.Message)
		}
	}
	if d.prev == nil {
		return
	}
	for _, a := range d.prev.Alerts {
		if is[addrKey(a, d.prev)] {
			continue
		}
		if why := alertSubjectGone(a, d.prev, d.cur); why != "" {
			if once(EventAlertEnded, a) {
				d.alertEvent(EventAlertEnded, a, d.prev, "ended: "+why)
			}
			continue
		}
		if once(EventAlertCleared, a) {
			d.alertEvent(EventAlertCleared, a, d.prev, clearedDetail(a, d.prev, d.cur))
		}
	}
}

// addrKey identifies an alert by name and the addresses of its node and
// peer: a node that restarts (a new run_id, so a new NodeID) keeps its
// alerts instead of clearing and raising each again.
func addrKey(a Alert, g *Graph) string {
	addr := func(id NodeID) string {
		if n := g.Node(id); n != nil {
			return n.Addr
		}
		return string(id)
	}
	return string(a.Name) + "\x00" + addr(a.Node) + "\x00" + addr(a.Peer)
}

func (d *differ) alertEvent(kind EventKind, a Alert, g *Graph, detail string) {
	addr := string(a.Node)
	if n := g.Node(a.Node); n != nil {
		addr = n.Addr
	}
	d.out = append(d.out, Event{Time: d.at, Kind: kind, Node: a.Node, Addr: addr, Peer: a.Peer,
		Alert: a.Name, Detail: detail, Source: "poll"})
}

// nodeAlertNames are the alerts about a node itself (its reach, its own
// settings or counters); the others are about a link and name its master
// as Peer.
var nodeAlertNames = map[AlertName]bool{
	AlertUnreachable: true, AlertAuthFailed: true, AlertBacklogTooSmall: true,
	AlertSharedReplID: true, AlertReplicationCycle: true, AlertMasterReset: true,
	AlertSplitHistory: true, AlertSlotsUncovered: true, AlertClusterFail: true,
	AlertNoReplica: true, AlertOneHost: true, AlertEmptyMaster: true,
}

// alertSubjectGone says why an alert that is no longer raised ended
// because what it was about went away, or "" when its condition simply
// stopped holding.
func alertSubjectGone(a Alert, prev, cur *Graph) string {
	n := cur.Node(a.Node)
	if p := prev.Node(a.Node); n == nil && p != nil {
		n = cur.ByAddr(p.Addr) // restarted: a new run_id at the same address
	}
	switch {
	case n == nil:
		return "node gone"
	case a.Name == AlertUnreachable || a.Name == AlertAuthFailed:
		return ""
	case n.Reach != ReachOK:
		return fmt.Sprintf("%s is %s (state unknown)", n.Addr, n.Reach)
	case nodeAlertNames[a.Name] || a.Peer == "":
		return ""
	}
	m := cur.Node(a.Peer)
	if p := prev.Node(a.Peer); m == nil && p != nil {
		m = cur.ByAddr(p.Addr)
	}
	if m == nil {
		return "master gone"
	}
	var link *Link
	for _, l := range cur.Downstream(m.ID) {
		if l.Replica == n.ID {
			link = l
		}
	}
	if (a.Name == AlertLagSeconds || a.Name == AlertLagBytes) && n.Health.Freshness.Root == a.Peer {
		if up := cur.Upstream(n.ID); up == nil || up.Master != a.Peer {
			return "" // judged against the root while the upstream was stalled: it moves again
		}
	}
	switch {
	case link == nil || (!link.FromReplica && !link.FromMaster):
		return fmt.Sprintf("replica gone: %s no longer follows %s", n.Addr, m.Addr)
	case !link.FromReplica:
		return fmt.Sprintf("replica gone: %s follows another master", n.Addr)
	case a.Name == AlertOutputBuffer && link.Line == nil:
		return fmt.Sprintf("replica gone: %s dropped %s", m.Addr, n.Addr)
	case m.Reach != ReachOK:
		return fmt.Sprintf("master %s is %s (state unknown)", m.Addr, m.Reach)
	case a.Name != AlertLinkDown && link.Health.State != LinkUp:
		return fmt.Sprintf("link %s → %s is %s, not measured", m.Addr, n.Addr, link.Health.State)
	}
	return ""
}

// clearedDetail says what holds now that an alert cleared, rather than
// repeating the problem it described.
func clearedDetail(a Alert, prev, cur *Graph) string {
	n := cur.Node(a.Node)
	if p := prev.Node(a.Node); n == nil && p != nil {
		n = cur.ByAddr(p.Addr)
	}
	var link *Link
	if n != nil {
		link = cur.Upstream(n.ID)
	}
	h := LinkHealth{}
	if link != nil {
		h = link.Health
	}
	switch a.Name {
	case AlertUnreachable, AlertAuthFailed:
		return "answers again"
	case AlertLinkDown:
		return "link " + string(h.State)
	case AlertLagBytes:
		if h.LagKnown {
			return "lag now " + human.Bytes(h.LagBytes)
		}
	case AlertLagSeconds:
		if h.LagTimeKnown {
			return "data now " + shortDur(h.LagTime) + " old"
		}
	case AlertHeartbeat:
		return "traffic again"
	case AlertOutputBuffer:
		if link != nil && link.Line != nil && link.Line.Pending >= 0 {
			return "output buffer now " + human.Bytes(link.Line.Pending)
		}
	case AlertBacklogTooSmall:
		if n != nil && n.Health.Backlog.Known {
			return "repl-backlog-size " + FormatBytes(n.Health.Backlog.Size) + " now covers the outage window"
		}
	case AlertMasterReset:
		return "no longer recent"
	}
	return "no longer holds"
}
