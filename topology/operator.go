package topology

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// ErrReadOnly is returned by every operation of a read-only Operator.
var ErrReadOnly = errors.New("read-only: operations are disabled")

// ErrNotOffered is returned for an operation whose command the node
// refused when probed (renamed away, or not permitted to the ACL user):
// it cannot work there, so it is not sent.
var ErrNotOffered = errors.New("not offered")

// ErrRefused is wrapped by a RefusedError: the promotion guard refused an
// operation that was not forced.
var ErrRefused = errors.New("refused by the promotion guard")

// RefusedError carries the guard's verdict for a refused operation.
type RefusedError struct {
	Verdict Verdict
}

// Error lists the reasons.
func (e *RefusedError) Error() string {
	var parts []string
	for _, r := range e.Verdict.Reasons {
		parts = append(parts, r.Code+": "+r.Message)
	}
	return fmt.Sprintf("%v: %s (force to override)", ErrRefused, strings.Join(parts, "; "))
}

// Unwrap returns ErrRefused.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// Outcome is what an operation did: the literal command and where it
// was sent, the server's reply, the guard's verdict and a one-line
// summary. It never contains credentials.
type Outcome struct {
	Op      string // attach, detach, kill-link
	Target  string // address the command was sent to
	Command string // e.g. "REPLICAOF 127.0.0.1 7001"
	Reply   string
	Verdict Verdict
	Forced  bool // the guard objected and force overrode it
	Summary string
}

// Operator changes replication on any node over RESP — real Redis and
// replscope nodes alike — after asking the promotion guard. Operations
// take the Graph they were decided on, so the guard judges what the
// operator saw.
type Operator struct {
	dial     Dialer
	auth     Auth
	timeout  time.Duration
	readOnly bool
}

// NewOperator returns an Operator that dials with dial (DefaultDialer when
// nil), authenticates with auth and bounds each command by timeout.
func NewOperator(dial Dialer, auth Auth, timeout time.Duration) *Operator {
	if dial == nil {
		dial = DefaultDialer()
	}
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &Operator{dial: dial, auth: auth, timeout: timeout}
}

// ReadOnly returns a copy of o that refuses every operation.
func (o *Operator) ReadOnly() *Operator {
	cp := *o
	cp.readOnly = true
	return &cp
}

// Attach sends REPLICAOF host port to node id so that it follows the node
// at masterAddr (as the replica will dial it). Refused by CheckAttach
// unless force.
func (o *Operator) Attach(ctx context.Context, g *Graph, id NodeID, masterAddr string, force bool) (Outcome, error) {
	host, port, err := net.SplitHostPort(CanonAddr(masterAddr))
	if err != nil {
		return Outcome{}, fmt.Errorf("attach: %w: %q", ErrBadAddress, masterAddr)
	}
	v := CheckAttach(g, id, masterAddr)
	out := Outcome{Op: "attach", Verdict: v, Command: "REPLICAOF " + host + " " + port}
	if err := o.allow(g, id, &out, force); err != nil {
		return out, err
	}
	if _, err := o.run(ctx, &out, "REPLICAOF", host, port); err != nil {
		return out, err
	}
	out.Summary = fmt.Sprintf("%s now follows %s:%s (%s resync expected)", out.Target, host, port, v.Sync)
	if strings.Contains(out.Reply, "Already connected") {
		out.Summary = fmt.Sprintf("%s already followed %s:%s: nothing changed", out.Target, host, port)
	}
	return out, nil
}

// Detach sends REPLICAOF NO ONE to node id, promoting it to a master with
// a new replid (its old one becomes replid2, so its replicas and siblings
// can still partially resync from it). Refused by CheckDetach unless
// force.
func (o *Operator) Detach(ctx context.Context, g *Graph, id NodeID, force bool) (Outcome, error) {
	v := CheckDetach(g, id)
	out := Outcome{Op: "detach", Verdict: v, Command: "REPLICAOF NO ONE"}
	if err := o.allow(g, id, &out, force); err != nil {
		return out, err
	}
	if _, err := o.run(ctx, &out, "REPLICAOF", "NO", "ONE"); err != nil {
		return out, err
	}
	out.Summary = out.Target + " is now a master; its replicas reconnect and partially resync from its replid2"
	return out, nil
}

// KillLink closes a replica's connection to its master (CLIENT KILL TYPE
// master, sent to the replica). A Redis 7 replica reconnects within about
// a second and normally resyncs partially; the guard is not consulted.
func (o *Operator) KillLink(ctx context.Context, g *Graph, id NodeID) (Outcome, error) {
	out := Outcome{Op: "kill-link", Command: "CLIENT KILL TYPE master", Verdict: Verdict{Op: "kill-link", Target: id, Allowed: true}}
	if err := o.allow(g, id, &out, true); err != nil {
		return out, err
	}
	if n := g.Node(id); n.Reach == ReachOK && n.Role != RoleReplica {
		return out, fmt.Errorf("kill-link: %s is not a replica", n.Addr)
	}
	v, err := o.run(ctx, &out, "CLIENT", "KILL", "TYPE", "master")
	if err != nil {
		return out, err
	}
	out.Summary = fmt.Sprintf("closed %d master link(s) on %s; it reconnects by itself", v.Int, out.Target)
	return out, nil
}

// allow resolves the target and applies the verdict and force.
func (o *Operator) allow(g *Graph, id NodeID, out *Outcome, force bool) error {
	if o.readOnly {
		return ErrReadOnly
	}
	n := g.Node(id)
	if n == nil {
		return fmt.Errorf("%s: no such node in the topology", id)
	}
	out.Target = n.Addr
	if cmd, _, _ := strings.Cut(out.Command, " "); slices.Contains(n.Refused, cmd) {
		return fmt.Errorf("%s: %w: %s refuses %s (renamed away or not permitted)", out.Op, ErrNotOffered, n.Addr, cmd)
	}
	if !out.Verdict.Allowed {
		if !force {
			return &RefusedError{Verdict: out.Verdict}
		}
		out.Forced = true
	}
	return nil
}

// run sends one command to out.Target and records the reply.
func (o *Operator) run(ctx context.Context, out *Outcome, args ...string) (resp.Value, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	c, err := Connect(ctx, o.dial, out.Target, o.auth.For(out.Target))
	if err != nil {
		return resp.Value{}, fmt.Errorf("%s: %w", out.Op, err)
	}
	defer c.Close()
	stop := bindDeadline(ctx, c)
	defer stop()
	v, err := c.Do(args...)
	if err != nil {
		return v, fmt.Errorf("%s on %s: %w", out.Command, out.Target, err)
	}
	out.Reply = v.String()
	if err := v.Err(); err != nil {
		return v, fmt.Errorf("%s on %s: %w", out.Command, out.Target, err)
	}
	return v, nil
}
