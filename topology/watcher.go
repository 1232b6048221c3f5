package topology

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/replscope/replscope/node/status"
)

// Config configures a Watcher. Only Seeds (or Embedded) is required.
type Config struct {
	// Seeds are the addresses discovery starts from:
	// "[user:pass@]host[:port]"; a Sentinel expands to its masters.
	Seeds []string
	// Embedded are in-process nodes, observed through Status() and
	// Events() instead of RESP; their addresses are seeds too.
	Embedded []EmbeddedNode
	// Fleet, when set, is asked for its members at the start of every
	// round: nodes its owner starts, stops and reconfigures while they are
	// watched (see fleet.go). Its members are seeds too.
	Fleet Fleet
	// Credentials for every address without its own in Seeds.
	User, Password string
	// SentinelUser and SentinelPassword, when set, are the credentials of
	// the Sentinels (their requirepass or ACL users), which then need not
	// share the data nodes' (see sentinel_auth.go).
	SentinelUser, SentinelPassword string
	// Dial opens connections (DefaultDialer when nil): a simulated
	// network's dialer in tests. Map and TLS wrap it.
	Dial Dialer
	// TLS, when set, wraps every connection — to seeds and to discovered
	// nodes alike — in TLS with this configuration (see TLSOptions and
	// TLSDialer). A rediss:// seed turns TLS on with the system's roots
	// when TLS is nil.
	TLS *tls.Config
	// Map rewrites addresses before they are dialled (NAT, containers);
	// nodes keep the addresses they are known by in the Graph.
	Map AddrMap
	// Interval between rounds (default 1 s). A node's data older than two
	// intervals is stale (Graph.IsStale).
	Interval time.Duration
	// Timeout bounds each node's probe (default 1 s); a node that does
	// not answer within it is reported unreachable. A probe in flight
	// never holds a round of Start's loop: the round shows the node's
	// previous result (see poller.go).
	Timeout time.Duration
	// Concurrency bounds the probes in flight (default 16).
	Concurrency int
	// MaxNodes caps discovery (default 1000); further nodes are shown
	// unprobed.
	MaxNodes int
	// ForgetAfter drops a node that is neither reachable, mentioned by
	// another node, nor a seed for this long (default 1 min).
	ForgetAfter time.Duration
	// Thresholds tune alerts (zero: defaults).
	Thresholds Thresholds
	// ReadOnly makes Operator refuse every operation.
	ReadOnly bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// EmbeddedNode is an in-process node (a *node.Node) the Watcher reads
// through its Status and event feed instead of over RESP.
type EmbeddedNode interface {
	// Addr is the address the node listens on ("" before it listens).
	Addr() string
	// Status is the node's current status.
	Status() status.Status
	// Events returns and clears the queued events, with how many were
	// dropped since the last call.
	Events() ([]status.Event, int64)
	// Done is closed when the node has closed.
	Done() <-chan struct{}
}

// Update is one round's result: the new Graph and what changed since the
// previous one (poll diff merged with embedded nodes' own events).
type Update struct {
	Graph  *Graph
	Events []Event
}

// EventEventsDropped reports that an embedded node dropped events nobody
// read in time.
const EventEventsDropped EventKind = "events-dropped"

// Watcher polls a replication topology: each round it probes the known
// addresses (bounded concurrency, per-node timeout, each address on its
// own: see poller.go), follows what they mention (discovery), builds a
// Graph, assesses it against the previous one and diffs the two. Use Poll
// for one synchronous round, or Start and read Updates. Close stops it
// and waits for its goroutines.
type Watcher struct {
	cfg    Config
	seeds  []string
	auth   Auth
	remote *Remote
	sev    *sentinelFeed // Sentinel events (sentinel_events.go)
	syncs  *FullSyncTracker

	round    sync.Mutex // one round at a time; guards prev, lastSeen, carry, syncs
	prev     *Graph
	lastSeen map[string]time.Time // when each carried node was last alive
	carry    []string             // addresses the next round starts from

	latestMu sync.Mutex
	latest   *Graph // prev, readable while a round runs

	slotsMu     sync.Mutex
	slots       map[string]*slot // per address: latest result, probe in flight
	slotsClosed bool             // Close has begun: no new probes
	probing     sync.WaitGroup   // probes in flight
	sem         chan struct{}    // bounds the remote probes in flight

	startOnce sync.Once
	closeOnce sync.Once
	cancel    context.CancelFunc
	refresh   chan struct{}
	updates   chan Update
	done      chan struct{}

	feedMu  sync.Mutex
	feeding bool    // Start has run: rounds and Publish feed Updates
	inbox   *Update // what the loop has not taken yet
	kick    chan struct{}
}

// maxPendingEvents bounds the events kept for a slow reader of Updates:
// the newest are kept.
const maxPendingEvents = 2000

// NewWatcher checks cfg and returns a Watcher that has not polled yet.
func NewWatcher(cfg Config) (*Watcher, error) {
	cfg = cfg.withDefaults()
	w := &Watcher{cfg: cfg, lastSeen: map[string]time.Time{}, slots: map[string]*slot{}, syncs: NewFullSyncTracker(),
		sem:     make(chan struct{}, cfg.Concurrency),
		refresh: make(chan struct{}, 1), kick: make(chan struct{}, 1), updates: make(chan Update), done: make(chan struct{})}
	useTLS := cfg.TLS != nil
	w.auth = Auth{Default: Credentials{User: cfg.User, Password: cfg.Password}, PerAddr: map[string]Credentials{}}
	if cfg.SentinelUser != "" || cfg.SentinelPassword != "" {
		w.auth = w.auth.WithSentinel(Credentials{User: cfg.SentinelUser, Password: cfg.SentinelPassword})
	}
	if cfg.Fleet != nil {
		w.auth.fleet = &fleetCreds{}
	}
	for _, s := range cfg.Seeds {
		seed, err := ParseSeed(s)
		if err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		if seed.Creds != nil {
			w.auth.PerAddr[seed.Addr] = *seed.Creds
		}
		useTLS = useTLS || seed.TLS
		if !slices.Contains(w.seeds, seed.Addr) {
			w.seeds = append(w.seeds, seed.Addr)
		}
	}
	if len(w.seeds) == 0 && len(cfg.Embedded) == 0 && cfg.Fleet == nil {
		return nil, errors.New("topology: no seed address")
	}
	w.cfg.Dial = MapDialer(cfg.Dial, cfg.Map)
	if useTLS {
		conf := cfg.TLS
		if conf == nil {
			conf = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		w.cfg.Dial = TLSDialer(w.cfg.Dial, conf)
	}
	w.remote = NewRemote(w.cfg.Dial, w.auth, cfg.Timeout)
	w.remote.plainHint = !useTLS
	w.remote.useTLS = useTLS
	w.sev = newSentinelFeed(w.cfg.Dial, w.auth, cfg.Now)
	return w, nil
}

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 16
	}
	if c.MaxNodes <= 0 {
		c.MaxNodes = 1000
	}
	if c.ForgetAfter <= 0 {
		c.ForgetAfter = time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Dial == nil {
		c.Dial = DefaultDialer()
	}
	return c
}

// Operator returns an Operator using the Watcher's dialer and
// credentials (read-only when Config.ReadOnly).
func (w *Watcher) Operator() *Operator {
	o := NewOperator(w.cfg.Dial, w.auth, 5*time.Second)
	if w.cfg.ReadOnly {
		return o.ReadOnly()
	}
	return o
}

// Latest returns the last Graph, or nil before the first round. It does
// not wait for a round in progress.
func (w *Watcher) Latest() *Graph {
	w.latestMu.Lock()
	defer w.latestMu.Unlock()
	return w.latest
}

// Poll runs one round now and returns its Update, once every node has
// answered or run out of time. Rounds never overlap. Once Start has run,
// the round's Update goes to Updates as well, in order with the loop's.
func (w *Watcher) Poll(ctx context.Context) Update {
	return w.poll(ctx, nil)
}

// poll is one round. Probes that have not ended when roundDone is closed
// (nil: never) are left running; their nodes show their previous result.
func (w *Watcher) poll(ctx context.Context, roundDone <-chan struct{}) Update {
	w.round.Lock()
	defer w.round.Unlock()
	at := w.cfg.Now()
	fleet := w.readFleet()
	emb := w.embeddedByAddr()
	maps.Copy(emb, fleet.embedded)
	seeds := slices.Clone(w.seeds)
	for _, a := range slices.Concat(fleet.seeds, slices.Collect(maps.Keys(emb))) {
		if !slices.Contains(seeds, a) {
			seeds = append(seeds, a)
		}
	}
	probes := w.discover(ctx, w.known(seeds), emb, fleet, roundDone)
	g := Build(at, probes, w.prev, seeds)
	g.StaleAfter = staleIntervals * w.cfg.Interval
	Assess(w.prev, g, w.cfg.Thresholds)
	fromNodes, raw := w.drainEmbedded(g, emb, at)
	events := Merge(g, append(Diff(w.prev, g), StaleEvents(w.prev, g)...), fromNodes)
	events = w.sev.drain(g, events)
	events = append(events, w.syncs.Observe(g, raw)...)
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	w.sev.track(g)
	w.sev.hunt(g)
	w.remember(g, seeds, at)
	w.prev = g
	w.latestMu.Lock()
	w.latest = g
	w.latestMu.Unlock()
	u := Update{Graph: g, Events: events}
	w.feed(u)
	return u
}

// known lists the addresses to probe first: the seeds, then what the
// last round decided to keep.
func (w *Watcher) known(seeds []string) []string {
	out := slices.Clone(seeds)
	for _, a := range slices.Concat(w.carry, w.sev.discovered()) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// discover probes level after level: the known addresses, then what they
// mention that is new, until nothing new is mentioned or MaxNodes is
// reached. A mentioned address that is a known alias of a node that
// answered this round is not probed again; the aliases of a node that
// did not answer are.
func (w *Watcher) discover(ctx context.Context, level []string, emb map[string]EmbeddedNode, fleet fleetRound, roundDone <-chan struct{}) []*Node {
	aliasOf := map[string]*Node{}
	if w.prev != nil {
		for _, n := range w.prev.Nodes {
			for _, a := range n.Aliases {
				aliasOf[a] = n
			}
		}
	}
	probed := map[string]*Node{}
	var all []*Node
	for len(level) > 0 && ctx.Err() == nil {
		if room := w.cfg.MaxNodes - len(probed); len(level) > room {
			level = level[:max(room, 0)]
		}
		for _, n := range w.probeLevel(ctx, level, emb, roundDone) {
			fleet.unproxy(n)
			probed[n.Addr] = n
			all = append(all, n)
		}
		var next []string
		want := func(a string) {
			if probed[a] == nil && !slices.Contains(next, a) && !w.coveredAlias(a, aliasOf, probed) {
				next = append(next, a)
			}
		}
		for _, a := range level {
			n := probed[a]
			if n.Reach != ReachOK {
				if p := w.prev.ByAddr(a); p != nil {
					for _, al := range p.Aliases {
						want(al)
					}
				}
				continue
			}
			for _, m := range n.Mentions() {
				want(m)
			}
		}
		level = next
	}
	return all
}

// coveredAlias reports whether a is an alias of a node that answered this
// round under its primary address with the same run_id.
func (w *Watcher) coveredAlias(a string, aliasOf map[string]*Node, probed map[string]*Node) bool {
	old := aliasOf[a]
	if old == nil {
		return false
	}
	cur := probed[old.Addr]
	return cur != nil && cur.Reach == ReachOK && cur.RunID == old.RunID
}

func (w *Watcher) embeddedByAddr() map[string]EmbeddedNode {
	out := make(map[string]EmbeddedNode, len(w.cfg.Embedded))
	for _, n := range w.cfg.Embedded {
		if a := n.Addr(); a != "" {
			out[CanonAddr(a)] = n
		}
	}
	return out
}

// drainEmbedded collects the embedded nodes' own events, converted and
// as the nodes reported them.
func (w *Watcher) drainEmbedded(g *Graph, emb map[string]EmbeddedNode, at time.Time) ([]Event, []status.Event) {
	var out []Event
	var raw []status.Event
	for a, n := range emb {
		evs, dropped := n.Events()
		raw = append(raw, evs...)
		out = append(out, NodeEvents(g, evs)...)
		if dropped > 0 {
			id := NodeID(a)
			if gn := g.ByAddr(a); gn != nil {
				id = gn.ID
			}
			out = append(out, Event{Time: at, Kind: EventEventsDropped, Node: id, Addr: a, Source: "node",
				Detail: fmt.Sprintf("%d events dropped before they were read", dropped)})
		}
	}
	return out, raw
}

// remember decides which nodes the next round probes: every node that
// answered, is mentioned by one that answered, or is a seed; and the
// others until ForgetAfter has passed since they last were.
func (w *Watcher) remember(g *Graph, seeds []string, at time.Time) {
	alive := map[string]bool{}
	for _, s := range seeds {
		alive[s] = true
	}
	for _, n := range g.Nodes {
		if n.Reach != ReachOK {
			continue
		}
		alive[n.Addr] = true
		for _, m := range n.Mentions() {
			if t := g.ByAddr(m); t != nil {
				alive[t.Addr] = true
			}
		}
	}
	seen := make(map[string]time.Time, len(g.Nodes))
	w.carry = w.carry[:0]
	for _, n := range g.Nodes {
		last, ok := w.lastSeen[n.Addr]
		switch {
		case alive[n.Addr] || !ok:
			last = at
		case at.Sub(last) > w.cfg.ForgetAfter:
			w.remote.Forget(n.Addr)
			w.forgetSlot(n.Addr)
			continue
		}
		seen[n.Addr] = last
		w.carry = append(w.carry, n.Addr)
	}
	w.lastSeen = seen
}

// Start begins polling every Interval in a goroutine owned by the
// Watcher; read the results from Updates. Calling it again does nothing.
func (w *Watcher) Start() {
	w.startOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		w.cancel = cancel
		w.sev.enable()
		w.feedMu.Lock()
		w.feeding = true
		w.feedMu.Unlock()
		go w.run(ctx)
	})
}

