package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// stalledGraph is deepGraph with its second replica (:17003) frozen: it
// no longer answers, while the replicas below it keep their links up and
// their lag against it reads 0B. Their freshness is measured against the
// root master (:17001), as topology.Assess does; with rootDown the root
// does not answer either, and freshness cannot be known.
func stalledGraph(at time.Time, rootDown bool) *topology.Graph {
	g := deepGraph(at, 546000737)
	frozen := g.Node("run-r2")
	frozen.Reach, frozen.Error = topology.ReachUnreachable, "i/o timeout"
	for _, l := range g.Links {
		if l.Replica == "run-r3" || l.Replica == "run-r4" {
			l.Health.LagBytes = 0
		}
	}
	m := g.Node("run-m")
	for i, id := range []topology.NodeID{"run-r3", "run-r4"} {
		n := g.Node(id)
		f := topology.Freshness{Root: m.ID, Depth: 3 + i, Stalled: true, Via: frozen.ID, Known: true,
			LagBytes: m.Offset - n.Upstream.Offset, LagTime: 42 * time.Second, LagTimeKnown: true}
		f.Note = "upstream 127.0.0.1:17003 unreachable — " + fmtBytes(f.LagBytes) + " behind root master 127.0.0.1:17001"
		if rootDown {
			f = topology.Freshness{Root: m.ID, Depth: 3 + i, Stalled: true, Via: frozen.ID,
				Note: "upstream 127.0.0.1:17003 unreachable — freshness unknown"}
		}
		n.Health.Freshness = f
	}
	if rootDown {
		m.Reach, m.Error = topology.ReachUnreachable, "connection refused"
	}
	return g
}

// stalledModel is a dashboard showing stalledGraph at w×h with the
// replica below the frozen one (:17004) selected.
func stalledModel(tb testing.TB, w, h int, rootDown bool) *Model {
	tb.Helper()
	m := New(context.Background(), Options{Feed: newFakeFeed(), Title: "replscope watch", Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(updateMsg{topology.Update{Graph: stalledGraph(t0, rootDown)}})
	for range 3 {
		m.Update(press("j"))
	}
	return m
}

// TestTreeShowsFreshness (issue 16 item 5): a replica below a frozen
// upstream shows its lag against the root master in its tree row (↥ and
// the bytes, not the 0B it reads against the frozen node), or ↥? when
// that cannot be known, at every size with role, name, link state and
// lag kept first; the details pane says the same.
func TestTreeShowsFreshness(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		for _, rootDown := range []bool{false, true} {
			m := stalledModel(t, sz[0], sz[1], rootDown)
			s, col := ansi.Strip(m.View().Content), dividerCol(m)
			g := stalledGraph(t0, rootDown)
			for _, id := range []topology.NodeID{"run-r3", "run-r4"} {
				n := g.Node(id)
				label := ":" + n.Addr[strings.LastIndex(n.Addr, ":")+1:]
				row := rowOf(s, col, label)
				want := symRootLag + fmtBytes(n.Health.Freshness.LagBytes)
				if rootDown {
					want = symRootLag + "?"
				}
				if !strings.Contains(row, symOnline) || !strings.Contains(row, want) {
					t.Errorf("%v rootDown=%v: row %q lacks its link state or %q", sz, rootDown, row, want)
				}
				if strings.Contains(row, " 0B") {
					t.Errorf("%v rootDown=%v: row %q shows the lag against the frozen upstream", sz, rootDown, row)
				}
			}
			if row := rowOf(s, col, ":17002"); strings.Contains(row, symRootLag) {
				t.Errorf("%v: a replica above the stall shows freshness: %q", sz, row)
			}
			l := m.layout()
			details := ansi.Strip(strings.Join(m.rightView(l.detailsW, 200), "\n"))
			want := "behind root 127.0.0.1:17001"
			if rootDown {
				want = "freshness unknown"
			}
			if !strings.Contains(strings.Join(strings.Fields(details), " "), want) {
				t.Errorf("%v rootDown=%v: details lack %q:\n%s", sz, rootDown, want, details)
			}
		}
	}
}

// TestGoldenFreshness pins the stalled chain at the three sizes, with the
// root readable (80×24, 200×60) and not (120×40).
func TestGoldenFreshness(t *testing.T) {
	for _, c := range []struct {
		w, h     int
		rootDown bool
	}{{80, 24, false}, {120, 40, true}, {200, 60, false}} {
		name := "freshness-" + itoa(c.w) + "x" + itoa(c.h) + ".golden"
		t.Run(name, func(t *testing.T) {
			golden(t, name, screen(t, stalledModel(t, c.w, c.h, c.rootDown), colorprofile.NoTTY))
		})
	}
}

// TestTreeTitleCountsNodes: one node is "1 node", not "1 nodes" (seen
// with `replscope watch PORT` on a lone redis-server).
func TestTreeTitleCountsNodes(t *testing.T) {
	g := deepGraph(t0, 1000)
	g.Nodes, g.Links, g.Alerts = g.Nodes[:1], nil, nil
	m := New(context.Background(), Options{Feed: newFakeFeed(), Now: func() time.Time { return t0 }})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(updateMsg{topology.Update{Graph: g}})
	if s := ansi.Strip(m.View().Content); !strings.Contains(s, "Topology · 1 node ") {
		t.Errorf("title:\n%s", s)
	}
}
