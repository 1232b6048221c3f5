package tui

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// treePane is the topology tree: one row per node from topology.Layout,
// chains nested, with role symbol, address, state badge, offset, byte lag
// and an alert mark. It owns the selection, the scroll position and the
// `/` filter.
type treePane struct {
	st       *state
	rows     []topology.Row // the rows shown (after the filter)
	filter   string
	cursor   int
	offset   int
	selected topology.NodeID
	nameW    int    // widest "prefix symbol address" among all rows
	offW     int    // widest offset
	lagW     int    // widest lag cell
	host     string // the host every node shares, shown once in the title
}

// setRows refreshes the rows from the state's layout, applying the filter
// and keeping the selected node selected when it is still there.
func (t *treePane) setRows() {
	g := t.st.graph
	t.rows = t.rows[:0]
	t.nameW, t.offW, t.lagW = 0, 0, 0
	t.host = commonHost(g)
	for _, r := range t.st.rows {
		n := g.Node(r.ID)
		if n == nil {
			continue
		}
		if r.Link != nil && r.Link.Health.LagKnown {
			t.lagW = max(t.lagW, minLagW) // the column does not jitter as lags move
		}
		t.nameW = max(t.nameW, ansi.StringWidth(r.Prefix)+2+ansi.StringWidth(t.label(n)))
		t.offW = max(t.offW, len(strconv.FormatInt(n.Offset, 10))+1)
		if r.Link != nil && r.Link.Health.LagKnown {
			t.lagW = max(t.lagW, len("lag ")+len(fmtBytes(r.Link.Health.LagBytes)))
		}
		if t.filter == "" || t.matches(r, n) {
			t.rows = append(t.rows, r)
		}
	}
	t.cursor = clamp(t.cursor, 0, len(t.rows)-1)
	for i, r := range t.rows {
		if r.ID == t.selected && !r.Back {
			t.cursor = i
			break
		}
	}
	t.sync()
}

// commonHost returns the host all nodes share ("" when they differ or
// there is only one node): rows then show ":port" alone.
func commonHost(g *topology.Graph) string {
	if g == nil || len(g.Nodes) < 2 {
		return ""
	}
	host := ""
	for _, n := range g.Nodes {
		h, _, err := net.SplitHostPort(n.Addr)
		if err != nil || (host != "" && h != host) {
			return ""
		}
		host = h
	}
	return host
}

// label is how a row names a node: its address, or ":port" when every
// node is on the same host.
func (t *treePane) label(n *topology.Node) string {
	if t.host != "" {
		if h, p, err := net.SplitHostPort(n.Addr); err == nil && h == t.host {
			return ":" + p
		}
	}
	return n.Addr
}

// want is the width the widest row needs with every column.
func (t *treePane) want() int {
	return 2 + t.nameW + 1 + badgeWidth + 1 + t.offW + 1 + t.lagW + 4
}

// matches reports whether a row passes the filter: a case-insensitive
// substring of its address, aliases, ID, role, state or note.
func (t *treePane) matches(r topology.Row, n *topology.Node) bool {
	f := strings.ToLower(t.filter)
	hay := []string{n.Addr, string(n.ID), string(n.Role), r.Note,
		nodeBadge(t.st.styles, t.st.graph, n).text}
	hay = append(hay, n.Aliases...)
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), f) {
			return true
		}
	}
	return false
}

// setFilter changes the filter and re-applies it.
func (t *treePane) setFilter(f string) {
	t.filter = f
	t.setRows()
}

// sync records the node under the cursor as the selection.
func (t *treePane) sync() {
	if len(t.rows) > 0 {
		t.selected = t.rows[t.cursor].ID
	}
}

// move moves the cursor by delta rows.
func (t *treePane) move(delta int) {
	t.cursor = clamp(t.cursor+delta, 0, len(t.rows)-1)
	t.sync()
}

// jump puts the cursor on the first (top) or last row.
func (t *treePane) jump(top bool) {
	if top {
		t.cursor = 0
	} else {
		t.cursor = max(len(t.rows)-1, 0)
	}
	t.sync()
}

// scroll keeps the cursor within the body of h rows.
func (t *treePane) scroll(body int) {
	t.offset = scrollFor(t.offset, t.cursor, body, len(t.rows))
}

// scrollFor returns the first row to show so that cursor is within a
// window of body rows over n rows, moving offset as little as possible.
func scrollFor(offset, cursor, body, n int) int {
	if body <= 0 {
		return 0
	}
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+body {
		offset = cursor - body + 1
	}
	return clamp(offset, 0, max(n-body, 0))
}

// selectedNode returns the node under the cursor, or nil.
func (t *treePane) selectedNode() *topology.Node {
	if len(t.rows) == 0 {
		return nil
	}
	return t.st.node(t.selected)
}

