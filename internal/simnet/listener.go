package simnet

import (
	"net"
	"sync"
)

// listener accepts simulated connections on one address.
type listener struct {
	network *Network
	addr    Addr

	mu     sync.Mutex
	queue  []*Conn
	closed bool
	wake   chan struct{}
}

func newListener(n *Network, addr Addr) *listener {
	return &listener{network: n, addr: addr}
}

// enqueue offers a dialed connection; false means refused.
func (l *listener) enqueue(c *Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || len(l.queue) >= listenBacklog {
		return false
	}
	l.queue = append(l.queue, c)
	if l.wake != nil {
		close(l.wake)
		l.wake = nil
	}
	return true
}

// Accept waits for the next connection. After Close it returns an error
// wrapping net.ErrClosed.
func (l *listener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return nil, &net.OpError{Op: "accept", Net: "simnet", Addr: l.addr, Err: net.ErrClosed}
		}
		if len(l.queue) > 0 {
			c := l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
			l.mu.Unlock()
			return c, nil
		}
		if l.wake == nil {
			l.wake = make(chan struct{})
		}
		wait := l.wake
		l.mu.Unlock()
		<-wait
	}
}

// Close stops listening; connections dialed but not yet accepted are reset.
func (l *listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return &net.OpError{Op: "close", Net: "simnet", Addr: l.addr, Err: net.ErrClosed}
	}
	l.closed = true
	pending := l.queue
	l.queue = nil
	if l.wake != nil {
		close(l.wake)
		l.wake = nil
	}
	l.mu.Unlock()
	l.network.dropListener(l, pending)
	return nil
}

// Addr returns the listening address.
func (l *listener) Addr() net.Addr { return l.addr }
