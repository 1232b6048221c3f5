package scenarios

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/faultnet"
	"github.com/replscope/replscope/internal/redisproc"
	"github.com/replscope/replscope/node"
)

// shutdownWait bounds how long Restart waits for a redis-server to exit
// after SHUTDOWN SAVE.
const shutdownWait = 15 * time.Second

// ReplicaOf makes node name a replica of node master (REPLICAOF host
// port). A redis-server replica is pointed at a proxy in front of master,
// so that Cut works on its link too; an embedded one dials master through
// its own fault-injecting Dialer.
func (c *Cluster) ReplicaOf(ctx context.Context, name, master string) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	o, err := c.get(master)
	if err != nil {
		return err
	}
	if m == o {
		return fmt.Errorf("%s cannot replicate itself", name)
	}
	old, err := c.linkFor(m, o)
	if err != nil {
		return err
	}
	c.mu.Lock()
	host, port := c.linkTargetLocked(m, o)
	c.mu.Unlock()
	if err := c.must(ctx, name, "REPLICAOF", host, strconv.Itoa(port)); err != nil {
		return err
	}
	if old != nil {
		_ = old.Close()
	}
	c.mu.Lock()
	m.owner = master
	c.mu.Unlock()
	return nil
}

// linkFor prepares m's link to o: for a redis-server, a proxy to o (kept
// when it already leads there, cut when m's link is cut). It returns the
// proxy being replaced, to close once m has moved.
func (c *Cluster) linkFor(m, o *member) (old *faultnet.Proxy, err error) {
	c.mu.Lock()
	target, cur, cut, paused := o.addr(), m.proxy, m.cut, m.paused
	c.mu.Unlock()
	if m.kind != Redis || (cur != nil && cur.Target() == target) {
		return nil, nil
	}
	px, err := faultnet.NewProxy(target)
	if err != nil {
		return nil, err
	}
	if cut {
		px.Cut()
	}
	if paused {
		px.Pause()
	}
	c.mu.Lock()
	m.proxy = px
	c.mu.Unlock()
	return cur, nil
}

// Promote makes node name a master (REPLICAOF NO ONE).
func (c *Cluster) Promote(ctx context.Context, name string) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	if err := c.must(ctx, name, "REPLICAOF", "NO", "ONE"); err != nil {
		return err
	}
	c.mu.Lock()
	px := m.proxy
	m.owner, m.proxy = "", nil
	c.mu.Unlock()
	if px != nil {
		_ = px.Close()
	}
	return nil
}

// Cut closes node name's link to its master and refuses new ones until
// Heal.
func (c *Cluster) Cut(name string) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	owner, px := m.owner, m.proxy
	if owner != "" {
		m.cut = true
	}
	c.mu.Unlock()
	if owner == "" {
		return fmt.Errorf("%s follows no master: cut acts on a replica's link to its master", name)
	}
	m.dialer.Cut()
	if px != nil {
		px.Cut()
	}
	return nil
}

// Heal lets node name reconnect to its master after Cut.
func (c *Cluster) Heal(name string) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	c.mu.Lock()
	m.cut = false
	px := m.proxy
	c.mu.Unlock()
	m.dialer.Heal()
	if px != nil {
		px.Heal()
	}
	return nil
}

// Kill stops node name at once, without saving, and removes its RDB file:
// a crash that loses the disk. Restart then starts it empty. It returns
// once the node's replicas have seen their link drop (awaitReplicasDown).
func (c *Cluster) Kill(ctx context.Context, name string) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	m.writer.reset()
	n, p := c.takeRunning(m)
	if n == nil && p == nil {
		return fmt.Errorf("%s is not running", name)
	}
	if n != nil {
		_ = n.Close()
	}
	if p != nil {
		_ = p.Kill()
	}
	if err := removeRDB(m.dir); err != nil {
		return err
	}
	return c.awaitReplicasDown(ctx, name)
}

