package scenarios

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/dataset"
	"github.com/replscope/replscope/scenarios/script"
)

// pollEvery is how often waits re-read the nodes.
const pollEvery = 20 * time.Millisecond

// exec carries out one step. It returns what happened, an
// *expectFailure for an expect that did not hold, or the error that kept
// the step from being carried out.
func (p *Player) exec(ctx context.Context, s script.Step) (string, error) {
	c := p.c
	switch s.Verb {
	case script.VerbNode:
		return p.declare(s)
	case script.VerbConfig:
		return "", c.Config(ctx, s.Node, s.Directive, s.Values...)
	case script.VerbReplicaOf:
		if s.NoOne {
			return "", c.Promote(ctx, s.Node)
		}
		return "", c.ReplicaOf(ctx, s.Node, s.Target)
	case script.VerbPromote:
		return "", c.Promote(ctx, s.Node)
	case script.VerbFailover:
		if _, err := c.sentinel(s.Node); err == nil {
			return p.sentinelStep(ctx, s) // SENTINEL FAILOVER
		}
		return "", c.ClusterFailover(ctx, s.Node, s.Mode)
	case script.VerbWrite:
		first, last, err := c.Write(ctx, s.Node, s.Count, s.Size)
		return fmt.Sprintf("%s:%d … %s:%d", s.Node, first, s.Node, last), err
	case script.VerbSet:
		return p.set(ctx, s)
	case script.VerbLoad:
		return p.load(s)
	case script.VerbCut:
		return "", c.Cut(s.Node)
	case script.VerbHeal:
		return "", c.Heal(s.Node)
	case script.VerbPause:
		return "", c.Pause(s.Node)
	case script.VerbResume:
		return "", c.Resume(s.Node)
	case script.VerbKill:
		return "", c.Kill(ctx, s.Node)
	case script.VerbRestart:
		return "", c.Restart(ctx, s.Node)
	case script.VerbSleep:
		return "", sleep(ctx, s.Dur)
	case script.VerbWaitSynced:
		return p.waitSynced(ctx, s.Nodes, s.Timeout)
	case script.VerbWaitLink:
		return p.waitLink(ctx, s.Node, s.LinkUp, s.Timeout)
	case script.VerbWaitAcked:
		return p.waitAcked(ctx, s.Node, s.Count, s.Timeout)
	case script.VerbSay:
		return s.Caption, nil
	case script.VerbSentinel, script.VerbWaitMaster, script.VerbWaitEvent:
		return p.sentinelStep(ctx, s)
	}
	return p.expect(ctx, s)
}

// expect carries out the expect steps.
func (p *Player) expect(ctx context.Context, s script.Step) (string, error) {
	c := p.c
	switch s.Verb {
	case script.VerbExpectRole:
		st, err := c.State(ctx, s.Node)
		if err != nil {
			return "", err
		}
		return "", checkRole(st, c.Master(s.Node), s.Role)
	case script.VerbExpectSync:
		st, err := c.State(ctx, s.Node)
		if err != nil {
			return "", err
		}
		return "", checkSync(st, s.Sync)
	case script.VerbExpectKey:
		v, err := c.Do(ctx, s.Node, "GET", s.Key)
		if err != nil {
			return "", err
		}
		return "", checkKey(s.Node, s.Key, s.Value, s.Nil, v)
	case script.VerbExpectKeys:
		v, err := c.Do(ctx, s.Node, "DBSIZE")
		if err != nil {
			return "", err
		}
		return "", checkKeys(s.Node, int64(s.Count), v)
	case script.VerbExpectConsistent:
		return p.consistent(ctx, s.Nodes)
	case script.VerbExpectAlert:
		if p.obs == nil {
			return "", errors.New("no observer to assess alerts")
		}
		g, err := pollGraph(ctx, p.obs)
		if err != nil {
			return "", err
		}
		return "", checkAlert(g, s.Node, c.Addr(s.Node), s.Alert)
	}
	return "", fmt.Errorf("%s: verb %q is not supported by this player", s.Pos, s.Verb)
}

