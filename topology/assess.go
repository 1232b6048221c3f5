package topology

import (
	"slices"
	"sort"
	"time"
)

// History bounds.
const (
	sampleKeep    = 2 * time.Minute // offset samples kept for time lag …
	maxSamples    = 64              // … at most this many
	maxSyncEvents = 64
)

// Assess computes the health of cur — node rates, link states, byte and
// time lag, heartbeat ages, backlog coverage and sizing — and its alerts,
// using prev (the Graph before it, or nil) for rates and history. It fills
// cur's Health fields and Alerts in place and is pure: no clock, no I/O.
func Assess(prev, cur *Graph, th Thresholds) {
	th = th.withDefaults()
	for _, n := range cur.Nodes {
		assessNode(prevOf(prev, cur, n), n, th)
	}
	for _, l := range cur.Links {
		assessLink(cur, l, th)
	}
	for _, n := range cur.Nodes {
		n.Health.Freshness = assessFreshness(cur, n)
		if n.Reach != ReachOK {
			continue
		}
		p := prevOf(prev, cur, n)
		trackSyncs(prev, cur, p, n)
		trackReset(prev, cur, p, n)
		maxLag := int64(0)
		for _, l := range cur.Downstream(n.ID) {
			if l.Health.LagKnown {
				maxLag = max(maxLag, l.Health.LagBytes)
			}
		}
		h := &n.Health
		h.History.Rates = addRate(h.History.Rates, n.At, h.WriteRate, th.OutageWindow)
		h.Backlog = adviseBacklog(n, peakRate(h.History.Rates, h.WriteRate), maxLag, th.OutageWindow)
	}
	for _, n := range cur.Nodes {
		if n.Reach == ReachOK {
			n.Health.History.Last = mark(n)
		}
	}
	cur.Alerts = computeAlerts(cur, th)
	cur.sortGraph()
}

// prevOf finds n in prev: by ID, else (a restart gives a new run_id) the
// node that was at n's address, unless that one is still in cur itself.
func prevOf(prev, cur *Graph, n *Node) *Node {
	if prev == nil {
		return nil
	}
	if p := prev.Node(n.ID); p != nil {
		return p
	}
	if p := prev.ByAddr(n.Addr); p != nil && p.Addr == n.Addr && cur.Node(p.ID) == nil {
		return p
	}
	return nil
}

// assessNode carries history forward and measures rates.
func assessNode(p, n *Node, th Thresholds) {
	h := &n.Health
	if p != nil {
		h.History = p.Health.History.clone()
		h.History.Samples = p.Health.History.Samples // addSample copies
	}
	if n.Reach != ReachOK {
		return
	}
	if p != nil && p.Reach == ReachOK && p.RunID == n.RunID {
		dt := n.At.Sub(p.At)
		h.ReplOutRate = rate(p.Stats.ReplOutputBytes, n.Stats.ReplOutputBytes, dt)
		h.ReplInRate = rate(p.Stats.ReplInputBytes, n.Stats.ReplInputBytes, dt)
	}
	if p != nil && p.Reach != ReachOK {
		// Unread since the last sample: how its offset moved in between
		// is unknown (a frozen node catches up at once on resume), so no
		// time lag is interpolated across the gap.
		h.History.Samples = nil
	}
	h.History.Samples = addSample(h.History.Samples, OffsetSample{At: n.At, ReplID: n.ReplID, Offset: n.Offset}, n)
	h.WriteRate = sampleRate(h.History.Samples, th.RateWindow)
}

