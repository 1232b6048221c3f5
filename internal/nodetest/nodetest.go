// Package nodetest starts embedded replscope nodes for tests and offers the
// checks replication tests share: INFO fields, condition waits with
// deadlines, and the digest of a node's whole dataset (internal/dataset)
// that works the same on replscope and on real Redis.
package nodetest

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/dataset"
	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/nodestart"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
)

// Node is an embedded node started for a test.
type Node struct {
	*node.Node
	Dir  string
	Port int
	Args []string
}

// Options tune Start.
type Options struct {
	Dir  string      // data directory (default: a new temp dir)
	Port int         // 0 picks a free port
	Dial node.Dialer // injected dialer (faults)
	// Listener, when set, is where the node serves (a simulated network's
	// listener); Port is then 0 unless it is a TCP listener.
	Listener net.Listener
	Log      io.Writer  // default: discard (set NODETEST_LOG=1 style via t.Logf writer)
	Job      func(bool) // node.Options.Job
	Load     func(bool) // node.Options.Load
	// Fatal is node.Options.Fatal (default: a test fails on a node's
	// uncontained panic rather than the test binary dying).
	Fatal func(report string)
	// CloseWait, when set, bounds how long the test's cleanup waits for
	// the node to close: a node frozen on purpose (its lock held forever)
	// is left behind, with a log line, instead of hanging the test binary.
	CloseWait time.Duration
}

// Start starts an embedded node with test defaults (loopback, no save
// points, no diskless delay) followed by extra redis.conf arguments.
func Start(t testing.TB, extra ...string) *Node {
	t.Helper()
	return StartWith(t, Options{}, extra...)
}

// StartWith starts an embedded node with options.
func StartWith(t testing.TB, o Options, extra ...string) *Node {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	args := []string{"--port", strconv.Itoa(o.Port), "--bind", "127.0.0.1", "--save", "", "--dir", o.Dir,
		"--repl-diskless-sync-delay", "0"}
	args = append(args, extra...)
	lw := o.Log
	if lw == nil {
		lw = io.Discard
	}
	fatal := o.Fatal
	if fatal == nil {
		fatal = func(report string) { t.Errorf("nodetest: node panicked: %s", report) }
	}
	ln := o.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port))); err != nil {
			t.Fatalf("nodetest: listen: %v", err)
		}
	}
	n, err := nodestart.Start(args, node.Options{Log: lw, Dial: o.Dial, Version: "test", Job: o.Job, Load: o.Load, Fatal: fatal}, ln)
	if err != nil {
		t.Fatalf("nodetest: start %v: %v", args, err)
	}
	t.Cleanup(func() { closeWithin(t, n, o.CloseWait) })
	port := 0
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
		port = tcp.Port
	}
	return &Node{Node: n, Dir: o.Dir, Port: port, Args: extra}
}

// closeWithin closes n, waiting at most d when d > 0: a frozen node
// cannot close, and is left behind with a log line.
func closeWithin(t testing.TB, n *node.Node, d time.Duration) {
	if d <= 0 {
		_ = n.Close()
		return
	}
	done := make(chan struct{})
	go func() { // owned: ends when Close returns, or never for a frozen node
		_ = n.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Logf("node did not close within %s: left behind", d)
	}
}

// LogWriter returns an io.Writer that sends node log lines to t.Log.
func LogWriter(t testing.TB, prefix string) io.Writer { return tlog{t, prefix} }

type tlog struct {
	t      testing.TB
	prefix string
}

