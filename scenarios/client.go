package scenarios

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// opTimeout bounds each round trip of the Cluster's own clients.
const opTimeout = 10 * time.Second

// writeBatchBytes bounds the commands Write pipelines at once.
const writeBatchBytes = 4 << 20

// dial connects to node name and authenticates when it has a password.
// Cancelling ctx ends the connection's I/O.
func (c *Cluster) dial(ctx context.Context, name string) (*resp.Client, func(), error) {
	c.mu.Lock()
	m := c.members[name]
	var addr, pass string
	running := false
	if m != nil {
		addr, pass, running = m.addr(), m.pass, m.running()
	}
	c.mu.Unlock()
	switch {
	case m == nil:
		return nil, nil, fmt.Errorf("no node named %q", name)
	case !running:
		return nil, nil, fmt.Errorf("%s is not running", name)
	}
	cl, err := resp.Dial(ctx, addr, opTimeout)
	if err != nil {
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { _ = cl.Conn().SetDeadline(time.Unix(1, 0)) })
	done := func() {
		stop()
		_ = cl.Close()
	}
	if pass != "" {
		v, err := cl.Do("AUTH", pass)
		if err == nil {
			err = v.Err()
		}
		if err != nil {
			done()
			return nil, nil, fmt.Errorf("AUTH on %s: %w", name, err)
		}
	}
	return cl, done, nil
}

// Do runs one command on node name on a new connection and returns the
// reply. A RESP error reply comes back as a Value of kind resp.Error with
// a nil error; err is for connection failures.
func (c *Cluster) Do(ctx context.Context, name string, args ...string) (resp.Value, error) {
	cl, done, err := c.dial(ctx, name)
	if err != nil {
		return resp.Value{}, err
	}
	defer done()
	v, err := cl.Do(args...)
	if err != nil {
		return resp.Value{}, fmt.Errorf("%s %s: %w", name, strings.ToUpper(args[0]), err)
	}
	return v, nil
}

// must runs a command that has to succeed.
func (c *Cluster) must(ctx context.Context, name string, args ...string) error {
	v, err := c.Do(ctx, name, args...)
	if err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return fmt.Errorf("%s: %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

// Write sets count new keys on node name, name:N+1 … name:N+count where N
// is the number of keys written there before, each to size bytes of 'x',
// pipelined. It returns the numbers of the first and last key.
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
	cl, done, err := c.dial(ctx, name)
	if err != nil {
		return first, last, err
	}
	defer done()
	value := strings.Repeat("x", int(size))
	batch := int64(max(1, min(1000, writeBatchBytes/int(size))))
	var buf []byte
	for lo := first; lo <= last; lo += batch {
		hi := min(lo+batch-1, last)
		buf = buf[:0]
		for k := lo; k <= hi; k++ {
			buf = resp.AppendCommand(buf, "SET", name+":"+strconv.FormatInt(k, 10), value)
		}
		if err := cl.WriteRaw(buf); err != nil {
			return first, last, fmt.Errorf("write %s: %w", name, err)
		}
		for k := lo; k <= hi; k++ {
			v, err := cl.Receive()
			if err == nil {
				err = v.Err()
			}
			if err != nil {
				return first, last, fmt.Errorf("SET %s:%d on %s: %w", name, k, name, err)
			}
		}
	}
	return first, last, nil
}

// Set sets key to value on node name, with a time to live when ttl > 0
// (SET key value PX ms).
func (c *Cluster) Set(ctx context.Context, name, key, value string, ttl time.Duration) error {
	args := []string{"SET", key, value}
	if ttl > 0 {
		args = append(args, "PX", strconv.FormatInt(max(ttl.Milliseconds(), 1), 10))
	}
	return c.must(ctx, name, args...)
}
