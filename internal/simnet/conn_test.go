package simnet

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// connPair listens on addr, dials it from host from and accepts, returning
// both ends; they are closed when the test ends.
func connPair(t testing.TB, n *Network, from, addr string) (client, server net.Conn) {
	t.Helper()
	ln, err := n.Listen(addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	client, err = n.Dialer(from)(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// readN reads exactly n bytes from c.
func readN(t testing.TB, c net.Conn, n int) string {
	t.Helper()
	buf := make([]byte, n)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	return string(buf)
}

func TestConnRoundTripAndAddrs(t *testing.T) {
	n := New()
	client, server := connPair(t, n, "app", "n1:6379")
	if _, err := client.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, server, 6); got != "PING\r\n" {
		t.Fatalf("server read %q", got)
	}
	if _, err := server.Write([]byte("+PONG\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, client, 7); got != "+PONG\r\n" {
		t.Fatalf("client read %q", got)
	}
	if got := client.RemoteAddr().String(); got != "n1:6379" {
		t.Errorf("client remote = %q, want n1:6379", got)
	}
	if got := server.LocalAddr().String(); got != "n1:6379" {
		t.Errorf("server local = %q, want n1:6379", got)
	}
	if got, want := server.RemoteAddr().String(), client.LocalAddr().String(); got != want {
		t.Errorf("server remote = %q, client local = %q", got, want)
	}
	if h := client.LocalAddr().(Addr).Host(); h != "app" {
		t.Errorf("client local host = %q, want app", h)
	}
	if got := n.Conns(); got != 1 {
		t.Errorf("Conns() = %d, want 1", got)
	}
	client.Close()
	server.Close()
	if got := n.Conns(); got != 0 {
		t.Errorf("Conns() after close = %d, want 0", got)
	}
}

func TestDialRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(n *Network)
	}{
		{"nobody listens", func(n *Network) {}},
		{"listener closed", func(n *Network) {
			ln, _ := n.Listen("n1:6379")
			ln.Close()
		}},
		{"cut", func(n *Network) {
			n.Listen("n1:6379")
			n.Cut("n1", "app")
		}},
		{"dialer isolated", func(n *Network) {
			n.Listen("n1:6379")
			n.Isolate("app")
		}},
		{"target isolated", func(n *Network) {
			n.Listen("n1:6379")
			n.Isolate("n1")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := New()
			tt.setup(n)
			_, err := n.Dialer("app")(context.Background(), "tcp", "n1:6379")
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("dial error = %v, want ECONNREFUSED", err)
			}
		})
	}
}

func TestDialBadAddress(t *testing.T) {
	_, err := New().Dialer("app")(context.Background(), "tcp", "no-port")
	if err == nil {
		t.Fatal("dial of an address without a port succeeded")
	}
}

func TestListen(t *testing.T) {
	n := New()
	ln, err := n.Listen("n1:6379")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Listen("n1:6379"); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("second listen error = %v, want EADDRINUSE", err)
	}
	ln.Close()
	ln2, err := n.Listen("n1:6379")
	if err != nil {
		t.Fatalf("listen after close: %v", err)
	}
	ln2.Close()
	ln3, err := n.Listen("n2:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln3.Close()
	if a := ln3.Addr().(Addr); a.Host() != "n2" || a == "n2:0" {
		t.Errorf("port-0 listener address = %q", a)
	}
	if _, err := n.Listen(":6379"); err == nil {
		t.Error("listen without a host succeeded")
	}
}

func TestListenerClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := New()
		ln, err := n.Listen("n1:6379")
		if err != nil {
			t.Fatal(err)
		}
		queued, err := n.Dialer("app")(context.Background(), "tcp", "n1:6379")
		if err != nil {
			t.Fatal(err)
		}
		defer queued.Close()
		// Accept the queued conn, then block in a second Accept.
		first, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close()
		pending, err := n.Dialer("app")(context.Background(), "tcp", "n1:6379")
		if err != nil {
			t.Fatal(err)
		}
		defer pending.Close()
		ln.Close()
		if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("accept after close = %v, want net.ErrClosed", err)
		}
		if _, err := pending.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("read on never-accepted conn = %v, want ECONNRESET", err)
		}
		if err := ln.Close(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("second close = %v, want net.ErrClosed", err)
		}
	})
}

func TestAcceptUnblocksOnClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ln, err := New().Listen("n1:6379")
		if err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() {
			_, err := ln.Accept()
			errc <- err
		}()
		synctest.Wait()
		ln.Close()
		if err := <-errc; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("blocked accept = %v, want net.ErrClosed", err)
		}
	})
}

