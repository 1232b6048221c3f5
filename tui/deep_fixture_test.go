package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// deepLags are the byte lags of the deep chain's replicas, top down.
var deepLags = []int64{1572864, 307200, 45000, 0}

// deepGraph is a fleet under load: a master at a 9-digit offset on a
// 5-digit port, a chain four replicas deep (each behind the one above by
// deepLags), and a fifth replica in a full sync under the master. base
// is the master's offset.
func deepGraph(at time.Time, base int64) *topology.Graph {
	m := &topology.Node{ID: "run-m", Addr: "127.0.0.1:17001", RunID: "m0", Reach: topology.ReachOK, At: at,
		Role: topology.RoleMaster, ReplID: replidA, ReplID2: zeroID, Offset: base, SecondOffset: -1, Keys: 90210,
		Backlog: topology.Backlog{Active: true, Size: 64 << 20, FirstByte: base - 64<<20 + 1, HistLen: 64 << 20}}
	g := &topology.Graph{At: at, Nodes: []*topology.Node{m}}
	up, off := m, base
	for i, lag := range deepLags {
		off -= lag
		r := &topology.Node{ID: topology.NodeID(fmt.Sprintf("run-r%d", i+1)), Addr: fmt.Sprintf("127.0.0.1:%d", 17002+i),
			RunID: fmt.Sprintf("r%d", i+1), Reach: topology.ReachOK, At: at, Role: topology.RoleReplica,
			ReplID: replidA, ReplID2: zeroID, Offset: off, SecondOffset: -1, Keys: 90210,
			Upstream: &topology.Upstream{Host: "127.0.0.1", Port: 17001 + i, Addr: up.Addr, LinkUp: true,
				LinkState: "connected", Offset: off, ReadOffset: off}}
		g.Nodes = append(g.Nodes, r)
		g.Links = append(g.Links, &topology.Link{Master: up.ID, Replica: r.ID, FromMaster: true, FromReplica: true,
			Health: topology.LinkHealth{State: topology.LinkUp, LagBytes: lag, LagKnown: true,
				LagFrom: topology.LagFromReplica, AckAge: time.Second}})
		up = r
	}
	s := &topology.Node{ID: "run-s", Addr: "127.0.0.1:17009", RunID: "s", Reach: topology.ReachOK, At: at,
		Role: topology.RoleReplica, ReplID: replidB, ReplID2: zeroID, Offset: 0, SecondOffset: -1, Keys: 0,
		Upstream: &topology.Upstream{Host: "127.0.0.1", Port: 17001, Addr: m.Addr, LinkState: "sync",
			Sync: &topology.SyncProgress{TotalBytes: 900 << 20, ReadBytes: 412 << 20}}}
	g.Nodes = append(g.Nodes, s)
	g.Links = append(g.Links, &topology.Link{Master: m.ID, Replica: s.ID, FromMaster: true, FromReplica: true,
		Health: topology.LinkHealth{State: topology.LinkSyncing, AckAge: -1, LastIO: 0,
			Sync: &topology.SyncProgress{TotalBytes: 900 << 20, ReadBytes: 412 << 20}}})
	g.Alerts = []topology.Alert{{Name: topology.AlertLagBytes, Node: "run-r1", Peer: m.ID, Severity: topology.Warning,
		Message: "127.0.0.1:17002 behind 127.0.0.1:17001 by 1.50M (replica-offset)"}}
	return g
}

// deepModel is a dashboard showing deepGraph at size w×h.
func deepModel(tb testing.TB, w, h int, base int64) *Model {
	tb.Helper()
	m := New(context.Background(), Options{Feed: newFakeFeed(), Title: "replscope watch", Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(updateMsg{topology.Update{Graph: deepGraph(t0, base)}})
	return m
}

// rowOf returns the tree's part (left of the divider at col) of the
// screen line showing the ":port" label.
func rowOf(screen string, col int, label string) string {
	for _, l := range strings.Split(screen, "\n") {
		if tree := ansi.Cut(l, 0, col); strings.Contains(tree, label+" ") {
			return tree
		}
	}
	return ""
}

// TestTreeKeepsLagFirst: at 80×24 with 9-digit offsets, 5-digit ports and a
// chain four deep, every replica's row still shows its link state and its
// byte lag; the offsets go first.
func TestTreeKeepsLagFirst(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		m := deepModel(t, sz[0], sz[1], 546000737)
		s, col := ansi.Strip(m.View().Content), dividerCol(m)
		for i, lag := range deepLags {
			label := fmt.Sprintf(":%d", 17002+i)
			row := rowOf(s, col, label)
			if row == "" {
				t.Fatalf("%v: no tree row for %s:\n%s", sz, label, s)
			}
			if !strings.Contains(row, fmtBytes(lag)) || !strings.Contains(row, symOnline) {
				t.Errorf("%v: row %q lacks its link state or its lag %s", sz, row, fmtBytes(lag))
			}
		}
		if row := rowOf(s, col, ":17009"); !strings.Contains(row, symSyncing) {
			t.Errorf("%v: the syncing replica's row %q lacks its state", sz, row)
		}
		if sz[0] >= 200 && !strings.Contains(rowOf(s, col, ":17001"), "@546000737") {
			t.Errorf("%v: the offsets are gone though there is room:\n%s", sz, s)
		}
	}
}

// dividerCol is the column of the tree/details divider on the body's
// first line.
func dividerCol(m *Model) int {
	lines := strings.Split(ansi.Strip(m.View().Content), "\n")
	return ansi.StringWidth(lines[1][:strings.Index(lines[1], "│")])
}

// TestDividerStable: the tree/details divider depends on the window's
// width alone, not on how wide the offsets have grown.
func TestDividerStable(t *testing.T) {
	for _, w := range []int{80, 120, 200} {
		small := dividerCol(deepModel(t, w, 40, 1<<22))
		big := dividerCol(deepModel(t, w, 40, 546000737))
		fixture := dividerCol(fixtureModel(t, w, 40, Options{Feed: newFakeFeed()}))
		if small != big || small != fixture {
			t.Errorf("width %d: divider at %d (small offsets), %d (9 digits), %d (other fleet)", w, small, big, fixture)
		}
	}
}
