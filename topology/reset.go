package topology

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MasterReset records a node that came back with a new replication
// history at a lower offset than it had (typically a master restarted
// without its RDB), and what became of the replicas that followed it: a
// replica that then full-syncs from it replaces its data with the
// master's, usually nothing.
type MasterReset struct {
	At        time.Time
	RunID     string // the process that came back
	Restarted bool   // the run_id changed too
	OldReplID string
	NewReplID string
	OldOffset int64
	NewOffset int64
	Replicas  []ResetReplica
}

// ResetReplica is one replica of a reset master: its keys before, and
// after it full-synced from the new history.
type ResetReplica struct {
	Addr       string
	KeysBefore int64 // -1 when unknown
	KeysAfter  int64 // -1 until Synced
	Synced     bool  // now on the master's new history
}

func (r *MasterReset) clone() *MasterReset {
	if r == nil {
		return nil
	}
	cp := *r
	cp.Replicas = slices.Clone(r.Replicas)
	return &cp
}

// isReset reports whether n, read now, lost the history it had at last:
// a new replid that does not continue the old one (the old one is not its
// replid2), at a lower offset or after a restart. (A Redis restarted with
// its RDB keeps its replid and offset: no reset.)
func isReset(last *Mark, n *Node) bool {
	return last != nil && last.ReplID != "" && n.ReplID != "" && n.ReplID != last.ReplID &&
		n.ReplID2 != last.ReplID && (n.Offset < last.Offset || n.RunID != last.RunID)
}

// trackReset notices a reset of n (compared with its last read) and
// follows the replicas that were attached to it before: their keys then,
// and their keys once they are on its new history.
func trackReset(prev, cur *Graph, p, n *Node) {
	h := &n.Health.History
	if isReset(h.Last, n) && n.Role == RoleMaster {
		r := &MasterReset{At: n.At, RunID: n.RunID, Restarted: h.Last.RunID != n.RunID,
			OldReplID: h.Last.ReplID, NewReplID: n.ReplID, OldOffset: h.Last.Offset, NewOffset: n.Offset}
		if p != nil {
			for _, l := range prev.Downstream(p.ID) {
				rep := prev.Node(l.Replica)
				if rep == nil || rep.Reach == ReachUnprobed {
					continue
				}
				before := int64(-1)
				if rep.Reach == ReachOK {
					before = rep.Keys
				}
				r.Replicas = append(r.Replicas, ResetReplica{Addr: rep.Addr, KeysBefore: before, KeysAfter: -1})
			}
		}
		h.Reset = r
	}
	if h.Reset == nil {
		return
	}
	if r := h.Reset; r.RunID == n.RunID && n.ReplID != r.NewReplID && n.ReplID2 != r.NewReplID {
		// Redis takes yet another replid when it creates its backlog for
		// the first replica after the restart.
		r.NewReplID = n.ReplID
	}
	for i := range h.Reset.Replicas {
		rr := &h.Reset.Replicas[i]
		rep := cur.ByAddr(rr.Addr)
		if rr.Synced || rep == nil || rep.Reach != ReachOK {
			continue
		}
		if rep.ReplID == n.ReplID && rep.Upstream != nil && rep.Upstream.Sync == nil && !rep.Loading {
			rr.Synced, rr.KeysAfter = true, rep.Keys
		}
	}
}

// masterResetAlert raises master-reset while a reset seen within the
// window has replicas that followed, or still follow, the node.
func masterResetAlert(g *Graph, n *Node, th Thresholds, add func(Alert)) {
	r := n.Health.History.Reset
	if r == nil || n.At.Sub(r.At) > th.FullSyncWindow || len(r.Replicas) == 0 {
		return
	}
	var synced, pending []string
	for _, rr := range r.Replicas {
		switch {
		case rr.Synced:
			synced = append(synced, fmt.Sprintf("%s keys %s → %d", rr.Addr, keysCount(rr.KeysBefore), rr.KeysAfter))
		case followsNow(g, rr.Addr, n):
			pending = append(pending, fmt.Sprintf("%s (%s keys)", rr.Addr, keysCount(rr.KeysBefore)))
		}
	}
	if len(synced) == 0 && len(pending) == 0 {
		return
	}
	how := "came back"
	if r.Restarted {
		how = "restarted"
	}
	msg := fmt.Sprintf("%s %s with a new history (replid %s → %s) at offset %d, was %d",
		n.Addr, how, shortID(r.OldReplID), shortID(r.NewReplID), r.NewOffset, r.OldOffset)
	if len(synced) > 0 {
		msg += "; replicas full-synced from it: " + strings.Join(synced, ", ")
	}
	if len(pending) > 0 {
		msg += "; about to full-sync from it: " + strings.Join(pending, ", ")
	}
	add(Alert{Name: AlertMasterReset, Node: n.ID, Severity: Critical, Message: msg,
		Value: float64(len(synced)), Limit: float64(len(r.Replicas))})
}

// followsNow reports whether the node at addr names n as its master.
func followsNow(g *Graph, addr string, n *Node) bool {
	rep := g.ByAddr(addr)
	if rep == nil || rep.Reach != ReachOK {
		return false
	}
	l := g.Upstream(rep.ID)
	return l != nil && l.Master == n.ID
}

func keysCount(k int64) string {
	if k < 0 {
		return "?"
	}
	return fmt.Sprint(k)
}

// mark is n's identity and position now.
func mark(n *Node) *Mark {
	return &Mark{At: n.At, RunID: n.RunID, Role: n.Role, ReplID: n.ReplID, Offset: n.Offset, Keys: n.Keys, Stats: n.Stats}
}
