package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/topology"
)

// planOperator is a fakeOperator that also runs fleet plans (CLUSTER
// REPLICATE, CLUSTER FAILOVER), recording their commands.
type planOperator struct{ fakeOperator }

func (o *planOperator) RunPlan(_ context.Context, _ *topology.Graph, p topology.OpPlan, force bool) (topology.Outcome, error) {
	o.record("plan " + p.Command())
	return topology.Outcome{Op: p.Kind, Target: p.Target, Command: p.Command(), Reply: "OK", Summary: p.Why}, nil
}

// TestClusterPickerSpeaksClusterReplicate: `a` on a cluster replica
// offers the cluster's masters (with node id and slots) for CLUSTER
// REPLICATE <node-id>, never REPLICAOF, and `enter` + `y` sends CLUSTER
// REPLICATE with the chosen master's id; on a master that serves slots
// the guard refuses with Redis's reason.
func TestClusterPickerSpeaksClusterReplicate(t *testing.T) {
	g := clusterGraph(t0)
	op := &planOperator{}
	m := New(context.Background(), Options{Feed: newFakeFeed(), Operator: op})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(updateMsg{topology.Update{Graph: g}})
	r := &rig{m: m}
	replica := g.Node(g.Cluster.Shards[0].Replicas[0])
	for i := 0; i < 400 && r.selected() != replica.Addr; i++ {
		r.keys("j")
	}
	if r.selected() != replica.Addr {
		t.Fatalf("cannot select %s", replica.Addr)
	}
	r.keys("a")
	s := r.screen()
	if !strings.Contains(s, "CLUSTER REPLICATE <node-id>") || strings.Contains(s, "REPLICAOF") {
		t.Fatalf("the picker does not speak CLUSTER REPLICATE:\n%s", s)
	}
	second := g.Cluster.Shards[1]
	if !strings.Contains(s, topology.FormatSlots(second.Slots)) || !strings.Contains(s, second.ID[:8]+"…") {
		t.Errorf("the candidates do not show the master's id and slots:\n%s", s)
	}
	if n := len(m.picker.cands); n != len(g.Cluster.Shards) {
		t.Errorf("%d candidates, want the %d masters", n, len(g.Cluster.Shards))
	}
	for _, c := range m.picker.cands {
		if c.node.Role != topology.RoleMaster {
			t.Errorf("a replica is offered as a master: %s", c.node.Addr)
		}
	}
	for m.picker.cands[m.picker.cursor].clusterID != second.ID {
		r.keys("j")
	}
	r.keys("enter")
	want := "CLUSTER REPLICATE " + second.ID
	if s := r.screen(); !strings.Contains(s, want) {
		t.Fatalf("the prompt does not show %q:\n%s", want, s)
	}
	r.run(t, r.keys("y"))
	if calls := op.Calls(); len(calls) != 1 || calls[0] != "plan "+want {
		t.Fatalf("sent %q, want %q", calls, want)
	}

	// a master serving slots cannot follow another master
	master := g.Node(g.Cluster.Shards[2].Master)
	p, err := topology.ClusterReplicatePlan(g, master.ID, g.Node(second.Master).Addr)
	if err != nil {
		t.Fatal(err)
	}
	if p.Verdict.Allowed || p.Verdict.Reasons[0].Code != "has-slots" {
		t.Errorf("CLUSTER REPLICATE on a master with slots: %+v", p.Verdict)
	}
}

// TestClusterCommandLine: `:detach` and `:replicaof <node> no one` on a
// cluster node are refused with the reason, as `d` is; `:replicaof
// <node> <master>` is spoken as CLUSTER REPLICATE <id>.
func TestClusterCommandLine(t *testing.T) {
	g := clusterGraph(t0)
	replica := g.Node(g.Cluster.Shards[0].Replicas[0])
	for _, line := range []string{"detach " + replica.Addr, "replicaof " + replica.Addr + " no one"} {
		if _, err := parseCommand(g, line); err == nil || !strings.Contains(err.Error(), "REPLICAOF not allowed in cluster mode") {
			t.Errorf("%q: err %v, want the cluster-mode refusal", line, err)
		}
	}
	other := g.Cluster.Shards[1]
	op, err := parseCommand(g, "replicaof "+replica.Addr+" "+g.Node(other.Master).Addr)
	if err != nil {
		t.Fatal(err)
	}
	if op.Command != "CLUSTER REPLICATE "+other.ID {
		t.Errorf("command %q, want CLUSTER REPLICATE %s", op.Command, other.ID)
	}
}
