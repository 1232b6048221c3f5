package topology

import (
	"fmt"
	"sort"
	"time"

	"github.com/replscope/replscope/internal/human"
	"github.com/replscope/replscope/node/status"
)

// EventKind names a change between two Graphs, or an event an embedded
// node reported itself. Names shared with status.EventKind mean the same.
type EventKind string

// Event kinds.
const (
	EventNodeAppeared     EventKind = "node-appeared"
	EventNodeVanished     EventKind = "node-vanished"
	EventNodeRestarted    EventKind = "node-restarted" // same address, new run_id
	EventReachChanged     EventKind = "reach-changed"  // ok ↔ unreachable / auth-failed
	EventRoleChanged      EventKind = "role-changed"
	EventMasterChanged    EventKind = "master-changed" // a replica now follows another master
	EventLinkUp           EventKind = "link-up"
	EventLinkDown         EventKind = "link-down"
	EventFullSyncStarted  EventKind = "full-sync-started"
	EventFullSyncFinished EventKind = "full-sync-finished"
	EventSyncFull         EventKind = "sync-full"        // a master's sync_full rose
	EventSyncPartial      EventKind = "sync-partial"     // a master's sync_partial_ok rose
	EventSyncPartialErr   EventKind = "sync-partial-err" // a master's sync_partial_err rose
	EventAlertRaised      EventKind = "alert-raised"
	EventAlertCleared     EventKind = "alert-cleared" // the condition no longer holds
	// EventAlertEnded: the alert's subject went away (the replica was
	// dropped, the node stopped answering); not good news.
	EventAlertEnded EventKind = "alert-ended"
	// EventReplIDChanged: a node's master_replid changed (a new history:
	// a restart without data, a full sync, a promotion).
	EventReplIDChanged EventKind = "replid-changed"
	// EventOffsetBackwards: a node's master_repl_offset went down.
	EventOffsetBackwards EventKind = "offset-backwards"
	// EventReplicaDropped: a master dropped a replica's connection,
	// reported on both ends of the link with the cause.
	EventReplicaDropped EventKind = "replica-dropped"
)

// Event is one change. Node is the node concerned (the replica for link
// events), Peer the other end; Alert is set for alert events. Source is
// "poll" for changes found by Diff, "node" for an embedded node's own
// event feed.
type Event struct {
	Time   time.Time
	Kind   EventKind
	Node   NodeID
	Addr   string
	Peer   NodeID
	Alert  AlertName
	Detail string
	Source string
}

// Diff lists what changed from prev to cur, in a deterministic order
// (nodes, then links, then alerts, each in graph order). The first Graph
// is the baseline: Diff(nil, g) lists only the alerts already raised in
// g, so that a watch started in the middle of an incident logs it.
func Diff(prev, cur *Graph) []Event {
	if cur == nil {
		return nil
	}
	d := differ{prev: prev, cur: cur, at: cur.At}
	if prev != nil {
		d.nodes()
		d.links()
		d.drops()
	}
	d.alerts()
	return d.out
}

type differ struct {
	prev, cur *Graph
	at        time.Time
	out       []Event
}

func (d *differ) emit(kind EventKind, n *Node, peer NodeID, detail string) {
	d.out = append(d.out, Event{Time: d.at, Kind: kind, Node: n.ID, Addr: n.Addr, Peer: peer, Detail: detail, Source: "poll"})
}

// match finds n's counterpart in prev: same ID, else the same address.
func (d *differ) match(n *Node) *Node {
	if p := d.prev.Node(n.ID); p != nil {
		return p
	}
	return d.prev.ByAddr(n.Addr)
}

func (d *differ) nodes() {
	matched := map[NodeID]bool{}
	for _, n := range d.cur.Nodes {
		p := d.match(n)
		if p == nil {
			d.emit(EventNodeAppeared, n, "", fmt.Sprintf("%s %s", n.Role, n.Reach))
			continue
		}
		matched[p.ID] = true
		if p.RunID != "" && n.RunID != "" && p.RunID != n.RunID && n.Reach == ReachOK {
			d.emit(EventNodeRestarted, n, "", fmt.Sprintf("run_id %s → %s", shortID(p.RunID), shortID(n.RunID)))
		}
		d.nodeChanges(p, n)
		d.historyChanges(p, n)
	}
	for _, p := range d.prev.Nodes {
		if !matched[p.ID] && d.cur.Node(p.ID) == nil && d.cur.ByAddr(p.Addr) == nil {
			d.emit(EventNodeVanished, p, "", "no longer mentioned and not reachable")
		}
	}
}

func (d *differ) nodeChanges(p, n *Node) {
	if p.Reach != n.Reach {
		d.emit(EventReachChanged, n, "", fmt.Sprintf("%s → %s", p.Reach, n.Reach))
	}
	if p.Reach != ReachOK || n.Reach != ReachOK {
		return
	}
	if p.Role != n.Role {
		d.emit(EventRoleChanged, n, "", fmt.Sprintf("%s → %s", p.Role, n.Role))
	} else if p.Upstream != nil && n.Upstream != nil && p.Upstream.Addr != n.Upstream.Addr {
		d.emit(EventMasterChanged, n, d.peerAt(n.Upstream.Addr), fmt.Sprintf("%s → %s", p.Upstream.Addr, n.Upstream.Addr))
	}
}

