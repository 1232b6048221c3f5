package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// lockedBuffer collects a child process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startNodeProcess runs `replscope node` on a free port and waits until it
// answers PING. The process is killed at the end of the test if still up.
func startNodeProcess(t *testing.T, bin string, extra ...string) (addr string, cmd *exec.Cmd, out *lockedBuffer, exited *procExit) {
	t.Helper()
	port := freePorts(t, 1)
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := append([]string{"node", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir()}, extra...)
	cmd = exec.Command(bin, args...)
	out = &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := &procExit{done: make(chan struct{})}
	go func() {
		done.err = cmd.Wait()
		close(done.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done.done
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := resp.Dial(context.Background(), addr, time.Second)
		if err == nil {
			v, err := c.Do("PING")
			c.Close()
			if err == nil && string(v.Str) == "PONG" {
				return addr, cmd, out, done
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("node on %s not ready:\n%s", addr, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// procExit is closed when a child process has been waited for.
type procExit struct {
	done chan struct{}
	err  error // valid once done is closed
}

// waitExit waits for the process to end within limit and returns its
// exit code.
func waitExit(t *testing.T, exited *procExit, limit time.Duration, out *lockedBuffer) int {
	t.Helper()
	select {
	case <-exited.done:
		err := exited.err
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		t.Fatalf("the node did not exit within %v of the signal:\n%s", limit, out)
		return -1
	}
}

// The command that froze a node (a panic under its lock, after which
// SIGTERM hung too) now gets Redis's error, and SIGTERM ends the process
// at once with status 0 and its port freed.
func TestNodeProcessAlwaysEndsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	addr, cmd, out, exited := startNodeProcess(t, bin)
	c, err := resp.Dial(context.Background(), addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.Do("SETRANGE", "k", "9223372036854775807", "x")
	if err != nil || v.Kind != resp.Error || !strings.Contains(string(v.Str), "string exceeds maximum allowed size") {
		t.Fatalf("SETRANGE at 2^63-1 = %v %v, want Redis's proto-max-bulk-len error", v, err)
	}
	if v, err := c.Do("PING"); err != nil || string(v.Str) != "PONG" {
		t.Fatalf("PING after SETRANGE: %v %v", v, err)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, exited, 3*time.Second, out); code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, out)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port still taken after exit: %v", err)
	}
	ln.Close()
}

// When the shutdown cannot finish (a stuck save, a lock never released),
// the process still ends: after shutdown-timeout, or at once on a second
// signal, with status 1 and a log line saying why.
func TestShutdownWithinTimeout(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	blocked := func() { <-stuck }
	var logged lockedBuffer
	warnf := func(f string, a ...any) { fmt.Fprintf(&logged, f+"\n", a...) }

	start := time.Now()
	if code := shutdownWithin(blocked, warnf, 200*time.Millisecond, make(chan os.Signal)); code != 1 {
		t.Errorf("stuck shutdown: status %d, want 1", code)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("stuck shutdown returned after %v, want about the 200ms limit", d)
	}
	if !strings.Contains(logged.String(), "shutdown-timeout") {
		t.Errorf("log %q does not name shutdown-timeout", logged.String())
	}

	again := make(chan os.Signal, 1)
	again <- syscall.SIGINT
	if code := shutdownWithin(blocked, warnf, time.Hour, again); code != 1 {
		t.Errorf("second signal: status %d, want 1", code)
	}
	if !strings.Contains(logged.String(), "Received SIGINT again") {
		t.Errorf("log %q does not mention the second signal", logged.String())
	}

	if code := shutdownWithin(func() {}, warnf, time.Hour, make(chan os.Signal)); code != 0 {
		t.Errorf("clean shutdown: status %d, want 0", code)
	}
}
