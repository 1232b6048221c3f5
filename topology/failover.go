package topology

import "fmt"

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

// FailoverOp decides how to fail over at the node at addr: a cluster
// replica is promoted with CLUSTER FAILOVER sent to it; a replica of a
// plain group with REPLICAOF NO ONE (the existing promote).
func FailoverOp(g *Graph, addr string) (OpPlan, error) {
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
