package topology

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/human"
)

// AlertName is the short kebab-case name of an alert kind, as scenario
// scripts write it ("expect b alert link-down"). The table in the package
// documentation says when each fires.
type AlertName string

// The alerts Assess raises.
const (
	AlertUnreachable      AlertName = "unreachable"
	AlertAuthFailed       AlertName = "auth-failed"
	AlertLinkDown         AlertName = "link-down"
	AlertLagBytes         AlertName = "lag-bytes"
	AlertLagSeconds       AlertName = "lag-seconds"
	AlertHeartbeat        AlertName = "heartbeat"
	AlertFullResyncLoop   AlertName = "full-resync-loop"
	AlertOutputBuffer     AlertName = "output-buffer"
	AlertBacklogTooSmall  AlertName = "backlog-too-small"
	AlertReplicationCycle AlertName = "replication-cycle"
	AlertSharedReplID     AlertName = "shared-replid"
	AlertMasterReset      AlertName = "master-reset"
	AlertSplitHistory     AlertName = "split-history"
)

// AlertNames lists every alert name, in documentation order.
var AlertNames = []AlertName{
	AlertUnreachable, AlertAuthFailed, AlertLinkDown, AlertLagBytes, AlertLagSeconds,
	AlertHeartbeat, AlertFullResyncLoop, AlertOutputBuffer, AlertBacklogTooSmall,
	AlertReplicationCycle, AlertSharedReplID, AlertMasterReset, AlertSplitHistory,
	AlertSlotsUncovered, AlertClusterFail, AlertNoReplica, AlertOneHost, AlertEmptyMaster,
}

// Severity ranks alerts.
type Severity string

