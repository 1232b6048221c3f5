package tui

import (
	"fmt"
	"strings"

	"github.com/replscope/replscope/topology"
)

// backlog draws the backlog fill gauge (histlen of size), its offset
// range, which replicas it still covers (could resync partially if their
// link dropped now) and the sizing advice.
func (d *detailsPane) backlog(g *topology.Graph, n *topology.Node, w int) []string {
	st := d.st.styles
	b := n.Backlog
	if !b.Active {
		return []string{d.field("backlog", st.Dim.Render("inactive (created with the first replica)"))}
	}
	frac := 0.0
	if b.Size > 0 {
		frac = float64(b.HistLen) / float64(b.Size)
	}
	bw := clamp(w-labelW-1-22, 6, 30)
	out := []string{
		d.field("backlog", st.gauge(frac, bw)+fmt.Sprintf(" %d%% %s of %s", int(frac*100+0.5), fmtBytes(b.HistLen), fmtBytes(b.Size))),
		d.field("", st.Dim.Render(fmt.Sprintf("holds %d..%d", b.FirstByte, b.FirstByte+max(b.HistLen-1, 0)))),
	}
	for i, l := range g.Downstream(n.ID) {
		label := ""
		if i == 0 {
			label = "covers"
		}
		out = append(out, d.field(label, coverageText(st, g, l)))
	}
	if a := n.Health.Backlog; a.Known && !a.Enough {
		text := fmt.Sprintf("%s %s survives %s at %s/s (peak over %s): set %s",
			symWarn, fmtBytes(a.Size), fmtAge(a.Holds), fmtBytes(int64(a.WriteRate)), fmtAge(a.Outage), fmtBytes(a.Recommended))
		if !a.HoldsKnown { // no rate to speak of: no holding time to estimate
			text = fmt.Sprintf("%s %s < largest lag %s: set %s", symWarn, fmtBytes(a.Size), fmtBytes(a.MaxLag), fmtBytes(a.Recommended))
		}
		out = append(out, d.field("advice", st.Warn.Render(text)))
	}
	return out
}

// coverageText says whether a replica could resync partially now.
func coverageText(st Styles, g *topology.Graph, l *topology.Link) string {
	r := g.Node(l.Replica)
	addr := string(l.Replica)
	if r != nil {
		addr = r.Addr
	}
	c := l.Health.Coverage
	switch {
	case !c.Known:
		reason := c.Reason
		if reason == "" {
			reason = "unknown"
		}
		return st.Dim.Render(symUnprobed+" "+addr) + st.Dim.Render(" "+reason)
	case c.Partial:
		window := " ~—" // no estimate from a near-zero or just-reset rate
		if c.WindowKnown {
			window = " ~" + fmtAge(c.Window)
		}
		if c.Low {
			return st.Warn.Render(symWarn+" "+addr) + st.Warn.Render(" margin "+fmtBytes(c.Margin)+window+" low")
		}
		return st.OK.Render(symCovers+" "+addr) + st.Dim.Render(" margin "+fmtBytes(c.Margin)) + st.Dim.Render(window)
	default:
		reason := c.Reason
		if reason == "" {
			reason = "offset left the backlog"
		}
		return st.Crit.Render(symLost+" "+addr) + st.Dim.Render(" full resync: "+reason)
	}
}

// heartbeats draws the age of the last byte from the master (a replica)
// and of each replica's last ACK (a master); a heart pulses when one just
// arrived.
func (d *detailsPane) heartbeats(g *topology.Graph, n *topology.Node) []string {
	st := d.st.styles
	var out []string
	label := "heartbeat"
	if l := g.Upstream(n.ID); l != nil {
		h := l.Health
		if h.State == topology.LinkDown {
			down := "link down"
			if h.DownFor > 0 {
				down += " for " + fmtAge(h.DownFor)
			}
			out = append(out, d.field(label, st.Crit.Render(symLinkDown+" "+down)))
		} else {
			out = append(out, d.field(label, d.beat(l.Replica, "io")+" master I/O "+fmtLagTime(h.LastIO)+" ago"))
		}
		label = ""
	}
	for _, l := range g.Downstream(n.ID) {
		r := g.Node(l.Replica)
		if r == nil || l.Health.AckAge < 0 {
			continue
		}
		out = append(out, d.field(label, d.beat(l.Replica, "ack")+" ACK "+r.Addr+" "+fmtLagTime(l.Health.AckAge)+" ago"))
		label = ""
	}
	return out
}

// freshness says how stale a replica below a stalled upstream is against
// its root master, or that it cannot be known; it follows the lag, whole
// (wrapped by the caller).
func (d *detailsPane) freshness(g *topology.Graph, n *topology.Node) []string {
	st := d.st.styles
	f := n.Health.Freshness
	if !f.Stalled && (f.Known || f.Note == "") {
		return nil
	}
	if !f.Known {
		return []string{d.field("freshness", st.Warn.Render(symWarn+" "+f.Note))}
	}
	root := string(f.Root)
	if r := g.Node(f.Root); r != nil {
		root = r.Addr
	}
	val := fmtBytes(f.LagBytes) + " behind root " + root
	if f.LagTimeKnown {
		val += " · ~" + fmtLagTime(f.LagTime)
	}
	out := []string{d.field("freshness", st.Warn.Render(symWarn+" "+val))}
	if via := g.Node(f.Via); via != nil {
		out = append(out, d.field("", st.Dim.Render("upstream "+via.Addr+" stalled")))
	}
	return out
}

// beat is a full heart when a heartbeat just arrived, an empty one
// otherwise.
func (d *detailsPane) beat(id topology.NodeID, kind string) string {
	if d.st.hist.pulsing(id, kind) {
		return d.st.styles.Pulse.Render(symPulse)
	}
	return d.st.styles.Dim.Render(symBeat)
}

// counters draws the sync counters and replication traffic.
func (d *detailsPane) counters(n *topology.Node) []string {
	st := d.st.styles
	s := n.Stats
	errStyle := st.Dim
	if s.SyncPartialErr > 0 {
		errStyle = st.Warn
	}
	out := []string{
		d.field("syncs", fmt.Sprintf("full %d · partial %d ok", s.SyncFull, s.SyncPartialOK)+
			errStyle.Render(fmt.Sprintf(" / %d refused", s.SyncPartialErr))),
	}
	traffic := fmt.Sprintf("in %s · out %s", fmtBytes(s.ReplInputBytes), fmtBytes(s.ReplOutputBytes))
	if s.CobDisconnects > 0 {
		traffic += st.Warn.Render(fmt.Sprintf(" · %s %d dropped over buffer limit", symWarn, s.CobDisconnects))
	}
	return append(out, d.field("repl I/O", traffic))
}

// alerts lists the node's alerts, or a reassuring "none".
func (d *detailsPane) alerts(g *topology.Graph, n *topology.Node) []string {
	st := d.st.styles
	as := g.AlertsFor(n.ID)
	if len(as) == 0 {
		return []string{d.field("alerts", st.OK.Render(symOnline+" none"))}
	}
	out := make([]string, 0, len(as))
	for i, a := range as {
		label := ""
		if i == 0 {
			label = "alerts"
		}
		sym, style := severityStyle(st, a.Severity)
		out = append(out, d.field(label, style.Render(sym+" "+string(a.Name))+" "+strings.TrimSpace(a.Message)))
	}
	return out
}
