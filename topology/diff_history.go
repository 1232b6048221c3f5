package topology

import (
	"fmt"
	"strings"
)

// lastRead is a node's state at its last successful read up to prev: prev
// itself when it answered, else what its history remembers.
func lastRead(p *Node) *Mark {
	if p == nil {
		return nil
	}
	if p.Reach == ReachOK {
		return mark(p)
	}
	return p.Health.History.Last
}

// historyChanges reports what happened to n's replication history since
// its last read, even across an outage or a restart in between: a new
// replid, the offset going backwards, a full sync finished between two
// polls, and the sync counters (counted from zero after a restart).
func (d *differ) historyChanges(p, n *Node) {
	last := lastRead(p)
	if last == nil || n.Reach != ReachOK {
		return
	}
	if last.ReplID != "" && n.ReplID != "" && n.ReplID != last.ReplID {
		d.emit(EventReplIDChanged, n, "", fmt.Sprintf("replid %s → %s: %s",
			shortID(last.ReplID), shortID(n.ReplID), d.replIDCause(last, n)))
		if d.fullSyncedBetweenPolls(p, last, n) {
			m := d.cur.Node(d.cur.Upstream(n.ID).Master)
			d.emit(EventFullSyncFinished, n, m.ID, fmt.Sprintf("with %s · between polls: keys %s → %s, offset %d → %d",
				m.Addr, keysCount(last.Keys), keysCount(n.Keys), last.Offset, n.Offset))
		}
	}
	if n.Offset < last.Offset {
		d.emit(EventOffsetBackwards, n, "", fmt.Sprintf("master_repl_offset %d → %d (%d bytes back)",
			last.Offset, n.Offset, last.Offset-n.Offset))
	}
	base, since := last.Stats, ""
	if last.RunID != n.RunID {
		base, since = Stats{}, " since its restart"
	}
	full := d.replicasSyncing(n, true)
	part := d.replicasSyncing(n, false)
	for _, c := range []struct {
		kind      EventKind
		old, new  int64
		name, act string
		to        []string
	}{
		{EventSyncFull, base.SyncFull, n.Stats.SyncFull, "sync_full", "served %d full sync(s)", full},
		{EventSyncPartial, base.SyncPartialOK, n.Stats.SyncPartialOK, "sync_partial_ok", "accepted %d partial resync(s)", part},
		{EventSyncPartialErr, base.SyncPartialErr, n.Stats.SyncPartialErr, "sync_partial_err", "refused %d partial resync(s)", nil},
	} {
		if c.new <= c.old {
			continue
		}
		detail := fmt.Sprintf(c.act, c.new-c.old)
		if len(c.to) > 0 {
			detail += " to " + strings.Join(c.to, ", ")
		}
		d.emit(c.kind, n, "", detail+fmt.Sprintf("%s (%s %d → %d)", since, c.name, c.old, c.new))
	}
}

// replIDCause says why a node's replid changed.
func (d *differ) replIDCause(last *Mark, n *Node) string {
	switch {
	case n.ReplID2 == last.ReplID:
		return fmt.Sprintf("continues the old history (replid2, valid to offset %d)", n.SecondOffset)
	case last.RunID != n.RunID && n.Keys >= 0 && n.Keys < last.Keys:
		return fmt.Sprintf("restarted without its data (keys %d → %d, offset %d → %d)", last.Keys, n.Keys, last.Offset, n.Offset)
	case last.RunID != n.RunID:
		return fmt.Sprintf("restarted with a new history (offset %d → %d)", last.Offset, n.Offset)
	case n.Role == RoleReplica:
		if l := d.cur.Upstream(n.ID); l != nil {
			if m := d.cur.Node(l.Master); m != nil && m.ReplID == n.ReplID {
				return "full sync from " + m.Addr
			}
		}
		return "new history from its master"
	}
	return "new history"
}

// fullSyncedBetweenPolls reports a replica now on its master's history by
// a full sync (no replid2 link to the old one) that no poll saw running:
// the link did not show syncing in prev and does not now.
func (d *differ) fullSyncedBetweenPolls(p *Node, last *Mark, n *Node) bool {
	if n.Role != RoleReplica || n.ReplID2 == last.ReplID || n.Upstream == nil || n.Upstream.Sync != nil {
		return false
	}
	l := d.cur.Upstream(n.ID)
	if l == nil || l.Health.State != LinkUp {
		return false
	}
	m := d.cur.Node(l.Master)
	if m == nil || m.ReplID != n.ReplID {
		return false
	}
	if p != nil {
		if pl := d.prev.Upstream(p.ID); pl != nil && pl.Health.State == LinkSyncing {
			return false // links() reports the end of a sync it saw
		}
	}
	return true
}

// replicasSyncing names n's replicas that a poll caught in a full sync
// (or that came out of one since the last poll), or, with full false,
// those whose link came up again since the last poll.
func (d *differ) replicasSyncing(n *Node, full bool) []string {
	var out []string
	for _, l := range d.cur.Downstream(n.ID) {
		r := d.cur.Node(l.Replica)
		if r == nil {
			continue
		}
		pl := prevLink(d.prev, l)
		var pr *Node
		if d.prev != nil {
			pr = d.prev.Node(r.ID)
		}
		last := lastRead(pr)
		newHistory := r.Reach == ReachOK && last != nil && last.ReplID != r.ReplID && r.ReplID == n.ReplID && r.ReplID2 != last.ReplID
		wasUp := pl != nil && pl.Health.State == LinkUp && !d.reconnected(pl, l)
		switch {
		case full && (l.Health.State == LinkSyncing || newHistory):
			out = append(out, r.Addr)
		case !full && l.Health.State == LinkUp && !wasUp && !newHistory:
			out = append(out, r.Addr)
		}
	}
	return out
}

// reconnected reports whether the master's line for a replica shows a new
// connection (another client id) than before.
func (d *differ) reconnected(pl, l *Link) bool {
	return pl.Line != nil && l.Line != nil && pl.Line.ConnID != 0 && l.Line.ConnID != 0 && pl.Line.ConnID != l.Line.ConnID
}
