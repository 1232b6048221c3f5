package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/replscope/replscope/internal/nodestart"
	"github.com/replscope/replscope/internal/redisproc"
	"github.com/replscope/replscope/node"
)

// listenRetry bounds how long a restarting node waits for its port to be
// free again.
const listenRetry = 2 * time.Second

// startSpec is what a node is started with, read from its member under
// the Cluster's lock.
type startSpec struct {
	name, dir string
	kind      Kind
	port      int
	args      []string
}

// start starts m's node or process from m's current settings.
func (c *Cluster) start(m *member) error {
	c.mu.Lock()
	spec := startSpec{name: m.name, dir: m.dir, kind: m.kind, port: m.port, args: c.argsLocked(m)}
	c.mu.Unlock()
	if spec.kind == Redis {
		return c.startRedis(m, spec)
	}
	return c.startEmbedded(m, spec)
}

// argsLocked returns the redis.conf arguments of m: the quick defaults,
// the password, the Cluster's settings, what the script set, and the
// master it follows.
func (c *Cluster) argsLocked(m *member) []string {
	args := append([]string(nil), QuickSettings...)
	args = append(args, "--dir", m.dir)
	if c.opts.Password != "" {
		args = append(args, "--requirepass", c.opts.Password, "--masterauth", c.opts.Password)
	}
	args = append(args, c.opts.Settings...)
	for _, o := range m.conf {
		args = append(args, "--"+o.directive)
		args = append(args, o.values...)
	}
	if m.clustered {
		args = append(args, clusterArgs...)
	}
	if o := c.members[m.owner]; o != nil {
		host, port := c.linkTargetLocked(m, o)
		args = append(args, "--replicaof", host, strconv.Itoa(port))
	}
	return args
}

// linkTargetLocked is where m dials to reach its master o: o itself for an
// embedded node (its Dialer injects faults), o through m's proxy for a
// redis-server.
func (c *Cluster) linkTargetLocked(m, o *member) (string, int) {
	if m.kind == Redis && m.proxy != nil {
		_, port, _ := net.SplitHostPort(m.proxy.Addr())
		p, _ := strconv.Atoi(port)
		return "127.0.0.1", p
	}
	return "127.0.0.1", o.port
}

// startEmbedded starts an in-process node on m's port (a free one the first
// time when there is no base port).
func (c *Cluster) startEmbedded(m *member, spec startSpec) error {
	args := append([]string{"--port", strconv.Itoa(spec.port)}, spec.args...)
	ln, err := listen(spec.port)
	if err != nil {
		return err
	}
	n, err := nodestart.Start(args, node.Options{Log: c.logFor(spec.name), Dial: dialFor(m),
		Version: c.opts.Version, Name: spec.name}, ln)
	if err != nil {
		return err
	}
	c.mu.Lock()
	m.port = ln.Addr().(*net.TCPAddr).Port
	m.node = n
	c.mu.Unlock()
	return nil
}

// listen listens on 127.0.0.1:port, retrying for a moment while a port
// given up by a restarting node is still taken. Accepted connections have
// fixed buffers (linkBuffer).
func listen(port int) (net.Listener, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(listenRetry)
	lc := net.ListenConfig{Control: fixBuffers}
	for {
		ln, err := lc.Listen(context.Background(), "tcp", addr)
		if err == nil || port == 0 || !errors.Is(err, syscall.EADDRINUSE) || time.Now().After(deadline) {
			if err != nil {
				return nil, fmt.Errorf("listen %s: %w", addr, err)
			}
			return ln, nil
		}
		time.Sleep(20 * time.Millisecond) // the port is being released
	}
}

// startRedis starts a redis-server process for m.
func (c *Cluster) startRedis(m *member, spec startSpec) error {
	bin, err := c.redisBinary()
	if err != nil {
		return err
	}
	port := spec.port
	if port == 0 {
		if port, err = freePortFor(m); err != nil {
			return err
		}
	}
	p, err := redisproc.StartServer(bin, spec.dir, port, append([]string{"--shutdown-timeout", "2"}, spec.args...)...)
	if err != nil {
		return err
	}
	c.mu.Lock()
	m.port, m.proc, m.log = port, p, p.LogPath
	c.mu.Unlock()
	if err := p.WaitReady(nil, 10*time.Second); err != nil {
		c.mu.Lock()
		m.proc = nil
		c.mu.Unlock()
		_ = p.Kill()
		return fmt.Errorf("redis-server on port %d: %w%s", port, err, p.LogTail())
	}
	return nil
}

// redisBinary returns the redis-server binary to run.
func (c *Cluster) redisBinary() (string, error) {
	if c.opts.RedisServer != "" {
		return c.opts.RedisServer, nil
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return "", ErrNoRedis
	}
	return p, nil
}

// RedisAvailable reports whether redis-server is installed (in PATH).
func RedisAvailable() bool {
	_, err := exec.LookPath("redis-server")
	return err == nil
}

// logFor returns the log writer of embedded node name.
func (c *Cluster) logFor(name string) io.Writer {
	if c.opts.Log == nil {
		return io.Discard
	}
	return &prefixWriter{w: c.opts.Log, prefix: name + " | ", mu: &c.logMu}
}

// prefixWriter prefixes each line written to w; the nodes of one Cluster
// share mu so that their lines do not interleave.
type prefixWriter struct {
	w      io.Writer
	prefix string
	mu     *sync.Mutex
}

// Write writes p with every line prefixed.
func (p *prefixWriter) Write(b []byte) (int, error) {
	text := strings.TrimSuffix(string(b), "\n")
	var sb strings.Builder
	for _, line := range strings.Split(text, "\n") {
		sb.WriteString(p.prefix + line + "\n")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := io.WriteString(p.w, sb.String()); err != nil {
		return 0, err
	}
	return len(b), nil
}
