// Package faultnet injects network faults over real sockets: a Dialer whose
// connections can be cut, and a TCP Proxy whose forwarded connections can
// be cut or paused. It serves scenario runs of embedded nodes and
// redis-server processes on 127.0.0.1.
package faultnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// ErrCut is the error of a dial through a cut Dialer.
var ErrCut = errors.New("faultnet: link cut")

// Dialer dials like its Base net.Dialer and remembers the connections it
// made, so that Cut can close them all and refuse new dials until Heal.
// The zero value is ready to use; its methods are safe for concurrent use.
type Dialer struct {
	// Base performs the actual dials.
	Base net.Dialer

	mu      sync.Mutex
	cut     bool
	epoch   uint64 // incremented by Cut: dials begun before it are refused
	conns   map[*trackedConn]struct{}
	dials   int
	refused int
}

// DialerStats is a snapshot of a Dialer's counters.
type DialerStats struct {
	Live    int  // connections made and not yet closed
	Dials   int  // successful dials
	Refused int  // dials refused because the link was cut
	Cut     bool // whether the link is cut now
}

// Dial connects to addr on the named network, unless the Dialer is cut: then
// it fails with an error wrapping ErrCut. A dial that was in flight when Cut
// was called is closed and refused as well.
func (d *Dialer) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	if d.cut {
		d.refused++
		d.mu.Unlock()
		return nil, fmt.Errorf("dial %s %s: %w", network, addr, ErrCut)
	}
	epoch := d.epoch
	d.mu.Unlock()

	c, err := d.Base.DialContext(ctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("faultnet: %w", err)
	}

	d.mu.Lock()
	if d.cut || d.epoch != epoch {
		d.refused++
		d.mu.Unlock()
		c.Close()
		return nil, fmt.Errorf("dial %s %s: %w", network, addr, ErrCut)
	}
	tc := &trackedConn{Conn: c, d: d}
	if d.conns == nil {
		d.conns = make(map[*trackedConn]struct{})
	}
	d.conns[tc] = struct{}{}
	d.dials++
	d.mu.Unlock()
	return tc, nil
}

// Cut closes every live connection the Dialer made and refuses new dials
// until Heal. Cutting a cut Dialer does nothing more.
func (d *Dialer) Cut() {
	d.mu.Lock()
	d.cut = true
	d.epoch++
	conns := make([]*trackedConn, 0, len(d.conns))
	for c := range d.conns {
		conns = append(conns, c)
	}
	clear(d.conns)
	d.mu.Unlock()
	for _, c := range conns {
		c.Conn.Close()
	}
}

// Heal lets dials through again. Healing a healed Dialer does nothing.
func (d *Dialer) Heal() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cut = false
}

// Stats returns the Dialer's counters.
func (d *Dialer) Stats() DialerStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return DialerStats{Live: len(d.conns), Dials: d.dials, Refused: d.refused, Cut: d.cut}
}

func (d *Dialer) forget(c *trackedConn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.conns, c)
}

// trackedConn is a connection made by a Dialer; closing it forgets it.
type trackedConn struct {
	net.Conn
	d *Dialer
}

// Close closes the connection and removes it from its Dialer.
func (c *trackedConn) Close() error {
	c.d.forget(c)
	return c.Conn.Close()
}

// CloseWrite half-closes the connection when the underlying one supports it.
func (c *trackedConn) CloseWrite() error {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("faultnet: %T cannot half-close", c.Conn)
	}
	return cw.CloseWrite()
}

// NetConn returns the underlying connection.
func (c *trackedConn) NetConn() net.Conn { return c.Conn }
