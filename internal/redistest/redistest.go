// Package redistest starts real redis-server (and redis-sentinel) processes
// for interop tests: each on a free loopback port, in its own temporary
// directory and process group, stopped by the test's cleanup. Tests that
// need one skip with a clear message when redis-server is not installed.
package redistest

import (
	"crypto/tls"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redisproc"
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
	proc *redisproc.Proc
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
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
	args := append([]string{
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--repl-diskless-sync-delay", "0",
	}, extra...)
	s := &Server{t: t, tls: tlsConf}
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--requirepass" {
			s.Pass = extra[i+1]
		}
	}
	p, err := redisproc.StartServer(bin, dir, port, args...)
	s.launched(t, "redis-server", p, err)
	return s
}

// launched takes the process just started: it stops it when the test
// ends and waits until it answers PING.
func (s *Server) launched(t testing.TB, what string, p *redisproc.Proc, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	s.proc, s.Addr, s.Port, s.Dir = p, p.Addr, p.Port, p.Dir
	t.Cleanup(s.Stop)
	if err := p.WaitReady(s.tls, 10*time.Second); err != nil {
		s.Stop()
		t.Fatalf("%s on %s: %v\nlog:\n%s", what, s.Addr, err, s.Log())
	}
}

// Log returns the server's log file contents.
func (s *Server) Log() string { return s.proc.Log() }

// Stop kills the server's process group and waits for it to exit. It is
// safe to call more than once.
func (s *Server) Stop() {
	if err := s.proc.Kill(); err != nil {
		s.t.Errorf("redis-server: %v", err)
	}
}

// Signal sends sig to the server process (SIGSTOP / SIGCONT to freeze it).
func (s *Server) Signal(sig syscall.Signal) { _ = s.proc.Signal(sig) }

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.proc.Done() }

// dial connects to the server, over TLS when it was started with StartTLS.
func (s *Server) dial(timeout time.Duration) (*resp.Client, error) {
	return redisproc.Dial(s.Addr, s.tls, timeout)
}

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
