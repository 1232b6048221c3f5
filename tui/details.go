package tui

import (
	"fmt"
	"strings"

	"github.com/replscope/replscope/topology"
)

// detailsPane shows the selected node: identity, replication history,
// offsets, byte lag with a sparkline, sync progress, backlog fill and
// coverage, heartbeats, counters and alerts. On a wide pane the sections
// flow into two columns. It scrolls when focused.
type detailsPane struct {
	st     *state
	offset int
}

// twoColumnWidth is the pane width from which details use two columns.
const twoColumnWidth = 96

// labelW is the width of the label column.
const labelW = 9

// view draws the pane for node n as h lines of width w.
func (d *detailsPane) view(n *topology.Node, w, h int, focused bool) []string {
	st := d.st.styles
	title := "Details"
	if n != nil {
		title += " · " + n.Addr
	}
	lines := make([]string, 0, h)
	lines = append(lines, paneTitle(st, title, w, focused))
	body := d.body(n, w)
	off := clamp(d.offset, 0, max(len(body)-(h-1), 0))
	for i := off; i < len(body) && len(lines) < h; i++ {
		lines = append(lines, fit(body[i], w))
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return lines
}

// scroll moves the view by delta lines (top/bottom when jump).
func (d *detailsPane) scroll(delta int) { d.offset = max(d.offset+delta, 0) }

// body returns the content lines for width w.
func (d *detailsPane) body(n *topology.Node, w int) []string {
	st := d.st.styles
	if n == nil {
		return []string{st.Dim.Render("  no node selected")}
	}
	g := d.st.graph
	left := append(d.identity(n, w), d.sentinelLines(g, n, w)...)
	left = append(left, d.clusterLines(g, n)...)
	if n.Reach != topology.ReachOK || n.Role == topology.RoleSentinel {
		return append(left, d.alertLines(g, n, w)...)
	}
	if w < twoColumnWidth { // one column: the alerts first, whole
		colW := w
		left = append(left, d.alertLines(g, n, w)...)
		left = append(left, d.history(n)...)
		left = append(left, d.offsets(g, n)...)
		left = append(left, d.lag(g, n, colW)...)
		left = append(left, wrapFields(d.freshness(g, n), colW)...)
		left = append(left, d.sync(g, n, colW)...)
		left = append(left, d.fullSync(g, n, colW)...)
		left = append(left, d.backlog(g, n, colW)...)
		left = append(left, d.heartbeats(g, n)...)
		return append(left, d.counters(n)...)
	}
	colW := (w - 3) / 2
	left = append(left, d.history(n)...)
	left = append(left, d.offsets(g, n)...)
	left = append(left, d.lag(g, n, colW)...)
	left = append(left, wrapFields(d.freshness(g, n), colW)...)
	left = append(left, d.sync(g, n, colW)...)
	left = append(left, d.fullSync(g, n, colW)...)
	right := d.backlog(g, n, w-3-colW)
	right = append(right, d.heartbeats(g, n)...)
	right = append(right, d.counters(n)...)
	right = append(right, d.alertLines(g, n, w-3-colW)...)
	out := make([]string, max(len(left), len(right)))
	sep := st.Rule.Render(" │ ")
	for i := range out {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = fit(l, colW) + sep + r
	}
	return out
}

// field draws "label    value" with the label in its column.
func (d *detailsPane) field(label, value string) string {
	return d.st.styles.Label.Render(padTo(label, labelW)) + " " + value
}

// wrapFields wraps "label value" lines to width w, the value's
// continuation hanging under it: alerts and errors are read whole, not
// cut.
func wrapFields(lines []string, w int) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, hangWrap(l, w, labelW+1)...)
	}
	return out
}

// alertLines are the node's alerts wrapped to width w, a network error in
// a message shown by its cause ("connection refused").
func (d *detailsPane) alertLines(g *topology.Graph, n *topology.Node, w int) []string {
	lines := d.alerts(g, n)
	for _, a := range g.AlertsFor(n.ID) {
		msg := strings.TrimSpace(a.Message)
		if brief := briefError(msg); brief != msg {
			for i := range lines {
				lines[i] = strings.Replace(lines[i], msg, brief, 1)
			}
		}
	}
	return wrapFields(lines, w)
}

