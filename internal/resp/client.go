package resp

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"
)

// Client is a minimal synchronous RESP2 client over one connection. It is
// not safe for concurrent use.
type Client struct {
	conn    net.Conn
	r       *Reader
	w       *bufio.Writer
	Timeout time.Duration // per round trip; 0 means none
}

// Dial connects to addr within timeout.
func Dial(ctx context.Context, addr string, timeout time.Duration) (*Client, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	return NewClient(conn, timeout), nil
}

// NewClient wraps an established connection.
func NewClient(conn net.Conn, timeout time.Duration) *Client {
	return &Client{conn: conn, r: NewReader(conn), w: bufio.NewWriter(conn), Timeout: timeout}
}

// Conn returns the underlying connection.
func (c *Client) Conn() net.Conn { return c.conn }

// Reader returns the client's reply reader.
func (c *Client) Reader() *Reader { return c.r }

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Do sends one command and reads its reply. A RESP error reply is returned
// as a Value of kind Error with a nil Go error.
func (c *Client) Do(args ...string) (Value, error) {
	if err := c.Send(args...); err != nil {
		return Value{}, err
	}
	return c.Receive()
}

// Send writes one command and flushes it.
func (c *Client) Send(args ...string) error {
	c.deadline()
	buf := AppendCommand(nil, args...)
	if _, err := c.w.Write(buf); err != nil {
		return err
	}
	return c.w.Flush()
}

// WriteRaw writes bytes as they are and flushes them.
func (c *Client) WriteRaw(b []byte) error {
	c.deadline()
	if _, err := c.w.Write(b); err != nil {
		return err
	}
	return c.w.Flush()
}

// Receive reads one reply.
func (c *Client) Receive() (Value, error) {
	c.deadline()
	return c.r.ReadValue()
}

func (c *Client) deadline() {
	if c.Timeout > 0 {
		_ = c.conn.SetDeadline(time.Now().Add(c.Timeout))
	}
}
