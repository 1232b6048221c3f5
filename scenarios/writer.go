package scenarios

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/replscope/replscope/internal/dataset"
	"github.com/replscope/replscope/internal/resp"
)

// writer is the connection a node's scripted writes (Write, Set) go
// through. It stays open between steps because WAIT counts the replicas
// that acknowledged the last write of its own connection: WaitAcked runs
// WAIT on it. A failed command, a cancelled step, Kill and Restart close
// it; the next write dials again.
type writer struct {
	mu     sync.Mutex // one command at a time; held across the round trips
	cl     *resp.Client
	hangup func()
	wrote  bool // a write went through cl
}

// use runs fn on w's connection, dialling node name first when there is
// none. Cancelling ctx aborts fn's I/O. The connection is closed when fn
// fails or ctx ends, so that a half-read pipeline is never reused.
func (c *Cluster) use(ctx context.Context, name string, fn func(*writer) error) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	w := m.writer
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cl == nil {
		// Not bound to ctx: the connection outlives the step.
		cl, hangup, err := c.dial(context.Background(), name)
		if err != nil {
			return err
		}
		w.cl, w.hangup, w.wrote = cl, hangup, false
	}
	conn := w.cl.Conn()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	err = fn(w)
	if !stop() || err != nil {
		w.closeLocked()
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// closeLocked closes the connection; callers hold w.mu.
func (w *writer) closeLocked() {
	if w.hangup != nil {
		w.hangup()
	}
	w.cl, w.hangup, w.wrote = nil, nil, false
}

// reset closes the connection: the node stopped, or the Cluster closes.
func (w *writer) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closeLocked()
}

// Write sets count new keys on node name, name:N+1 … name:N+count where N
// is the number of keys written there before, each to size bytes of 'x',
// pipelined on the node's write connection. It returns the numbers of the
// first and last key.
func (c *Cluster) Write(ctx context.Context, name string, count int, size int64) (first, last int64, err error) {
	if count < 1 || size < 1 {
		return 0, 0, fmt.Errorf("write %s: count and size must be positive", name)
	}
	c.mu.Lock()
	m := c.members[name]
	if m != nil {
		first = m.keys + 1
		m.keys += int64(count)
	}
	c.mu.Unlock()
	if m == nil {
		return 0, 0, fmt.Errorf("no node named %q", name)
	}
	last = first + int64(count) - 1
	err = c.use(ctx, name, func(w *writer) error {
		w.wrote = true // a failure closes the connection, which clears it
		if err := dataset.Fill(w.cl, name+":", first, last, strings.Repeat("x", int(size))); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		return nil
	})
	return first, last, err
}

// Set sets key to value on node name, with a time to live when ttl > 0
// (SET key value PX ms), on the node's write connection.
func (c *Cluster) Set(ctx context.Context, name, key, value string, ttl time.Duration) error {
	args := []string{"SET", key, value}
	if ttl > 0 {
		args = append(args, "PX", strconv.FormatInt(max(ttl.Milliseconds(), 1), 10))
	}
	return c.use(ctx, name, func(w *writer) error {
		w.wrote = true
		v, err := w.cl.Do(args...)
		if err == nil {
			err = v.Err()
		}
		if err != nil {
			return fmt.Errorf("SET %s on %s: %w", key, name, err)
		}
		return nil
	})
}

// ErrNoWrite is WaitAcked's error when the node's write connection has
// not written anything: there is no write for replicas to acknowledge.
var ErrNoWrite = errors.New("no write to wait for")

// WaitAcked runs WAIT replicas timeout on the connection that did node
// name's last Write or Set, and returns how many replicas acknowledged
// that write: replicas when they all did in time, fewer when the timeout
// passed first. It fails with ErrNoWrite when that connection did no write
// (none since the node started, or the last one failed).
func (c *Cluster) WaitAcked(ctx context.Context, name string, replicas int, timeout time.Duration) (int64, error) {
	var acked int64
	err := c.use(ctx, name, func(w *writer) error {
		if !w.wrote {
			return fmt.Errorf("wait acked %s: %w on %s's connection (write or set first)", name, ErrNoWrite, name)
		}
		ms := max(timeout.Milliseconds(), 1)
		w.cl.Timeout = timeout + opTimeout
		defer func() { w.cl.Timeout = opTimeout }()
		v, err := w.cl.Do("WAIT", strconv.Itoa(replicas), strconv.FormatInt(ms, 10))
		if err == nil {
			err = v.Err()
		}
		if err != nil {
			return fmt.Errorf("WAIT on %s: %w", name, err)
		}
		acked = v.Int
		return nil
	})
	return acked, err
}
