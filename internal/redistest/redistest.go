// Package redistest starts real redis-server (and redis-sentinel) processes
// for interop tests: each on a free loopback port, in its own temporary
// directory and process group, stopped by the test's cleanup. Tests that
// need one skip with a clear message when redis-server is not installed.
package redistest

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// Binary returns the path of the redis-server binary, or "" when it is not
// installed.
func Binary() string { return lookBinary("redis-server") }

func lookBinary(name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

// Require skips the test when redis-server is not installed.
func Require(t testing.TB) string {
	t.Helper()
	return requireBinary(t, "redis-server", "the interop test", "redis-server redis-tools")
}

// requireBinary returns the path of a program the test needs, skipping
// the test with a clear message when it is not installed.
func requireBinary(t testing.TB, name, what, pkgs string) string {
	t.Helper()
	p := lookBinary(name)
	if p == "" {
		t.Skipf("%s is not installed: skipping %s (apt-get install %s; .ci/run installs it in CI)", name, what, pkgs)
	}
	return p
}

// Server is a redis-server process started for one test.
type Server struct {
	Addr string
	Port int
	Dir  string
	Pass string // requirepass, when given in the arguments
	tls  *tls.Config

	t    testing.TB
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start starts redis-server on a free port with test-friendly defaults (no
// persistence, no diskless delay, loopback only) followed by extra
// redis.conf-style arguments such as "--requirepass", "pw". It waits until
// the server answers PING and stops it when the test ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := Require(t)
	dir := t.TempDir()
	return StartIn(t, bin, dir, FreePort(t), extra...)
}

// StartIn starts a server with an explicit binary, directory and port, so a
// test can restart a server on the same port and data directory.
func StartIn(t testing.TB, bin, dir string, port int, extra ...string) *Server {
	t.Helper()
	return startIn(t, bin, dir, port, nil, extra...)
}

// startIn is StartIn; a non-nil tlsConf makes the launcher's own
// connections (readiness PING, Client) use TLS.
func startIn(t testing.TB, bin, dir string, port int, tlsConf *tls.Config, extra ...string) *Server {
	t.Helper()
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--repl-diskless-sync-delay", "0",
		"--daemonize", "no",
		"--logfile", filepath.Join(dir, "redis.log"),
	}
	args = append(args, extra...)
	s := &Server{
		Addr: fmt.Sprintf("127.0.0.1:%d", port),
		Port: port,
		Dir:  dir,
		t:    t,
		done: make(chan struct{}),
		log:  filepath.Join(dir, "redis.log"),
		tls:  tlsConf,
	}
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--requirepass" {
			s.Pass = extra[i+1]
		}
	}
	s.launch("redis-server", bin, args...)
	return s
}

// launch starts the process in s.Dir, in its own process group, stops it
// when the test ends, and waits until it answers PING.
func (s *Server) launch(what, bin string, args ...string) {
	s.t.Helper()
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = s.Dir
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", what, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	s.t.Cleanup(s.Stop)
	if err := s.waitReady(10 * time.Second); err != nil {
		s.Stop()
		s.t.Fatalf("%s on %s: %v\nlog:\n%s", what, s.Addr, err, s.Log())
	}
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("exited before it was ready")
		default:
		}
		c, err := s.dial(time.Second)
		if err == nil {
			v, err := c.Do("PING")
			c.Close()
			// a replica with replica-serve-stale-data no answers MASTERDOWN
			if err == nil && (v.Kind == resp.SimpleString || strings.HasPrefix(string(v.Str), "NOAUTH") ||
				strings.HasPrefix(string(v.Str), "MASTERDOWN")) {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("not answering PING after %s", limit)
}

// Log returns the server's log file contents.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.log)
	return string(b)
}

// Stop kills the server's process group and waits for it to exit. It is
// safe to call more than once.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.done:
		return
	default:
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.t.Errorf("redis-server pid %d did not exit", s.cmd.Process.Pid)
	}
}

// Signal sends sig to the server process (SIGSTOP / SIGCONT to freeze it).
func (s *Server) Signal(sig syscall.Signal) {
	_ = syscall.Kill(s.cmd.Process.Pid, sig)
}

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// Client opens a client connection, authenticated when the server has a
// password, closed when the test ends.
func (s *Server) Client(t testing.TB) *resp.Client {
	t.Helper()
	c, err := s.dial(5 * time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if s.Pass != "" {
		if v, err := c.Do("AUTH", s.Pass); err != nil || v.Kind == resp.Error {
			t.Fatalf("auth %s: %v %s", s.Addr, err, v)
		}
	}
	return c
}

// Do runs one command on a fresh connection and returns the reply, failing
// the test on a transport error.
func (s *Server) Do(t testing.TB, args ...string) resp.Value {
	t.Helper()
	c := s.Client(t)
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%s %v: %v", s.Addr, args, err)
	}
	return v
}
