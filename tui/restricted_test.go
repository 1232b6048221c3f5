package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/replscope/replscope/topology"
)

// TestRestrictedNodeDetails: a node that refused CONFIG and CLIENT says
// in its details which facts are unknown and why, and kill-link (CLIENT
// KILL) is not offered on it.
func TestRestrictedNodeDetails(t *testing.T) {
	g := fixtureGraph(t0, 44)
	r1 := g.Node("run-r1")
	r1.Refused = []string{"CLIENT", "CONFIG"}
	r1.Replicas = []topology.ReplicaLine{{IP: "127.0.0.1", Port: 7004, Addr: "127.0.0.1:7004", Pending: -1}}
	d := &detailsPane{st: &state{styles: DefaultStyles(), graph: g, hist: newHistory()}}
	got := ansi.Strip(strings.Join(d.identity(r1, 120), "\n"))
	for _, want := range []string{"output limits, repl-timeout: unknown (CONFIG refused)", "replica output buffers: unknown (CLIENT refused)"} {
		if !strings.Contains(got, want) {
			t.Errorf("details lack %q:\n%s", want, got)
		}
	}
	if _, err := planKillLink(g, r1); err == nil || !strings.Contains(err.Error(), "refuses CLIENT") {
		t.Errorf("kill-link offered on a node refusing CLIENT: %v", err)
	}
	if _, err := planKillLink(g, g.Node("run-r2")); err != nil {
		t.Errorf("kill-link refused on an unrestricted replica: %v", err)
	}
	r1.Refused = []string{"REPLICAOF"}
	if err := notOffered(planDetach(g, r1)); err == nil || !strings.Contains(err.Error(), "refuses REPLICAOF") {
		t.Errorf("detach offered on a node refusing REPLICAOF: %v", err)
	}
	if err := notOffered(planDetach(g, g.Node("run-r2"))); err != nil {
		t.Errorf("detach not offered on an unrestricted replica: %v", err)
	}
}

// TestAskRefusesWhatCannotWork: asking for an operation whose command the
// node refuses opens no confirmation and says why in the status bar.
func TestAskRefusesWhatCannotWork(t *testing.T) {
	m := fixtureModel(t, 120, 40, Options{})
	g := m.st.graph
	g.Node("run-r1").Refused = []string{"REPLICAOF"}
	m.ask(planDetach(g, g.Node("run-r1")))
	if m.mode == modeConfirm || !m.statusErr || !strings.Contains(m.status, "refuses REPLICAOF") {
		t.Fatalf("mode %v, status %q", m.mode, m.status)
	}
	m.ask(planDetach(g, g.Node("run-r2")))
	if m.mode != modeConfirm {
		t.Fatalf("an unrestricted detach was not asked: mode %v", m.mode)
	}
}