func (d *detailsPane) identity(n *topology.Node, w int) []string {
	st := d.st.styles
	g := d.st.graph
	out := []string{roleSymbol(st, n) + " " + string(n.Role) + "  " + st.Strong.Render(n.Addr) + "  " +
		nodeBadge(st, g, n).render()}
	var facts []string
	if n.Software != "" {
		facts = append(facts, strings.TrimSpace(n.Software+" "+n.Version))
	}
	if n.RunID != "" {
		facts = append(facts, "run "+shortID(n.RunID))
	}
	if n.Keys >= 0 {
		facts = append(facts, fmt.Sprintf("%d keys", n.Keys))
	}
	if n.Embedded {
		facts = append(facts, "embedded")
	}
	if len(facts) > 0 {
		out = append(out, st.Dim.Render(strings.Join(facts, " · ")))
	}
	if len(n.Aliases) > 0 {
		out = append(out, st.Dim.Render("also "+strings.Join(n.Aliases, ", ")))
	}
	for _, f := range topology.RestrictedFields(n) {
		out = append(out, hangWrap(d.field("refused", st.Warn.Render(f)), w, labelW+1)...)
	}
	if n.Reach != topology.ReachOK && n.Error != "" {
		out = append(out, hangWrap(d.field("error", st.Crit.Render(briefError(n.Error))), w, labelW+1)...)
	}
	if g != nil && g.IsStale(n) {
		age, _ := g.DataAge(n)
		out = append(out, d.field("data", st.Warn.Render(fmt.Sprintf("%s stale: %s old, last answer %s",
			symWarn, fmtLagTime(age), n.LastOKOrAt().Format("15:04:05")))))
	}
	return out
}

func (d *detailsPane) history(n *topology.Node) []string {
	second := "none"
	if n.SecondOffset >= 0 {
		second = fmt.Sprintf("valid to %d", n.SecondOffset)
	}
	return []string{
		d.field("replid", fmt.Sprintf("%s @%d", shortID(n.ReplID), n.Offset)),
		d.field("replid2", fmt.Sprintf("%s %s", shortID(n.ReplID2), d.st.styles.Dim.Render("second offset "+second))),
	}
}

func (d *detailsPane) offsets(g *topology.Graph, n *topology.Node) []string {
	st := d.st.styles
	rate := ""
	if r := n.Health.WriteRate; r.Known {
		rate = st.Dim.Render(" · " + fmtBytes(int64(r.PerSec)) + "/s")
	}
	if n.Upstream == nil {
		return []string{d.field("offset", fmt.Sprintf("%d", n.Offset)+rate)}
	}
	master := n.Upstream.Addr
	if l := g.Upstream(n.ID); l != nil {
		if m := g.Node(l.Master); m != nil && m.Reach == topology.ReachOK {
			master += fmt.Sprintf(" @%d", m.Offset)
		}
	}
	return []string{
		d.field("master", master),
		d.field("applied", fmt.Sprintf("%d", n.Upstream.Offset)+st.Dim.Render(fmt.Sprintf(" · read %d", n.Upstream.ReadOffset))+rate),
	}
}

func (d *detailsPane) lag(g *topology.Graph, n *topology.Node, w int) []string {
	st := d.st.styles
	l := g.Upstream(n.ID)
	if l == nil {
		return nil
	}
	h := l.Health
	if !h.LagKnown {
		return []string{d.field("lag", st.Dim.Render("unknown"))}
	}
	val := fmtBytes(h.LagBytes) + " behind"
	if h.LagTimeKnown {
		val += " · ~" + fmtLagTime(h.LagTime)
	}
	style := st.OK
	if h.LagBytes > 0 {
		style = st.Warn
	}
	out := []string{d.field("lag", style.Render(val)+st.Dim.Render(" ("+string(h.LagFrom)+")"))}
	sw := clamp(w-labelW-1-16, 8, 60)
	line, peak := sparkline(d.st.hist.lag[n.ID], g.At, lagWindow, sw)
	out = append(out, d.field("last 60s", st.Spark.Render(line)+st.Dim.Render(" peak "+fmtBytes(peak))))
	return out
}

func (d *detailsPane) sync(g *topology.Graph, n *topology.Node, w int) []string {
	st := d.st.styles
	var out []string
	bw := clamp(w-labelW-1-26, 6, 40)
	p := (*topology.SyncProgress)(nil)
	if n.Upstream != nil {
		p = n.Upstream.Sync
	}
	if l := g.Upstream(n.ID); l != nil && l.Health.Sync != nil {
		p = l.Health.Sync
	}
	switch {
	case n.Loading:
		out = append(out, d.field("loading", st.Warn.Render(symSyncing+" ")+st.gauge(n.LoadingPerc/100, bw)+
			fmt.Sprintf(" %d%%", int(n.LoadingPerc))))
	case p != nil:
		if f, ok := p.Fraction(); ok {
			out = append(out, d.field("sync", st.Warn.Render(symSyncing+" ")+st.gauge(f, bw)+
				fmt.Sprintf(" %d%% %s of %s", int(f*100), fmtBytes(p.ReadBytes), fmtBytes(p.TotalBytes))))
		} else {
			out = append(out, d.field("sync", st.Warn.Render(symSyncing+" ")+
				fmt.Sprintf("%s received (diskless, size unknown)", fmtBytes(p.ReadBytes))))
		}
	}
	for _, l := range g.Downstream(n.ID) {
		if l.Health.State != topology.LinkSyncing {
			continue
		}
		r := g.Node(l.Replica)
		state := ""
		if l.Line != nil {
			state = " (" + l.Line.State + ")"
		}
		out = append(out, d.field("serving", st.Warn.Render(symSyncing)+" full sync to "+r.Addr+st.Dim.Render(state)))
	}
	return out
}