func (w tlog) Write(p []byte) (int, error) {
	w.t.Logf("%s %s", w.prefix, strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Dial connects a client, closed at the end of the test.
func Dial(t testing.TB, addr string) *resp.Client {
	t.Helper()
	c, err := resp.Dial(context.Background(), addr, 10*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Do runs one command on a fresh connection and fails the test on a
// transport error. A RESP error reply is returned, not fatal.
func Do(t testing.TB, addr string, args ...string) resp.Value {
	t.Helper()
	c, err := resp.Dial(context.Background(), addr, 10*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%s %q: %v", addr, args, err)
	}
	return v
}

// MustDo is Do that also fails on a RESP error reply.
func MustDo(t testing.TB, addr string, args ...string) resp.Value {
	t.Helper()
	v := Do(t, addr, args...)
	if v.Kind == resp.Error {
		t.Fatalf("%s %q: -%s", addr, args, v.Str)
	}
	return v
}

// Info returns INFO section's fields as a map.
func Info(t testing.TB, addr, section string) map[string]string {
	t.Helper()
	v := MustDo(t, addr, "INFO", section)
	return info.Parse(string(v.Str)).Fields()
}

// Int reads an integer INFO field (0 when absent).
func Int(m map[string]string, k string) int64 {
	v, _ := strconv.ParseInt(m[k], 10, 64)
	return v
}

// WaitFor polls cond until it holds or timeout passes; the message of the
// last failed check is reported.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		ok, msg := cond()
		if ok {
			return
		}
		last = msg
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %s", timeout, what, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// WaitSynced waits until replica's link to its master is up and it has
// applied everything the master fed (offsets equal).
func WaitSynced(t testing.TB, master, replica string, timeout time.Duration) {
	t.Helper()
	WaitFor(t, timeout, replica+" synced with "+master, func() (bool, string) {
		m := Info(t, master, "replication")
		r := Info(t, replica, "replication")
		ok := r["master_link_status"] == "up" && r["slave_repl_offset"] == m["master_repl_offset"]
		return ok, fmt.Sprintf("link=%s replica offset=%s master offset=%s", r["master_link_status"], r["slave_repl_offset"], m["master_repl_offset"])
	})
}

// Digest returns the digest of the whole dataset (internal/dataset: every
// database, key, type, value and whether it has a TTL) and the number of
// keys, read through ordinary commands so that it compares replscope with
// Redis.
func Digest(t testing.TB, addr string) (string, int) {
	t.Helper()
	d, err := dataset.Read(Dial(t, addr))
	if err != nil {
		t.Fatalf("dataset of %s: %v", addr, err)
	}
	return d.Digest(), d.Keys()
}

// Populate writes a mixed dataset through ordinary commands: all five
// types in small and large encodings, integers, binary and empty strings,
// ±inf scores, TTLs and several databases. scale multiplies the large
// collections.
func Populate(t testing.TB, addr string, prefix string, scale int) {
	t.Helper()
	c := Dial(t, addr)
	defer c.Close()
	do := func(args ...string) {
		t.Helper()
		v, err := c.Do(args...)
		if err != nil || v.Kind == resp.Error {
			t.Fatalf("populate %s %q: %v %s", addr, args, err, v)
		}
	}
	for _, db := range []string{"0", "3", "15"} {
		do("SELECT", db)
		p := prefix + db + ":"
		do("SET", p+"int", "12345")
		do("SET", p+"neg", "-987654321012")
		do("SET", p+"short", "hello")
		do("SET", p+"long", strings.Repeat("compressible ", 40))
		do("SET", p+"bin", "a\x00b\r\nc\xff")
		do("SET", p+"empty", "")
		do("SET", p+"ttl", "v", "EX", "100000")
		do("RPUSH", p+"list", "a", "b", "c", "1", "2")
		do("SADD", p+"intset", "1", "2", "3", "-5", "100000")
		do("SADD", p+"set", "x", "y", "z")
		do("HSET", p+"hash", "f1", "v1", "f2", "2", "f3", "")
		do("ZADD", p+"zset", "1", "one", "2.5", "two", "-3", "neg", "0", "zero", "inf", "pinf", "-inf", "ninf")
		do("EXPIRE", p+"hash", "100000")
		bigList := []string{"RPUSH", p + "biglist", strings.Repeat("x", 10000)}
		bigSet := []string{"SADD", p + "bigset"}
		bigHash := []string{"HSET", p + "bighash"}
		bigZ := []string{"ZADD", p + "bigzset"}
		for i := 0; i < 300*scale; i++ {
			s := strconv.Itoa(i)
			bigList = append(bigList, "elem-"+s)
			bigSet = append(bigSet, "member-"+s)
			bigHash = append(bigHash, "field-"+s, strings.Repeat("v", 70)+s)
			bigZ = append(bigZ, strconv.Itoa(i*7%1000)+".25", "m-"+s)
		}
		do(bigList...)
		do(bigSet...)
		do(bigHash...)
		do(bigZ...)
	}
	do("SELECT", "0")
}

// Write writes n string keys of size bytes under prefix: prefix0 …
// prefix(n-1).
func Write(t testing.TB, addr, prefix string, n, size int) {
	t.Helper()
	c := Dial(t, addr)
	defer c.Close()
	if err := dataset.Fill(c, prefix, 0, int64(n)-1, strings.Repeat("v", size)); err != nil {
		t.Fatalf("write %s: %v", addr, err)
	}
}