// Restart restarts node name. A running node is stopped cleanly first
// (SHUTDOWN SAVE), so it comes back from its RDB with its replication ID
// and offset; a killed node comes back empty. Either way it keeps the
// settings given with Config and the master it followed. A running node's
// replicas see their link drop before it starts again
// (awaitReplicasDown), so that a wait for them afterwards waits for their
// resync, not for a link that has not noticed the restart yet.
func (c *Cluster) Restart(ctx context.Context, name string) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	m.writer.reset()
	if c.Running(name) {
		if err := c.shutdownSave(ctx, m); err != nil {
			return err
		}
		if err := c.awaitReplicasDown(ctx, name); err != nil {
			return err
		}
	}
	return c.start(m)
}

// noticeWait bounds how long awaitReplicasDown waits.
const noticeWait = 5 * time.Second

// awaitReplicasDown waits until every running replica of node name (as
// the Cluster set it) reports its link to name down, after name stopped:
// the connection's close takes a moment to reach them. Replicas whose link
// is paused (they cannot notice before Resume) or cut (already down) are
// not waited for.
func (c *Cluster) awaitReplicasDown(ctx context.Context, name string) error {
	c.mu.Lock()
	var replicas []string
	for _, r := range c.order {
		if m := c.members[r]; m.owner == name && m.running() && !m.paused && !m.cut {
			replicas = append(replicas, r)
		}
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, noticeWait)
	defer cancel()
	for _, r := range replicas {
		err := poll(ctx, func() bool {
			st, err := c.State(ctx, r)
			return err == nil && !st.LinkUp
		})
		if err != nil {
			return fmt.Errorf("%s stopped, but %s still reports its link up after %s: %w", name, r, noticeWait, err)
		}
	}
	return nil
}

// shutdownSave stops m's node with SHUTDOWN SAVE semantics.
func (c *Cluster) shutdownSave(ctx context.Context, m *member) error {
	c.mu.Lock()
	n, p := m.node, m.proc
	c.mu.Unlock()
	if n != nil {
		err := n.Shutdown(true, false)
		c.mu.Lock()
		m.node = nil
		c.mu.Unlock()
		if err != nil {
			_ = n.Close()
			return fmt.Errorf("SHUTDOWN SAVE on %s: %w", m.name, err)
		}
		return nil
	}
	v, err := c.Do(ctx, m.name, "SHUTDOWN", "SAVE")
	if err == nil && v.Err() != nil {
		return fmt.Errorf("SHUTDOWN SAVE on %s: %w", m.name, v.Err())
	}
	// A successful SHUTDOWN closes the connection instead of replying.
	werr := p.WaitExit(shutdownWait)
	c.mu.Lock()
	m.proc = nil
	c.mu.Unlock()
	if werr != nil {
		_ = p.Kill()
		return fmt.Errorf("SHUTDOWN SAVE on %s: %w", m.name, werr)
	}
	return nil
}

// takeRunning takes m's node or process out of the Cluster.
func (c *Cluster) takeRunning(m *member) (*node.Node, *redisproc.Proc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, p := m.node, m.proc
	m.node, m.proc = nil, nil
	return n, p
}

// removeRDB deletes the RDB files in dir (dump.rdb and temporary ones).
func removeRDB(dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*.rdb"))
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", f, err)
		}
	}
	return nil
}

// Config sets a redis.conf directive on node name at run time (CONFIG
// SET directive "values joined by spaces") and remembers it for restarts.
// Setting requirepass changes the password the Cluster's own clients use
// for that node.
func (c *Cluster) Config(ctx context.Context, name, directive string, values ...string) error {
	m, err := c.get(name)
	if err != nil {
		return err
	}
	directive = strings.ToLower(directive)
	switch directive {
	case "replicaof", "slaveof", "port", "dir":
		return fmt.Errorf("config %s: the scenario owns %s (use replicaof / promote)", name, directive)
	}
	value := strings.Join(values, " ")
	if err := c.must(ctx, name, "CONFIG", "SET", directive, value); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m.conf = append(m.conf, override{directive: directive, values: append([]string(nil), values...)})
	if directive == "requirepass" {
		m.pass = value
	}
	return nil
}
