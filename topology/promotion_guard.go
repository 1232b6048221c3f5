package topology

import (
	"fmt"
)

// Reason is one thing the promotion guard found wrong with an operation.
// Code is a short kebab-case name (see the package documentation).
type Reason struct {
	Code    string
	Message string
}

// SyncKind predicts how a replica will sync after REPLICAOF.
type SyncKind string

// Sync predictions.
const (
	SyncPartial SyncKind = "partial" // PSYNC will be accepted: +CONTINUE, no data moved but the gap
	SyncFull    SyncKind = "full"    // the replica's dataset will be replaced by the master's
	SyncUnknown SyncKind = "unknown"
	SyncNone    SyncKind = "none" // detach: no sync
)

// Verdict is the promotion guard's judgement of one operation on one
// Graph. Allowed is true when nothing blocks it; Reasons say what blocks
// it (each can be overridden with force), Notes add what is worth knowing
// but does not block.
type Verdict struct {
	Op      string // "detach" or "attach"
	Target  NodeID
	Allowed bool
	Reasons []Reason
	Notes   []string
	Sync    SyncKind // attach: partial or full resync expected
	// Cause is why an attach will resync fully (attach, Sync full): one of
	// the FullCause values.
	Cause FullCause
}

func (v *Verdict) refuse(code, format string, args ...any) {
	v.Reasons = append(v.Reasons, Reason{Code: code, Message: fmt.Sprintf(format, args...)})
}

func (v *Verdict) note(format string, args ...any) {
	v.Notes = append(v.Notes, fmt.Sprintf(format, args...))
}

func (v Verdict) done() Verdict {
	v.Allowed = len(v.Reasons) == 0
	return v
}

// siblingSlack is how far a sibling's offset may lead before a replica
// counts as behind it: offsets of two replicas read a few milliseconds
// apart differ by the writes in between, and by the master's PINGs.
const siblingSlack = 256

// CheckDetach judges REPLICAOF NO ONE on node id: promoting it to a master
// of its own. Sentinel and operators have promoted replicas that were
// empty, still syncing or behind, and lost data (tile38#750,
// kubeblocks#10753). Refused, unless forced, when the node:
//
//   - unknown-state: could not be read (no judgement possible);
//   - syncing: is receiving or loading a full sync (its dataset is the old
//     one, or incomplete);
//   - unrelated-history: does not share its master's replid, so it never
//     finished syncing with it and holds someone else's data;
//   - empty: holds no keys while its master or a sibling holds some;
//   - behind: has a smaller offset than a sibling of the same master by
//     more than the writes in flight (the sibling's extra writes would be
//     lost, and the sibling could only follow it with a full resync);
//   - priority-zero: has replica-priority 0, the operator's "never
//     promote" mark.
func CheckDetach(g *Graph, id NodeID) Verdict {
	v := Verdict{Op: "detach", Target: id, Sync: SyncNone}
	n := g.Node(id)
	if n == nil || n.Reach != ReachOK {
		v.refuse("unknown-state", "%s cannot be read, so the guard cannot judge it", nodeName(n, id))
		return v.done()
	}
	if n.Role != RoleReplica || n.Upstream == nil {
		v.note("%s is already a master: REPLICAOF NO ONE changes nothing", n.Addr)
		return v.done()
	}
	up := n.Upstream
	if up.Sync != nil || n.Loading {
		v.refuse("syncing", "%s is in the middle of a full sync: its dataset is old or incomplete", n.Addr)
	}
	if up.Priority == 0 {
		v.refuse("priority-zero", "%s has replica-priority 0 (marked never to be promoted)", n.Addr)
	}
	var m *Node
	if l := g.Upstream(id); l != nil {
		m = g.Node(l.Master)
	}
	if m != nil && m.Reach == ReachOK && !sameHistory(n.ReplID, n.Offset, m) {
		v.refuse("unrelated-history", "%s has replid %s but its master %s has %s: it never finished syncing with it",
			n.Addr, shortID(n.ReplID), m.Addr, shortID(m.ReplID))
	}
	sibs := siblings(g, n)
	if n.Keys == 0 {
		if m != nil && m.Reach == ReachOK && m.Keys > 0 {
			v.refuse("empty", "%s holds no keys while its master %s holds %d", n.Addr, m.Addr, m.Keys)
		} else if s := fullest(sibs); s != nil && s.Keys > 0 {
			v.refuse("empty", "%s holds no keys while its sibling %s holds %d", n.Addr, s.Addr, s.Keys)
		}
	}
	for _, s := range sibs {
		if s.ReplID != n.ReplID {
			continue
		}
		slack := int64(siblingSlack)
		if m != nil && m.Health.WriteRate.Known {
			slack += int64(m.Health.WriteRate.PerSec) // up to a second of writes in flight
		}
		if s.Offset-n.Offset > slack {
			v.refuse("behind", "%s is at offset %d, %d bytes behind its sibling %s (%d): those writes would be lost",
				n.Addr, n.Offset, s.Offset-n.Offset, s.Addr, s.Offset)
			break
		}
	}
	if m != nil && m.Reach == ReachOK {
		v.note("its master %s is still up: the two will take writes independently", m.Addr)
	}
	return v.done()
}

