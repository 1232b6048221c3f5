package tui

import (
	"context"
	"errors"
	"fmt"

	"github.com/replscope/replscope/topology"
)

// PlanRunner carries out an operation spoken in a fleet kind's own way
// (CLUSTER FAILOVER, CLUSTER REPLICATE). A *topology.Operator is one; an
// Operator that is not cannot run them.
type PlanRunner interface {
	RunPlan(ctx context.Context, g *topology.Graph, p topology.OpPlan, force bool) (topology.Outcome, error)
}

var _ PlanRunner = (*topology.Operator)(nil)

// planOp wraps a topology plan as an operation for the prompt.
func planOp(g *topology.Graph, p topology.OpPlan) operation {
	return operation{Kind: opKind(p.Kind), Node: p.Node, Target: p.Target, Command: p.Command(),
		Verdict: p.Verdict, Graph: g, OpPlan: &p}
}

// planFailover prepares `f` on n: the fleet kind's own failover
// (topology.FailoverOp decides which).
func planFailover(g *topology.Graph, n *topology.Node) (operation, error) {
	p, err := topology.ClusterFailoverOp(g, n.Addr)
	if err != nil {
		return operation{}, err
	}
	if p.Kind == "promote" {
		return planDetach(g, n), nil
	}
	return planOp(g, p), nil
}

// planTakeover turns a cluster failover into CLUSTER FAILOVER TAKEOVER,
// which needs a second confirmation.
func planTakeover(op operation) (operation, bool) {
	if op.OpPlan == nil || op.OpPlan.Kind != "cluster-failover" || op.takeover {
		return op, false
	}
	p, err := topology.ClusterFailoverPlan(op.Graph, op.Node, true)
	if err != nil {
		return op, false
	}
	out := planOp(op.Graph, p)
	out.takeover = true
	return out, true
}

// inCluster reports whether n is a Redis Cluster node, where REPLICAOF is
// refused.
func inCluster(g *topology.Graph, n *topology.Node) bool {
	return n != nil && g.ClusterMemberOf(n.ID) != nil
}

// clusterDetachNote is what `d` says on a cluster node.
func clusterDetachNote() string {
	return "detach is not offered on a cluster node: " + topology.ErrClusterMode.Error()
}

// runPlan runs op.OpPlan with o, when o can.
func runPlan(ctx context.Context, o Operator, op operation) (topology.Outcome, error) {
	r, ok := o.(PlanRunner)
	if !ok || op.OpPlan == nil {
		return topology.Outcome{}, errors.New(op.Command + ": this operator cannot send it")
	}
	return r.RunPlan(ctx, op.Graph, *op.OpPlan, op.forced() || op.takeover)
}

// clusterTitle is the header's cluster part: "◆ cluster ok · 3 shards ·
// 16384 slots ok", with pfail, fail and uncovered slots when there are
// some; "" outside a cluster.
func clusterTitle(st Styles, g *topology.Graph) string {
	if g == nil || g.Cluster == nil {
		return ""
	}
	c := g.Cluster
	s := fmt.Sprintf("cluster %s · %d shards · %d slots ok", c.Info.State, len(c.Shards), c.Info.SlotsOK)
	for _, x := range []struct {
		n    int
		what string
	}{{c.Info.SlotsPFail, "pfail"}, {c.Info.SlotsFail, "fail"}, {topology.CountSlots(c.Uncovered), "uncovered"}} {
		if x.n > 0 {
			s += fmt.Sprintf(" · %d %s", x.n, x.what)
		}
	}
	if c.Info.State == "ok" && len(c.Uncovered) == 0 {
		return st.OK.Render(symOnline + " " + s)
	}
	return st.Crit.Render(symLinkDown + " " + s)
}

// planHint adds to the prompt's key line how to escalate a cluster
// failover, or that this is the escalated one.
func planHint(op operation) string {
	switch {
	case op.takeover:
		return " · this is the second confirmation for TAKEOVER"
	case op.OpPlan != nil && op.OpPlan.Kind == "cluster-failover":
		return " · T asks for TAKEOVER instead"
	}
	return ""
}

// clusterLines are the details pane's cluster field: the node's shard
// (slots, config epoch), its cluster node id and its flags.
func (d *detailsPane) clusterLines(g *topology.Graph, n *topology.Node) []string {
	m := g.ClusterMemberOf(n.ID)
	if m == nil {
		return nil
	}
	st := d.st.styles
	var v string
	if s := g.ShardOf(n.ID); s != nil {
		v = fmt.Sprintf("shard %s (%d slots)", topology.FormatSlots(s.Slots), topology.CountSlots(s.Slots))
		if len(s.Slots) == 0 {
			v = "shard without slots"
		}
	}
	v += fmt.Sprintf(" · epoch %d · id %.8s…", m.Epoch, m.ID)
	for _, f := range []string{"fail", "pfail", "handshake", "noaddr", "nofailover"} {
		if m.Has(f) {
			v += " · " + st.Crit.Render(f)
		}
	}
	return []string{d.field("cluster", v)}
}
