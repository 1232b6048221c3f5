package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/replscope/replscope/topology"
)

// syncingGraph is the fixture with the syncing replica (7003) in the
// transfer phase of a full sync, after an earlier one that completed
// with every phase, and the up replica (7002) after one that failed.
func syncingGraph(at time.Time) *topology.Graph {
	g := fixtureGraph(at, 44)
	ts := func(sec float64) time.Time { return at.Add(time.Duration(sec * float64(time.Second))) }
	r2 := g.Node("run-r2")
	r2.FullSync = &topology.FullSync{Replica: r2.ID, Master: "127.0.0.1:7001", Start: ts(-4.5), Bytes: 10 << 20,
		Outcome: topology.SyncRunning, Phases: []topology.PhaseSpan{
			{Phase: topology.PhaseWaitBgsave, Start: ts(-4.5), End: ts(-3)},
			{Phase: topology.PhaseTransfer, Start: ts(-3)},
		}}
	r2.LastFullSync = &topology.FullSync{Replica: r2.ID, Master: "127.0.0.1:7001", Start: ts(-300), End: ts(-291.4),
		Bytes: 10 << 20, Outcome: topology.SyncDone, Exact: true, Phases: []topology.PhaseSpan{
			{Phase: topology.PhaseWaitBgsave, Start: ts(-300), End: ts(-298.8)},
			{Phase: topology.PhaseTransfer, Start: ts(-298.8), End: ts(-294.8)},
			{Phase: topology.PhaseLoading, Start: ts(-294.8), End: ts(-292.1)},
			{Phase: topology.PhaseCatchUp, Start: ts(-292.1), End: ts(-291.4)},
		}}
	r1 := g.Node("run-r1")
	r1.LastFullSync = &topology.FullSync{Replica: r1.ID, Master: "127.0.0.1:7001", Start: ts(-90), End: ts(-87),
		Bytes: -1, Outcome: topology.SyncFailed, Reason: "link down during transfer", Phases: []topology.PhaseSpan{
			{Phase: topology.PhaseWaitBgsave, Start: ts(-90), End: ts(-89)},
			{Phase: topology.PhaseTransfer, Start: ts(-89), End: ts(-87)},
		}}
	return g
}

// syncingEvents are the tracker's events that led to syncingGraph.
func syncingEvents(at time.Time) []topology.Event {
	ev := func(sec float64, kind topology.EventKind, id topology.NodeID, addr, detail, src string) topology.Event {
		return topology.Event{Time: at.Add(time.Duration(sec * float64(time.Second))), Kind: kind, Node: id, Addr: addr,
			Peer: "run-m", Detail: "with 127.0.0.1:7001 · " + detail, Source: src}
	}
	return []topology.Event{
		ev(-291.4, topology.EventFullSyncTimeline, "run-r2", "127.0.0.1:7003",
			"done in 8.6s: wait-bgsave 1.2s · transfer 4.0s 2.50M/s · loading 2.7s · catch-up 700ms", "node"),
		ev(-87, topology.EventFullSyncTimeline, "run-r1", "127.0.0.1:7002",
			"failed after 3.0s: link down during transfer: wait-bgsave 1.0s · transfer 2.0s", "poll"),
		ev(-30, topology.EventFullSyncStarted, "run-r2", "127.0.0.1:7003", "127.0.0.1:7001 → 127.0.0.1:7003", "poll"),
	}
}

// syncingModel is a dashboard on syncingGraph with addr selected.
func syncingModel(t *testing.T, w, h int, addr string) *Model {
	t.Helper()
	m := New(context.Background(), Options{Feed: newFakeFeed(), Title: "replscope watch", Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(updateMsg{topology.Update{Graph: syncingGraph(t0), Events: syncingEvents(t0)}})
	for range 6 {
		if strings.Contains(ansi.Strip(m.View().Content), "Details · "+addr) {
			return m
		}
		m.Update(press("j"))
	}
	t.Fatalf("could not select %s", addr)
	return nil
}

// TestGoldenFullSyncTimeline pins the details pane's full-sync timeline
// (issue 15 item 4) at 80×24 and 160×48, run in a Bubble Tea program: the
// sync in progress and the last one, each with its phase bar and the
// phases with their durations and the transfer rate.
func TestGoldenFullSyncTimeline(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		name := "fullsync-" + itoa(sz[0]) + "x" + itoa(sz[1]) + ".golden"
		t.Run(name, func(t *testing.T) {
			m := syncingModel(t, sz[0], sz[1], "127.0.0.1:7003")
			if sz[0] < twoColumnWidth { // one narrow column: scroll the details to the timeline
				m.Update(press("tab"))
				for range 8 {
					m.Update(press("j"))
				}
			}
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(sz[0], sz[1]))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("last sync")) },
				teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
			tm.Type("q")
			final, ok := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
			if !ok {
				t.Fatal("final model is not a *Model")
			}
			got := screen(t, final, colorprofile.NoTTY)
			for _, want := range []string{"full sync", "transfer · 4.5s so far", "last sync", "done in 8.6s",
				"wait 1.2s", "transfer 4.0s 2.50M/s", "loading 2.7s", "catch-up 700ms", symPhaseTransfer} {
				if !bytes.Contains(got, []byte(want)) {
					t.Errorf("the timeline lacks %q", want)
				}
			}
			golden(t, name, got)
		})
	}
}

// TestFullSyncTimelineFailed: a failed sync says so, with its cause, and
// its phases.
func TestFullSyncTimelineFailed(t *testing.T) {
	s := ansi.Strip(syncingModel(t, 120, 40, "127.0.0.1:7002").View().Content)
	for _, want := range []string{symLinkDown + " failed after 3.0s · link down during transfer", "wait 1.0s", "transfer 2.0s"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in\n%s", want, s)
		}
	}
}
