package simnet

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// Addr is the address of a simnet endpoint, "host:port", e.g. "n1:6379".
type Addr string

// Network returns "simnet".
func (a Addr) Network() string { return "simnet" }

// String returns the address as "host:port".
func (a Addr) String() string { return string(a) }

// Host returns the part of the address before the last ':'.
func (a Addr) Host() string { return hostOf(string(a)) }

// Conn is one end of a simulated connection; it implements net.Conn. Each
// direction is a bounded buffer: a writer blocks while the buffer is full,
// which models a slow reader. Conn is safe for concurrent use; concurrent
// Writes do not interleave their bytes.
type Conn struct {
	network       *Network
	link          *link
	local, remote Addr
	rx, tx        *pipe
	wslot         chan struct{} // holds a token while a Write is in progress
	done          chan struct{} // closed by Close
	closeOnce     sync.Once
	rd, wd        *deadline
}

func newConn(n *Network, l *link, local, remote Addr, rx, tx *pipe) *Conn {
	return &Conn{
		network: n, link: l, local: local, remote: remote, rx: rx, tx: tx,
		wslot: make(chan struct{}, 1),
		done:  make(chan struct{}),
		rd:    newDeadline(),
		wd:    newDeadline(),
	}
}

// Read reads buffered bytes. It returns io.EOF once the peer has closed its
// end and every byte it wrote has been read, an error wrapping
// os.ErrDeadlineExceeded when the read deadline passes, and an error
// wrapping syscall.ECONNRESET when the link was cut.
func (c *Conn) Read(b []byte) (int, error) {
	for {
		if err := c.check("read", c.rd); err != nil {
			return 0, err
		}
		if len(b) == 0 {
			return 0, nil
		}
		n, res, wait, err := c.rx.tryRead(b)
		switch res {
		case readData:
			return n, nil
		case readEOF:
			return 0, io.EOF
		case readReset:
			return 0, c.opError("read", os.NewSyscallError("read", err))
		}
		select {
		case <-wait:
		case <-c.done:
		case <-c.rd.wait():
		}
	}
}

// Write writes all of b unless an error occurs, blocking while the buffer
// toward the peer is full. It fails with an error wrapping syscall.EPIPE
// once the peer has closed its end.
func (c *Conn) Write(b []byte) (int, error) {
	select {
	case c.wslot <- struct{}{}:
	case <-c.done:
		return 0, c.opError("write", net.ErrClosed)
	case <-c.wd.wait():
		return 0, c.opError("write", os.ErrDeadlineExceeded)
	}
	defer func() { <-c.wslot }()
	n := 0
	for {
		if err := c.check("write", c.wd); err != nil {
			return n, err
		}
		if len(b) == 0 {
			return 0, nil
		}
		k, res, wait, err := c.tx.tryWrite(b[n:])
		switch res {
		case writeProgress:
			n += k
			if n == len(b) {
				return n, nil
			}
			continue
		case writeBroken:
			return n, c.opError("write", os.NewSyscallError("write", syscall.EPIPE))
		case writeReset:
			return n, c.opError("write", os.NewSyscallError("write", err))
		}
		select {
		case <-wait:
		case <-c.done:
		case <-c.wd.wait():
		}
	}
}

// check reports a closed connection or a passed deadline.
func (c *Conn) check(op string, d *deadline) error {
	if isClosed(c.done) {
		return c.opError(op, net.ErrClosed)
	}
	if isClosed(d.wait()) {
		return c.opError(op, os.ErrDeadlineExceeded)
	}
	return nil
}

func (c *Conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "simnet", Source: c.local, Addr: c.remote, Err: err}
}

// Close closes this end: the peer reads the remaining bytes then io.EOF,
// and the peer's writes fail. Blocked Reads and Writes on this end return
// an error wrapping net.ErrClosed.
func (c *Conn) Close() error {
	first := false
	c.closeOnce.Do(func() {
		first = true
		close(c.done)
		c.rd.stop()
		c.wd.stop()
		c.tx.closeWriter()
		c.rx.closeReader()
		c.network.endClosed(c.link)
	})
	if !first {
		return c.opError("close", net.ErrClosed)
	}
	return nil
}

// CloseWrite half-closes the connection: the peer reads the remaining bytes
// then io.EOF, while this end can still read.
func (c *Conn) CloseWrite() error {
	if isClosed(c.done) {
		return c.opError("close", net.ErrClosed)
	}
	c.tx.closeWriter()
	return nil
}

// LocalAddr returns this end's address.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline sets both the read and the write deadline.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the time after which Read fails with an error
// wrapping os.ErrDeadlineExceeded; the zero time means none.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if isClosed(c.done) {
		return c.opError("set", net.ErrClosed)
	}
	c.rd.set(t)
	return nil
}

// SetWriteDeadline sets the time after which Write fails with an error
// wrapping os.ErrDeadlineExceeded; the zero time means none.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if isClosed(c.done) {
		return c.opError("set", net.ErrClosed)
	}
	c.wd.set(t)
	return nil
}

// link is one connection: two ends and the two pipes between them.
type link struct {
	client, server *Conn
	hosts          hostPair
	open           int // ends not yet closed
}

// reset fails both directions with ECONNRESET, as a cut link does.
func (l *link) reset() {
	l.client.tx.setReset(syscall.ECONNRESET)
	l.client.rx.setReset(syscall.ECONNRESET)
}

// setPaused holds or releases both directions.
func (l *link) setPaused(paused bool) {
	l.client.tx.setPaused(paused)
	l.client.rx.setPaused(paused)
}
