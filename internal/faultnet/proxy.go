package faultnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// proxyDialTimeout bounds the dial to the target for each accepted conn.
const proxyDialTimeout = 5 * time.Second

// acceptRetryDelay paces the accept loop after a transient accept error.
const acceptRetryDelay = 10 * time.Millisecond

// errLinkClosed tells a copy loop that its link was closed.
var errLinkClosed = errors.New("faultnet: link closed")

// Proxy listens on 127.0.0.1 and forwards every accepted connection to a
// target address, in both directions, half-closes included. Cut, Heal,
// Pause and Resume act on every forwarded connection. Its methods are safe
// for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	bytes  atomic.Int64

	mu       sync.Mutex
	closed   bool
	cut      bool
	paused   bool
	resumed  chan struct{} // closed while not paused
	links    map[*proxyLink]struct{}
	accepted int
	refused  int
}

// ProxyStats is a snapshot of a Proxy's counters.
type ProxyStats struct {
	Links    int   // connections being forwarded now
	Accepted int   // connections accepted and forwarded
	Refused  int   // connections closed at once because the proxy was cut
	Bytes    int64 // bytes forwarded, both directions
	Cut      bool
	Paused   bool
}

// NewProxy listens on 127.0.0.1:0 and forwards connections to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultnet: proxy listen: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	resumed := make(chan struct{})
	close(resumed)
	p := &Proxy{
		target: target, ln: ln, ctx: ctx, cancel: cancel,
		resumed: resumed,
		links:   make(map[*proxyLink]struct{}),
	}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr returns the address the proxy listens on, "127.0.0.1:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Target returns the address connections are forwarded to.
func (p *Proxy) Target() string { return p.target }

// Cut closes every forwarded connection, on both sides, and until Heal
// closes each new connection as soon as it is accepted. Cut is idempotent.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	links := p.takeLinksLocked()
	p.mu.Unlock()
	for _, l := range links {
		l.close()
	}
}

// Heal forwards new connections again. Heal is idempotent.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

// Pause stops forwarding bytes, in both directions, without closing any
// connection, until Resume. Pause is idempotent.
func (p *Proxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.paused {
		p.paused = true
		p.resumed = make(chan struct{})
	}
}

// Resume forwards the held bytes and the ones that follow. Resume is
// idempotent.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused {
		p.paused = false
		close(p.resumed)
	}
}

// Stats returns the proxy's counters.
func (p *Proxy) Stats() ProxyStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ProxyStats{
		Links: len(p.links), Accepted: p.accepted, Refused: p.refused,
		Bytes: p.bytes.Load(), Cut: p.cut, Paused: p.paused,
	}
}

// Close stops the listener, closes every forwarded connection and waits for
// all of the proxy's goroutines to return.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return fmt.Errorf("faultnet: proxy %s: %w", p.Addr(), net.ErrClosed)
	}
	p.closed = true
	links := p.takeLinksLocked()
	p.mu.Unlock()

	p.cancel()
	err := p.ln.Close()
	for _, l := range links {
		l.close()
	}
	p.wg.Wait()
	if err != nil {
		return fmt.Errorf("faultnet: proxy close: %w", err)
	}
	return nil
}

func (p *Proxy) takeLinksLocked() []*proxyLink {
	links := make([]*proxyLink, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	clear(p.links)
	return links
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if p.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(acceptRetryDelay):
			}
			continue
		}
		p.mu.Lock()
		if p.cut {
			p.refused++
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.wg.Add(1) // before Close can Wait: this goroutine holds a count
		p.mu.Unlock()
		go p.serve(c)
	}
}

// serve dials the target for one accepted client and forwards until both
// directions are done or the link is closed.
func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(p.ctx, proxyDialTimeout)
	var d net.Dialer
	server, err := d.DialContext(ctx, "tcp", p.target)
	cancel()
	if err != nil {
		client.Close()
		return
	}
	l := &proxyLink{client: client, server: server, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed || p.cut {
		p.refused++
		p.mu.Unlock()
		l.close()
		return
	}
	p.links[l] = struct{}{}
	p.accepted++
	p.mu.Unlock()

	var both sync.WaitGroup
	both.Go(func() { p.forward(l, server, client) })
	p.forward(l, client, server)
	both.Wait()
	l.close()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// forward copies src to dst until src ends or the link closes, holding
// bytes while the proxy is paused. A clean end of src half-closes dst.
func (p *Proxy) forward(l *proxyLink, dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		if p.waitResumed(l) != nil {
			return
		}
		n, rerr := src.Read(buf)
		if n > 0 {
			if p.waitResumed(l) != nil {
				return
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				l.close()
				return
			}
			p.bytes.Add(int64(n))
		}
		if rerr == io.EOF {
			if cw, ok := dst.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
				return
			}
			l.close()
			return
		}
		if rerr != nil {
			l.close()
			return
		}
	}
}

// waitResumed blocks while the proxy is paused; it fails once l is closed.
func (p *Proxy) waitResumed(l *proxyLink) error {
	p.mu.Lock()
	resumed := p.resumed
	p.mu.Unlock()
	select {
	case <-resumed:
		return nil
	case <-l.done:
		return errLinkClosed
	}
}

// proxyLink is one forwarded connection: the accepted client side and the
// dialed server side.
type proxyLink struct {
	client, server net.Conn
	done           chan struct{}
	once           sync.Once
}

// close closes both sides once.
func (l *proxyLink) close() {
	l.once.Do(func() {
		close(l.done)
		l.client.Close()
		l.server.Close()
	})
}
