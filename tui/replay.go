package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/record"
	"github.com/replscope/replscope/topology"
)

// replayTick is how often a playing replay moves its cursor.
const replayTick = 100 * time.Millisecond

// The speeds a replay plays at, `+` and `-` doubling and halving.
const (
	minReplaySpeed = 0.25
	maxReplaySpeed = 256
)

// replay is the dashboard's cursor over a recording (`replscope
// replay`): an instant of the recorded time, the step shown there, and
// whether it plays. Every pane shows the fleet as it was at the cursor:
// the step's graph, the lag history of the minute before it, the events
// up to it. The recording is read whole before the program starts, so
// moving the cursor does no I/O.
type replay struct {
	rec     *record.Recording
	at      time.Time // the cursor
	shown   int       // the step on screen; -1 before the first
	playing bool
	speed   float64
	tick    int // the current tick chain; older ticks are dropped
}

// replayTickMsg advances a playing replay.
type replayTickMsg struct{ chain int }

func newReplay(rec *record.Recording) *replay {
	return &replay{rec: rec, at: rec.Start(), shown: -1, speed: 1}
}

// tickCmd schedules the next move of a playing replay.
func (r *replay) tickCmd() tea.Cmd {
	chain := r.tick
	return tea.Tick(replayTick, func(time.Time) tea.Msg { return replayTickMsg{chain} })
}

// replayInit shows the recording's first step, paused.
func (m *Model) replayInit() tea.Cmd {
	m.seek(m.rp.rec.Start())
	return nil
}

// maxQuiet is the longest a playing replay waits, at its speed, for the
// next change: a longer quiet stretch is skipped.
const maxQuiet = 5 * time.Second

// onReplayTick moves a playing cursor on by the tick times the speed,
// skipping to the next change when it is more than maxQuiet away at this
// speed; the end of the recording pauses it.
func (m *Model) onReplayTick(msg replayTickMsg) tea.Cmd {
	r := m.rp
	if !r.playing || msg.chain != r.tick {
		return nil
	}
	at := r.at.Add(time.Duration(float64(replayTick) * r.speed))
	if next := r.shown + 1; next < len(r.rec.Steps) {
		if gap := r.rec.Steps[next].At.Sub(at); gap > time.Duration(float64(maxQuiet)*r.speed) {
			at = r.rec.Steps[next].At
			m.setStatus("skipped "+shortSpan(gap)+" without a change", false)
		}
	}
	if end := r.rec.End(); !at.Before(end) {
		m.seek(end)
		r.playing = false
		m.setStatus("end of the recording", false)
		return nil
	}
	m.seek(at)
	return r.tickCmd()
}

// replayKey handles the time bar's keys; false when k is not one.
func (m *Model) replayKey(k tea.KeyPressMsg) (tea.Cmd, bool) {
	r, keys := m.rp, m.st.keys
	switch {
	case key.Matches(k, keys.PlayPause):
		r.playing = !r.playing
		r.tick++
		if !r.playing {
			m.setStatus("paused", false)
			return nil, true
		}
		if !r.at.Before(r.rec.End()) {
			m.seek(r.rec.Start()) // play again from the start
		}
		m.setStatus("playing", false)
		return r.tickCmd(), true
	case key.Matches(k, keys.StepBack):
		m.stepTo(r.shown - 1)
	case key.Matches(k, keys.StepFwd):
		m.stepTo(r.shown + 1)
	case key.Matches(k, keys.PrevMark):
		m.markTo(-1)
	case key.Matches(k, keys.NextMark):
		m.markTo(1)
	case key.Matches(k, keys.Faster):
		r.speed = min(r.speed*2, maxReplaySpeed)
	case key.Matches(k, keys.Slower):
		r.speed = max(r.speed/2, minReplaySpeed)
	case key.Matches(k, keys.JumpTime):
		return m.openInput(modeJump, "time (RFC 3339, 15:04:05 or +90s): ", ""), true
	default:
		return nil, false
	}
	return nil, true
}

// stepTo puts the cursor on step i (kept within the recording).
func (m *Model) stepTo(i int) {
	i = clamp(i, 0, len(m.rp.rec.Steps)-1)
	m.seek(m.rp.rec.Steps[i].At)
}

// markTo goes to the previous (dir -1) or next (dir 1) step that raised
// or cleared an alert or changed a role.
func (m *Model) markTo(dir int) {
	steps := m.rp.rec.Steps
	for i := m.rp.shown + dir; i >= 0 && i < len(steps); i += dir {
		if steps[i].Mark {
			m.stepTo(i)
			return
		}
	}
	if dir < 0 {
		m.setStatus("no alert or role change before this", false)
	} else {
		m.setStatus("no alert or role change after this", false)
	}
}

// jumpTo reads the `t` line and moves the cursor there.
func (m *Model) jumpTo(s string) {
	rec := m.rp.rec
	t, err := record.ParseTime(s, rec.Start())
	if err != nil {
		m.setStatus(err.Error(), true)
		return
	}
	if t.Before(rec.Start()) || t.After(rec.End()) {
		m.setStatus("the recording runs from "+rec.Start().Format(time.RFC3339)+" to "+rec.End().Format(time.RFC3339), true)
		return
	}
	m.seek(t)
}

// seek moves the cursor to t and shows the fleet as it was then. A move
// forward by less than the sparkline's minute adds the steps passed to
// what is shown; any other move rebuilds the panes from the recording.
func (m *Model) seek(t time.Time) {
	r := m.rp
	r.at = t
	i := r.rec.StepAt(t)
	if i == r.shown {
		return
	}
	if i > r.shown && r.shown >= 0 && r.rec.Steps[i].At.Sub(r.rec.Steps[r.shown].At) <= lagWindow {
		for j := r.shown + 1; j <= i; j++ { // forward within the sparkline's window: the new steps only
			g, err := r.rec.Graph(j)
			if err != nil {
				m.setStatus(err.Error(), true)
				return
			}
			r.shown = j
			m.apply(topology.Update{Graph: g, Events: r.rec.Steps[j].Events})
		}
		return
	}
	m.rebuild(i)
}

// rebuild shows step i from scratch: its graph, the lag history of the
// minute before it and the last events up to it.
func (m *Model) rebuild(i int) {
	r := m.rp
	from := r.rec.StepAt(r.rec.Steps[i].At.Add(-lagWindow))
	hist := newHistory()
	var g *topology.Graph
	for j := from; j <= i; j++ {
		gj, err := r.rec.Graph(j)
		if err != nil {
			m.setStatus(err.Error(), true)
			return
		}
		hist.observe(gj)
		g = gj
	}
	r.shown = i
	m.st.graph, m.st.rows, m.st.hist = g, topology.Layout(g), hist
	events := r.rec.EventsUpTo(i)
	if n := len(events); n > logCapacity {
		events = events[n-logCapacity:]
	}
	m.log = logPane{st: m.st}
	m.log.addEvents(events)
	m.tree.setRows()
	m.fixScroll()
}
