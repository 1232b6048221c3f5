package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// logCapacity bounds the event log.
const logCapacity = 1000

// The kind and address columns are as wide as the widest logged, within
// these bounds: at least minKindW / minAddrW when the window allows
// (so a narrow window still shows "partial-sync-finished" whole), at most
// a share of the width (longer ones are cut with "…": the expand view has
// them whole).
const (
	minKindW = 21
	minAddrW = 15
)

// severity colours a log entry; every severity also has its own symbol.
type severity int

const (
	sevInfo severity = iota
	sevOK
	sevWarn
	sevCrit
	sevOp
)

// logEntry is one line of the event log.
type logEntry struct {
	at   time.Time
	sym  string
	sev  severity
	kind string
	addr string
	text string
	// ev is the event the entry logs (nil for the dashboard's own lines):
	// the expand view shows all of it.
	ev *topology.Event
}

// logPane is the event log: topology changes (role, link, resyncs,
// alerts), the embedded nodes' own events, and every operation with its
// literal command and reply. Newest at the bottom; it follows new entries
// unless scrolled back.
//
// The pane has a selection (the entry enter expands), counted back from
// the newest like the scroll position: both stay on the same entries as
// new ones arrive, unless they are on the newest.
type logPane struct {
	st      *state
	entries []logEntry
	back    int // lines scrolled back from the newest
	sel     int // the selected entry, counted back from the newest
	kindW   int // widest kind logged
	addrW   int // widest address logged
}

// add appends an entry, dropping the oldest beyond logCapacity.
func (l *logPane) add(e logEntry) {
	if len(l.entries) >= logCapacity {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-logCapacity+1:]...)
	}
	l.entries = append(l.entries, e)
	l.kindW = max(l.kindW, ansi.StringWidth(e.kind))
	l.addrW = max(l.addrW, ansi.StringWidth(e.addr))
	if l.back > 0 {
		l.back++ // stay on the same lines while scrolled back
	}
	if l.sel > 0 {
		l.sel = min(l.sel+1, len(l.entries)-1)
	}
}

// selected returns the selected entry, if any.
func (l *logPane) selected() (logEntry, bool) {
	if len(l.entries) == 0 {
		return logEntry{}, false
	}
	return l.entries[len(l.entries)-1-clamp(l.sel, 0, len(l.entries)-1)], true
}

// addEvents logs a snapshot's events. An event without a detail names
// its peer (the replica or the master at the other end).
func (l *logPane) addEvents(evs []topology.Event) {
	for _, e := range evs {
		en := eventEntry(e)
		if en.text == "" && e.Peer != "" {
			peer := string(e.Peer)
			if n := l.st.graph.Node(e.Peer); n != nil {
				peer = n.Addr
			}
			en.text = "with " + peer
		}
		l.add(en)
	}
}

// eventKinds gives each event kind its symbol and severity.
var eventKinds = map[topology.EventKind]struct {
	sym string
	sev severity
}{
	topology.EventLinkUp:           {"▲", sevOK},
	topology.EventLinkDown:         {"▼", sevCrit},
	topology.EventFullSyncStarted:  {symSyncing, sevWarn},
	topology.EventFullSyncFinished: {symSyncing, sevOK},
	topology.EventFullSyncTimeline: {symSyncing, sevOK}, // failed: see eventEntry
	topology.EventSyncFull:         {symSyncing, sevWarn},
	topology.EventSyncPartial:      {symCycle, sevOK},
	topology.EventSyncPartialErr:   {symLost, sevWarn},
	topology.EventRoleChanged:      {symMaster, sevInfo},
	topology.EventMasterChanged:    {"⇢", sevInfo},
	topology.EventAlertRaised:      {symWarn, sevWarn},
	topology.EventAlertCleared:     {symOnline, sevOK},
	topology.EventAlertEnded:       {symUnprobed, sevWarn},
	topology.EventReplIDChanged:    {symCycle, sevWarn},
	topology.EventOffsetBackwards:  {symWarn, sevCrit},
	topology.EventNodeAppeared:     {"+", sevInfo},
	topology.EventNodeVanished:     {"-", sevWarn},
	topology.EventNodeRestarted:    {symCycle, sevWarn},
	topology.EventReachChanged:     {symUnreachable, sevWarn},
	topology.EventEventsDropped:    {symConnecting, sevWarn},
	topology.EventStale:            {symWarn, sevWarn},
	topology.EventFresh:            {symOnline, sevOK},
	"partial-sync-started":         {symCycle, sevOK},
	"partial-sync-finished":        {symCycle, sevOK},
	"replica-online":               {"▲", sevOK},
	"replica-dropped":              {"▼", sevCrit},
	"backlog-overflow":             {symWarn, sevWarn},
	EventCaption:                   {"»", sevInfo},
	EventStep:                      {symOnline, sevOK},
	EventStepFailed:                {symLinkDown, sevCrit},
	EventScenarioDone:              {symOnline, sevOK}, // FAIL: see eventEntry
	topology.EventSentinel:         {symSentinel, sevInfo},
}

