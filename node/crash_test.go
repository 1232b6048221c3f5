package node_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// syncBuffer is a log sink the node and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A panic in a command that cannot change the dataset is contained: the
// lock is released, that client gets an error and is closed (its partial
// reply dropped), the node logs a bug report and keeps serving everyone
// with its data. Before the guard, such a panic froze the whole node.
func TestPanicInReadCommandIsContained(t *testing.T) {
	var log syncBuffer
	fatal := make(chan string, 1)
	n := nodetest.StartWith(t, nodetest.Options{Log: &log, Fatal: func(r string) { fatal <- r }})
	addr := n.Addr()
	nodetest.MustDo(t, addr, "SET", "kept", "v")
	other := nodetest.Dial(t, addr)
	if v, err := other.Do("PING"); err != nil || string(v.Str) != "PONG" {
		t.Fatalf("PING before: %v %v", v, err)
	}

	c := nodetest.Dial(t, addr)
	// Pipelined: the GET before runs and is answered; the panicking
	// command's partial reply is replaced by the error.
	if err := c.WriteRaw(resp.AppendCommand(resp.AppendCommand(nil, "GET", "kept"), "x-panic-read", "kept")); err != nil {
		t.Fatal(err)
	}
	if v, err := c.Receive(); err != nil || string(v.Str) != "v" {
		t.Fatalf("GET before the panic: %v %v", v, err)
	}
	v, err := c.Receive()
	if err != nil || v.Kind != resp.Error || !strings.Contains(string(v.Str), "internal error") {
		t.Fatalf("reply to the panicking command = %v %v, want an internal error", v, err)
	}
	if _, err := c.Receive(); err == nil {
		t.Fatal("the client whose command panicked is still connected")
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		if v, err := other.Do("GET", "kept"); err != nil || string(v.Str) != "v" {
			t.Errorf("GET after the panic on another client = %v %v", v, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the node stopped answering after a contained panic (lock held?)")
	}
	select {
	case r := <-fatal:
		t.Fatalf("a read-only command's panic was treated as fatal: %s", r)
	default:
	}
	logText := log.String()
	for _, want := range []string{"BUG REPORT START", "x-panic-read: deliberate", "command: x-panic-read", "STACK TRACE"} {
		if !strings.Contains(logText, want) {
			t.Errorf("log lacks %q:\n%s", want, logText)
		}
	}
}

// A panic in a write command may leave the dataset half changed: the node
// logs the bug report and calls Fatal (replscope node exits 1, as Redis's
// serverPanic ends the server) — and never holds its lock.
func TestPanicInWriteCommandIsFatal(t *testing.T) {
	var log syncBuffer
	fatal := make(chan string, 1)
	n := nodetest.StartWith(t, nodetest.Options{Log: &log, Fatal: func(r string) { fatal <- r }})
	addr := n.Addr()
	c := nodetest.Dial(t, addr)
	if err := c.Send("x-panic-write", "k"); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-fatal:
		for _, want := range []string{"command: x-panic-write", "x-panic-write: deliberate", "half changed"} {
			if !strings.Contains(r, want) {
				t.Errorf("report lacks %q:\n%s", want, r)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Fatal was not called for a panic in a write command")
	}
	if _, err := c.Receive(); err == nil {
		t.Error("the client whose write command panicked got a reply")
	}
	// The test's Fatal returns: the lock must have been released.
	done := make(chan struct{})
	go func() {
		defer close(done)
		nodetest.MustDo(t, addr, "PING")
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the node's lock is still held after a fatal panic")
	}
	if !strings.Contains(log.String(), "BUG REPORT START") {
		t.Error("no bug report in the log")
	}
}

// Inside MULTI/EXEC a panic is fatal even in a read-only command: the
// commands queued before it may have written.
func TestPanicInsideExecIsFatal(t *testing.T) {
	fatal := make(chan string, 1)
	n := nodetest.StartWith(t, nodetest.Options{Fatal: func(r string) { fatal <- r }})
	c := nodetest.Dial(t, n.Addr())
	for _, cmd := range [][]string{{"MULTI"}, {"SET", "a", "1"}, {"x-panic-read", "a"}} {
		if _, err := c.Do(cmd...); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Send("EXEC"); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-fatal:
		if !strings.Contains(r, "command: exec > x-panic-read") {
			t.Errorf("report does not name the command stack:\n%s", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Fatal was not called for a panic inside EXEC")
	}
}
