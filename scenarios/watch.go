package scenarios

import (
	"context"
	"time"

	"github.com/replscope/replscope/topology"
)

// DefaultObserveInterval is the time between two rounds of a scenario's
// Watcher.
const DefaultObserveInterval = 250 * time.Millisecond

// ScenarioThresholds are the alert thresholds of scenario runs: the
// defaults, but a link counts as down after one second, so that stories
// need not wait for it.
func ScenarioThresholds() topology.Thresholds {
	th := topology.DefaultThresholds()
	th.LinkDownAfter = time.Second
	return th
}

// WatchOptions configure the Watcher a scenario is observed with.
type WatchOptions struct {
	Interval   time.Duration       // between rounds (default DefaultObserveInterval)
	Timeout    time.Duration       // per redis-server probe (default 1 s)
	Thresholds topology.Thresholds // zero: ScenarioThresholds
}

// Watch starts a topology.Watcher over c, the Fleet it reads every round
// (Members): it is the dashboard's Feed, Poll runs a round now for a
// check or after a step, and Publish adds a scenario's own events to the
// feed. The caller closes it before c.
func Watch(c *Cluster, o WatchOptions) *topology.Watcher {
	if o.Interval <= 0 {
		o.Interval = DefaultObserveInterval
	}
	if o.Thresholds == (topology.Thresholds{}) {
		o.Thresholds = ScenarioThresholds()
	}
	w, err := topology.NewWatcher(topology.Config{Fleet: c, Interval: o.Interval, Timeout: o.Timeout, Thresholds: o.Thresholds})
	if err != nil { // only seeds can be wrong, and a Fleet has none to parse
		panic("scenarios: a Watcher of a Fleet: " + err.Error())
	}
	w.Start()
	return w
}

// pollGraph runs a round of w now and returns its Graph; it fails when ctx
// ended first.
func pollGraph(ctx context.Context, w *topology.Watcher) (*topology.Graph, error) {
	u := w.Poll(ctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return u.Graph, nil
}

// Members lists the Cluster's nodes and Sentinels as they are now
// (topology.Fleet): a stopped embedded node is read over RESP, and a
// redis-server replica's link through its proxy shows as the link to the
// master behind it.
func (c *Cluster) Members() []topology.Member {
	c.mu.Lock()
	out := make([]topology.Member, 0, len(c.order))
	for _, name := range c.order {
		m := c.members[name]
		t := topology.Member{Addr: m.addr(), Password: m.pass}
		if m.node != nil {
			t.Embedded = m.node
		}
		if m.proxy != nil {
			t.Proxy, t.ProxyTarget = m.proxy.Addr(), m.proxy.Target()
		}
		out = append(out, t)
	}
	c.mu.Unlock()
	return append(out, c.sentinelMembers()...)
}

// signal does a non-blocking send on a one-slot channel.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
