package topology

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EventSentinel is an event a Sentinel published (+sdown, +odown,
// +switch-master, +convert-to-slave, …). Addr is the Sentinel (the
// actor); Detail is the event's channel and message as Sentinel wrote
// them.
const EventSentinel EventKind = "sentinel"

// Bounds of the Sentinel event feed.
const (
	sentinelRetries  = 5 // consecutive failed connections before a subscriber gives up
	sentinelBackoff  = 500 * time.Millisecond
	sentinelQueueCap = 1000             // events kept between two rounds; older ones are dropped
	sentinelBlame    = 90 * time.Second // how long a Sentinel action explains a role change
)

// sentinelFeed subscribes to every Sentinel the Watcher has seen (PSUBSCRIBE
// *), one goroutine per Sentinel, and queues what they publish until the
// next round drains it. It owns its goroutines: close stops them and waits.
type sentinelFeed struct {
	dial Dialer
	auth Auth
	now  func() time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	on      bool            // Start has enabled it
	subs    map[string]bool // Sentinel addresses with a running subscriber
	queue   []Event
	dropped int
	blame   SentinelBlame
	hunted  map[string]time.Time // masters searched for Sentinels (sentinel_discover.go)
	found   []string             // Sentinels found by those searches
}

// SentinelBlame remembers which instances Sentinel events acted on, to
// say which role changes a Sentinel caused. The zero value is ready; it
// is not safe for concurrent use.
type SentinelBlame struct {
	acts map[string]sentinelAct // instance address → Sentinel's last role action on it
}

// Record notes the role actions carried by the Sentinel events among evs.
func (b *SentinelBlame) Record(evs []Event) {
	for _, e := range evs {
		if e.Kind != EventSentinel {
			continue
		}
		ch, msg, _ := strings.Cut(e.Detail, " ")
		for _, a := range actedOn(ch, msg) {
			if b.acts == nil {
				b.acts = map[string]sentinelAct{}
			}
			b.acts[a] = sentinelAct{at: e.Time, sentinel: e.Addr, what: ch}
		}
	}
}

// Explain appends "— by Sentinel <addr> (<event>)" to the role and master
// changes among evs that a Sentinel action recorded in the last 90 s
// explains.
func (b *SentinelBlame) Explain(g *Graph, evs []Event) {
	for i, e := range evs {
		if e.Kind != EventRoleChanged && e.Kind != EventMasterChanged {
			continue
		}
		addr := e.Addr
		if n := g.Node(e.Node); n != nil {
			addr = n.Addr
		}
		if a, ok := b.acts[addr]; ok && e.Time.Sub(a.at) < sentinelBlame {
			evs[i].Detail += " — by Sentinel " + a.sentinel + " (" + a.what + ")"
		}
	}
}

// sentinelAct is a Sentinel action that changes an instance's role.
type sentinelAct struct {
	at       time.Time
	sentinel string
	what     string
}

func newSentinelFeed(dial Dialer, auth Auth, now func() time.Time) *sentinelFeed {
	ctx, cancel := context.WithCancel(context.Background())
	return &sentinelFeed{dial: dial, auth: auth, now: now, ctx: ctx, cancel: cancel,
		subs: map[string]bool{}, hunted: map[string]time.Time{}}
}

// enable lets track start subscribers (the Watcher's loop; a lone Poll
// does not subscribe).
func (f *sentinelFeed) enable() {
	f.mu.Lock()
	f.on = true
	f.mu.Unlock()
}

// track starts a subscriber for every reachable Sentinel of g that has
// none running.
func (f *sentinelFeed) track(g *Graph) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.on || f.ctx.Err() != nil {
		return
	}
	for _, n := range g.Nodes {
		if n.Role != RoleSentinel || n.Reach != ReachOK || f.subs[n.Addr] {
			continue
		}
		f.subs[n.Addr] = true
		f.wg.Add(1)
		go f.subscribe(n.Addr)
	}
}

