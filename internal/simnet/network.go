// Package simnet is an in-memory network for deterministic tests of
// networked code: buffered net.Conn pairs, listeners addressed by
// "host:port" strings, and faults (cut, isolate, pause) between hosts.
//
// Every blocking operation waits on a channel and every deadline is a
// timer, so simnet works inside testing/synctest bubbles, where fake time
// advances deadlines and blocked goroutines count as durably blocked. To use
// it in a bubble, create the Network and its connections inside the bubble.
package simnet

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// DefaultBufferSize is the capacity of each direction of a connection
// unless WithBufferSize says otherwise.
const DefaultBufferSize = 4 << 20

// listenBacklog bounds the connections waiting in a listener's accept queue.
const listenBacklog = 128

// firstEphemeralPort is the first port given to dialing ends and to
// listeners asked for port 0.
const firstEphemeralPort = 49152

// Option configures a Network.
type Option func(*Network)

// WithBufferSize sets the capacity, in bytes, of each direction of every
// connection (at least 1).
func WithBufferSize(n int) Option {
	return func(nw *Network) { nw.bufSize = max(n, 1) }
}

// Network is a set of simulated hosts, their listeners and the connections
// between them. Its methods are safe for concurrent use.
type Network struct {
	bufSize int

	mu        sync.Mutex
	listeners map[Addr]*listener
	links     map[*link]struct{}
	cuts      map[hostPair]struct{}
	isolated  map[string]struct{}
	paused    map[hostPair]struct{}
	nextPort  int
	wake      chan struct{} // closed when the fault state changes
}

// New returns an empty network.
func New(opts ...Option) *Network {
	n := &Network{
		bufSize:   DefaultBufferSize,
		listeners: make(map[Addr]*listener),
		links:     make(map[*link]struct{}),
		cuts:      make(map[hostPair]struct{}),
		isolated:  make(map[string]struct{}),
		paused:    make(map[hostPair]struct{}),
		nextPort:  firstEphemeralPort,
	}
	for _, o := range opts {
		o(n)
	}
	return n
}

// Listen listens on addr, "host:port". Port 0 picks a free port; the
// listener's Addr tells which.
func (n *Network) Listen(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("simnet: listen %q: %w", addr, err)
	}
	if host == "" {
		return nil, fmt.Errorf("simnet: listen %q: missing host", addr)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if port == "0" {
		port = strconv.Itoa(n.allocPortLocked())
	}
	a := Addr(net.JoinHostPort(host, port))
	if _, ok := n.listeners[a]; ok {
		return nil, &net.OpError{Op: "listen", Net: "simnet", Addr: a, Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	}
	l := newListener(n, a)
	n.listeners[a] = l
	return l, nil
}

// DialFunc is the shape of a dialer such as (*net.Dialer).DialContext.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Dialer returns a dial function for code running on fromHost. Dialing an
// address nobody listens on, or a host cut off from fromHost, fails with an
// error satisfying errors.Is(err, syscall.ECONNREFUSED). While the link is
// paused the dial waits until it is resumed or ctx ends.
func (n *Network) Dialer(fromHost string) DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return n.dial(ctx, fromHost, addr)
	}
}

func (n *Network) dial(ctx context.Context, from, addr string) (net.Conn, error) {
	to := Addr(addr)
	refused := func() error {
		return &net.OpError{Op: "dial", Net: "simnet", Addr: to, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, &net.OpError{Op: "dial", Net: "simnet", Addr: to, Err: err}
	}
	pair := makeHostPair(from, to.Host())
	for {
		if err := ctx.Err(); err != nil {
			return nil, &net.OpError{Op: "dial", Net: "simnet", Addr: to, Err: err}
		}
		n.mu.Lock()
		l := n.listeners[to]
		if l == nil || n.blockedLocked(pair) {
			n.mu.Unlock()
			return nil, refused()
		}
		if _, ok := n.paused[pair]; ok {
			wait := n.waitLocked()
			n.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
			}
			continue
		}
		local := Addr(net.JoinHostPort(from, strconv.Itoa(n.allocPortLocked())))
		lk := n.newLinkLocked(pair, local, to)
		if !l.enqueue(lk.server) {
			delete(n.links, lk)
			n.mu.Unlock()
			return nil, refused()
		}
		n.mu.Unlock()
		return lk.client, nil
	}
}

// newLinkLocked creates and registers a connection. The caller holds n.mu.
func (n *Network) newLinkLocked(hosts hostPair, local, remote Addr) *link {
	up, down := newPipe(n.bufSize), newPipe(n.bufSize)
	lk := &link{hosts: hosts, open: 2}
	lk.client = newConn(n, lk, local, remote, down, up)
	lk.server = newConn(n, lk, remote, local, up, down)
	n.links[lk] = struct{}{}
	return lk
}

// endClosed records that one end of lk was closed.
func (n *Network) endClosed(lk *link) {
	n.mu.Lock()
	defer n.mu.Unlock()
	lk.open--
	if lk.open <= 0 {
		delete(n.links, lk)
	}
}

// dropListener forgets l and resets the connections it never accepted.
func (n *Network) dropListener(l *listener, pending []*Conn) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.listeners[l.addr] == l {
		delete(n.listeners, l.addr)
	}
	n.notifyLocked() // dials waiting on a paused link now fail
	for _, c := range pending {
		c.link.reset()
		delete(n.links, c.link)
	}
}

// Conns reports how many connections have at least one end open.
func (n *Network) Conns() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.links)
}

func (n *Network) allocPortLocked() int {
	p := n.nextPort
	n.nextPort++
	return p
}

// waitLocked returns a channel closed when the fault state next changes.
func (n *Network) waitLocked() <-chan struct{} {
	if n.wake == nil {
		n.wake = make(chan struct{})
	}
	return n.wake
}

func (n *Network) notifyLocked() {
	if n.wake != nil {
		close(n.wake)
		n.wake = nil
	}
}
