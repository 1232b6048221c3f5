package tui

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/replscope/replscope/record"
	"github.com/replscope/replscope/topology"
)

// fixtureRecording records the fixture's last minute: a graph every 5 s
// with the up replica's lag from lagSeries (×10 000, so that every change
// passes the recording's deadband), each event with the first
// graph at or after its time (the role change at -40 s and the alert at
// -12 s are the marked steps).
func fixtureRecording(tb testing.TB) *record.Recording {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "incident.jsonl")
	w, err := record.Create(path, "watch 127.0.0.1:7001", record.Policy{}, t0.Add(-time.Minute))
	if err != nil {
		tb.Fatal(err)
	}
	evs := fixtureEvents(t0)
	for i, lag := range lagSeries {
		at := t0.Add(time.Duration(i-len(lagSeries)+1) * 5 * time.Second)
		g := fixtureGraph(at, lag)
		g.Links[0].Health.LagBytes = lag * 10_000
		u := topology.Update{Graph: g}
		for len(evs) > 0 && !evs[0].Time.After(at) {
			u.Events, evs = append(u.Events, evs[0]), evs[1:]
		}
		if err := w.Record(u); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	rec, err := record.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

// replayModel is the dashboard on the fixture's recording at size w×h,
// at its first step.
func replayModel(tb testing.TB, w, h int) *Model {
	tb.Helper()
	m := New(context.Background(), Options{Replay: fixtureRecording(tb), Title: "replscope replay · incident.jsonl",
		Subtitle: "watch 127.0.0.1:7001 · 2026-01-02", Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Init()
	return m
}

// TestGoldenReplay pins the replay at the alert (`]` twice: the role
// change, then the alert), the up replica selected (its lag sparkline
// holds the minute before), at 80×24 and 160×48.
func TestGoldenReplay(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		name := "replay-" + itoa(sz.w) + "x" + itoa(sz.h) + ".golden"
		t.Run(name, func(t *testing.T) {
			m := replayModel(t, sz.w, sz.h)
			m.Update(press("]"))
			m.Update(press("]"))
			m.Update(press("j"))
			golden(t, name, screen(t, m, colorprofile.ASCII))
		})
	}
}

// TestReplayKeys walks the recording with the time bar's keys: every
// pane shows the fleet as it was at the cursor.
func TestReplayKeys(t *testing.T) {
	m := replayModel(t, 160, 48)
	rec := m.rp.rec
	last := len(rec.Steps) - 1
	at := func(want int) {
		t.Helper()
		if m.rp.shown != want {
			t.Fatalf("at step %d, want %d", m.rp.shown, want)
		}
		g, _ := rec.Graph(want)
		if m.st.graph.At != g.At {
			t.Errorf("graph of %s shown at step %d (%s)", m.st.graph.At, want, g.At)
		}
		if got, want := len(m.log.entries), len(rec.EventsUpTo(want)); got != want {
			t.Errorf("%d events logged at step %d, want %d", got, m.rp.shown, want)
		}
	}
	at(0)
	if !strings.Contains(m.render(), "step 1/12") {
		t.Errorf("no time bar:\n%s", m.render())
	}
	m.Update(press("right"))
	m.Update(press("right"))
	at(2)
	m.Update(press("left"))
	at(1)
	m.Update(press("]"))
	if !stepHas(rec, m.rp.shown, topology.EventRoleChanged) {
		t.Errorf("] went to step %d, not the role change", m.rp.shown)
	}
	m.Update(press("]"))
	alert := m.rp.shown
	if !stepHas(rec, alert, topology.EventAlertRaised) {
		t.Errorf("] went to step %d, not the alert", alert)
	}
	m.Update(press("]"))
	if m.rp.shown != alert || !strings.Contains(m.status, "no alert or role change after") {
		t.Errorf("] past the last mark: step %d, status %q", m.rp.shown, m.status)
	}
	m.Update(press("["))
	if !stepHas(rec, m.rp.shown, topology.EventRoleChanged) {
		t.Errorf("[ went to step %d, not the role change", m.rp.shown)
	}

	// The lag sparkline holds the minute before the cursor, no more.
	m.stepTo(last)
	full := len(m.st.hist.lag["run-r1"])
	m.stepTo(3)
	if n := len(m.st.hist.lag["run-r1"]); n != 4 || full != len(lagSeries) {
		t.Errorf("lag samples at step 3: %d (want 4); at the end %d (want %d)", n, full, len(lagSeries))
	}
	at(3)

	// t jumps to a time: +30s from the start is step 6.
	m.Update(press("t"))
	for _, r := range "+30s" {
		m.Update(press(string(r)))
	}
	m.Update(press("enter"))
	at(6)
	m.Update(press("t"))
	for _, r := range "tomorrow" {
		m.Update(press(string(r)))
	}
	m.Update(press("enter"))
	if !m.statusErr || m.rp.shown != 6 {
		t.Errorf("a bad time: status %q, step %d", m.status, m.rp.shown)
	}

	// + and - set the speed; space plays: each tick moves the cursor on
	// by 100 ms × speed, and the end pauses.
	for range 6 {
		m.Update(press("+"))
	}
	if m.rp.speed != 64 {
		t.Errorf("speed %g after six +, want 64", m.rp.speed)
	}
	m.Update(press("-"))
	_, cmd := m.Update(press("space"))
	if !m.rp.playing || cmd == nil {
		t.Fatal("space did not start playing")
	}
	from := m.rp.at
	m.Update(replayTickMsg{m.rp.tick})
	if got := m.rp.at.Sub(from); got != 3200*time.Millisecond {
		t.Errorf("a tick at 32× moved %s, want 3.2s", got)
	}
	at(6)
	m.Update(replayTickMsg{m.rp.tick - 1}) // a stale tick does nothing
	for i := 0; m.rp.playing && i < 100; i++ {
		m.Update(replayTickMsg{m.rp.tick})
	}
	at(last)
	if m.rp.playing {
		t.Error("still playing past the end")
	}
	m.Update(press("space"))
	if !m.rp.playing || m.rp.shown != 0 {
		t.Errorf("space at the end: playing %v at step %d, want to play from the start", m.rp.playing, m.rp.shown)
	}
	m.Update(press("space"))
	if m.rp.playing {
		t.Error("space did not pause")
	}

	// At 1× a quiet stretch longer than maxQuiet is skipped: the steps
	// are 5 s apart, so at ¼× (20 s of waiting) the next tick jumps.
	m.Update(press("-"))
	m.Update(press("-"))
	m.Update(press("-"))
	m.Update(press("-"))
	m.Update(press("-"))
	m.Update(press("-"))
	m.Update(press("-"))
	m.Update(press("-"))
	if m.rp.speed != minReplaySpeed {
		t.Fatalf("speed %g, want %g", m.rp.speed, minReplaySpeed)
	}
	m.stepTo(0)
	m.Update(press("space"))
	m.Update(replayTickMsg{m.rp.tick})
	at(1)
	if !strings.Contains(m.status, "skipped") {
		t.Errorf("status %q, want the skip said", m.status)
	}
}

// TestReplayIsReadOnly: no operation keys, no live-feed keys, and the
// help names the time bar's keys.
func TestReplayIsReadOnly(t *testing.T) {
	m := replayModel(t, 120, 40)
	k := m.st.keys
	for name, b := range map[string]bool{"attach": k.Attach.Enabled(), "detach": k.Detach.Enabled(),
		"kill": k.KillLink.Enabled(), "pause": k.Pause.Enabled(), "refresh": k.Refresh.Enabled(), "load": k.Load.Enabled()} {
		if b {
			t.Errorf("%s is enabled in a replay", name)
		}
	}
	m.Update(press("d"))
	if !strings.Contains(m.status, "read-only") && !strings.Contains(m.status, "off") {
		t.Errorf("d in a replay: status %q", m.status)
	}
	m.Update(press("?"))
	help := m.render()
	for _, want := range []string{"play/pause", "step back", "next alert/role", "go to time"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}

// TestReplayProgram plays the recording in a real Bubble Tea program
// (teatest): space plays it to the end through tea.Tick commands.
func TestReplayProgram(t *testing.T) {
	m := New(t.Context(), Options{Replay: fixtureRecording(t), Title: "replay"})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	wait("step 1/12")
	tm.Type("++++++") // 64×: the minute in about a second
	tm.Type(" ")
	wait("end of the recording")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func stepHas(rec *record.Recording, i int, kind topology.EventKind) bool {
	for _, e := range rec.Steps[i].Events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}