// subscribe reads one Sentinel's events until the feed closes or
// sentinelRetries connections in a row fail; the next round's track
// starts it again.
func (f *sentinelFeed) subscribe(addr string) {
	defer f.wg.Done()
	defer func() {
		f.mu.Lock()
		delete(f.subs, addr)
		f.mu.Unlock()
	}()
	for fails := 0; fails < sentinelRetries && f.ctx.Err() == nil; {
		if f.listen(addr) {
			fails = 0
		} else {
			fails++
		}
		select {
		case <-f.ctx.Done():
		case <-time.After(sentinelBackoff << fails):
		}
	}
}

// listen holds one subscription; it reports whether it got as far as
// subscribing.
func (f *sentinelFeed) listen(addr string) bool {
	dctx, cancel := context.WithTimeout(f.ctx, 2*time.Second)
	c, err := Connect(dctx, f.dial, addr, f.auth.For(addr))
	cancel()
	if err != nil {
		return false
	}
	defer c.Close()
	stop := bindDeadline(f.ctx, c)
	defer stop()
	if err := c.Send("PSUBSCRIBE", "*"); err != nil {
		return false
	}
	subscribed := false
	for {
		v, err := c.Receive()
		if err != nil {
			return subscribed
		}
		if len(v.Elems) == 3 && strings.EqualFold(string(v.Elems[0].Str), "psubscribe") {
			subscribed = true
			continue
		}
		if len(v.Elems) != 4 || string(v.Elems[0].Str) != "pmessage" {
			continue
		}
		ch, msg := string(v.Elems[2].Str), string(v.Elems[3].Str)
		if strings.HasPrefix(ch, "__sentinel__:") {
			continue // hello gossip, not an event
		}
		f.add(addr, ch, msg)
	}
}

// add queues one event and remembers the role actions it carries.
func (f *sentinelFeed) add(sentinel, ch, msg string) {
	at := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	e := Event{Time: at, Kind: EventSentinel, Addr: sentinel, Source: "sentinel " + sentinel, Detail: ch + " " + msg}
	f.blame.Record([]Event{e})
	if len(f.queue) >= sentinelQueueCap {
		f.queue = f.queue[1:]
		f.dropped++
	}
	f.queue = append(f.queue, e)
}

// actedOn returns the instances whose role a Sentinel event changes:
// the new and old master of +switch-master, the instance of
// +promoted-slave, +convert-to-slave, +slave-reconf-sent and
// +slave-reconf-done.
func actedOn(ch, msg string) []string {
	f := strings.Fields(msg)
	switch ch {
	case "+switch-master": // <name> <old-ip> <old-port> <new-ip> <new-port>
		if len(f) >= 5 {
			return []string{CanonAddr(f[1] + ":" + f[2]), CanonAddr(f[3] + ":" + f[4])}
		}
	case "+promoted-slave", "+convert-to-slave", "+slave-reconf-sent", "+slave-reconf-done", "+selected-slave":
		// <type> <name> <ip> <port> @ <master-name> <master-ip> <master-port>
		if len(f) >= 4 {
			return []string{CanonAddr(f[2] + ":" + f[3])}
		}
	}
	return nil
}

// drain returns the queued events in order, with a note when some were
// dropped, and says which role changes among evs a Sentinel caused.
func (f *sentinelFeed) drain(g *Graph, evs []Event) []Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blame.Explain(g, evs)
	out := f.queue
	f.queue = nil
	if f.dropped > 0 {
		out = append(out, Event{Time: f.now(), Kind: EventEventsDropped, Source: "sentinel",
			Detail: strconv.Itoa(f.dropped) + " Sentinel events dropped before they were read"})
		f.dropped = 0
	}
	evs = append(evs, out...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	return evs
}

// close stops every subscriber and waits for them.
func (f *sentinelFeed) close() {
	f.cancel()
	f.wg.Wait()
}
