package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/replscope/replscope/topology"
)

// failoverer is an Operator that can fail a group over (`f`): a
// *topology.Operator is one.
type failoverer interface {
	Failover(ctx context.Context, g *topology.Graph, p topology.FailoverPlan, force bool) (topology.Outcome, error)
}

var _ failoverer = (*topology.Operator)(nil)

// startFailover plans `f` on the selected node (topology.FailoverOp: a
// Sentinel-managed group asks a Sentinel, a plain replica is promoted)
// and opens the prompt with the literal command, the expected pick and
// the guard's verdict.
func (m *Model) startFailover() {
	n := m.selected()
	if n == nil {
		return
	}
	p, err := topology.FailoverOp(m.st.graph, n.Addr)
	if err != nil {
		m.setStatus(err.Error(), true)
		return
	}
	if p.Kind == "promote" { // a plain group: the detach prompt and operation
		m.ask(planDetach(m.st.graph, n))
		return
	}
	m.ask(operation{Kind: opFailover, Node: n.ID, Target: p.Target, Command: p.Command,
		Verdict: p.Verdict, Graph: m.st.graph, Plan: &p})
}

// runFailover carries out a confirmed failover.
func runFailover(ctx context.Context, o Operator, op operation) (topology.Outcome, error) {
	f, ok := o.(failoverer)
	if !ok || op.Plan == nil {
		return topology.Outcome{}, errors.New("failover: this dashboard's operator cannot fail over")
	}
	return f.Failover(ctx, op.Graph, *op.Plan, op.forced())
}

// failoverWhat describes a failover in the prompt.
func failoverWhat(op operation) string {
	p := op.Plan
	if p == nil || p.Kind != "sentinel" {
		return op.Target + " becomes a master of its own"
	}
	s := "Sentinel " + p.Target + " fails " + p.Group + " over"
	if p.Pick != "" {
		s += "; it is expected to promote " + p.Pick + " (" + p.PickWhy + ")"
	} else {
		s += "; " + p.PickWhy
	}
	return s
}

// sentinelKind names a Sentinel event in the log's kind column
// ("sentinel +switch-master") and rates it: a master seen down is
// critical, a failover step a warning.
func sentinelKind(detail string) (string, severity) {
	ch, _, _ := strings.Cut(detail, " ")
	sev := sevInfo
	switch {
	case ch == "+odown" || ch == "+sdown" && strings.Contains(detail, " master "):
		sev = sevCrit
	case ch == "-odown" || ch == "-sdown":
		sev = sevOK
	case strings.HasPrefix(ch, "+failover") || ch == "+switch-master" || ch == "+convert-to-slave" ||
		ch == "+promoted-slave" || ch == "+selected-slave" || ch == "+try-failover" || ch == "+elected-leader":
		sev = sevWarn
	}
	return "sentinel " + ch, sev
}