// eventEntry turns a topology event into a log entry.
func eventEntry(e topology.Event) logEntry {
	k, ok := eventKinds[e.Kind]
	if !ok {
		k.sym, k.sev = "·", sevInfo
	}
	kind := string(e.Kind)
	if e.Alert != "" {
		kind = "alert " + string(e.Alert)
		switch e.Kind {
		case topology.EventAlertCleared:
			kind += " cleared"
		case topology.EventAlertEnded:
			kind += " ended"
		}
	}
	if e.Kind == topology.EventReachChanged && strings.HasSuffix(e.Detail, string(topology.ReachOK)) {
		k.sev = sevOK
	}
	text := e.Detail
	if e.Kind == topology.EventSentinel {
		kind, k.sev = sentinelKind(e.Detail)
		_, text, _ = strings.Cut(e.Detail, " ") // the channel is in the kind column
	}
	if e.Kind == topology.EventFullSyncTimeline && strings.Contains(e.Detail, "failed after") {
		k.sym, k.sev = symLinkDown, sevWarn
	}
	if e.Kind == EventScenarioDone && !passed(e.Detail) {
		k.sym, k.sev = symLinkDown, sevCrit
	}
	return logEntry{at: e.Time, sym: k.sym, sev: k.sev, kind: kind, addr: e.Addr, text: text, ev: &e}
}

// opEntry logs an operation's result: the literal command, its target and
// the reply or error.
func opEntry(at time.Time, op operation, out topology.Outcome, err error) logEntry {
	cmd := op.Command
	if out.Command != "" {
		cmd = out.Command
	}
	text := cmd
	if out.Forced || op.forced() {
		text += " (forced past the guard)"
	}
	sev := sevOp
	switch {
	case err != nil:
		text += " → " + err.Error()
		sev = sevCrit
	case out.Summary != "":
		text += " → " + out.Reply + " · " + out.Summary
	default:
		text += " → " + out.Reply
	}
	return logEntry{at: at, sym: symOp, sev: sev, kind: string(op.Kind), addr: op.Target, text: text}
}

// style returns the style of a severity.
func (s severity) style(st Styles) Ink {
	switch s {
	case sevOK:
		return st.OK
	case sevWarn:
		return st.Warn
	case sevCrit:
		return st.Crit
	case sevOp:
		return st.Info
	default:
		return st.Dim
	}
}

// scroll moves back (positive) or forward in the log.
func (l *logPane) scroll(delta, body int) {
	l.back = clamp(l.back+delta, 0, max(len(l.entries)-body, 0))
}

// moveSel moves the selection back (positive) or forward and scrolls so
// that it stays within the body of h lines.
func (l *logPane) moveSel(delta, body int) {
	l.sel = clamp(l.sel+delta, 0, max(len(l.entries)-1, 0))
	l.follow(body)
}

// follow scrolls so that the selection is within the body.
func (l *logPane) follow(body int) {
	if body <= 0 {
		return
	}
	switch {
	case l.sel < l.back:
		l.back = l.sel
	case l.sel >= l.back+body:
		l.back = l.sel - body + 1
	}
	l.back = clamp(l.back, 0, max(len(l.entries)-body, 0))
}

// view draws the log as h lines of width w.
func (l *logPane) view(w, h int, focused bool) []string {
	st := l.st.styles
	title := fmt.Sprintf("Events · %d", len(l.entries))
	if l.back > 0 {
		title += fmt.Sprintf(" · %d newer below", l.back)
	}
	lines := []string{paneTitle(st, title, w, focused)}
	body := h - 1
	end := len(l.entries) - clamp(l.back, 0, len(l.entries))
	start := max(end-body, 0)
	if len(l.entries) == 0 {
		lines = append(lines, fit(st.Dim.Render("  no events yet"), w))
	}
	kindW, addrW := l.columns(w)
	for i, e := range l.entries[start:end] {
		line := l.entryView(e, kindW, addrW)
		switch {
		case !focused: // the cursor column shows only while the pane has the keys
		case start+i == len(l.entries)-1-l.sel:
			line = st.Cursor.Render(symCursor) + " " + line
		default:
			line = "  " + line
		}
		lines = append(lines, fit(line, w))
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return lines[:h]
}

// columns sizes the kind and address columns for width w: the widest
// logged, within [minKindW, w/4] and [minAddrW, w/5].
func (l *logPane) columns(w int) (kindW, addrW int) {
	return min(l.kindW, max(minKindW, w/4)), min(l.addrW, max(minAddrW, w/5))
}

// entryView draws one entry on a line: time, symbol, kind, address and
// text, the columns cut to their width so the text column never moves.
func (l *logPane) entryView(e logEntry, kindW, addrW int) string {
	st := l.st.styles
	style := e.sev.style(st)
	ts := "--:--:--"
	if !e.at.IsZero() {
		ts = e.at.Format("15:04:05")
	}
	line := st.Dim.Render(ts) + " " + style.Render(e.sym+" "+fit(e.kind, kindW))
	if addrW > 0 {
		line += " " + fit(e.addr, addrW)
	}
	return line + " " + briefError(e.text)
}