// CheckAttach judges REPLICAOF host port on node id, with masterAddr the
// node it should follow. It predicts the sync (partial when the master's
// history and backlog cover the node's replid and offset+1, else full) and
// refuses, unless forced, when:
//
//   - unknown-state: the node or the new master cannot be read, or the
//     master is not in the graph;
//   - self / cycle: the new master is the node itself or one of its own
//     replicas (directly or down a chain);
//   - empty-master: a full sync from a master with no keys would wipe the
//     node's keys (an empty restarted master has wiped whole fleets);
//   - discards-data: the node has keys of an unrelated history that a full
//     sync would throw away;
//   - ahead: the node is further along the same history than the new
//     master, or took writes after the new master was promoted from it
//     (the old master of a failover): a full sync throws them away.
func CheckAttach(g *Graph, id NodeID, masterAddr string) Verdict {
	v := Verdict{Op: "attach", Target: id, Sync: SyncUnknown}
	n := g.Node(id)
	m := g.ByAddr(masterAddr)
	switch {
	case n == nil || n.Reach != ReachOK:
		v.refuse("unknown-state", "%s cannot be read, so the guard cannot judge it", nodeName(n, id))
		return v.done()
	case m == nil:
		v.refuse("unknown-state", "%s is not in the topology: the guard cannot judge it", CanonAddr(masterAddr))
		return v.done()
	case m.ID == n.ID:
		v.refuse("self", "%s cannot replicate from itself", n.Addr)
		return v.done()
	case isAncestor(g, n.ID, m.ID):
		v.refuse("cycle", "%s replicates (directly or down a chain) from %s: attaching would make a cycle", m.Addr, n.Addr)
		return v.done()
	case m.Reach != ReachOK:
		v.refuse("unknown-state", "%s cannot be read, so the guard cannot judge it", m.Addr)
		return v.done()
	}
	if n.Upstream != nil && n.Upstream.Addr == m.Addr || n.Upstream != nil && contains(m.Aliases, n.Upstream.Addr) {
		v.note("%s already follows %s", n.Addr, m.Addr)
	}
	v.Sync = SyncFull
	cause, why := resyncCause(n, m)
	if cause == "" {
		v.Sync = SyncPartial
	}
	v.Cause = cause
	related := dataRelated(n, m)
	if m.Role == RoleReplica {
		v.note("%s is itself a replica: %s will hang below it in a chain", m.Addr, n.Addr)
	}
	if v.Sync == SyncPartial {
		return v.done()
	}
	switch {
	case n.ReplID == m.ReplID && n.Offset > m.Offset:
		v.refuse("ahead", "%s is at offset %d, %d bytes ahead of %s on the same history: a full sync discards those writes",
			n.Addr, n.Offset, n.Offset-m.Offset, m.Addr)
	case n.ReplID == m.ReplID2 && m.SecondOffset >= 0 && n.Offset+1 > m.SecondOffset:
		v.refuse("ahead", "%s took %d bytes of writes after %s was promoted (second_repl_offset %d): a full sync discards them",
			n.Addr, n.Offset+1-m.SecondOffset, m.Addr, m.SecondOffset)
	case n.Keys > 0 && m.Keys == 0:
		v.refuse("empty-master", "%s holds no keys: a full sync would replace the %d keys of %s with nothing", m.Addr, n.Keys, n.Addr)
	case n.Keys > 0 && !related:
		v.refuse("discards-data", "%s has %d keys of another history (replid %s): a full sync replaces them with %s's %s",
			n.Addr, n.Keys, shortID(n.ReplID), m.Addr, keysStr(m.Keys))
	}
	v.note("expect a full resync: %s", why)
	return v.done()
}

// sameHistory reports whether a node with (replid, offset) belongs to m's
// history: same replid, or m's previous one up to second_repl_offset.
func sameHistory(replid string, off int64, m *Node) bool {
	return replid != "" && (replid == m.ReplID || (replid == m.ReplID2 && m.SecondOffset >= 0 && off+1 <= m.SecondOffset))
}

// dataRelated reports whether n's data is m's history up to n's offset:
// n is on m's history, or n was promoted from it (its replid2) and took no
// writes since (offset still below second_repl_offset). A full sync then
// replaces nothing n alone had, even though Redis will not resync it
// partially (n asks with its new replid).
func dataRelated(n, m *Node) bool {
	if sameHistory(n.ReplID, n.Offset, m) {
		return true
	}
	return n.SecondOffset > 0 && n.Offset < n.SecondOffset && sameHistory(n.ReplID2, n.SecondOffset-1, m)
}

// siblings returns the readable replicas of n's master, n excluded.
func siblings(g *Graph, n *Node) []*Node {
	up := g.Upstream(n.ID)
	if up == nil {
		return nil
	}
	var out []*Node
	for _, l := range g.Downstream(up.Master) {
		if l.Replica == n.ID {
			continue
		}
		if s := g.Node(l.Replica); s != nil && s.Reach == ReachOK && s.Role == RoleReplica {
			out = append(out, s)
		}
	}
	return out
}

func fullest(ns []*Node) *Node {
	var best *Node
	for _, s := range ns {
		if best == nil || s.Keys > best.Keys {
			best = s
		}
	}
	return best
}

// isAncestor reports whether anc is id's master, or its master's master…
// (following each replica's own claim).
func isAncestor(g *Graph, anc, id NodeID) bool {
	seen := map[NodeID]bool{}
	for cur := id; !seen[cur]; {
		seen[cur] = true
		l := g.Upstream(cur)
		if l == nil {
			return false
		}
		if l.Master == anc {
			return true
		}
		cur = l.Master
	}
	return false
}

func nodeName(n *Node, id NodeID) string {
	if n != nil {
		return n.Addr
	}
	return string(id)
}

func keysStr(k int64) string {
	if k < 0 {
		return "unknown dataset"
	}
	return fmt.Sprintf("%d keys", k)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
