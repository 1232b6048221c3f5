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
// read and the lock); a batch that waits is woken through its client's
// own channel and timer, made once: a batch allocates nothing.
type arrivals struct {
	mu      sync.Mutex
	pending []arrival
}

type arrival struct {
	c       *Client
	ts      int64
	waiting bool // c's goroutine waits on c.arrivalWake
}

// turn registers c's batch that arrived at ts and returns when no batch
// that arrived earlier is still waiting for the lock (or after
// arrivalWaitCap).
func (a *arrivals) turn(c *Client, ts int64) {
	a.mu.Lock()
	a.pending = append(a.pending, arrival{c: c, ts: ts})
	a.mu.Unlock()
	runtime.Gosched()
	var deadline <-chan time.Time
	defer func() {
		if deadline != nil {
			c.arrivalTimer.Stop()
		}
	}()
	for {
		a.mu.Lock()
		if !a.earlierLocked(c, ts) {
			a.mu.Unlock()
			return
		}
		for i := range a.pending {
			if a.pending[i].c == c {
				a.pending[i].waiting = true
			}
		}
		if c.arrivalWake == nil {
			c.arrivalWake = make(chan struct{}, 1)
		}
		a.mu.Unlock()
		if deadline == nil {
			// One timer per client, reset for each wait.
			if c.arrivalTimer == nil {
				c.arrivalTimer = time.NewTimer(arrivalWaitCap)
			} else {
				c.arrivalTimer.Reset(arrivalWaitCap)
			}
			deadline = c.arrivalTimer.C
		}
		select {
		case <-c.arrivalWake:
		case <-deadline:
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
// running it) and wakes the earliest batch left if it waits.
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
		// Only the earliest batch left can go now; the others still
		// have it before them. Waking it alone spares the herd of
		// waiters a wake-up each per leave (at -P 1 with 50 clients,
		// arrivals cost a quarter of the node's CPU that way).
		first := -1
		for j, o := range a.pending {
			if first < 0 || o.ts < a.pending[first].ts || o.ts == a.pending[first].ts && o.c.id < a.pending[first].c.id {
				first = j
			}
		}
		if first >= 0 && a.pending[first].waiting {
			select {
			case a.pending[first].c.arrivalWake <- struct{}{}:
			default: // already woken
			}
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