// Severities.
const (
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Alert is one condition that needs attention. Node is the node it is
// raised on (the replica, for link alerts); Peer the other end when there
// is one (the master of a link). Value and Limit are the measured figure
// and the threshold it crossed, in the alert's unit (bytes, seconds,
// ratio, count).
type Alert struct {
	Name     AlertName
	Node     NodeID
	Peer     NodeID
	Severity Severity
	Message  string
	Value    float64
	Limit    float64
}

// Thresholds tune health and alerts. Zero fields take the defaults of
// DefaultThresholds.
type Thresholds struct {
	LagBytes       int64         // lag-bytes above this many bytes (default 1 MiB)
	LagTime        time.Duration // lag-seconds above this (default 10 s)
	Heartbeat      time.Duration // heartbeat: last master I/O or last ACK older than this (default 30 s)
	LinkDownAfter  time.Duration // a link reported down this long counts as down (default 2 s)
	OutputBuffer   float64       // output-buffer at this fraction of the limit (default 0.6)
	FullSyncLoop   int           // full-resync-loop at this many full syncs (default 3) …
	FullSyncWindow time.Duration // … within this window (default 10 min)
	OutageWindow   time.Duration // backlog-too-small: outage the backlog must survive (default 60 s)
	RateWindow     time.Duration // write rates are averaged over this window (default 10 s)
	MarginFloor    time.Duration // a backlog margin under this many seconds of writes is low (default 10 s)
}

// DefaultThresholds returns the default thresholds.
func DefaultThresholds() Thresholds {
	return Thresholds{
		LagBytes: 1 << 20, LagTime: 10 * time.Second, Heartbeat: 30 * time.Second,
		LinkDownAfter: 2 * time.Second, OutputBuffer: 0.6,
		FullSyncLoop: 3, FullSyncWindow: 10 * time.Minute,
		OutageWindow: 60 * time.Second, RateWindow: 10 * time.Second, MarginFloor: 10 * time.Second,
	}
}

func (t Thresholds) withDefaults() Thresholds {
	d := DefaultThresholds()
	if t.LagBytes <= 0 {
		t.LagBytes = d.LagBytes
	}
	if t.LagTime <= 0 {
		t.LagTime = d.LagTime
	}
	if t.Heartbeat <= 0 {
		t.Heartbeat = d.Heartbeat
	}
	if t.LinkDownAfter <= 0 {
		t.LinkDownAfter = d.LinkDownAfter
	}
	if t.OutputBuffer <= 0 {
		t.OutputBuffer = d.OutputBuffer
	}
	if t.FullSyncLoop <= 0 {
		t.FullSyncLoop = d.FullSyncLoop
	}
	if t.FullSyncWindow <= 0 {
		t.FullSyncWindow = d.FullSyncWindow
	}
	if t.OutageWindow <= 0 {
		t.OutageWindow = d.OutageWindow
	}
	if t.RateWindow <= 0 {
		t.RateWindow = d.RateWindow
	}
	if t.MarginFloor <= 0 {
		t.MarginFloor = d.MarginFloor
	}
	return t
}

// computeAlerts derives every alert from an assessed Graph.
func computeAlerts(g *Graph, th Thresholds) []Alert {
	var out []Alert
	add := func(a Alert) { out = append(out, a) }
	for _, n := range g.Nodes {
		nodeAlerts(g, n, th, add)
	}
	for _, l := range g.Links {
		linkAlerts(g, l, th, add)
	}
	for _, n := range g.Nodes {
		freshnessAlerts(g, n, th, add)
		if n.Reach == ReachOK {
			masterResetAlert(g, n, th, add)
		}
	}
	cycleAlerts(g, add)
	sharedReplIDAlerts(g, add)
	splitHistoryAlerts(g, add)
	clusterAlerts(g, add)
	return out
}

func nodeAlerts(g *Graph, n *Node, th Thresholds, add func(Alert)) {
	switch n.Reach {
	case ReachUnreachable, ReachError:
		add(Alert{Name: AlertUnreachable, Node: n.ID, Severity: Critical, Message: withAddr(n.Addr, n.Error)})
		return
	case ReachAuthFailed:
		add(Alert{Name: AlertAuthFailed, Node: n.ID, Severity: Critical, Message: withAddr(n.Addr, n.Error)})
		return
	case ReachUnprobed:
		return
	}
	h := &n.Health
	if b := h.Backlog; b.Known && !b.Enough && len(g.Downstream(n.ID)) > 0 {
		msg := fmt.Sprintf("repl-backlog-size %s survives a %s outage at %s/s; %s needs %s: CONFIG SET repl-backlog-size %s",
			FormatBytes(b.Size), shortDur(b.Holds), human.Bytes(int64(b.WriteRate)),
			shortDur(b.Outage), human.Bytes(b.Needed), FormatBytes(b.Recommended))
		if !b.HoldsKnown {
			msg = fmt.Sprintf("repl-backlog-size %s does not hold the largest replica lag %s: CONFIG SET repl-backlog-size %s",
				FormatBytes(b.Size), human.Bytes(b.MaxLag), FormatBytes(b.Recommended))
		}
		add(Alert{Name: AlertBacklogTooSmall, Node: n.ID, Severity: Warning, Message: msg,
			Value: float64(b.Size), Limit: float64(b.Needed)})
	}
	if excess, newJoins := loopCount(h.History, n.At, th.FullSyncWindow); excess >= th.FullSyncLoop {
		msg := fmt.Sprintf("%d full syncs in the last %s beyond %d first attaches (sync_full %d): a replica keeps failing to stay in sync",
			excess+newJoins, shortDur(th.FullSyncWindow), newJoins, n.Stats.SyncFull)
		add(Alert{Name: AlertFullResyncLoop, Node: n.ID, Severity: Critical, Message: msg,
			Value: float64(excess), Limit: float64(th.FullSyncLoop)})
	}
}

// withAddr prefixes msg with addr unless it names it already.
func withAddr(addr, msg string) string {
	if strings.Contains(msg, addr) {
		return msg
	}
	return addr + ": " + msg
}

// loopCount returns the full syncs within the window that first attaches
// of new replicas do not explain, and the number of those attaches.
func loopCount(h History, now time.Time, window time.Duration) (excess, joins int) {
	syncs := countSince(h.FullSyncs, now.Add(-window))
	joins = countSince(h.Joins, now.Add(-window))
	return max(syncs-joins, 0), joins
}

func countSince(ts []time.Time, since time.Time) int {
	n := 0
	for _, t := range ts {
		if !t.Before(since) {
			n++
		}
	}
	return n
}

func linkAlerts(g *Graph, l *Link, th Thresholds, add func(Alert)) {
	h := &l.Health
	m, r := g.Node(l.Master), g.Node(l.Replica)
	if m == nil || r == nil {
		return
	}
	base := Alert{Node: l.Replica, Peer: l.Master}
	a := base
	switch {
	case h.State == LinkDown:
		a.Name, a.Severity = AlertLinkDown, Critical
		a.Message = fmt.Sprintf("link %s → %s is down", m.Addr, r.Addr)
		if h.DownFor > 0 {
			a.Message += " for " + shortDur(h.DownFor)
			a.Value = h.DownFor.Seconds()
		}
		add(a)
	case h.State == LinkUp && (h.LastIO > th.Heartbeat || h.AckAge > th.Heartbeat):
		age := max(h.LastIO, h.AckAge)
		a.Name, a.Severity = AlertHeartbeat, Warning
		a.Message = fmt.Sprintf("no traffic on %s → %s for %s (last master I/O %s, last ACK %s)",
			m.Addr, r.Addr, shortDur(age), ageStr(h.LastIO), ageStr(h.AckAge))
		a.Value, a.Limit = age.Seconds(), th.Heartbeat.Seconds()
		add(a)
	}
	if h.LagKnown && h.LagBytes > th.LagBytes {
		a = base
		a.Name, a.Severity = AlertLagBytes, Warning
		a.Message = fmt.Sprintf("%s behind %s by %s (%s)", r.Addr, m.Addr, human.Bytes(h.LagBytes), h.LagFrom)
		a.Value, a.Limit = float64(h.LagBytes), float64(th.LagBytes)
		add(a)
	}
	if h.LagTimeKnown && h.LagTime > th.LagTime {
		a = base
		a.Name, a.Severity = AlertLagSeconds, Warning
		a.Message = fmt.Sprintf("%s's data is about %s old (estimated from %s)", r.Addr, shortDur(h.LagTime), h.LagTimeFrom)
		a.Value, a.Limit = h.LagTime.Seconds(), th.LagTime.Seconds()
		add(a)
	}
	outputBufferAlert(m, l, th, base, add)
	if n := countReplicaSyncs(m.Health.History, r.Addr, r.At.Add(-th.FullSyncWindow)); n >= th.FullSyncLoop {
		a = base
		a.Name, a.Severity = AlertFullResyncLoop, Critical
		a.Message = fmt.Sprintf("%s entered a full sync %d times in the last %s", r.Addr, n, shortDur(th.FullSyncWindow))
		a.Value, a.Limit = float64(n), float64(th.FullSyncLoop)
		add(a)
	}
}

func countReplicaSyncs(h History, replica string, since time.Time) int {
	n := 0
	for _, s := range h.SyncStart {
		if s.Replica == replica && !s.At.Before(since) {
			n++
		}
	}
	return n
}

// outputBufferAlert fires when the replica's pending output on its master
// reaches th.OutputBuffer of the smaller non-zero limit: the hard limit
// drops the replica at once, the soft one after soft-seconds, and the
// dropped replica comes back for a full sync — the resync loop.
func outputBufferAlert(m *Node, l *Link, th Thresholds, base Alert, add func(Alert)) {
	if l.Line == nil || l.Line.Pending < 0 || !m.Limits.Known {
		return
	}
	lim, kind := m.Limits.OutputHard, "hard"
	if s := m.Limits.OutputSoft; s > 0 && (lim == 0 || s < lim) {
		lim, kind = s, fmt.Sprintf("soft (%ds)", m.Limits.OutputSoftSeconds)
	}
	if lim <= 0 {
		return
	}
	ratio := float64(l.Line.Pending) / float64(lim)
	if ratio < th.OutputBuffer {
		return
	}
	a := base
	a.Name, a.Severity = AlertOutputBuffer, Warning
	if ratio >= 1 {
		a.Severity = Critical
	}
	a.Message = fmt.Sprintf("output buffer for %s on %s is %s, %.0f%% of the %s limit %s",
		l.Line.Addr, m.Addr, human.Bytes(l.Line.Pending), ratio*100, kind, FormatBytes(lim))
	a.Value, a.Limit = ratio, th.OutputBuffer
	add(a)
}

// cycleAlerts raises replication-cycle on every node of a cycle of
// replica→master links.
func cycleAlerts(g *Graph, add func(Alert)) {
	for _, cyc := range findCycles(g) {
		path := ""
		for i, id := range cyc {
			if i > 0 {
				path += " → "
			}
			path += g.Node(id).Addr
		}
		path += " → " + g.Node(cyc[0]).Addr
		for i, id := range cyc {
			add(Alert{Name: AlertReplicationCycle, Node: id, Peer: cyc[(i+1)%len(cyc)], Severity: Critical,
				Message: "replication cycle: " + path})
		}
	}
}

// sharedReplIDAlerts raises shared-replid on masters that share a replid:
// two masters of one history accept writes that will conflict.
func sharedReplIDAlerts(g *Graph, add func(Alert)) {
	by := map[string][]*Node{}
	for _, n := range g.Nodes {
		if n.Reach == ReachOK && n.Role == RoleMaster && n.ReplID != "" {
			by[n.ReplID] = append(by[n.ReplID], n)
		}
	}
	for id, ns := range by {
		if len(ns) < 2 {
			continue
		}
		sort.Slice(ns, func(i, j int) bool { return addrLess(ns[i].Addr, ns[j].Addr) })
		addrs := make([]string, len(ns))
		for i, n := range ns {
			addrs[i] = n.Addr
		}
		// One message for the whole group: the log shows it once.
		msg := fmt.Sprintf("%d masters share replid %s: %s", len(ns), shortID(id), strings.Join(addrs, ", "))
		for i, n := range ns {
			peer := ns[(i+1)%len(ns)]
			add(Alert{Name: AlertSharedReplID, Node: n.ID, Peer: peer.ID, Severity: Critical,
				Message: msg, Value: float64(len(ns))})
		}
	}
}

// sortAlerts orders alerts by node address, name and peer.
func sortAlerts(as []Alert, addrOf func(NodeID) string) {
	sort.SliceStable(as, func(i, j int) bool {
		a, b := as[i], as[j]
		if a.Node != b.Node {
			return addrLess(addrOf(a.Node), addrOf(b.Node))
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return addrLess(addrOf(a.Peer), addrOf(b.Peer))
	})
}

// shortDur renders a duration compactly: "850ms", "12s", "3m20s".
func shortDur(d time.Duration) string {
	switch {
	case d < 0:
		return "?"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	case d >= 1<<62:
		return "∞"
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int64(d/(24*time.Hour)))
	default:
		return d.Round(time.Second).String()
	}
}

func ageStr(d time.Duration) string {
	if d < 0 {
		return "unknown"
	}
	return shortDur(d) + " ago"
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
