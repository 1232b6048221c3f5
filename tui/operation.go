package tui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/topology"
)

// Operator carries out replication changes and reports what it did with
// the literal command. A *topology.Operator is an Operator. Each call gets
// the Graph the operator decided on, so its guard judges what was shown.
type Operator interface {
	Attach(ctx context.Context, g *topology.Graph, id topology.NodeID, masterAddr string, force bool) (topology.Outcome, error)
	Detach(ctx context.Context, g *topology.Graph, id topology.NodeID, force bool) (topology.Outcome, error)
	KillLink(ctx context.Context, g *topology.Graph, id topology.NodeID) (topology.Outcome, error)
}

// opKind names an operation.
type opKind string

const (
	opAttach   opKind = "attach"
	opDetach   opKind = "detach"
	opKillLink opKind = "kill-link"
	opFailover opKind = "failover"
)

// operation is one change waiting for confirmation or being carried out:
// the literal command, where it goes, and the promotion guard's verdict
// on the Graph it was decided on.
type operation struct {
	Kind    opKind
	Node    topology.NodeID
	Target  string // address the command is sent to
	Master  string // attach: the new master's address
	Command string // e.g. "REPLICAOF 127.0.0.1 7001"
	Verdict topology.Verdict
	Graph   *topology.Graph
	// Plan is the failover plan (opFailover; failover.go).
	Plan *topology.FailoverPlan
	// Warn is what the change costs on a Sentinel-managed node; such a
	// change needs `y` twice, confirms counting the first.
	Warn     string
	confirms int
	// OpPlan is set for operations spoken in a fleet kind's own way
	// (CLUSTER FAILOVER, CLUSTER REPLICATE); takeover marks the
	// second-confirmation CLUSTER FAILOVER TAKEOVER.
	OpPlan   *topology.OpPlan
	takeover bool
}

// forced reports whether confirming overrides the guard.
func (o operation) forced() bool { return !o.Verdict.Allowed }

// opTimeout bounds one operation.
const opTimeout = 10 * time.Second

// opDoneMsg reports an operation's result.
type opDoneMsg struct {
	op  operation
	out topology.Outcome
	err error
}

// planDetach prepares REPLICAOF NO ONE on n.
func planDetach(g *topology.Graph, n *topology.Node) operation {
	return operation{Kind: opDetach, Node: n.ID, Target: n.Addr, Command: "REPLICAOF NO ONE",
		Verdict: topology.CheckDetach(g, n.ID), Graph: g, Warn: topology.ManagedWarning(g, n.ID)}
}

// planAttach prepares REPLICAOF host port on n, following masterAddr.
func planAttach(g *topology.Graph, n *topology.Node, masterAddr string) (operation, error) {
	if inCluster(g, n) { // cluster nodes refuse REPLICAOF: CLUSTER REPLICATE <id>
		p, err := topology.ClusterReplicatePlan(g, n.ID, masterAddr)
		return planOp(g, p), err
	}
	host, port, err := net.SplitHostPort(topology.CanonAddr(masterAddr))
	if err != nil {
		return operation{}, fmt.Errorf("%q is not host:port", masterAddr)
	}
	return operation{Kind: opAttach, Node: n.ID, Target: n.Addr, Master: net.JoinHostPort(host, port),
		Command: "REPLICAOF " + host + " " + port,
		Verdict: topology.CheckAttach(g, n.ID, masterAddr), Graph: g, Warn: topology.ManagedWarning(g, n.ID)}, nil
}

// planKillLink prepares CLIENT KILL TYPE master on replica n.
func planKillLink(g *topology.Graph, n *topology.Node) (operation, error) {
	if n.Role != topology.RoleReplica {
		return operation{}, fmt.Errorf("%s is not a replica: it has no master link to kill", n.Addr)
	}
	if u := n.Unknown("CLIENT"); u != "" {
		return operation{}, fmt.Errorf("%s refuses CLIENT: CLIENT KILL cannot work there", n.Addr)
	}
	return operation{Kind: opKillLink, Node: n.ID, Target: n.Addr, Command: "CLIENT KILL TYPE master",
		Verdict: topology.Verdict{Op: string(opKillLink), Target: n.ID, Allowed: true}, Graph: g}, nil
}

// notOffered explains why op cannot work on its node — the node refused
// the command when probed (renamed away, not permitted) — or is nil.
func notOffered(op operation) error {
	n := op.Graph.Node(op.Node)
	if n == nil {
		return nil
	}
	if cmd, _, _ := strings.Cut(op.Command, " "); slices.Contains(n.Refused, cmd) {
		return fmt.Errorf("%s is not offered on %s: it refuses %s", op.Command, n.Addr, cmd)
	}
	return nil
}

// runOp carries out a confirmed operation in a command.
func runOp(ctx context.Context, o Operator, op operation) tea.Cmd {
	return func() tea.Msg {
		if o == nil {
			return opDoneMsg{op: op, err: errors.New("read-only: no operator")}
		}
		ctx, cancel := context.WithTimeout(ctx, opTimeout)
		defer cancel()
		var out topology.Outcome
		var err error
		switch op.Kind {
		case opAttach:
			out, err = o.Attach(ctx, op.Graph, op.Node, op.Master, op.forced())
		case opDetach:
			out, err = o.Detach(ctx, op.Graph, op.Node, op.forced())
		case opKillLink:
			out, err = o.KillLink(ctx, op.Graph, op.Node)
		case opFailover:
			out, err = runFailover(ctx, o, op)
		default:
			out, err = runPlan(ctx, o, op)
		}
		return opDoneMsg{op: op, out: out, err: err}
	}
}

// The topology package's Operator is the dashboard's usual Operator.
var _ Operator = (*topology.Operator)(nil)
