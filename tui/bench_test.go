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

// bigGraph is an n-node topology shaped like a binary heap: node k
// replicates from node k/2, so chains run log2(n) deep.
func bigGraph(n int, at time.Time) *topology.Graph {
	g := &topology.Graph{At: at}
	for k := 1; k <= n; k++ {
		addr := fmt.Sprintf("127.0.0.1:%d", 7000+k)
		nd := &topology.Node{ID: topology.NodeID(fmt.Sprintf("run-%03d", k)), Addr: addr, RunID: fmt.Sprintf("run-%03d", k),
			Software: "replscope", Version: "0.1.0", Reach: topology.ReachOK, At: at, Role: topology.RoleMaster,
			ReplID: replidA, ReplID2: zeroID, Offset: 5000000 - int64(k*10), SecondOffset: -1, Keys: 1000,
			Backlog: topology.Backlog{Active: true, Size: 1 << 20, FirstByte: 3951425, HistLen: 1 << 20}}
		if k > 1 {
			p := g.Nodes[k/2-1]
			nd.Role = topology.RoleReplica
			_, port, _ := splitPort(p.Addr)
			nd.Upstream = &topology.Upstream{Host: "127.0.0.1", Port: port, Addr: p.Addr, LinkUp: true, Offset: nd.Offset}
			p.Replicas = append(p.Replicas, topology.ReplicaLine{IP: "127.0.0.1", Port: 7000 + k, Addr: addr, State: "online", AckOffset: nd.Offset})
			g.Links = append(g.Links, &topology.Link{Master: p.ID, Replica: nd.ID, FromMaster: true, FromReplica: true,
				Health: topology.LinkHealth{State: topology.LinkUp, LagBytes: p.Offset - nd.Offset, LagKnown: true,
					LagFrom: topology.LagFromReplica, AckAge: time.Second, Coverage: topology.Coverage{Known: true, Partial: true, Margin: 1 << 19}}})
		}
		g.Nodes = append(g.Nodes, nd)
	}
	return g
}

func splitPort(addr string) (string, int, error) {
	var port int
	_, err := fmt.Sscanf(addr, "127.0.0.1:%d", &port)
	return "127.0.0.1", port, err
}

// BenchmarkView100 is one frame of a 100-node topology at 160×48 with a
// minute of history, the cursor deep in the tree: the target is < 5 ms.
func BenchmarkView100(b *testing.B) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := New(context.Background(), Options{Feed: newFakeFeed(), Operator: &fakeOperator{}})
			m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			for i := range 12 {
				m.Update(updateMsg{topology.Update{Graph: bigGraph(100, t0.Add(time.Duration(i)*5*time.Second))}})
			}
			for range 60 {
				m.Update(press("j"))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkUpdate100 is applying one 100-node snapshot (layout, history,
// filter): done once per poll, not per frame.
func BenchmarkUpdate100(b *testing.B) {
	m := New(context.Background(), Options{Feed: newFakeFeed()})
	m.Update(tea.WindowSizeMsg{Width: 160, Height: 48})
	g := bigGraph(100, t0)
	b.ReportAllocs()
	for b.Loop() {
		m.Update(updateMsg{topology.Update{Graph: g}})
	}
}

func TestView100Nodes(t *testing.T) {
	m := New(context.Background(), Options{Feed: newFakeFeed(), Operator: &fakeOperator{}})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(updateMsg{topology.Update{Graph: bigGraph(100, t0)}})
	if len(m.tree.rows) != 100 {
		t.Fatalf("%d rows", len(m.tree.rows))
	}
	m.Update(press("G"))
	if got, want := m.selected().ID, m.tree.rows[99].ID; got != want {
		t.Errorf("G selected %s, want the last row %s", got, want)
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "▸") {
		t.Error("the cursor scrolled out of view")
	}
	lines := m.tree.view(40, 20, true)
	if len(lines) != 20 {
		t.Fatalf("%d lines", len(lines))
	}
}
