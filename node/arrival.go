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
// node lock, by client, with their kernel arrival times (unix ns).
type arrivals struct {
	mu      sync.Mutex
	pending map[*Client]int64
	changed chan struct{} // closed (and replaced) whenever pending shrinks
}

// turn registers c's batch that arrived at ts and returns when no batch
// that arrived earlier is still waiting for the lock (or after
// arrivalWaitCap).
func (a *arrivals) turn(c *Client, ts int64) {
	a.mu.Lock()
	if a.pending == nil {
		a.pending = map[*Client]int64{}
		a.changed = make(chan struct{})
	}
	a.pending[c] = ts
	a.mu.Unlock()
	runtime.Gosched()
	var deadline <-chan time.Time
	for {
		a.mu.Lock()
		earlier := false
		for o, t := range a.pending {
			if o != c && (t < ts || t == ts && o.id < c.id) {
				earlier = true
				break
			}
		}
		ch := a.changed
		a.mu.Unlock()
		if !earlier {
			return
		}
		if deadline == nil {
			t := time.NewTimer(arrivalWaitCap)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-ch:
		case <-deadline:
			return
		}
	}
}

// leave removes c's batch once it holds the node lock (or gave up on
// running it).
func (a *arrivals) leave(c *Client) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.pending[c]; !ok {
		return
	}
	delete(a.pending, c)
	close(a.changed)
	a.changed = make(chan struct{})
}

// arrivalOf returns the kernel arrival time of the last data read from
// c's socket, 0 when unknown.
func arrivalOf(c *Client) int64 {
	if g, ok := c.netConn.(*guardConn); ok {
		return g.arrival
	}
	return 0
}
