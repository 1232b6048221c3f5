package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// headerView is the top line: title, subtitle (the demo's ports), node
// and alert counts, write load, pause state and the snapshot's time.
func (m *Model) headerView(w int) string {
	st := m.st.styles
	parts := []string{st.HeaderTitle.Render(m.st.title)}
	if m.st.readOnly {
		parts = append(parts, st.Warn.Render("read-only"))
	}
	if m.st.subtitle != "" {
		parts = append(parts, st.Header.Render(m.st.subtitle))
	}
	g := m.st.graph
	if g != nil {
		alerts := st.OK.Render(symOnline + " no alerts")
		if n := len(g.Alerts); n > 0 {
			crit := 0
			for _, a := range g.Alerts {
				if a.Severity == topology.Critical {
					crit++
				}
			}
			style, sym := st.Warn, symWarn
			if crit > 0 {
				style, sym = st.Crit, symCrit
			}
			alerts = style.Render(fmt.Sprintf("%s %d alert%s", sym, n, plural(n)))
		}
		parts = append(parts, alerts)
		if c := clusterTitle(st, g); c != "" {
			parts = append(parts, c)
		}
		if stale := staleHeader(g); stale != "" {
			parts = append(parts, st.Warn.Render(stale))
		}
	}
	switch {
	case m.st.verdict == "PASS":
		parts = append(parts, st.OK.Render(symOnline+" PASS"))
	case m.st.verdict != "":
		parts = append(parts, st.Crit.Render(symLinkDown+" "+m.st.verdict))
	case m.st.failedSteps > 0:
		parts = append(parts, st.Crit.Render(fmt.Sprintf("%s %d failed", symLinkDown, m.st.failedSteps)))
	}
	if m.st.load != nil {
		if m.st.loadOn {
			parts = append(parts, st.OK.Render(symLoadOn+" writing"))
		} else {
			parts = append(parts, st.Dim.Render(symLoadOf+" writes off"))
		}
	}
	if m.st.pacer != nil {
		parts = append(parts, st.Header.Render(fmt.Sprintf("speed %g×", m.st.speed)))
	}
	if m.st.paused {
		p := symPaused + " paused"
		if m.st.held > 0 {
			p += fmt.Sprintf(" (%d held)", m.st.held)
		}
		parts = append(parts, st.Warn.Render(p))
	}
	if g != nil {
		parts = append(parts, st.Dim.Render(g.At.Format("15:04:05")))
	}
	return fit(strings.Join(parts, st.Dim.Render(" · ")), w)
}

// staleHeader says when some of the data shown is older than two polling
// intervals: "! stale :7003 4.2s" (one node) or "! 2 nodes stale ≤4.2s";
// "" when it is all fresh.
func staleHeader(g *topology.Graph) string {
	nodes, oldest := g.Stale()
	switch len(nodes) {
	case 0:
		return ""
	case 1:
		name := nodes[0].Addr
		if i := strings.LastIndexByte(name, ':'); i >= 0 {
			name = name[i:]
		}
		return fmt.Sprintf("%s stale %s %s", symWarn, name, fmtLagTime(oldest))
	}
	return fmt.Sprintf("%s %d nodes stale ≤%s", symWarn, len(nodes), fmtLagTime(oldest))
}

// statusView is the bottom line: the input line while typing, else the
// last message (or the command in flight) and the key help for the mode.
func (m *Model) statusView(w int) string {
	st := m.st.styles
	m.help.SetWidth(w)
	switch m.mode {
	case modeFilter, modeCommand, modeJump:
		hint := st.Dim.Render("  enter apply · esc cancel")
		if m.mode == modeCommand && m.input.Value() == "" {
			hint = st.Dim.Render("  " + commandHelp)
		}
		return fit(m.input.View()+hint, w)
	case modeConfirm:
		return fit(m.help.ShortHelpView(modeHelp{m.st.keys.Confirm,
			key.NewBinding(key.WithKeys("other"), key.WithHelp("other", "cancel"))}), w)
	case modePicker:
		return fit(m.help.ShortHelpView(modeHelp{m.st.keys.Down, m.st.keys.Up, m.st.keys.Choose, m.st.keys.Cancel}), w)
	case modeExpand:
		closeKey := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter/esc", "close"))
		return fit(m.help.ShortHelpView(modeHelp{m.st.keys.Down, m.st.keys.Up, closeKey}), w)
	}
	msg := ""
	switch {
	case m.busy != "":
		msg = st.Warn.Render(symSyncing+" "+m.busy) + "  "
	case m.status != "" && m.statusErr:
		msg = st.Error.Render(symLinkDown+" "+m.status) + "  "
	case m.status != "":
		msg = st.Info.Render(m.status) + "  "
	}
	room := w - ansi.StringWidth(msg)
	if room < 20 {
		return fit(msg, w)
	}
	m.help.SetWidth(room)
	return fit(msg+m.help.ShortHelpView(m.st.keys.ShortHelp()), w)
}

// helpView is the full `?` help in the bottom pane.
func (m *Model) helpView(w, h int) []string {
	st := m.st.styles
	lines := []string{paneTitle(st, "Keys · ? closes", w, true)}
	for _, l := range m.helpLines(w) {
		lines = append(lines, fit(l, w))
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return lines[:h]
}

// helpHeight is the height of the full help at width w, title included.
func (m *Model) helpHeight(w int) int { return len(m.helpLines(w)) + 1 }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
