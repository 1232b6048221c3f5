package topology

import (
	"context"
	"errors"
	"time"
)

// A Watcher probes every address on its own: each address has a slot that
// holds its latest result and at most one probe in flight. A round starts
// a probe at every idle address it needs and waits for them only until
// its deadline; an address whose probe is still running (a hung node
// takes the whole Timeout) keeps showing its previous result, with the
// time it was read, and is probed again at the first round after its
// probe ends. So each node has its own cadence and timeout, and a stuck
// node never delays the others' refresh.

// slot is one address's probe state.
type slot struct {
	last   *Node         // the latest result; nil before the first
	lastOK time.Time     // when the node last answered (zero: never)
	busy   chan struct{} // closed when the probe in flight ends; nil when idle
}

// probeLevel probes addrs (starting a probe at each idle one) and returns
// their latest results once the probes it started have ended, or when
// roundDone or ctx is done, whichever comes first: a probe that outlives
// the round goes on in the background and its result serves a later
// round. A round with a nil roundDone (Poll) waits for the probes already
// in flight too; the others do not wait for them: they have already
// missed a round. An address with no result yet is an unprobed node, "no
// answer yet".
func (w *Watcher) probeLevel(ctx context.Context, addrs []string, emb map[string]EmbeddedNode, roundDone <-chan struct{}) []*Node {
	var waits []<-chan struct{}
	for _, a := range addrs {
		ch, started := w.launch(ctx, a, emb[a])
		if started || roundDone == nil {
			waits = append(waits, ch)
		}
	}
wait:
	for _, ch := range waits {
		select {
		case <-ch:
		case <-roundDone:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	now := w.cfg.Now()
	out := make([]*Node, len(addrs))
	for i, a := range addrs {
		out[i] = w.result(a, now)
	}
	return out
}

// launch starts a probe of addr unless one is in flight (started false),
// and returns the channel closed when that probe ends.
func (w *Watcher) launch(ctx context.Context, addr string, en EmbeddedNode) (done <-chan struct{}, started bool) {
	w.slotsMu.Lock()
	defer w.slotsMu.Unlock()
	s := w.slots[addr]
	if s == nil {
		s = &slot{}
		w.slots[addr] = s
	}
	if s.busy != nil {
		return s.busy, false
	}
	if w.slotsClosed {
		ch := make(chan struct{})
		close(ch)
		return ch, false
	}
	ch := make(chan struct{})
	s.busy = ch
	w.probing.Add(1)
	go func() {
		defer w.probing.Done()
		defer close(ch)
		n := w.probe(ctx, addr, en)
		w.slotsMu.Lock()
		defer w.slotsMu.Unlock()
		s.last, s.busy = n, nil
		if n.Reach == ReachOK {
			s.lastOK = n.At
		}
	}()
	return ch, true
}

// probe reads one node: in process when it is embedded, else over RESP
// with at most Concurrency remote probes running.
func (w *Watcher) probe(ctx context.Context, addr string, en EmbeddedNode) *Node {
	if en != nil {
		return probeEmbedded(en, addr, w.cfg.Now())
	}
	select {
	case w.sem <- struct{}{}:
		defer func() { <-w.sem }()
	case <-ctx.Done():
		return failed(addr, w.cfg.Now(), ctx.Err())
	}
	return w.remote.Probe(ctx, addr, w.cfg.Now())
}

// result is the latest result at addr, with when the node last answered.
func (w *Watcher) result(addr string, now time.Time) *Node {
	w.slotsMu.Lock()
	defer w.slotsMu.Unlock()
	s := w.slots[addr]
	if s == nil || s.last == nil {
		return &Node{ID: NodeID(addr), Addr: addr, At: now, Role: RoleUnknown, Keys: -1,
			Reach: ReachUnprobed, Error: "no answer yet"}
	}
	n := *s.last
	n.LastOK = s.lastOK
	return &n
}

// forgetSlot drops addr's slot; a probe in flight ends unseen.
func (w *Watcher) forgetSlot(addr string) {
	w.slotsMu.Lock()
	defer w.slotsMu.Unlock()
	delete(w.slots, addr)
}

// stopProbes refuses new probes and waits for those in flight (each ends
// at its Timeout at the latest, sooner when its context ends).
func (w *Watcher) stopProbes() {
	w.slotsMu.Lock()
	w.slotsClosed = true
	w.slotsMu.Unlock()
	w.probing.Wait()
}

// probeEmbedded reads an in-process node.
func probeEmbedded(n EmbeddedNode, addr string, now time.Time) *Node {
	select {
	case <-n.Done():
		return failed(addr, now, errors.New("embedded node closed"))
	default:
	}
	out := NodeFromStatus(n.Status(), true)
	out.Addr = addr
	if out.RunID == "" {
		out.ID = NodeID(addr)
	}
	return out
}