// addSample returns ss plus s in a new slice (ss may belong to a Graph
// already handed out), dropping samples older than sampleKeep, the oldest
// beyond maxSamples, and all of them when s starts an unrelated history (a
// full sync or restart resets the offset space).
func addSample(ss []OffsetSample, s OffsetSample, n *Node) []OffsetSample {
	if len(ss) > 0 {
		last := ss[len(ss)-1]
		if last == s {
			return ss // the same reading again: a node whose next probe is still running
		}
		related := last.ReplID == s.ReplID || last.ReplID == n.ReplID2
		if !related || last.Offset > s.Offset || !last.At.Before(s.At) {
			ss = nil
		}
	}
	lo := 0
	for lo < len(ss) && (s.At.Sub(ss[lo].At) > sampleKeep || len(ss)-lo >= maxSamples) {
		lo++
	}
	out := make([]OffsetSample, 0, len(ss)-lo+1)
	return append(append(out, ss[lo:]...), s)
}

// sampleRate is the offset growth over the last window of samples, or
// zero as soon as the offset stopped moving between the last two samples:
// a rate that lingers for a window after the writes stopped misleads
// every estimate built on it.
func sampleRate(ss []OffsetSample, window time.Duration) Rate {
	if len(ss) < 2 {
		return Rate{}
	}
	last := ss[len(ss)-1]
	first := ss[len(ss)-2]
	if first.Offset == last.Offset {
		return Rate{Known: true}
	}
	for i := len(ss) - 2; i >= 0; i-- {
		if last.At.Sub(ss[i].At) > window {
			break
		}
		first = ss[i]
	}
	return rate(first.Offset, last.Offset, last.At.Sub(first.At))
}

// trackSyncs records full syncs (sync_full increments), first attaches of
// never-seen replicas, and replicas seen entering a full sync.
func trackSyncs(prev, cur *Graph, p, n *Node) {
	h := &n.Health.History
	var addrs []string
	for _, l := range n.Replicas {
		addrs = append(addrs, l.Addr)
	}
	for _, l := range cur.Downstream(n.ID) {
		if l.Health.State != LinkSyncing {
			continue
		}
		if pl := prevLink(prev, l); pl != nil && pl.Health.State == LinkSyncing {
			continue
		}
		if r := cur.Node(l.Replica); r != nil {
			h.SyncStart = append(h.SyncStart, ReplicaSync{Replica: r.Addr, At: n.At})
		}
	}
	if p != nil && p.Reach == ReachOK && p.RunID == n.RunID {
		if d := n.Stats.SyncFull - p.Stats.SyncFull; d > 0 {
			for range min(d, maxSyncEvents) {
				h.FullSyncs = append(h.FullSyncs, n.At)
			}
		}
		for _, a := range addrs {
			if _, found := slices.BinarySearch(h.Seen, a); !found {
				h.Joins = append(h.Joins, n.At)
			}
		}
	}
	h.Seen = mergeSorted(h.Seen, addrs)
	h.FullSyncs = lastN(h.FullSyncs, maxSyncEvents)
	h.Joins = lastN(h.Joins, maxSyncEvents)
	if len(h.SyncStart) > maxSyncEvents {
		h.SyncStart = h.SyncStart[len(h.SyncStart)-maxSyncEvents:]
	}
}

// clone copies the history (but Samples, which addSample copies) so that
// appending to it never writes into a Graph already handed out.
func (h History) clone() History {
	return History{
		FullSyncs: slices.Clone(h.FullSyncs),
		Joins:     slices.Clone(h.Joins),
		Seen:      slices.Clone(h.Seen),
		SyncStart: slices.Clone(h.SyncStart),
		Last:      h.Last, // replaced, never modified
		Reset:     h.Reset.clone(),
		Rates:     slices.Clone(h.Rates),
	}
}

func prevLink(prev *Graph, l *Link) *Link {
	if prev == nil {
		return nil
	}
	for _, pl := range prev.Links {
		if pl.Master == l.Master && pl.Replica == l.Replica {
			return pl
		}
	}
	return nil
}

func lastN(ts []time.Time, n int) []time.Time {
	if len(ts) > n {
		return ts[len(ts)-n:]
	}
	return ts
}

// mergeSorted returns the sorted union of a (sorted) and b, as a new slice.
func mergeSorted(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if i, found := slices.BinarySearch(out, s); !found {
			out = slices.Insert(out, i, s)
		}
	}
	return out
}

