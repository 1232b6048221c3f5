package node

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/redcon"

	"github.com/replscope/replscope/node/config"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("gone") }

// TestReplyLen: replyLen is len(w.Buffer()), including after a write
// error (Buffer is nil then).
func TestReplyLen(t *testing.T) {
	w := redcon.NewWriter(failingWriter{})
	for _, s := range []string{"", "OK", strings.Repeat("x", 5000)} {
		w.WriteBulkString(s)
		if got, want := replyLen(w), len(w.Buffer()); got != want {
			t.Fatalf("replyLen %d, len(Buffer()) %d", got, want)
		}
	}
	_ = w.Flush()
	if got, want := replyLen(w), len(w.Buffer()); got != want || got != 0 {
		t.Fatalf("after a write error: replyLen %d, len(Buffer()) %d", got, want)
	}
}

// TestPipelineCostIsLinear: a batch of 2000 GETs of 1 KB values (what
// `expect consistent` sends) allocates about its replies, not a copy of
// the batch's replies so far per command (2 GB, seconds under -race).
func TestPipelineCostIsLinear(t *testing.T) {
	cfg, _, err := config.Load([]string{"--port", "0", "--save", "", "--dir", t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(cfg, Options{Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := n.StartListener(ln); err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	r := bufio.NewReader(conn)
	const keys = 2000
	val := strings.Repeat("x", 1024)
	pipe := func(format string) {
		var b strings.Builder
		for i := range keys {
			fmt.Fprintf(&b, format, i)
		}
		if _, err := io.WriteString(conn, b.String()); err != nil {
			t.Fatal(err)
		}
	}
	pipe("SET k:%d " + val + "\r\n")
	for range keys {
		if l, err := r.ReadString('\n'); err != nil || l != "+OK\r\n" {
			t.Fatalf("SET: %q %v", l, err)
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	pipe("GET k:%d\r\n")
	for range keys {
		if _, err := r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Discard(len(val) + 2); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("%d GETs of 1 KB allocated %d MB", keys, alloc>>20)
	}
}