// view draws the pane as h lines of width w, the first one its title.
func (t *treePane) view(w, h int, focused bool) []string {
	st := t.st.styles
	lines := make([]string, 0, h)
	title := "Topology"
	if g := t.st.graph; g != nil {
		title = fmt.Sprintf("Topology · %d nodes", len(g.Nodes))
		if t.host != "" {
			title += " on " + t.host
		}
	}
	if t.filter != "" {
		title += fmt.Sprintf(" · /%s %d shown", t.filter, len(t.rows))
	}
	lines = append(lines, paneTitle(st, title, w, focused))
	body := h - 1
	switch {
	case t.st.graph == nil:
		lines = append(lines, fit(st.Dim.Render("  waiting for the first snapshot…"), w))
	case len(t.rows) == 0:
		lines = append(lines, fit(st.Dim.Render("  no node matches /"+t.filter), w))
	}
	cols := t.columns(w)
	for i := scrollFor(t.offset, t.cursor, body, len(t.rows)); i < len(t.rows) && len(lines) < h; i++ {
		lines = append(lines, t.rowView(t.rows[i], i == t.cursor, focused, cols, w))
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return lines
}

// minLagW is the narrowest lag column ("lag 1023B").
const minLagW = 9

// treeCols says which optional columns fit.
type treeCols struct{ offset, lag bool }

// columns picks the optional columns for width w: the byte lag first, then
// the offset (the details pane shows both anyway).
func (t *treePane) columns(w int) treeCols {
	need := 2 + t.nameW + 1 + badgeWidth
	c := treeCols{}
	if need+1+t.lagW <= w {
		c.lag, need = true, need+1+t.lagW
	}
	if need+1+t.offW <= w {
		c.offset = true
	}
	return c
}

// rowView draws one row.
func (t *treePane) rowView(r topology.Row, sel, focused bool, c treeCols, w int) string {
	st := t.st.styles
	g := t.st.graph
	n := g.Node(r.ID)
	var b strings.Builder
	switch {
	case sel && focused:
		b.WriteString(st.Cursor.Render(symCursor) + " ")
	case sel:
		b.WriteString(st.Dim.Render(symCursor) + " ")
	default:
		b.WriteString("  ")
	}
	b.WriteString(st.Dim.Render(r.Prefix))
	if r.Back {
		b.WriteString(st.Dim.Render(symCycle + " " + t.label(n) + " (cycle)"))
		return fit(b.String(), w)
	}
	b.WriteString(roleSymbol(st, n) + " ")
	addr := t.label(n)
	if sel {
		addr = st.Selected.Render(addr)
	} else if n.Role == topology.RoleMaster {
		addr = st.Strong.Render(addr)
	}
	b.WriteString(addr)
	b.WriteString(strings.Repeat(" ", max(t.nameW-ansi.StringWidth(r.Prefix)-2-ansi.StringWidth(t.label(n)), 0)+1))
	bd := nodeBadge(st, g, n)
	b.WriteString(bd.render() + strings.Repeat(" ", max(badgeWidth-ansi.StringWidth(bd.plain()), 0)))
	if c.offset {
		off := "-"
		if n.Reach == topology.ReachOK && n.Role != topology.RoleSentinel {
			off = "@" + strconv.FormatInt(n.Offset, 10)
		}
		b.WriteString(" " + st.Dim.Render(padLeft(off, t.offW)))
	}
	if c.lag {
		b.WriteString(" " + padTo(lagCell(st, r.Link), t.lagW))
	}
	line := b.String()
	if m := alertMark(st, g, n.ID); m != "" && ansi.StringWidth(line)+1+ansi.StringWidth(m) <= w {
		line += " " + m
	}
	b.Reset()
	b.WriteString(line)
	if r.Note != "" {
		b.WriteString(" " + st.Dim.Render(r.Note))
	}
	return fit(b.String(), w)
}

// lagCell is "lag 44B" for a link whose byte lag is known.
func lagCell(st Styles, l *topology.Link) string {
	if l == nil || !l.Health.LagKnown {
		return ""
	}
	s := "lag " + fmtBytes(l.Health.LagBytes)
	if l.Health.LagBytes == 0 {
		return st.Dim.Render(s)
	}
	return st.Warn.Render(s)
}

// paneTitle draws a pane's title line: a marker when focused, the title,
// and a rule to the pane's width.
func paneTitle(st Styles, title string, w int, focused bool) string {
	if focused {
		t := st.PaneTitleFocused.Render(symCursor + " " + title + " ")
		return fit(t+st.Rule.Render(strings.Repeat("─", max(w-ansi.StringWidth(title)-3, 0))), w)
	}
	t := st.PaneTitle.Render("  " + title + " ")
	return fit(t+st.Rule.Render(strings.Repeat("─", max(w-ansi.StringWidth(title)-3, 0))), w)
}