// assessLink computes one link's state, lags, heartbeats and coverage.
func assessLink(g *Graph, l *Link, th Thresholds) {
	m, r := g.Node(l.Master), g.Node(l.Replica)
	h := &l.Health
	h.AckAge, h.LastIO, h.DownFor, h.ReplicaOffset = -1, -1, -1, -1
	if l.Line != nil && l.Line.State == "online" {
		h.AckAge = l.Line.AckAge
	}
	if r != nil && r.Reach == ReachOK && !l.FromReplica {
		h.State = LinkUnknown // only the master still lists it: stale
		return
	}
	rOK := r != nil && r.Reach == ReachOK && r.Upstream != nil
	mOK := m != nil && m.Reach == ReachOK
	if rOK {
		h.LastIO, h.DownFor, h.Sync = r.Upstream.LastIO, r.Upstream.DownFor, r.Upstream.Sync
	}
	h.State = linkState(l, r, rOK, th)
	if !mOK {
		return
	}
	replid, off, from := "", int64(0), LagFrom("")
	switch {
	case h.State == LinkSyncing:
		h.Coverage = Coverage{Known: true, Reason: "full sync in progress"}
		return
	case rOK:
		replid, off, from = r.ReplID, r.Upstream.Offset, LagFromReplica
	case l.Line != nil && l.Line.State == "online":
		replid, off, from = m.ReplID, l.Line.AckOffset, LagFromAck
	default:
		return
	}
	h.Coverage = coverage(m, replid, off, m.Health.WriteRate)
	h.Coverage.Low = h.Coverage.Partial && belowFloor(h.Coverage, m.Backlog.Size, th.MarginFloor)
	if replid != m.ReplID && !(replid == m.ReplID2 && off+1 <= m.SecondOffset) {
		return // different offset spaces: no lag to compute
	}
	h.ReplicaOffset = off
	h.LagBytes, h.LagKnown, h.LagFrom = max(m.Offset-off, 0), true, from
	h.LagTime, h.LagTimeFrom, h.LagTimeKnown = timeLag(m, off, h.LagBytes)
}

// linkState summarizes a link from the replica's report when it has one,
// else from the master's slaveN line.
func linkState(l *Link, r *Node, rOK bool, th Thresholds) LinkState {
	if rOK {
		up := r.Upstream
		switch {
		case up.Sync != nil || (r.Loading && !up.LinkUp):
			return LinkSyncing
		case up.LinkUp:
			return LinkUp
		case up.DownFor >= th.LinkDownAfter:
			return LinkDown
		case up.DownFor < 0 && (up.LinkState == "connect" || up.LinkState == "none" || up.LinkState == ""):
			return LinkDown // never came up and not trying right now
		default:
			return LinkConnecting
		}
	}
	if l.Line != nil {
		switch l.Line.State {
		case "online":
			return LinkUp
		case "wait_bgsave", "send_bulk":
			return LinkSyncing
		}
	}
	return LinkUnknown
}

// timeLag estimates how old a replica at offset off is, from the master's
// offset samples: the moment the master's offset passed off, interpolated
// between the two samples around it, subtracted from the master's read
// time. When off predates every sample it falls back to lag/rate.
func timeLag(m *Node, off, lag int64) (time.Duration, LagTimeFrom, bool) {
	if lag == 0 {
		return 0, LagTimeFromHistory, true
	}
	ss := m.Health.History.Samples
	i := sort.Search(len(ss), func(i int) bool { return ss[i].Offset > off })
	if i > 0 && i < len(ss) {
		a, b := ss[i-1], ss[i]
		frac := float64(off-a.Offset) / float64(b.Offset-a.Offset)
		at := a.At.Add(time.Duration(frac * float64(b.At.Sub(a.At))))
		return max(m.At.Sub(at), 0), LagTimeFromHistory, true
	}
	if r := m.Health.WriteRate; meaningful(r) {
		return secondsDuration(float64(lag) / r.PerSec), LagTimeFromRate, true
	}
	return 0, "", false
}
