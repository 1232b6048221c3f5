package simnet

import (
	"context"
	"errors"
	"net"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
)

func dialErr(n *Network, from, addr string) error {
	c, err := n.Dialer(from)(context.Background(), "tcp", addr)
	if err == nil {
		c.Close()
	}
	return err
}

func TestCutResetsConnsAndRefusesUntilHeal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New(WithBufferSize(8))
		client, _ := connPair(t, n, "replica", "master:6379")
		other, _ := connPair(t, n, "other", "master:6380")

		readErr := make(chan error, 1)
		go func() {
			_, err := client.Read(make([]byte, 1))
			readErr <- err
		}()
		writeErr := make(chan error, 1)
		go func() {
			_, err := client.Write(make([]byte, 100)) // blocks: buffer of 8
			writeErr <- err
		}()
		synctest.Wait()

		n.Cut("master", "replica")
		for name, err := range map[string]error{"blocked read": <-readErr, "blocked write": <-writeErr} {
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("%s after cut = %v, want ECONNRESET", name, err)
			}
		}
		if _, err := client.Write([]byte("x")); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("write after cut = %v, want ECONNRESET", err)
		}
		if err := dialErr(n, "replica", "master:6379"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial after cut = %v, want ECONNREFUSED", err)
		}
		if _, err := other.Write([]byte("x")); err != nil {
			t.Errorf("conn between other hosts failed after cut: %v", err)
		}
		if got := n.Conns(); got != 1 {
			t.Errorf("Conns() after cut = %d, want 1", got)
		}

		n.Heal("replica", "master")
		if err := dialErr(n, "replica", "master:6379"); err != nil {
			t.Errorf("dial after heal = %v", err)
		}
	})
}

func TestIsolateAndHealAll(t *testing.T) {
	n := New()
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // runs after every listener's Close below
	for _, addr := range []string{"a:1", "b:1", "c:1"} {
		ln, err := n.Listen(addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		wg.Go(func() { // accept and close until the listener closes
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		})
	}
	n.Isolate("a")
	tests := []struct {
		from, to string
		refused  bool
	}{
		{"a", "b:1", true},
		{"b", "a:1", true},
		{"a", "a:1", false},
		{"b", "c:1", false},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to, func(t *testing.T) {
			err := dialErr(n, tt.from, tt.to)
			if refused := errors.Is(err, syscall.ECONNREFUSED); refused != tt.refused {
				t.Fatalf("dial error = %v, want refused=%v", err, tt.refused)
			}
		})
	}
	n.Cut("b", "c")
	n.HealAll()
	for _, tt := range tests {
		if err := dialErr(n, tt.from, tt.to); err != nil {
			t.Errorf("dial %s->%s after HealAll: %v", tt.from, tt.to, err)
		}
	}
}

func TestCutFailsDialWaitingOnPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New()
		ln, err := n.Listen("n1:6379")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		n.Pause("app", "n1")
		done := make(chan error, 1)
		go func() { done <- dialErr(n, "app", "n1:6379") }()
		synctest.Wait()
		n.Cut("app", "n1")
		if err := <-done; !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("paused dial after cut = %v, want ECONNREFUSED", err)
		}
	})
}

func TestCutConnKeepsAddrs(t *testing.T) {
	n := New()
	client, _ := connPair(t, n, "app", "n1:6379")
	n.Cut("app", "n1")
	var opErr *net.OpError
	_, err := client.Read(make([]byte, 1))
	if !errors.As(err, &opErr) || opErr.Addr.String() != "n1:6379" {
		t.Fatalf("read error = %v, want a *net.OpError naming n1:6379", err)
	}
}