func TestPeerCloseGivesEOFAfterDrain(t *testing.T) {
	n := New()
	client, server := connPair(t, n, "app", "n1:6379")
	if _, err := client.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	client.Close()
	if got := readN(t, server, 3); got != "abc" {
		t.Fatalf("read %q, want abc", got)
	}
	if _, err := server.Read(make([]byte, 8)); err != io.EOF {
		t.Fatalf("read after drain = %v, want io.EOF", err)
	}
	if _, err := server.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write to closed peer = %v, want EPIPE", err)
	}
}

func TestLocalClose(t *testing.T) {
	client, _ := connPair(t, New(), "app", "n1:6379")
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after close = %v, want net.ErrClosed", err)
	}
	if _, err := client.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close = %v, want net.ErrClosed", err)
	}
	if err := client.Close(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("second close = %v, want net.ErrClosed", err)
	}
	if err := client.SetDeadline(time.Now()); !errors.Is(err, net.ErrClosed) {
		t.Errorf("set deadline after close = %v, want net.ErrClosed", err)
	}
}

func TestCloseUnblocksOwnRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, _ := connPair(t, New(), "app", "n1:6379")
		errc := make(chan error, 1)
		go func() {
			_, err := client.Read(make([]byte, 1))
			errc <- err
		}()
		synctest.Wait()
		client.Close()
		if err := <-errc; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("blocked read after close = %v, want net.ErrClosed", err)
		}
	})
}

func TestCloseWrite(t *testing.T) {
	client, server := connPair(t, New(), "app", "n1:6379")
	client.Write([]byte("req"))
	if err := client.(*Conn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Write([]byte("more")); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("write after CloseWrite = %v, want EPIPE", err)
	}
	got, err := io.ReadAll(server)
	if err != nil || string(got) != "req" {
		t.Fatalf("server ReadAll = %q, %v; want req, nil", got, err)
	}
	server.Write([]byte("resp"))
	if got := readN(t, client, 4); got != "resp" {
		t.Fatalf("client read %q after half-close, want resp", got)
	}
}

func TestWriterBlocksWhileBufferFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server := connPair(t, New(WithBufferSize(10)), "app", "n1:6379")
		type result struct {
			n   int
			err error
		}
		done := make(chan result, 1)
		go func() {
			n, err := client.Write([]byte("0123456789abcdefghijklmno"))
			done <- result{n, err}
		}()
		synctest.Wait()
		select {
		case r := <-done:
			t.Fatalf("write of 25 bytes into a 10-byte buffer returned early: %+v", r)
		default:
		}
		if got := client.(*Conn).tx.buffered(); got != 10 {
			t.Fatalf("buffered = %d, want 10", got)
		}
		got := readN(t, server, 25)
		if got != "0123456789abcdefghijklmno" {
			t.Fatalf("read %q", got)
		}
		if r := <-done; r.n != 25 || r.err != nil {
			t.Fatalf("write = %+v, want 25, nil", r)
		}
	})
}

func TestConcurrentWritesDoNotInterleave(t *testing.T) {
	client, server := connPair(t, New(WithBufferSize(7)), "app", "n1:6379")
	const writers, chunk = 8, 50
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			b := make([]byte, chunk)
			for j := range b {
				b[j] = byte('a' + i)
			}
			if _, err := client.Write(b); err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	got := readN(t, server, writers*chunk)
	wg.Wait()
	for i := 0; i < len(got); i += chunk {
		for j := i; j < i+chunk; j++ {
			if got[j] != got[i] {
				t.Fatalf("bytes of concurrent writes interleaved at %d: %q", j, got[i:i+chunk])
			}
		}
	}
}

func TestDeadlineErrorsAreTimeouts(t *testing.T) {
	client, _ := connPair(t, New(), "app", "n1:6379")
	client.SetDeadline(time.Now().Add(-time.Second))
	_, rerr := client.Read(make([]byte, 1))
	_, werr := client.Write([]byte("x"))
	for name, err := range map[string]error{"read": rerr, "write": werr} {
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("%s with past deadline = %v, want a timeout wrapping os.ErrDeadlineExceeded", name, err)
		}
	}
	client.SetDeadline(time.Time{})
	if _, err := client.Write([]byte("x")); err != nil {
		t.Errorf("write after clearing deadline = %v", err)
	}
}
