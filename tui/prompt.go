package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// promptPane asks to confirm one operation: it shows what the operation
// does, the literal command and its target, and the promotion guard's
// verdict with its reasons and notes. Only `y` confirms; Enter and every
// other key cancel. When the guard refuses, `y` forces the operation and
// the prompt says so.
type promptPane struct {
	st *state
	op operation
}

// what describes an operation in words.
func (op operation) what() string {
	if op.OpPlan != nil {
		return op.OpPlan.Why
	}
	switch op.Kind {
	case opAttach:
		return op.Target + " will follow " + op.Master
	case opDetach:
		return op.Target + " becomes a master of its own"
	case opFailover:
		return failoverWhat(op)
	default:
		return op.Target + " drops its master link and reconnects by itself"
	}
}

// view draws the prompt as h lines of width w. Prose wraps; the command
// and its target are never wrapped nor cut short of the pane's width.
func (p *promptPane) view(w, h int) []string {
	st := p.st.styles
	op := p.op
	v := op.Verdict
	lines := []string{paneTitle(st, "Confirm "+string(op.Kind), w, true)}
	add := func(indent int, s string) { lines = append(lines, wrapIndent(s, w, indent)...) }
	field := func(label, value string) {
		l := "  " + st.Label.Render(padTo(label, 8)) + " " + value
		if ansi.StringWidth(l) > w { // label above, value on its own line
			lines = append(lines, "  "+st.Label.Render(label), "    "+value)
			return
		}
		lines = append(lines, l)
	}
	add(2, op.what())
	field("command", st.Command.Render(op.Command))
	field("target", st.Strong.Render(op.Target))
	switch {
	case op.Kind == opKillLink:
	case v.Allowed:
		g := st.OK.Render(symOnline + " allowed")
		if v.Sync != "" && v.Sync != topology.SyncNone {
			g += " · expect a " + string(v.Sync) + " resync"
		}
		field("guard", g+p.asOf())
	default:
		field("guard", st.Crit.Render(symLinkDown+" refuses it")+p.asOf())
		for _, r := range v.Reasons {
			add(4, st.Crit.Render(symLinkDown+" "+r.Code+":")+" "+r.Message)
		}
	}
	for _, n := range v.Notes {
		add(4, st.Dim.Render("· "+n))
	}
	if op.Warn != "" {
		add(2, st.Warn.Render(symWarn+" "+op.Warn))
	}
	q := "Proceed? (y/N)"
	if !v.Allowed {
		q = "Force it past the guard? (y/N)"
	}
	if op.Warn != "" {
		q = "Change a Sentinel-managed node by hand? (y/N, twice)"
		if op.confirms > 0 {
			q = "Sure? Sentinel will undo it and the node resyncs fully. y again (y/N)"
		}
	}
	ask := []string{"  " + st.PromptTitle.Render(q), "  " + st.Dim.Render("y confirms · any other key cancels"+planHint(op))}
	// the question always shows, even when reasons are cut
	if room := h - len(ask); len(lines) > room {
		lines = lines[:max(room, 1)]
	}
	lines = append(lines, ask...)
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return lines[:h]
}

// asOf names the snapshot the guard judged: the prompt keeps that
// judgement (and the operation that Graph) even as new snapshots arrive.
func (p *promptPane) asOf() string {
	if p.op.Graph == nil {
		return ""
	}
	return p.st.styles.Dim.Render(" (as of " + p.op.Graph.At.Format("15:04:05") + ")")
}

// wrapIndent word-wraps s to width w behind indent spaces, continuation
// lines indented two more.
func wrapIndent(s string, w, indent int) []string {
	first := strings.Repeat(" ", indent)
	next := first + "  "
	wrapped := strings.Split(ansi.Wrap(s, max(w-len(next), 10), " "), "\n")
	for i := range wrapped {
		if i == 0 {
			wrapped[i] = first + wrapped[i]
		} else {
			wrapped[i] = next + wrapped[i]
		}
	}
	return wrapped
}
