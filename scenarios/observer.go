package scenarios

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/topology"
)

// Observer defaults.
const (
	DefaultObserveInterval = 250 * time.Millisecond
	defaultProbeTimeout    = time.Second
	maxPendingEvents       = 2000 // events kept for a slow feed reader
)

// ScenarioThresholds are the alert thresholds of scenario runs: the
// defaults, but a link counts as down after one second, so that stories
// need not wait for it.
func ScenarioThresholds() topology.Thresholds {
	th := topology.DefaultThresholds()
	th.LinkDownAfter = time.Second
	return th
}

// ObserverOptions configure an Observer.
type ObserverOptions struct {
	Interval   time.Duration       // between rounds (default DefaultObserveInterval)
	Timeout    time.Duration       // per redis-server probe (default 1 s)
	Thresholds topology.Thresholds // zero: ScenarioThresholds
}

// Observer watches a Cluster as a topology: every Interval it reads each
// node (Status() and the event feed of embedded nodes, INFO/ROLE over RESP
// for redis-server, whose proxied master links it shows as the real ones),
// builds a Graph, assesses it against the previous one and diffs them.
// It keeps the history alerts need (rates, resync counts) across restarts
// of nodes. It is a dashboard Feed (Updates, Refresh); Poll runs a round
// now for a check. One goroutine, stopped by Close, owns the rounds.
type Observer struct {
	c    *Cluster
	opts ObserverOptions

	// Owned by the run goroutine.
	prev    *topology.Graph
	remote  *topology.Remote
	authKey string
	pending *topology.Update
	blame   topology.SentinelBlame // which role changes a Sentinel caused

	mu      sync.Mutex // guards extra, latest, feeding
	extra   []topology.Event
	latest  *topology.Graph
	feeding bool

	polls   chan pollRequest
	refresh chan struct{}
	kick    chan struct{}
	updates chan topology.Update
	cancel  context.CancelFunc
	done    chan struct{}
	once    sync.Once
}

// pollRequest asks the run goroutine for a round now.
type pollRequest struct{ reply chan *topology.Graph }

// NewObserver starts observing c.
func NewObserver(c *Cluster, opts ObserverOptions) *Observer {
	if opts.Interval <= 0 {
		opts.Interval = DefaultObserveInterval
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultProbeTimeout
	}
	if opts.Thresholds == (topology.Thresholds{}) {
		opts.Thresholds = ScenarioThresholds()
	}
	ctx, cancel := context.WithCancel(context.Background())
	o := &Observer{c: c, opts: opts, polls: make(chan pollRequest), refresh: make(chan struct{}, 1),
		kick: make(chan struct{}, 1), updates: make(chan topology.Update), cancel: cancel, done: make(chan struct{})}
	go o.run(ctx)
	return o
}

// Updates delivers one Update per round (a slow reader gets the latest
// Graph with every event it missed, up to a bound). It is closed by Close.
// Until it is first called, rounds keep no events for a reader.
func (o *Observer) Updates() <-chan topology.Update {
	o.mu.Lock()
	o.feeding = true
	o.mu.Unlock()
	return o.updates
}

// Refresh asks for a round as soon as possible.
func (o *Observer) Refresh() { signal(o.refresh) }

// Publish adds events (captions, step results) to the next Update.
func (o *Observer) Publish(evs ...topology.Event) {
	o.mu.Lock()
	if o.feeding {
		o.extra = append(o.extra, evs...)
	}
	o.mu.Unlock()
	signal(o.kick)
}

// Latest returns the last Graph, or nil before the first round.
func (o *Observer) Latest() *topology.Graph {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.latest
}

