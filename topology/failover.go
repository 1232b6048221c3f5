package topology

import (
	"context"
	"fmt"
)

// FailoverPlan is what `f` (failover) does on one node: the literal
// command, where it goes, which node is expected to become the master
// and the guard's verdict on that node.
type FailoverPlan struct {
	Kind    string // "sentinel" (SENTINEL FAILOVER) or "promote" (REPLICAOF NO ONE)
	Node    NodeID // the node `f` was pressed on
	Target  string // the address the command is sent to
	Command string
	Group   string // the Sentinel master name ("sentinel")
	Pick    string // the node expected to become the master
	PickWhy string
	Verdict Verdict
}

// FailoverOp decides which failover fits the node at addr: a
// Sentinel-managed group asks a Sentinel (sentinel_ops.go); a replica of
// a plain group is promoted with REPLICAOF NO ONE.
func FailoverOp(g *Graph, addr string) (FailoverPlan, error) {
	n := g.ByAddr(addr)
	if n == nil {
		return FailoverPlan{}, fmt.Errorf("failover: %s is not in the topology", addr)
	}
	if sg := g.SentinelGroupOf(n.ID); sg != nil {
		return sentinelFailoverPlan(g, n, sg)
	}
	if n.Role != RoleReplica {
		return FailoverPlan{}, fmt.Errorf("failover: %s is a %s: select the replica to promote", n.Addr, n.Role)
	}
	return FailoverPlan{Kind: "promote", Node: n.ID, Target: n.Addr, Command: "REPLICAOF NO ONE",
		Pick: n.Addr, Verdict: CheckDetach(g, n.ID)}, nil
}

// Failover carries out a plan made by FailoverOp on g. A plan the guard
// refused runs only when forced.
func (o *Operator) Failover(ctx context.Context, g *Graph, p FailoverPlan, force bool) (Outcome, error) {
	if p.Kind == "sentinel" {
		return o.sentinelFailover(ctx, p, force)
	}
	return o.Detach(ctx, g, p.Node, force)
}

// OpPlan is an operation spoken in a fleet kind's own way: the literal
// command, the address it goes to and the promotion guard's verdict on
// the node it changes. Operator.RunPlan carries it out.
type OpPlan struct {
	// Kind is "cluster-failover" (CLUSTER FAILOVER), "cluster-replicate"
	// (CLUSTER REPLICATE) or "promote" (REPLICAOF NO ONE).
	Kind    string
	Node    NodeID   // the node the operation changes
	Target  string   // address the command is sent to
	Args    []string // the command
	Verdict Verdict
	Why     string // one line on what will happen
}

// Command is the literal command.
func (p OpPlan) Command() string { return joinArgs(p.Args) }

// ClusterFailoverOp decides how to fail over at the node at addr as an
// OpPlan: a cluster replica is promoted with CLUSTER FAILOVER sent to it;
// a replica of a plain group with REPLICAOF NO ONE (the existing
// promote). The dashboard uses it for cluster nodes and FailoverOp for
// the rest.
func ClusterFailoverOp(g *Graph, addr string) (OpPlan, error) {
	n := g.ByAddr(addr)
	if n == nil {
		return OpPlan{}, fmt.Errorf("failover: %s is not in the topology", addr)
	}
	if g.ClusterMemberOf(n.ID) != nil {
		return ClusterFailoverPlan(g, n.ID, false)
	}
	if n.Role != RoleReplica {
		return OpPlan{}, fmt.Errorf("failover: %s is a master: select the replica to promote", n.Addr)
	}
	return OpPlan{Kind: "promote", Node: n.ID, Target: n.Addr, Args: []string{"REPLICAOF", "NO", "ONE"},
		Verdict: CheckDetach(g, n.ID), Why: n.Addr + " becomes a master of its own"}, nil
}
