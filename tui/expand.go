package tui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/replscope/replscope/topology"
)

// The expand view shows the event log's selected entry whole, in the
// details pane's place: every field of the event and its text wrapped to
// the pane, where the log line cuts it. It opens with enter on the events
// pane; j/k move the selection with it open; enter or esc close it.

// openExpand shows the selected log entry, when there is one.
func (m *Model) openExpand() {
	if _, ok := m.log.selected(); ok {
		m.mode = modeExpand
	}
}

// expandKey moves the selection or closes the view.
func (m *Model) expandKey(k tea.KeyPressMsg) tea.Cmd {
	keys := m.st.keys
	body := max(m.layout().bottomH-1, 0)
	switch {
	case key.Matches(k, keys.Up):
		m.log.moveSel(1, body)
	case key.Matches(k, keys.Down):
		m.log.moveSel(-1, body)
	case key.Matches(k, keys.Interrupt):
		return tea.Quit
	case key.Matches(k, keys.Expand, keys.Cancel, keys.Quit):
		m.mode = modeNormal
	}
	return nil
}

// expandView draws the selected entry as h lines of width w.
func (m *Model) expandView(w, h int) []string {
	st := m.st.styles
	e, _ := m.log.selected()
	pos := len(m.log.entries) - m.log.sel
	lines := []string{paneTitle(st, "Event "+strconv.Itoa(pos)+" of "+strconv.Itoa(len(m.log.entries))+" · enter closes", w, true)}
	field := func(label, value string) {
		if value == "" {
			return
		}
		lines = append(lines, hangWrap(st.Label.Render(padTo(label, labelW))+" "+value, w, labelW+1)...)
	}
	if !e.at.IsZero() {
		field("time", e.at.Format("2006-01-02 15:04:05.000"))
	}
	field("kind", e.sev.style(st).Render(e.sym+" "+e.kind))
	field("node", e.addr)
	if ev := e.ev; ev != nil {
		if ev.Peer != "" {
			field("peer", m.nodeName(ev.Peer))
		}
		field("alert", string(ev.Alert))
		field("source", ev.Source)
	}
	lines = append(lines, "")
	for _, para := range strings.Split(e.text, "\n") {
		lines = append(lines, strings.Split(lipgloss.Wrap(para, max(w, 1), ""), "\n")...)
	}
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return out
}

// nodeName is a node's address in the current snapshot, or its ID.
func (m *Model) nodeName(id topology.NodeID) string {
	if n := m.st.node(id); n != nil {
		return n.Addr
	}
	return string(id)
}

// hangWrap wraps a "label value" line to width w, its continuation lines
// indented by indent cells so they hang under the value. Styles carry
// across the breaks.
func hangWrap(line string, w, indent int) []string {
	if w <= indent+8 || lipgloss.Width(line) <= w {
		return []string{line}
	}
	first, rest, _ := strings.Cut(lipgloss.Wrap(line, w, ""), "\n")
	out := []string{first}
	pad := strings.Repeat(" ", indent)
	for _, l := range strings.Split(lipgloss.Wrap(strings.ReplaceAll(rest, "\n", " "), w-indent, ""), "\n") {
		out = append(out, pad+l)
	}
	return out
}
