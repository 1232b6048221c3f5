package faultnet

import (
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// newProxy starts a proxy to target, closed when the test ends.
func newProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := NewProxy(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestProxyForwardsAndHalfCloses(t *testing.T) {
	p := newProxy(t, echoServer(t))
	c := dial(t, p.Addr())
	roundTrip(t, c, "hello through the proxy")
	// Half-close: the echo server sees EOF only through the proxy's
	// CloseWrite, echoes what it got, then closes; we read it all then EOF.
	if _, err := c.Write([]byte("last words")); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "last words" {
		t.Fatalf("after half-close read %q, %v; want \"last words\", nil", got, err)
	}
	waitFor(t, "link to be forgotten", func() bool { return p.Stats().Links == 0 })
	if s := p.Stats(); s.Accepted != 1 || s.Bytes != 2*int64(len("hello through the proxyLast words")) {
		t.Errorf("stats = %+v", s)
	}
}

func TestProxyCutRefusesUntilHeal(t *testing.T) {
	p := newProxy(t, echoServer(t))
	c := dial(t, p.Addr())
	roundTrip(t, c, "x")

	p.Cut()
	p.Cut() // idempotent
	expectClosed(t, c)
	refused := dial(t, p.Addr()) // accepted by the kernel, closed by the proxy
	expectClosed(t, refused)
	if s := p.Stats(); s.Links != 0 || s.Refused < 1 || !s.Cut {
		t.Fatalf("stats while cut = %+v", s)
	}

	p.Heal()
	p.Heal() // idempotent
	roundTrip(t, dial(t, p.Addr()), "after heal")
}

func TestProxyPauseHoldsBytes(t *testing.T) {
	p := newProxy(t, echoServer(t))
	c := dial(t, p.Addr())
	roundTrip(t, c, "warm up")

	p.Pause()
	p.Pause() // idempotent
	if _, err := c.Write([]byte("held")); err != nil {
		t.Fatal(err)
	}
	// Absence can only be observed over a bounded window.
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	n, err := c.Read(make([]byte, 4))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read while paused = %d, %v; want a timeout", n, err)
	}
	if s := p.Stats(); s.Links != 1 || !s.Paused {
		t.Fatalf("stats while paused = %+v, want the link kept open", s)
	}

	p.Resume()
	p.Resume() // idempotent
	c.SetReadDeadline(time.Now().Add(testTimeout))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "held" {
		t.Fatalf("read after resume = %q, %v; want held", buf, err)
	}
}

func TestProxyDeadTargetClosesClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().String()
	ln.Close() // nobody listens there now
	p := newProxy(t, target)
	expectClosed(t, dial(t, p.Addr()))
	if s := p.Stats(); s.Accepted != 0 {
		t.Fatalf("stats = %+v, want nothing forwarded", s)
	}
}

func TestProxyCloseLeavesNoGoroutines(t *testing.T) {
	target := echoServer(t)
	before := runtime.NumGoroutine()

	p, err := NewProxy(target)
	if err != nil {
		t.Fatal(err)
	}
	active := dial(t, p.Addr())
	roundTrip(t, active, "x")
	stalled := dial(t, p.Addr())
	roundTrip(t, stalled, "y")
	p.Pause()
	stalled.Write([]byte("stuck in a paused link"))

	if err := p.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := p.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second close = %v, want net.ErrClosed", err)
	}
	expectClosed(t, active)
	expectClosed(t, stalled)
	if _, err := net.DialTimeout("tcp", p.Addr(), testTimeout); err == nil {
		t.Error("proxy still accepts after Close")
	}
	active.Close()
	stalled.Close()
	goroutinesAtMost(t, before)
}
