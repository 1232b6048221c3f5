package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// phaseLook is how the timeline draws a phase: a cell glyph (so phases
// stay apart without colour), a short name and a style.
type phaseLook struct {
	glyph string
	name  string
	ink   func(Styles) Ink
}

var phaseLooks = map[topology.SyncPhase]phaseLook{
	topology.PhaseWaitBgsave: {symPhaseWait, "wait", func(s Styles) Ink { return s.PhaseWait }},
	topology.PhaseTransfer:   {symPhaseTransfer, "transfer", func(s Styles) Ink { return s.PhaseTransfer }},
	topology.PhaseLoading:    {symPhaseLoading, "loading", func(s Styles) Ink { return s.PhaseLoading }},
	topology.PhaseCatchUp:    {symPhaseCatchUp, "catch-up", func(s Styles) Ink { return s.PhaseCatchUp }},
}

// fullSync draws the replica's full sync in progress and the last one
// that ended, each as a headline, a bar of its phases in proportion to
// their durations, and the phases with their durations (and the transfer
// rate).
func (d *detailsPane) fullSync(g *topology.Graph, n *topology.Node, w int) []string {
	var out []string
	if s := n.FullSync; s != nil {
		out = append(out, d.syncTimeline("full sync", s, g.At, w)...)
	}
	if s := n.LastFullSync; s != nil {
		out = append(out, d.syncTimeline("last sync", s, g.At, w)...)
	}
	return out
}

func (d *detailsPane) syncTimeline(label string, s *topology.FullSync, now time.Time, w int) []string {
	st := d.st.styles
	var head string
	switch s.Outcome {
	case topology.SyncRunning:
		head = st.Warn.Render(symSyncing+" "+string(s.Current())) + fmt.Sprintf(" · %s so far", topology.FormatSpan(s.Duration(now)))
	case topology.SyncFailed:
		head = st.Crit.Render(symLinkDown+" failed") + fmt.Sprintf(" after %s · %s", topology.FormatSpan(s.Duration(now)), s.Reason)
	default:
		head = st.OK.Render(symOnline+" done") + fmt.Sprintf(" in %s", topology.FormatSpan(s.Duration(now)))
		if s.Reason != "" {
			head += st.Dim.Render(" · " + s.Reason)
		}
	}
	facts := []string{}
	if !s.End.IsZero() {
		facts = append(facts, "at "+s.End.Format("15:04:05"))
	}
	if s.Bytes >= 0 {
		facts = append(facts, fmtBytes(s.Bytes))
	}
	if s.Exact {
		facts = append(facts, "exact")
	}
	if len(facts) > 0 {
		head += st.Dim.Render(" · " + strings.Join(facts, " · "))
	}
	out := hangWrap(d.field(label, head), w, labelW+1)
	if len(s.Phases) == 0 {
		return out
	}
	indent := strings.Repeat(" ", labelW+1)
	out = append(out, indent+d.phaseBar(s, now, clamp(w-labelW-1, 8, 60)))
	var parts []string
	for _, p := range s.Phases {
		look := phaseLooks[p.Phase]
		part := look.ink(st).Render(look.glyph) + " " + look.name + " " + topology.FormatSpan(p.Duration(now))
		if p.Phase == topology.PhaseTransfer {
			if r, ok := s.TransferRate(); ok {
				part += " " + fmtBytes(int64(r)) + "/s"
			}
		}
		if p.End.IsZero() {
			part += "…"
		}
		parts = append(parts, part)
	}
	return append(out, wrapParts(parts, st.Dim.Render(" · "), indent, w)...)
}

// wrapParts joins parts with sep into lines of width w, each line
// starting with indent, breaking between parts (a part alone wider than
// a line is cut when drawn).
func wrapParts(parts []string, sep, indent string, w int) []string {
	var out []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = indent + p
		case ansi.StringWidth(line+sep+p) <= w:
			line += sep + p
		default:
			out = append(out, line)
			line = indent + p
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// phaseBar draws the phases as cells in proportion to their durations,
// every phase at least one cell wide.
func (d *detailsPane) phaseBar(s *topology.FullSync, now time.Time, width int) string {
	st := d.st.styles
	durs := make([]time.Duration, len(s.Phases))
	var total time.Duration
	for i, p := range s.Phases {
		durs[i] = p.Duration(now)
		total += durs[i]
	}
	cells := spread(durs, total, width)
	var b strings.Builder
	for i, p := range s.Phases {
		look := phaseLooks[p.Phase]
		b.WriteString(look.ink(st).Render(strings.Repeat(look.glyph, cells[i])))
	}
	return b.String()
}

// spread shares width cells among durations in proportion, each at least
// one; the largest absorbs the rounding.
func spread(durs []time.Duration, total time.Duration, width int) []int {
	cells := make([]int, len(durs))
	used, big := 0, 0
	for i, d := range durs {
		c := 1
		if total > 0 {
			c = max(int(float64(width)*float64(d)/float64(total)+0.5), 1)
		} else {
			c = max(width/len(durs), 1)
		}
		cells[i] = c
		used += c
		if durs[i] > durs[big] {
			big = i
		}
	}
	cells[big] = max(cells[big]+width-used, 1)
	return cells
}
