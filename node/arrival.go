package node

import (
	"runtime"
	"sync"
	"time"
)

// Requests from different connections run in the order they arrived, as
// Redis's single event loop runs them. Without this, two requests sent
// back to back on two connections ran in either order: Go's netpoller
// readies the goroutines it finds together last-first, and two Ps race for
// the node lock (a client blocking before another one sent earlier,
// an EXEC running after a push sent after it — Redis 7.0.15's
// unit/type/list stalled on it).
//
// Each read of a client socket carries the kernel's arrival time of its
// data (SO_TIMESTAMPNS, see arrival_linux.go). A batch read from a socket
// registers that time before it takes the node lock; it lets any batch
// registered with an earlier arrival go first, after one yield so that a
// goroutine readied together with it can read and register. Connections
// without arrival times (TLS, other systems) are not ordered.

// arrivalWaitCap bounds how long a batch waits for earlier ones: they are
// only ever on their way to the lock, so this is a safety net.
const arrivalWaitCap = 5 * time.Millisecond

// arrivals is the set of batches read from sockets and not yet under the
// node lock, by client, with their kernel arrival times (unix ns). It is a
// small slice (at most one batch per client, and only those between their
// read and the lock), and the channel that wakes waiters is made only
// when a batch waits: with no one waiting, a batch costs two short lock
// holds and no allocation.
type arrivals struct {
	mu      sync.Mutex
	pending []arrival
	waiters int           // batches waiting on changed
	changed chan struct{} // closed (and dropped) when pending shrinks with waiters
}

type arrival struct {
	c  *Client
	ts int64
}

// turn registers c's batch that arrived at ts and returns when no batch
// that arrived earlier is still waiting for the lock (or after
// arrivalWaitCap).
func (a *arrivals) turn(c *Client, ts int64) {
	a.mu.Lock()
	a.pending = append(a.pending, arrival{c, ts})
	a.mu.Unlock()
	runtime.Gosched()
	var deadline <-chan time.Time
	for {
		a.mu.Lock()
		if !a.earlierLocked(c, ts) {
			a.mu.Unlock()
			return
		}
		if a.changed == nil {
			a.changed = make(chan struct{})
		}
		ch := a.changed
		a.waiters++
		a.mu.Unlock()
		if deadline == nil {
			t := time.NewTimer(arrivalWaitCap)
			defer t.Stop()
			deadline = t.C
		}
		timedOut := false
		select {
		case <-ch:
		case <-deadline:
			timedOut = true
		}
		a.mu.Lock()
		a.waiters--
		a.mu.Unlock()
		if timedOut {
			return
		}
	}
}

// earlierLocked reports whether a batch other than c's arrived before ts.
func (a *arrivals) earlierLocked(c *Client, ts int64) bool {
	for _, o := range a.pending {
		if o.c != c && (o.ts < ts || o.ts == ts && o.c.id < c.id) {
			return true
		}
	}
	return false
}

// leave removes c's batch once it holds the node lock (or gave up on
// running it).
func (a *arrivals) leave(c *Client) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, o := range a.pending {
		if o.c != c {
			continue
		}
		last := len(a.pending) - 1
		a.pending[i] = a.pending[last]
		a.pending[last] = arrival{}
		a.pending = a.pending[:last]
		if a.waiters > 0 && a.changed != nil {
			close(a.changed)
			a.changed = nil
		}
		return
	}
}

// arrivalOf returns the kernel arrival time of the last data read from
// c's socket, 0 when unknown.
func arrivalOf(c *Client) int64 {
	if g, ok := c.netConn.(*guardConn); ok {
		return g.arrival
	}
	return 0
}
