package scenarios

import (
	"context"
	"fmt"
	"net"
	"sync"
)

// Pause makes node name stop taking in its replication stream: its link to
// its master holds every byte in both directions until Resume, as a
// stalled replica process would (its master's output buffer for it grows,
// and no ACK comes back). A redis-server's proxy pauses; an embedded node's
// connections through its Dialer block in Read and Write.
func (c *Cluster) Pause(name string) error {
	return c.setPaused(name, true)
}

// Resume lets node name take in its replication stream again after Pause.
func (c *Cluster) Resume(name string) error {
	return c.setPaused(name, false)
}

func (c *Cluster) setPaused(name string, paused bool) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	px, owner := m.proxy, m.owner
	if owner != "" || !paused {
		m.paused = paused
	}
	c.mu.Unlock()
	if owner == "" && paused {
		return fmt.Errorf("%s follows no master: pause acts on a replica's link to its master", name)
	}
	m.gate.set(paused)
	if px != nil {
		if paused {
			px.Pause()
		} else {
			px.Resume()
		}
	}
	return nil
}

// dialFor returns the dialer an embedded node uses to reach its master:
// its faultnet.Dialer (Cut, Heal) behind its gate (Pause, Resume).
func dialFor(m *member) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := m.dialer.Dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &gatedConn{Conn: conn, gate: m.gate, closed: make(chan struct{})}, nil
	}
}

// gate holds I/O while paused. The zero value is open.
type gate struct {
	mu     sync.Mutex
	open   chan struct{} // closed while not paused; nil means open
	paused bool
}

// set pauses or opens the gate; both are idempotent.
func (g *gate) set(paused bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case paused && !g.paused:
		g.open = make(chan struct{})
	case !paused && g.paused:
		close(g.open)
		g.open = nil
	}
	g.paused = paused
}

// wait blocks while the gate is paused; it fails once done is closed.
func (g *gate) wait(done <-chan struct{}) error {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	if open == nil {
		return nil
	}
	select {
	case <-open:
		return nil
	case <-done:
		return net.ErrClosed
	}
}

// gatedConn is a connection whose Read and Write wait at a gate.
type gatedConn struct {
	net.Conn
	gate   *gate
	closed chan struct{}
	once   sync.Once
}

// Read waits while the gate is paused, then reads; bytes that arrive
// while it is paused (a Read already waiting when Pause came) are held
// until Resume.
func (c *gatedConn) Read(p []byte) (int, error) {
	if err := c.gate.wait(c.closed); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	if werr := c.gate.wait(c.closed); werr != nil {
		return 0, werr
	}
	return n, err
}

// Write waits while the gate is paused, then writes.
func (c *gatedConn) Write(p []byte) (int, error) {
	if err := c.gate.wait(c.closed); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// Close closes the connection and releases a Read or Write held at the
// gate.
func (c *gatedConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// CloseWrite half-closes the connection when the underlying one can.
func (c *gatedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return net.ErrClosed
}