// Poll runs a round now and returns its Graph.
func (o *Observer) Poll(ctx context.Context) (*topology.Graph, error) {
	req := pollRequest{reply: make(chan *topology.Graph, 1)}
	select {
	case o.polls <- req:
	case <-o.done:
		return nil, errors.New("observer closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case g := <-req.reply:
		return g, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the rounds, waits for the goroutine and closes Updates.
func (o *Observer) Close() error {
	o.once.Do(func() {
		o.cancel()
		<-o.done
	})
	return nil
}

// signal does a non-blocking send on a one-slot channel.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// run owns the rounds and the pending Update; it offers the pending
// Update to the reader between rounds (a nil channel when there is none).
func (o *Observer) run(ctx context.Context) {
	defer close(o.done)
	defer close(o.updates)
	defer func() {
		if o.remote != nil {
			_ = o.remote.Close()
		}
	}()
	t := time.NewTicker(o.opts.Interval)
	defer t.Stop()
	o.round(ctx)
	for {
		o.takeExtra()
		var out chan<- topology.Update
		var next topology.Update
		if o.pending != nil {
			out, next = o.updates, *o.pending
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			o.round(ctx)
		case <-o.refresh:
			o.round(ctx)
		case req := <-o.polls:
			req.reply <- o.round(ctx)
		case <-o.kick:
		case out <- next:
			o.pending = nil
		}
	}
}

// takeExtra moves published events into the pending Update.
func (o *Observer) takeExtra() {
	o.mu.Lock()
	evs, g := o.extra, o.latest
	o.extra = nil
	o.mu.Unlock()
	if len(evs) > 0 {
		o.addPending(g, evs)
	}
}

// addPending merges a Graph and events into the pending Update, keeping
// the newest maxPendingEvents events.
func (o *Observer) addPending(g *topology.Graph, evs []topology.Event) {
	o.mu.Lock()
	feeding := o.feeding
	o.mu.Unlock()
	if !feeding {
		return
	}
	if o.pending == nil {
		o.pending = &topology.Update{}
	}
	if g != nil {
		o.pending.Graph = g
	}
	o.pending.Events = append(o.pending.Events, evs...)
	if n := len(o.pending.Events); n > maxPendingEvents {
		o.pending.Events = slices.Clone(o.pending.Events[n-maxPendingEvents:])
	}
}

// round reads every node, builds and assesses the Graph, and queues it
// with its events.
func (o *Observer) round(ctx context.Context) *topology.Graph {
	at := time.Now()
	ts := o.c.allTargets()
	o.ensureRemote(ts)
	probes := make([]*topology.Node, len(ts))
	var fromNodes []node.Event
	var wg sync.WaitGroup
	seeds := make([]string, len(ts))
	for i, t := range ts {
		seeds[i] = t.addr
		if t.node != nil {
			probes[i] = embeddedProbe(t)
			evs, _ := t.node.Events()
			fromNodes = append(fromNodes, evs...)
			continue
		}
		wg.Go(func() {
			probes[i] = o.remote.Probe(ctx, t.addr, at)
			unproxy(probes[i], t)
		})
	}
	wg.Wait()
	g := topology.Build(at, probes, o.prev, seeds)
	topology.Assess(o.prev, g, o.opts.Thresholds)
	sev := o.c.sentinelEvents()
	o.blame.Record(sev)
	diff := topology.Diff(o.prev, g)
	o.blame.Explain(g, diff) // role changes a Sentinel caused say so
	evs := topology.Merge(g, append(diff, sev...), topology.NodeEvents(g, fromNodes))
	o.prev = g
	o.mu.Lock()
	o.latest = g
	o.mu.Unlock()
	o.addPending(g, evs)
	return g
}

// embeddedProbe reads an embedded node.
func embeddedProbe(t target) *topology.Node {
	n := topology.NodeFromStatus(t.node.Status(), true)
	n.Addr = topology.CanonAddr(t.addr)
	return n
}

// atoiOr parses s, or returns def when s is not a number.
func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// unproxy shows a redis-server replica's link through its proxy as the
// link to the master behind it.
func unproxy(n *topology.Node, t target) {
	if n == nil || n.Upstream == nil || t.proxy == "" || n.Upstream.Addr != topology.CanonAddr(t.proxy) {
		return
	}
	host, port, _ := strings.Cut(t.master, ":")
	n.Upstream.Host, n.Upstream.Addr = host, topology.CanonAddr(t.master)
	n.Upstream.Port = atoiOr(port, n.Upstream.Port)
}

// ensureRemote (re)creates the RESP prober when the nodes' passwords
// changed.
func (o *Observer) ensureRemote(ts []target) {
	auth := topology.Auth{PerAddr: map[string]topology.Credentials{}}
	var key strings.Builder
	for _, t := range ts {
		auth.PerAddr[topology.CanonAddr(t.addr)] = topology.Credentials{Password: t.pass}
		key.WriteString(t.addr + "=" + t.pass + "\x00")
	}
	if o.remote != nil && key.String() == o.authKey {
		return
	}
	if o.remote != nil {
		_ = o.remote.Close()
	}
	o.remote = topology.NewRemote(nil, auth, o.opts.Timeout)
	o.authKey = key.String()
}

// target is what a round needs to read one node.
type target struct {
	name, addr, pass string
	node             *node.Node // running embedded node, else nil
	proxy, master    string     // a redis-server replica's proxy and the address behind it
}

// targets snapshots what the Observer reads.
func (c *Cluster) targets() []target {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]target, 0, len(c.order))
	for _, name := range c.order {
		m := c.members[name]
		t := target{name: name, addr: m.addr(), pass: m.pass, node: m.node}
		if m.proxy != nil {
			t.proxy, t.master = m.proxy.Addr(), m.proxy.Target()
		}
		out = append(out, t)
	}
	return out
}

// allTargets are the nodes and the Sentinels.
func (c *Cluster) allTargets() []target { return append(c.targets(), c.sentinelTargets()...) }
