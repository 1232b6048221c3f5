// Package nodetest starts embedded replscope nodes for tests and offers the
// checks replication tests share: INFO fields, condition waits with
// deadlines, and a digest of a node's whole dataset that works the same on
// replscope and on real Redis.
package nodetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
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
	Log  io.Writer   // default: discard (set NODETEST_LOG=1 style via t.Logf writer)
	Job  func(bool)  // node.Options.Job
	// Fatal is node.Options.Fatal (default: a test fails on a node's
	// uncontained panic rather than the test binary dying).
	Fatal func(report string)
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
	cfg, src, err := config.Load(args)
	if err != nil {
		t.Fatalf("nodetest: config %v: %v", args, err)
	}
	lw := o.Log
	if lw == nil {
		lw = io.Discard
	}
	fatal := o.Fatal
	if fatal == nil {
		fatal = func(report string) { t.Errorf("nodetest: node panicked: %s", report) }
	}
	n, err := node.New(cfg, node.Options{Log: lw, Dial: o.Dial, Source: src, Version: "test", Job: o.Job, Fatal: fatal})
	if err != nil {
		t.Fatalf("nodetest: new node: %v", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port)))
	if err != nil {
		t.Fatalf("nodetest: listen: %v", err)
	}
	if err := n.StartListener(ln); err != nil {
		t.Fatalf("nodetest: start: %v", err)
	}
	t.Cleanup(func() { _ = n.Close() })
	return &Node{Node: n, Dir: o.Dir, Port: ln.Addr().(*net.TCPAddr).Port, Args: extra}
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
	return ParseInfo(string(v.Str))
}

// ParseInfo splits INFO text into fields.
func ParseInfo(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if i := strings.IndexByte(line, ':'); i > 0 && !strings.HasPrefix(line, "#") {
			out[line[:i]] = line[i+1:]
		}
	}
	return out
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

// Digest returns a digest of the whole dataset (every database, key,
// type, value and whether it has a TTL) and the number of keys, read
// through ordinary commands so that it compares replscope with Redis.
func Digest(t testing.TB, addr string) (string, int) {
	t.Helper()
	c := Dial(t, addr)
	defer c.Close()
	h := sha256.New()
	total := 0
	for db := 0; db < 16; db++ {
		if v, err := c.Do("SELECT", strconv.Itoa(db)); err != nil || v.Kind == resp.Error {
			t.Fatalf("SELECT %d on %s: %v %s", db, addr, err, v)
		}
		var keys []string
		cursor := "0"
		for {
			v, err := c.Do("SCAN", cursor, "COUNT", "1000")
			if err != nil || v.Kind != resp.Array || len(v.Elems) != 2 {
				t.Fatalf("SCAN on %s: %v %s", addr, err, v)
			}
			for _, k := range v.Elems[1].Elems {
				keys = append(keys, string(k.Str))
			}
			cursor = string(v.Elems[0].Str)
			if cursor == "0" {
				break
			}
		}
		sort.Strings(keys)
		keys = dedupe(keys)
		for _, k := range keys {
			fmt.Fprintf(h, "%d|%q|%s\n", db, k, valueOf(t, c, k))
		}
		total += len(keys)
	}
	_, _ = c.Do("SELECT", "0")
	return hex.EncodeToString(h.Sum(nil))[:16], total
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, k := range s {
		if i == 0 || k != s[i-1] {
			out = append(out, k)
		}
	}
	return out
}

func valueOf(t testing.TB, c *resp.Client, k string) string {
	t.Helper()
	typ, err := c.Do("TYPE", k)
	if err != nil {
		t.Fatal(err)
	}
	ttl, _ := c.Do("PTTL", k)
	hasTTL := ttl.Int >= 0
	var parts []string
	sorted := func(v resp.Value) {
		for _, e := range v.Elems {
			parts = append(parts, string(e.Str))
		}
		sort.Strings(parts)
	}
	switch string(typ.Str) {
	case "string":
		v, _ := c.Do("GET", k)
		parts = []string{string(v.Str)}
	case "list":
		v, _ := c.Do("LRANGE", k, "0", "-1")
		for _, e := range v.Elems {
			parts = append(parts, string(e.Str))
		}
	case "set":
		v, _ := c.Do("SMEMBERS", k)
		sorted(v)
	case "hash":
		v, _ := c.Do("HGETALL", k)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			parts = append(parts, string(v.Elems[i].Str)+"="+string(v.Elems[i+1].Str))
		}
		sort.Strings(parts)
	case "zset":
		v, _ := c.Do("ZRANGE", k, "0", "-1", "WITHSCORES")
		for _, e := range v.Elems {
			parts = append(parts, string(e.Str))
		}
	case "stream":
		parts = streamParts(c, k)
	case "none":
		return "none"
	default:
		return "type:" + string(typ.Str)
	}
	return fmt.Sprintf("%s ttl=%v %q", typ.Str, hasTTL, parts)
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

// Write writes n string keys of size bytes under prefix.
func Write(t testing.TB, addr, prefix string, n, size int) {
	t.Helper()
	c := Dial(t, addr)
	defer c.Close()
	val := strings.Repeat("v", size)
	var buf []byte
	for i := 0; i < n; i++ {
		buf = resp.AppendCommand(buf, "SET", prefix+strconv.Itoa(i), val)
		if (i+1)%500 == 0 || i == n-1 {
			if err := c.WriteRaw(buf); err != nil {
				t.Fatal(err)
			}
			for j := 0; j < (i%500)+1; j++ {
				if v, err := c.Receive(); err != nil || v.Kind == resp.Error {
					t.Fatalf("write %s: %v %s", addr, err, v)
				}
			}
			buf = buf[:0]
		}
	}
}

// streamParts describes a stream for Digest: its entries, its metadata
// (XINFO STREAM without radix-tree-nodes, which Redis's tree shape alone
// decides) and each group's state and pending entries (without times).
func streamParts(c *resp.Client, k string) []string {
	var parts []string
	v, _ := c.Do("XRANGE", k, "-", "+")
	parts = append(parts, flatten(v))
	info, _ := c.Do("XINFO", "STREAM", k)
	for i := 0; i+1 < len(info.Elems); i += 2 {
		if f := string(info.Elems[i].Str); f != "radix-tree-nodes" {
			parts = append(parts, f+"="+flatten(info.Elems[i+1]))
		}
	}
	groups, _ := c.Do("XINFO", "GROUPS", k)
	for _, g := range groups.Elems {
		parts = append(parts, "group="+flatten(g))
		if len(g.Elems) > 1 {
			p, _ := c.Do("XPENDING", k, string(g.Elems[1].Str), "-", "+", "1000000")
			for _, row := range p.Elems {
				if len(row.Elems) == 4 {
					parts = append(parts, "pending="+flatten(row.Elems[0])+","+flatten(row.Elems[1])+","+flatten(row.Elems[3]))
				}
			}
		}
	}
	return parts
}

// flatten renders a reply as one line.
func flatten(v resp.Value) string {
	switch v.Kind {
	case resp.Array:
		out := "["
		for i, e := range v.Elems {
			if i > 0 {
				out += " "
			}
			out += flatten(e)
		}
		return out + "]"
	case resp.Integer:
		return strconv.FormatInt(v.Int, 10)
	}
	return strconv.Quote(string(v.Str))
}