// declare starts the nodes of a `node` step.
func (p *Player) declare(s script.Step) (string, error) {
	kind := Embedded
	if s.Redis {
		kind = Redis
	}
	if s.Cluster {
		if err := p.c.AddRedisCluster(context.Background(), s.Nodes); err != nil {
			return "", err
		}
		var addrs []string
		for _, name := range s.Nodes {
			addrs = append(addrs, name+" "+p.c.Addr(name))
		}
		return "cluster of " + strings.Join(addrs, ", "), nil
	}
	var addrs []string
	for _, name := range s.Nodes {
		if err := p.c.Add(name, kind); err != nil {
			return strings.Join(addrs, ", "), err
		}
		addrs = append(addrs, name+" "+p.c.Addr(name))
	}
	return strings.Join(addrs, ", "), nil
}

// set sets one key, with its time to live.
func (p *Player) set(ctx context.Context, s script.Step) (string, error) {
	if err := p.c.Set(ctx, s.Node, s.Key, s.Value, s.TTL); err != nil {
		return "", err
	}
	if s.TTL > 0 {
		return fmt.Sprintf("%s expires in %s", s.Key, s.TTL), nil
	}
	return "", nil
}

// load turns a node's write load on or off.
func (p *Player) load(s script.Step) (string, error) {
	if s.On {
		return fmt.Sprintf("%d writes/s", s.Rate), p.c.Load(s.Node, s.Rate)
	}
	st := p.c.LoadStats(s.Node)
	p.c.StopLoad(s.Node)
	if st.Rate == 0 {
		return "no load was running", nil
	}
	return fmt.Sprintf("%d writes, %d failed", st.Writes, st.Errors), nil
}

// consistent compares the datasets of nodes.
func (p *Player) consistent(ctx context.Context, nodes []string) (string, error) {
	sets := make([]dataset.Dataset, len(nodes))
	for i, n := range nodes {
		d, err := p.c.Dataset(ctx, n)
		if err != nil {
			return "", err
		}
		sets[i] = d
	}
	if err := checkConsistent(nodes, sets); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d keys (%s)", sets[0].Keys(), sets[0].Digest()), nil
}

// waitSynced waits until every node in nodes has caught up with its
// master (see syncedVerdict), within timeout for them all.
func (p *Player) waitSynced(ctx context.Context, nodes []string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var details []string
	for _, name := range nodes {
		master := p.c.Master(name)
		if master == "" {
			return "", fmt.Errorf("wait synced %s: %s replicates from no node of the scenario", name, name)
		}
		want := p.c.linkAddr(name)
		var why string
		err := poll(ctx, func() bool {
			ms, err := p.c.State(ctx, master)
			if err != nil {
				why = err.Error()
				return false
			}
			rs, err := p.c.State(ctx, name)
			if err != nil {
				why = err.Error()
				return false
			}
			var ok bool
			ok, why = syncedVerdict(ms, rs, want)
			return ok
		})
		if err != nil {
			return "", waitError(fmt.Sprintf("%s synced with %s within %s", name, master, timeout), why, err)
		}
		details = append(details, why)
	}
	return strings.Join(details, ", "), nil
}

// waitLink waits until node's link to its master is up (or down).
func (p *Player) waitLink(ctx context.Context, name string, up bool, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var why string
	err := poll(ctx, func() bool {
		st, err := p.c.State(ctx, name)
		if err != nil {
			why = err.Error()
			return false
		}
		var ok bool
		ok, why = linkVerdict(st, up)
		return ok
	})
	if err != nil {
		state := "down"
		if up {
			state = "up"
		}
		return "", waitError(fmt.Sprintf("%s's link %s within %s", name, state, timeout), why, err)
	}
	return why, nil
}

// waitAcked runs WAIT on the connection of node's last write and fails
// when fewer than n replicas acknowledged that write within timeout.
func (p *Player) waitAcked(ctx context.Context, name string, n int, timeout time.Duration) (string, error) {
	acked, err := p.c.WaitAcked(ctx, name, n, timeout)
	if err != nil {
		return "", err
	}
	if acked < int64(n) {
		return "", fmt.Errorf("expected %d %s to acknowledge %s's last write within %s, saw %d",
			n, plural(n, "replica", "replicas"), name, timeout, acked)
	}
	return fmt.Sprintf("%d %s acknowledged %s's last write", acked, plural(int(acked), "replica", "replicas"), name), nil
}

// plural picks the singular or plural form for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// waitError explains a wait that ended without its condition: a timeout
// says what was expected and the last state seen.
func waitError(expected, saw string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) && saw != "" {
		return fmt.Errorf("timed out: expected %s, saw %s", expected, saw)
	}
	return err
}

// poll calls cond every pollEvery until it holds or ctx ends.
func poll(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