func (d *differ) peerAt(addr string) NodeID {
	if m := d.cur.ByAddr(addr); m != nil {
		return m.ID
	}
	return NodeID(addr)
}

func (d *differ) links() {
	old := map[[2]NodeID]*Link{}
	for _, l := range d.prev.Links {
		old[[2]NodeID{l.Master, l.Replica}] = l
	}
	for _, l := range d.cur.Links {
		r := d.cur.Node(l.Replica)
		if r == nil {
			continue
		}
		ps := LinkUnknown
		if pl := old[[2]NodeID{l.Master, l.Replica}]; pl != nil {
			ps = pl.Health.State
		}
		cs := l.Health.State
		if ps == cs || cs == LinkUnknown {
			continue
		}
		m := d.cur.Node(l.Master)
		desc := fmt.Sprintf("%s → %s", m.Addr, r.Addr)
		switch {
		case cs == LinkSyncing:
			d.emit(EventFullSyncStarted, r, l.Master, desc)
		case ps == LinkSyncing && cs == LinkUp:
			d.emit(EventFullSyncFinished, r, l.Master, desc)
			d.emit(EventLinkUp, r, l.Master, desc)
		case cs == LinkUp:
			d.emit(EventLinkUp, r, l.Master, desc)
		case ps == LinkUp && (cs == LinkDown || cs == LinkConnecting):
			d.emit(EventLinkDown, r, l.Master, desc+" ("+string(cs)+")")
		}
	}
}

// NodeEvents converts an embedded node's own events into Events, naming
// nodes by their IDs in g (by address when g does not know them).
func NodeEvents(g *Graph, evs []status.Event) []Event {
	out := make([]Event, 0, len(evs))
	idOf := func(addr string) (NodeID, string) {
		if addr == "" {
			return "", ""
		}
		if n := g.ByAddr(addr); n != nil {
			return n.ID, n.Addr
		}
		return NodeID(CanonAddr(addr)), CanonAddr(addr)
	}
	for _, e := range evs {
		id, addr := idOf(e.Node)
		peerAddr := e.Peer
		if peerAddr == "" {
			peerAddr = e.Master
		}
		peer, peerName := idOf(peerAddr)
		detail := e.Reason
		if detail == "" && e.Role != "" {
			detail = "role " + e.Role
		}
		if detail == "" {
			detail = nodeEventDetail(e)
		}
		if peerName != "" && e.Kind != status.EventRoleChanged {
			detail = withPeer(peerName, detail)
		}
		out = append(out, Event{Time: e.Time, Kind: EventKind(e.Kind), Node: id, Addr: addr, Peer: peer,
			Detail: detail, Source: "node"})
	}
	return out
}

// withPeer names the other end of a link first: on a master, which
// replica an event is about; on a replica, which master.
func withPeer(peer, detail string) string {
	if detail == "" {
		return "with " + peer
	}
	return "with " + peer + " · " + detail
}

// nodeEventDetail describes the byte counts and offsets an embedded
// node's sync events carry.
func nodeEventDetail(e status.Event) string {
	switch e.Kind {
	case status.EventFullSyncStarted:
		return fmt.Sprintf("from offset %d", e.Offset)
	case status.EventFullSyncFinished:
		return fmt.Sprintf("%s of RDB at offset %d", eventBytes(e.Bytes), e.Offset)
	case status.EventPartialSyncStarted:
		return fmt.Sprintf("%s of backlog from offset %d", eventBytes(e.Bytes), e.Offset)
	case status.EventPartialSyncFinished, status.EventLinkUp, status.EventReplicaOnline:
		return fmt.Sprintf("at offset %d", e.Offset)
	}
	return ""
}

// pollKindsFromNodes are the poll-derived event kinds an embedded node
// reports itself, more precisely; Merge drops the poll copies for it.
var pollKindsFromNodes = map[EventKind]bool{
	EventRoleChanged: true, EventLinkUp: true, EventLinkDown: true,
	EventFullSyncStarted: true, EventFullSyncFinished: true,
}

// Merge combines poll-derived events with embedded nodes' own events:
// for embedded nodes the node's own link, role and sync events replace
// the poll's, and the result is ordered by time (stable).
func Merge(g *Graph, poll, fromNodes []Event) []Event {
	out := make([]Event, 0, len(poll)+len(fromNodes))
	for _, e := range poll {
		n := g.Node(e.Node)
		if n != nil && n.Embedded && pollKindsFromNodes[e.Kind] {
			continue
		}
		if n != nil && n.Embedded && e.Kind == EventReplicaDropped && !isUpstream(g, e.Node, e.Peer) {
			continue // the master's own event names the cause
		}
		out = append(out, e)
	}
	out = append(out, fromNodes...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// isUpstream reports whether peer is id's master (the event is on the
// replica's end of the link).
func isUpstream(g *Graph, id, peer NodeID) bool {
	l := g.Upstream(id)
	return l != nil && l.Master == peer
}

// eventBytes renders an event's byte count as the rest of replscope does
// (human.Bytes), "?" when the node did not report one.
func eventBytes(n int64) string {
	if n < 0 {
		return "?"
	}
	return human.Bytes(n)
}
