package scenarios

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// opTimeout bounds each round trip of the Cluster's own clients.
const opTimeout = 10 * time.Second

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
