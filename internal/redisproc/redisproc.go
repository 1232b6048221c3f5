// Package redisproc runs real redis-server and redis-sentinel processes:
// each in its own process group (stopping one never touches anything
// else), on a loopback port, with its log in its directory. It is the one
// launcher of replscope: scenarios run Redis nodes with it, and
// internal/redistest wraps it for tests.
package redisproc

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// killWait bounds how long Kill waits for a killed process to exit.
const killWait = 10 * time.Second

// Proc is one redis-server or redis-sentinel process.
type Proc struct {
	Addr    string // 127.0.0.1:Port
	Port    int
	Dir     string // its working directory
	LogPath string // its log file
	Config  string // redis-sentinel: the sentinel.conf it runs from (Sentinel rewrites it)

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// StartServer starts the redis-server bin in dir, listening on port, with
// its log in dir/redis.log, followed by redis.conf-style args (a later
// "--port" wins, as redis-server reads them).
func StartServer(bin, dir string, port int, args ...string) (*Proc, error) {
	p := newProc(dir, port, filepath.Join(dir, "redis.log"))
	all := append([]string{"--port", strconv.Itoa(port), "--daemonize", "no", "--logfile", p.LogPath}, args...)
	if err := p.start(bin, all...); err != nil {
		return nil, err
	}
	return p, nil
}

// StartSentinel writes dir/sentinel.conf (port, loopback, log in
// dir/sentinel.log, then lines such as "sentinel monitor …") and starts
// the redis-sentinel bin from it.
func StartSentinel(bin, dir string, port int, lines ...string) (*Proc, error) {
	p := newProc(dir, port, filepath.Join(dir, "sentinel.log"))
	conf := append([]string{
		"port " + strconv.Itoa(port), "bind 127.0.0.1", "daemonize no",
		"dir " + strconv.Quote(dir), "logfile " + strconv.Quote(p.LogPath),
	}, lines...)
	p.Config = filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(p.Config, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("sentinel.conf: %w", err)
	}
	if err := p.start(bin, p.Config); err != nil {
		return nil, err
	}
	return p, nil
}

func newProc(dir string, port int, logPath string) *Proc {
	return &Proc{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Port: port, Dir: dir,
		LogPath: logPath, done: make(chan struct{})}
}

// start runs bin with args in p.Dir, in a process group of its own.
func (p *Proc) start(bin string, args ...string) error {
	p.cmd = exec.Command(bin, args...)
	p.cmd.Dir = p.Dir
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { // owned: ends when the process exits, which Kill forces
		_ = p.cmd.Wait()
		close(p.done)
	}()
	return nil
}

// Pid is the process id (and its group's).
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Ready reports whether a reply to PING means the server is ready: +PONG,
// -NOAUTH (it has a password), or -MASTERDOWN (a replica with
// replica-serve-stale-data no whose master link is down). -LOADING is not
// ready.
func Ready(v resp.Value) bool {
	return v.Kind == resp.SimpleString || strings.HasPrefix(string(v.Str), "NOAUTH") ||
		strings.HasPrefix(string(v.Str), "MASTERDOWN")
}

// WaitReady polls PING at p.Addr (over TLS when tlsConf is set) until the
// answer is Ready, the process exits, or limit passes.
func (p *Proc) WaitReady(tlsConf *tls.Config, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if p.Exited() {
			return errors.New("exited before it was ready")
		}
		if c, err := Dial(p.Addr, tlsConf, time.Second); err == nil {
			v, err := c.Do("PING")
			c.Close()
			if err == nil && Ready(v) {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	return fmt.Errorf("not answering PING after %s", limit)
}

// WaitExit waits up to limit for the process to exit by itself.
func (p *Proc) WaitExit(limit time.Duration) error {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-p.done:
		return nil
	case <-t.C:
		return fmt.Errorf("pid %d still running after %s", p.Pid(), limit)
	}
}

// Kill stops the process group at once and waits for the process to exit
// (an error if it has not within 10 s). It is safe to call more than once.
func (p *Proc) Kill() error {
	if p.Exited() {
		return nil
	}
	_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
	return p.WaitExit(killWait)
}

// Signal sends sig to the process (SIGSTOP / SIGCONT to freeze it).
func (p *Proc) Signal(sig syscall.Signal) error { return syscall.Kill(p.Pid(), sig) }

// Log returns the log file's contents.
func (p *Proc) Log() string {
	b, _ := os.ReadFile(p.LogPath)
	return string(b)
}

// LogTail returns the last lines of the log, formatted to follow an error
// message, or "" when the log is empty.
func (p *Proc) LogTail() string {
	log := strings.TrimRight(p.Log(), "\n")
	if log == "" {
		return ""
	}
	lines := strings.Split(log, "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return "\nlog " + p.LogPath + ":\n  " + strings.Join(lines, "\n  ")
}

// Dial connects a client to addr, over TLS when tlsConf is set.
func Dial(addr string, tlsConf *tls.Config, timeout time.Duration) (*resp.Client, error) {
	if tlsConf == nil {
		return resp.Dial(context.Background(), addr, timeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	d := tls.Dialer{Config: tlsConf}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("tls dial %s: %w", addr, err)
	}
	return resp.NewClient(conn, timeout), nil
}
