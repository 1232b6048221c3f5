package topology

import (
	"fmt"
	"time"

	"github.com/replscope/replscope/internal/human"
)

// drops reports replica-dropped, on both ends, for each link that was up
// in prev and that the master or the replica shows dropped now: the
// master no longer lists the replica, lists it again in a full sync, or
// under a new connection (CLIENT LIST id); or the replica reports its
// link to the same master no longer up. A replica that moved to another
// master, was promoted or restarted, and a master that restarted, are
// reported by their own events instead.
//
// Redis 7.0.15 says little about why: the cause is read from what the
// polls saw (see dropCause).
func (d *differ) drops() {
	for _, pl := range d.prev.Links {
		if pl.Health.State != LinkUp {
			continue
		}
		pm, pr := d.prev.Node(pl.Master), d.prev.Node(pl.Replica)
		if pm == nil || pr == nil {
			continue
		}
		cm, cr := d.matchCur(pm), d.matchCur(pr)
		if cm == nil || cr == nil || cm.Reach != ReachOK || !sameProcess(pm, cm) || !sameProcess(pr, cr) {
			continue // a master that stopped answering: link-down and unreachable say it
		}
		if cr.Reach == ReachOK && (cr.Upstream == nil || !sameAddr(cm, cr.Upstream.Addr)) {
			continue // promoted or moved: role-changed / master-changed say so
		}
		if !d.masterDropped(pl, cm, pr) && !replicaDropped(cr) {
			continue
		}
		cause := d.dropCause(pl, pm, cm, pr, cr)
		d.out = append(d.out,
			Event{Time: d.at, Kind: EventReplicaDropped, Node: cm.ID, Addr: cm.Addr, Peer: cr.ID,
				Detail: withPeer(cr.Addr, cause), Source: "poll"},
			Event{Time: d.at, Kind: EventReplicaDropped, Node: cr.ID, Addr: cr.Addr, Peer: cm.ID,
				Detail: fmt.Sprintf("by %s · %s", cm.Addr, cause), Source: "poll"})
	}
}

// matchCur finds prev's node p in cur: same ID, else the same address.
func (d *differ) matchCur(p *Node) *Node {
	if n := d.cur.Node(p.ID); n != nil {
		return n
	}
	return d.cur.ByAddr(p.Addr)
}

// sameProcess reports whether cur is the process p was (no restart seen).
func sameProcess(p, cur *Node) bool {
	if cur.Reach != ReachOK {
		return true
	}
	if last := lastRead(p); last != nil {
		return cur.RunID == last.RunID
	}
	return p.RunID == "" || p.RunID == cur.RunID
}

func sameAddr(n *Node, addr string) bool {
	return n.Addr == addr || contains(n.Aliases, addr)
}

// masterDropped reports whether the master, read now, shows the replica's
// connection gone or replaced.
func (d *differ) masterDropped(pl *Link, cm, pr *Node) bool {
	if cm.Reach != ReachOK || pl.Line == nil {
		return false
	}
	for _, line := range cm.Replicas {
		if line.Addr != pl.Line.Addr && !sameAddr(pr, line.Addr) {
			continue
		}
		changed := pl.Line.ConnID != 0 && line.ConnID != 0 && line.ConnID != pl.Line.ConnID
		return changed || line.State != "online"
	}
	return true // no longer listed
}

// replicaDropped reports whether the replica, read now, says its link is
// not up.
func replicaDropped(cr *Node) bool {
	return cr.Reach == ReachOK && cr.Upstream != nil && !cr.Upstream.LinkUp
}

// dropCause explains a drop from what the polls saw, best evidence first:
//
//   - output-buffer limit: the master's client_output_buffer_limit_disconnections
//     rose (Redis 7.2+, replscope nodes); or, on Redis 7.0 which has no such
//     counter, the replica's last seen omem was near the limit, or the
//     master had written more past the replica's last known offset than the
//     limit holds while the replica was not reading, or the replica lagged by
//     more than the limit (what it lacks is, but for socket buffers, what
//     waits in its output buffer);
//   - timeout: no ACK for repl-timeout (CONFIG GET repl-timeout);
//   - the replica stopped answering (a frozen process: timeout or killed);
//   - connection closed: CLIENT KILL or the network, both nodes answering.
func (d *differ) dropCause(pl *Link, pm, cm, pr, cr *Node) string {
	lim := pm.Limits
	if !lim.Known {
		lim = cm.Limits
	}
	limText := ""
	if lim.Known {
		limText = fmt.Sprintf("client-output-buffer-limit replica %s %s %d", FormatBytes(lim.OutputHard),
			FormatBytes(lim.OutputSoft), lim.OutputSoftSeconds)
	}
	smallest := lim.OutputHard
	if lim.OutputSoft > 0 && (smallest == 0 || lim.OutputSoft < smallest) {
		smallest = lim.OutputSoft
	}
	pending := int64(-1)
	if pl.Line != nil {
		pending = pl.Line.Pending
	}
	lastOff := pl.Health.ReplicaOffset
	if last := lastRead(pr); lastOff < 0 && last != nil {
		lastOff = last.Offset // the replica's own offset when it last answered
	}
	if pm.Reach == ReachOK && cm.Reach == ReachOK && cm.Stats.CobDisconnects > pm.Stats.CobDisconnects {
		return "output-buffer limit (" + bufferKind(lim) + "; client_output_buffer_limit_disconnections " +
			fmt.Sprintf("%d → %d)", pm.Stats.CobDisconnects, cm.Stats.CobDisconnects)
	}
	if lim.Known && smallest > 0 && pending >= smallest*6/10 {
		return fmt.Sprintf("output-buffer limit, most likely (%s; last seen omem %s)", bufferKind(lim), human.Bytes(pending))
	}
	frozen := pr.Reach != ReachOK || cr.Reach != ReachOK
	if lim.Known && smallest > 0 && lastOff >= 0 && cm.Reach == ReachOK && frozen && cm.Offset-lastOff > smallest {
		return fmt.Sprintf("output-buffer limit, most likely (%s; the master wrote %s past the replica's offset %d while it was not answering)",
			limText, human.Bytes(cm.Offset-lastOff), lastOff)
	}
	if lim.Known && smallest > 0 && pl.Health.LagKnown && pl.Health.LagBytes > smallest {
		return fmt.Sprintf("output-buffer limit, most likely (%s; the replica was %s behind when last seen)",
			limText, human.Bytes(pl.Health.LagBytes))
	}
	ack := pl.Health.AckAge
	if to := lim.ReplTimeout; to > 0 && ack >= 0 && ack+d.cur.At.Sub(d.prev.At) >= to-time.Second {
		return fmt.Sprintf("timeout (no ACK for %s; repl-timeout %s)", shortDur(ack+d.cur.At.Sub(d.prev.At)), shortDur(to))
	}
	if frozen {
		return "the replica stopped answering (timeout or killed)"
	}
	return "connection closed (CLIENT KILL or the network)"
}

// bufferKind names the limit that fired when only one is set; with both,
// nothing Redis 7.0 reports tells which.
func bufferKind(lim Limits) string {
	switch {
	case !lim.Known:
		return "limit unknown"
	case lim.OutputSoft == 0:
		return "hard limit " + FormatBytes(lim.OutputHard)
	case lim.OutputHard == 0:
		return fmt.Sprintf("soft limit %s for %ds", FormatBytes(lim.OutputSoft), lim.OutputSoftSeconds)
	}
	return fmt.Sprintf("hard limit %s or soft limit %s for %ds", FormatBytes(lim.OutputHard), FormatBytes(lim.OutputSoft), lim.OutputSoftSeconds)
}
