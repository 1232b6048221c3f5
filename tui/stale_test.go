package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/topology"
)

// TestStaleDataIsSaid checks that the header says when data shown is
// older than two polling intervals (Graph.StaleAfter), naming the node or
// counting them, and that the stale node's details say how old its data
// is; fresh data adds nothing.
func TestStaleDataIsSaid(t *testing.T) {
	r := newRig(t, Options{})
	g := fixtureGraph(t0, 44)
	g.StaleAfter = time.Second
	r.m.Update(updateMsg{topology.Update{Graph: g}})
	if s := r.screen(); strings.Contains(s, "stale") {
		t.Fatalf("fresh data said to be stale:\n%s", s)
	}

	g = fixtureGraph(t0, 44)
	g.StaleAfter = time.Second
	hung := g.ByAddr("127.0.0.1:7002")
	hung.At = t0.Add(-4200 * time.Millisecond) // its probe is still running: the last answer is shown
	r.m.Update(updateMsg{topology.Update{Graph: g}})
	r.keys("j")
	s := r.screen()
	header, _, _ := strings.Cut(s, "\n")
	if !strings.Contains(header, "! stale :7002 4.2s") {
		t.Errorf("header %q does not say :7002 is stale", header)
	}
	if !strings.Contains(s, "stale: 4.2s old, last answer "+hung.At.Format("15:04:05")) {
		t.Errorf("the details do not say how old :7002's data is:\n%s", s)
	}

	g = fixtureGraph(t0, 44)
	g.StaleAfter = time.Second
	g.ByAddr("127.0.0.1:7002").At = t0.Add(-3 * time.Second)
	g.ByAddr("127.0.0.1:7005").LastOK = t0.Add(-12 * time.Second) // stopped answering
	r.m.Update(updateMsg{topology.Update{Graph: g}})
	if header, _, _ := strings.Cut(r.screen(), "\n"); !strings.Contains(header, "! 2 nodes stale ≤12s") {
		t.Errorf("header %q does not count the stale nodes", header)
	}
}
