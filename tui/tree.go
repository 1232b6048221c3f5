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
// chains nested, with role symbol, address, state badge, byte lag (against
// the root master below a stalled upstream), offset and an alert mark. It owns the selection, the scroll position and the
// `/` filter. Its width comes from the window (computeLayout); when a row
// does not fit, the offset and the padding go first, then the tree
// drawing narrows, and the role, name, link state and byte lag stay.
type treePane struct {
	st       *state
	rows     []topology.Row // the rows shown (after the filter)
	filter   string
	cursor   int
	offset   int
	selected topology.NodeID
	nameW    int    // widest "prefix symbol address" among all rows
	nameWC   int    // the same with the compact tree drawing
	badgeW   int    // widest badge
	offW     int    // widest offset
	lagW     int    // widest lag number (0: no link has a known lag)
	markW    int    // widest alert mark (0: no alerts)
	tagW     int    // widest Sentinel tag with its space (0: no managed node)
	host     string // the host every node shares, shown once in the title
}

// setRows refreshes the rows from the state's layout, applying the filter
// and keeping the selected node selected when it is still there. Column
// widths are measured over every row, so the filter does not move them.
func (t *treePane) setRows() {
	g := t.st.graph
	t.rows = t.rows[:0]
	t.nameW, t.nameWC, t.badgeW, t.offW, t.lagW, t.markW, t.tagW = 0, 0, 0, 0, 0, 0, 0
	t.host = commonHost(g)
	for _, r := range t.st.rows {
		n := g.Node(r.ID)
		if n == nil {
			continue
		}
		label := ansi.StringWidth(t.label(n))
		t.tagW = max(t.tagW, tagWidth(sentinelTag(g, n, false)))
		t.nameW = max(t.nameW, ansi.StringWidth(r.Prefix)+2+label)
		t.nameWC = max(t.nameWC, ansi.StringWidth(compactPrefix(r.Prefix))+2+label)
		t.badgeW = max(t.badgeW, ansi.StringWidth(nodeBadge(t.st.styles, g, n).plain()))
		t.offW = max(t.offW, len(strconv.FormatInt(n.Offset, 10))+1)
		if lag, ok, _ := rowLag(n, r.Link); ok {
			t.lagW = max(t.lagW, ansi.StringWidth(lag))
		}
		t.markW = max(t.markW, ansi.StringWidth(alertMark(t.st.styles, g, n.ID)))
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

// compactPrefix draws a tree prefix two cells per level instead of three
// ("│  ├─ " becomes "│ ├ "), for deep chains in a narrow pane.
func compactPrefix(p string) string {
	rs := []rune(p)
	var b strings.Builder
	for i := 0; i+2 < len(rs); i += 3 {
		b.WriteRune(rs[i])
		b.WriteRune(rs[i+2])
	}
	return b.String()
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

// matches reports whether a row passes the filter: a case-insensitive
// substring of its address, aliases, ID, role, state or note.
func (t *treePane) matches(r topology.Row, n *topology.Node) bool {
	f := strings.ToLower(t.filter)
	hay := []string{n.Addr, string(n.ID), string(n.Role), r.Note,
		nodeBadge(t.st.styles, t.st.graph, n).text, sentinelTag(t.st.graph, n, false)}
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
		title = fmt.Sprintf("Topology · %d node%s", len(g.Nodes), plural(len(g.Nodes)))
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

// minLagW is the lag number's width when columns follow it, so that they
// do not move as lags change ("1023.99K").
const minLagW = 8

// treeCols is how the rows are drawn at the pane's width: which optional
// columns show and how wide each one is.
type treeCols struct {
	compact bool // the two-cell tree drawing
	tagSym  bool // Sentinel tags as their symbol alone
	symOnly bool // badges as their symbol alone
	lagWord bool // "lag 44B" rather than "44B"
	nameW   int  // with the Sentinel tag
	badgeW  int
	lagW    int // 0: no lag column
	offW    int // 0: no offset column
	markW   int // 0: no alert mark column
}

// width is the row width the columns need.
func (c treeCols) width() int {
	w := 2 + c.nameW + 1 + c.badgeW
	for _, col := range []int{c.lagW, c.offW, c.markW} {
		if col > 0 {
			w += 1 + col
		}
	}
	return w
}

// columns picks the columns for width w. Role, name, link state and byte
// lag come first: to keep them, the "lag" word goes, then the tree drawing
// narrows, then badges shrink to their symbol, then Sentinel tags
// ("◎mymaster") to theirs. The alert mark, the offset
// and the padding that aligns columns are added only where room is left,
// in that order.
func (t *treePane) columns(w int) treeCols {
	levels := []treeCols{{lagWord: true}, {compact: true, lagWord: true}, {compact: true},
		{compact: true, symOnly: true}, {compact: true, symOnly: true, tagSym: true}}
	var c treeCols
	for _, c = range levels {
		c.nameW, c.badgeW = t.nameW, t.badgeW
		if c.compact {
			c.nameW = t.nameWC
		}
		switch {
		case c.tagSym && t.tagW > 0:
			c.nameW += tagWidth(symSentinel)
		default:
			c.nameW += t.tagW
		}
		if c.symOnly {
			c.badgeW = 1
		}
		if t.lagW > 0 {
			c.lagW = t.lagW
			if c.lagWord {
				c.lagW += len("lag ")
			}
		}
		if c.width() <= w {
			break
		}
	}
	grow := func(field *int, to int) {
		old := *field
		if *field = max(old, to); c.width() > w {
			*field = old
		}
	}
	grow(&c.markW, t.markW)
	grow(&c.offW, t.offW)
	if c.lagW > 0 && c.offW > 0 {
		pad := minLagW
		if c.lagWord {
			pad += len("lag ")
		}
		grow(&c.lagW, pad)
	}
	if !c.symOnly {
		grow(&c.badgeW, badgeWidth)
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
	prefix := r.Prefix
	if c.compact {
		prefix = compactPrefix(prefix)
	}
	b.WriteString(st.Dim.Render(prefix))
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
	tag := sentinelTag(g, n, c.tagSym)
	if tag != "" {
		b.WriteString(" " + st.Sentinel.Render(tag))
	}
	b.WriteString(strings.Repeat(" ", max(c.nameW-ansi.StringWidth(prefix)-2-ansi.StringWidth(t.label(n))-tagWidth(tag), 0)+1))
	bd := nodeBadge(st, g, n)
	if c.symOnly {
		b.WriteString(bd.style.Render(bd.sym))
	} else {
		b.WriteString(bd.render() + strings.Repeat(" ", max(c.badgeW-ansi.StringWidth(bd.plain()), 0)))
	}
	if c.lagW > 0 {
		b.WriteString(" " + padTo(lagCell(st, n, r.Link, c.lagWord), c.lagW))
	}
	if c.offW > 0 {
		off := "-"
		if n.Reach == topology.ReachOK && n.Role != topology.RoleSentinel {
			off = "@" + strconv.FormatInt(n.Offset, 10)
		}
		b.WriteString(" " + st.Dim.Render(padLeft(off, c.offW)))
	}
	if c.markW > 0 {
		b.WriteString(" " + alertMark(st, g, n.ID))
	}
	if r.Note != "" {
		b.WriteString(" " + st.Dim.Render(r.Note))
	}
	return fit(strings.TrimRight(b.String(), " "), w)
}

// lagCell is "lag 44B" (or "44B" without the word) for a link whose byte
// lag is known; below a stalled upstream it is the lag against the root
// master, "lag ↥2.00M", or "lag ↥?" when that cannot be known.
func lagCell(st Styles, n *topology.Node, l *topology.Link, word bool) string {
	s, ok, warn := rowLag(n, l)
	if !ok {
		return ""
	}
	if word {
		s = "lag " + s
	}
	if !warn {
		return st.Dim.Render(s)
	}
	return st.Warn.Render(s)
}

// rowLag is the lag a tree row shows for node n under link l, whether
// there is one, and whether it deserves a warning. A replica whose own
// link is up may sit below a frozen or unreadable upstream: its lag
// against that upstream says nothing, so the row shows its freshness
// against the root master instead ("↥2.00M"), or "↥?" when
// topology.Freshness could not measure it.
func rowLag(n *topology.Node, l *topology.Link) (s string, ok, warn bool) {
	if l == nil {
		return "", false, false
	}
	f := n.Health.Freshness
	switch {
	case f.Stalled && f.Known:
		return symRootLag + fmtBytes(f.LagBytes), true, true
	case !f.Known && f.Note != "" && (f.Stalled || l.Health.State == topology.LinkUp):
		return symRootLag + "?", true, true
	case !l.Health.LagKnown:
		return "", false, false
	}
	return fmtBytes(l.Health.LagBytes), true, l.Health.LagBytes != 0
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
