package topology

import (
	"context"
	"fmt"
	"strings"
)

// ErrClusterMode explains why REPLICAOF is never sent to a cluster node.
var ErrClusterMode = fmt.Errorf("a Redis Cluster node refuses REPLICAOF (\"REPLICAOF not allowed in cluster mode\"): " +
	"use f (CLUSTER FAILOVER) to promote a replica, a (CLUSTER REPLICATE) to re-point one")

// ClusterFailoverPlan plans CLUSTER FAILOVER sent to the cluster replica
// id, which then takes over its master's slots while the master becomes
// its replica. FORCE is used when the master is unreachable or flagged
// fail/pfail (no handshake with it is possible); TAKEOVER, which needs no
// agreement of the other masters, only when takeover is set. The guard
// judges the replica as for a promotion (syncing, behind a sibling,
// unrelated history, empty, priority 0).
func ClusterFailoverPlan(g *Graph, id NodeID, takeover bool) (OpPlan, error) {
	n := g.Node(id)
	me := g.ClusterMemberOf(id)
	if n == nil || me == nil {
		return OpPlan{}, fmt.Errorf("cluster failover: %s is not a known cluster node", id)
	}
	if me.IsMaster() {
		return OpPlan{}, fmt.Errorf("cluster failover: %s is a master: select one of its replicas (CLUSTER FAILOVER is sent to the replica that takes over)", n.Addr)
	}
	p := OpPlan{Kind: "cluster-failover", Node: id, Target: n.Addr, Args: []string{"CLUSTER", "FAILOVER"}}
	var master *ClusterMember
	for i := range g.Cluster.Members {
		if g.Cluster.Members[i].ID == me.MasterID {
			master = &g.Cluster.Members[i]
		}
	}
	masterDown := master == nil || master.Has("fail") || master.Has("pfail")
	if master != nil && !masterDown {
		if mn := g.Node(master.Node); mn == nil || mn.Reach != ReachOK {
			masterDown = true
		}
	}
	v := CheckDetach(g, id)
	v.Op = "cluster-failover"
	v.Notes = nil
	from, slots := "its master", "-"
	if master != nil {
		from, slots = master.Addr, clipSlots(master.Slots)
	}
	switch {
	case takeover:
		p.Args = append(p.Args, "TAKEOVER")
		v.note("TAKEOVER bumps the epoch without the other masters' agreement: two masters may claim the slots if %s is still up", from)
	case masterDown:
		p.Args = append(p.Args, "FORCE")
		v.note("FORCE: %s is unreachable or flagged failing, so no handshake with it; writes it took and did not replicate are lost", from)
	default:
		v.note("coordinated: %s stops writes until %s has caught up, then the two swap roles", from, n.Addr)
	}
	if n.Upstream != nil && !n.Upstream.LinkUp && !masterDown && !takeover {
		v.refuse("link-down", "%s's link to %s is down: a coordinated failover cannot complete", n.Addr, from)
	}
	p.Verdict = v.done()
	p.Why = fmt.Sprintf("%s takes over slots %s from %s, which becomes its replica", n.Addr, slots, from)
	if masterDown && !takeover {
		p.Why = fmt.Sprintf("%s takes over slots %s from %s, which is down (it rejoins as a replica when it comes back)", n.Addr, slots, from)
	}
	return p, nil
}

// ClusterReplicatePlan plans CLUSTER REPLICATE <node-id> on the cluster
// node id so that it follows the master at masterAddr. The guard judges
// it as an attach (a full sync from another shard's master discards the
// node's keys).
func ClusterReplicatePlan(g *Graph, id NodeID, masterAddr string) (OpPlan, error) {
	n := g.Node(id)
	if n == nil || g.ClusterMemberOf(id) == nil {
		return OpPlan{}, fmt.Errorf("cluster replicate: %s is not a known cluster node", id)
	}
	m := g.ByAddr(masterAddr)
	var mm *ClusterMember
	if m != nil {
		mm = g.ClusterMemberOf(m.ID)
	}
	if mm == nil || !mm.IsMaster() {
		return OpPlan{}, fmt.Errorf("cluster replicate: %s is not a cluster master", CanonAddr(masterAddr))
	}
	v := CheckAttach(g, id, masterAddr)
	v.Op = "cluster-replicate"
	if me := g.ClusterMemberOf(id); me.IsMaster() && len(me.Slots) > 0 {
		// first: the reason Redis itself gives
		v.Reasons = append([]Reason{{Code: "has-slots", Message: fmt.Sprintf(
			"%s is a master serving slots %s: Redis answers \"To set a master the node must be empty and without assigned slots\"; fail it over first (f on its replica)",
			n.Addr, clipSlots(me.Slots))}}, v.Reasons...)
		v.Allowed = false
	}
	return OpPlan{Kind: "cluster-replicate", Node: id, Target: n.Addr, Args: []string{"CLUSTER", "REPLICATE", mm.ID},
		Verdict: v, Why: fmt.Sprintf("%s will follow %s (node %s)", n.Addr, mm.Addr, shortID(mm.ID))}, nil
}

// RunPlan carries out a plan: the guard's verdict applies (force
// overrides it), then the command goes to the plan's target.
func (o *Operator) RunPlan(ctx context.Context, g *Graph, p OpPlan, force bool) (Outcome, error) {
	out := Outcome{Op: p.Kind, Verdict: p.Verdict, Command: p.Command()}
	if err := o.allow(g, p.Node, &out, force); err != nil {
		return out, err
	}
	out.Target = p.Target
	if _, err := o.run(ctx, &out, p.Args...); err != nil {
		return out, err
	}
	out.Summary = p.Why
	if p.Kind == "cluster-failover" {
		out.Summary = p.Target + " accepted the failover: " + p.Why + " within a few seconds"
	}
	return out, nil
}

func joinArgs(args []string) string { return strings.Join(args, " ") }
