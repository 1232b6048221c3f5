package topology

import (
	"context"
	"fmt"
)

// sentinelFailoverPlan plans SENTINEL FAILOVER <name> for a managed
// group, sent to the first reachable Sentinel that monitors it. The
// guard judges the replica Sentinel is expected to pick; with no
// candidate the plan is refused (Sentinel would answer -NOGOODSLAVE).
func sentinelFailoverPlan(g *Graph, n *Node, sg *SentinelGroup) (FailoverPlan, error) {
	p := FailoverPlan{Kind: "sentinel", Node: n.ID, Command: "SENTINEL FAILOVER " + sg.Name, Group: sg.Name,
		Pick: sg.Pick, PickWhy: sg.PickWhy}
	for _, a := range sg.Sentinels {
		if s := g.ByAddr(a); s != nil && s.Reach == ReachOK {
			p.Target = s.Addr
			break
		}
	}
	if p.Target == "" {
		return p, fmt.Errorf("failover: no reachable Sentinel monitors %s", sg.Name)
	}
	v := Verdict{Op: "failover", Target: n.ID}
	if pick := g.ByAddr(sg.Pick); pick != nil {
		v = CheckDetach(g, pick.ID)
		// Its notes are about a hand promotion next to a live master;
		// Sentinel demotes the old master itself.
		v.Op, v.Notes = "failover", nil
	} else {
		v.refuse("no-candidate", "Sentinel has no replica to promote: %s", sg.PickWhy)
	}
	if sg.FailoverState != "" {
		v.refuse("in-progress", "a failover of %s is already under way (%s)", sg.Name, sg.FailoverState)
	}
	v.note("Sentinel re-points the other replicas and converts the old master into a replica itself")
	p.Verdict = v.done()
	return p, nil
}

// sentinelFailover sends SENTINEL FAILOVER to the plan's Sentinel.
func (o *Operator) sentinelFailover(ctx context.Context, p FailoverPlan, force bool) (Outcome, error) {
	out := Outcome{Op: "failover", Target: p.Target, Command: p.Command, Verdict: p.Verdict}
	if o.readOnly {
		return out, ErrReadOnly
	}
	if !p.Verdict.Allowed {
		if !force {
			return out, &RefusedError{Verdict: p.Verdict}
		}
		out.Forced = true
	}
	if _, err := o.run(ctx, &out, "SENTINEL", "FAILOVER", p.Group); err != nil {
		return out, err
	}
	out.Summary = fmt.Sprintf("Sentinel %s started a failover; it is expected to promote %s", p.Target, p.Pick)
	return out, nil
}

// ManagedWarning is what a hand change (REPLICAOF) on a node of a
// Sentinel-managed group costs, or "" for an unmanaged node: Sentinel
// converts the node back, and the node then resyncs fully.
func ManagedWarning(g *Graph, id NodeID) string {
	sg := g.SentinelGroupOf(id)
	if sg == nil {
		return ""
	}
	return fmt.Sprintf("Sentinel manages this node (group %s, %d Sentinel(s)): it will undo a hand change "+
		"(+convert-to-slave) and the node then resyncs fully; use f (SENTINEL FAILOVER) instead", sg.Name, max(sg.Known, len(sg.Sentinels)))
}