// Updates delivers one Update per round, the loop's and Poll's. A slow
// reader gets the latest Graph with the events of every round it missed
// (the newest maxPendingEvents of them). The channel is closed when the
// Watcher is closed.
func (w *Watcher) Updates() <-chan Update { return w.updates }

// Publish adds events from outside the rounds (a scenario's captions and
// steps) to the next Update, with the latest Graph. It does nothing
// before Start.
func (w *Watcher) Publish(evs ...Event) {
	w.feed(Update{Graph: w.Latest(), Events: evs})
}

// feed hands u to the loop once Start has run.
func (w *Watcher) feed(u Update) {
	w.feedMu.Lock()
	defer w.feedMu.Unlock()
	if !w.feeding {
		return
	}
	w.inbox = merge(w.inbox, u)
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// takeInbox returns what was fed since the last call.
func (w *Watcher) takeInbox() *Update {
	w.feedMu.Lock()
	defer w.feedMu.Unlock()
	u := w.inbox
	w.inbox = nil
	return u
}

// merge adds u to pending: u's Graph (when it has one) replaces pending's,
// and its events follow pending's, the newest maxPendingEvents kept.
func merge(pending *Update, u Update) *Update {
	if pending == nil {
		pending = &Update{}
	}
	if u.Graph != nil {
		pending.Graph = u.Graph
	}
	pending.Events = append(pending.Events, u.Events...)
	if n := len(pending.Events); n > maxPendingEvents {
		pending.Events = slices.Clone(pending.Events[n-maxPendingEvents:])
	}
	return pending
}

// Refresh asks for a round now (coalesced with one already asked for).
func (w *Watcher) Refresh() {
	select {
	case w.refresh <- struct{}{}:
	default:
	}
}

// Close stops polling, waits for its goroutines (a probe the loop started
// ends at once, its context cancelled; one a Poll started ends with that
// Poll's context or its Timeout) and closes connections.
func (w *Watcher) Close() error {
	w.closeOnce.Do(func() {
		w.startOnce.Do(func() { close(w.done); close(w.updates) }) // never started
		if w.cancel != nil {
			w.cancel()
		}
		<-w.done
		w.sev.close()
		w.stopProbes()
		_ = w.remote.Close()
	})
	return nil
}

// run is the polling loop: a round on each tick or Refresh, and the
// pending Update (what the rounds and Publish fed) offered to the reader
// in between (nil channel when there is none, or no Graph yet). After the
// first, a round waits for its probes half an interval at most, so a hung
// node never delays the next tick.
func (w *Watcher) run(ctx context.Context) {
	defer close(w.done)
	defer close(w.updates)
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	var pending *Update
	poll := true
	for rounds := 0; ; {
		if poll {
			if rounds == 0 {
				w.Poll(ctx) // the first Graph is whole: every node answered or timed out
			} else {
				w.roundWithin(ctx, w.cfg.Interval/2)
			}
			rounds++
			if ctx.Err() != nil {
				return
			}
			poll = false
		}
		if in := w.takeInbox(); in != nil {
			pending = merge(pending, *in)
		}
		var out chan<- Update
		var next Update
		if pending != nil && pending.Graph != nil {
			out, next = w.updates, *pending
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			poll = true
		case <-w.refresh:
			poll = true
		case <-w.kick:
		case out <- next:
			pending = nil
		}
	}
}

// roundWithin is one round of the loop: probes still running after wait
// go on without it.
func (w *Watcher) roundWithin(ctx context.Context, wait time.Duration) Update {
	roundCtx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return w.poll(ctx, roundCtx.Done())
}
