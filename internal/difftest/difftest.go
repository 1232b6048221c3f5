// Package difftest runs the same command scripts against the installed
// redis-server and a replscope node and compares the replies byte for
// byte. Scripts are text, one command per line with redis-cli quoting:
//
//	# a comment
//	SET k v                  the raw replies must be identical
//	~ SMEMBERS s             an array whose elements may come in any order
//	? TIME                   only the reply's type must match
//	!sleep 1100              pause (ms) before the next line (TTL tests)
//	@2 SUBSCRIBE c           run the line on connection "2" (@1 is the main one)
//	@2 !recv                 read one more reply on connection 2 without sending
//	@2 !drain                send PING on connection 2 and read every reply up
//	                         to its answer: the messages published before it
//
// Several connections (blocking commands) — see conns.go:
//
//	@a BLPOP k 1             run the line on connection "a" (opened on first use)
//	@a & BLPOP k 0           send it and do not wait for the reply
//	!blocked 1               wait until INFO blocked_clients is 1 on both servers
//	!recv a                  read a's pending reply on both servers and compare
//
// Both servers run with the same configuration and are flushed before
// each script.
package difftest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// Pair is a redis-server and a replscope node started for one test.
type Pair struct {
	Redis *redistest.Server
	Node  *node.Node
}

// Start starts both servers with the same redis.conf-style arguments
// (e.g. "--enable-debug-command", "yes"). It skips the test without
// redis-server.
func Start(t testing.TB, args ...string) *Pair {
	t.Helper()
	rs := redistest.Start(t, args...)
	n := nodetest.Start(t, args...).Node
	return &Pair{Redis: rs, Node: n}
}

// Line is one parsed script line.
type Line struct {
	No   int
	Mode byte   // 0 exact, '~' unordered array, '?' type only, '!' directive
	Conn string // the connection to use ("" is the script's main one)
	// Async sends the command without reading its reply ('&'): a later
	// "!recv conn" reads it.
	Async bool
	Args  []string
	Text  string
}

// Parse parses a script.
func Parse(name, text string) ([]Line, error) {
	var out []Line
	for i, raw := range strings.Split(text, "\n") {
		s := strings.TrimSpace(raw)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		l := Line{No: i + 1, Text: s}
		if s[0] == '@' {
			name, rest, _ := strings.Cut(s[1:], " ")
			if name == "1" {
				name = "" // @1 is the script's main connection
			}
			l.Conn, s = name, strings.TrimSpace(rest)
			if strings.HasPrefix(s, "&") {
				l.Async, s = true, strings.TrimSpace(s[1:])
			}
			if s == "" {
				return nil, fmt.Errorf("%s:%d: bad line %q", name, i+1, raw)
			}
		}
		if s[0] == '~' || s[0] == '?' || s[0] == '!' {
			l.Mode = s[0]
			s = strings.TrimSpace(s[1:])
		}
		args, err := config.SplitArgs(s)
		if err != nil || len(args) == 0 {
			return nil, fmt.Errorf("%s:%d: bad line %q: %v", name, i+1, raw, err)
		}
		l.Args = args
		out = append(out, l)
	}
	return out, nil
}

// scriptReplyTimeout bounds each reply of a script's main connections.
const scriptReplyTimeout = 60 * time.Second

// RunScript flushes both servers and runs a script, reporting every reply
// that differs.
func (p *Pair) RunScript(t testing.TB, name, text string) {
	t.Helper()
	lines, err := Parse(name, text)
	if err != nil {
		t.Fatal(err)
	}
	rc, nc := nodetest.Dial(t, p.Redis.Addr), nodetest.Dial(t, p.Node.Addr())
	// A script may build a 512 MB value (overflow.txt): on a loaded CI
	// machine either server can take longer than the usual 10 s for it.
	// A node that stops answering is caught by the random differential
	// test and the fuzz deadline, which keep theirs short.
	rc.Timeout, nc.Timeout = scriptReplyTimeout, scriptReplyTimeout
	defer rc.Close()
	defer nc.Close()
	rs, ns := newConns(t, p.Redis.Addr, rc), newConns(t, p.Node.Addr(), nc)
	defer rs.close()
	defer ns.close()
	for _, c := range []*resp.Client{rc, nc} {
		for _, cmd := range [][]string{{"SELECT", "0"}, {"FLUSHALL"}} {
			if v, err := c.Do(cmd...); err != nil || v.Kind == resp.Error {
				t.Fatalf("%v: %v %s", cmd, err, v)
			}
		}
	}
	for _, l := range lines {
		if l.Mode == '!' {
			if l.Args[0] == "sleep" && len(l.Args) == 2 {
				ms, _ := strconv.Atoi(l.Args[1])
				time.Sleep(time.Duration(ms) * time.Millisecond)
				continue
			}
			if l.Args[0] == "recv" && len(l.Args) == 2 {
				want, got := rs.recv(t, l), ns.recv(t, l)
				if !bytes.Equal(want, got) {
					t.Errorf("%s:%d: %s\n  redis-server: %q\n  replscope:    %q", name, l.No, l.Text, want, got)
				}
				continue
			}
			if (l.Args[0] == "recv" || l.Args[0] == "drain") && len(l.Args) == 1 {
				// "@c !recv" / "@c !drain": read on connection c (exchange).
				want := p.exchange(t, rs.get(t, l.Conn), l)
				got := p.exchange(t, ns.get(t, l.Conn), l)
				if !bytes.Equal(want, got) {
					t.Errorf("%s:%d: %s\n  redis-server: %q\n  replscope:    %q", name, l.No, l.Text, want, got)
				}
				continue
			}
			if directive(t, l, rs, ns) {
				continue
			}
			t.Fatalf("%s:%d: unknown directive %q", name, l.No, l.Text)
		}
		if l.Async {
			rs.send(t, l)
			ns.send(t, l)
			continue
		}
		want := p.exchange(t, rs.get(t, l.Conn), l)
		got := p.exchange(t, ns.get(t, l.Conn), l)
		if !Same(l.Mode, want, got) {
			t.Errorf("%s:%d: %s\n  redis-server: %q\n  replscope:    %q", name, l.No, l.Text, want, got)
		}
	}
}

func (p *Pair) exchange(t testing.TB, c *resp.Client, l Line) []byte {
	t.Helper()
	if l.Mode == '!' && l.Args[0] == "drain" {
		return drain(t, c, l)
	}
	if l.Mode == '!' { // recv: the reply comes without a request
		if err := c.Conn().SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatalf("line %d %q: %v", l.No, l.Text, err)
		}
	} else if err := c.Send(l.Args...); err != nil {
		t.Fatalf("line %d %q: send: %v", l.No, l.Text, err)
	}
	raw, err := c.Reader().ReadRaw()
	if err != nil {
		t.Fatalf("line %d %q: read: %v", l.No, l.Text, err)
	}
	return raw
}

// drain sends PING and returns everything read up to and including its
// answer (a subscribed connection's ["pong", ""] or +PONG).
func drain(t testing.TB, c *resp.Client, l Line) []byte {
	t.Helper()
	if err := c.Send("PING"); err != nil {
		t.Fatalf("line %d %q: send: %v", l.No, l.Text, err)
	}
	var out []byte
	for {
		raw, err := c.Reader().ReadRaw()
		if err != nil {
			t.Fatalf("line %d %q: read: %v", l.No, l.Text, err)
		}
		out = append(out, raw...)
		if s := string(raw); s == "+PONG\r\n" || s == "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
			return out
		}
	}
}

// Same compares two raw replies under a line's mode.
func Same(mode byte, a, b []byte) bool {
	switch mode {
	case '?':
		return len(a) > 0 && len(b) > 0 && a[0] == b[0]
	case '~':
		return bytes.Equal(sortedArray(a), sortedArray(b))
	}
	return bytes.Equal(a, b)
}

// sortedArray re-serializes an array reply with its top-level elements
// sorted; anything else is returned as is.
func sortedArray(raw []byte) []byte {
	r := resp.NewReader(bytes.NewReader(raw))
	line, err := r.ReadLine()
	if err != nil || len(line) == 0 || line[0] != '*' {
		return raw
	}
	n, _ := strconv.Atoi(string(line[1:]))
	var elems [][]byte
	for i := 0; i < n; i++ {
		e, err := r.ReadRaw()
		if err != nil {
			return raw
		}
		elems = append(elems, e)
	}
	sort.Slice(elems, func(i, j int) bool { return bytes.Compare(elems[i], elems[j]) < 0 })
	out := append([]byte(nil), line...)
	out = append(out, '\r', '\n')
	for _, e := range elems {
		out = append(out, e...)
	}
	return out
}

// RunDir runs every *.txt script in dir as a subtest on one pair.
func RunDir(t *testing.T, p *Pair, dir string) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s: %v", dir, err)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			p.RunScript(t, filepath.Base(f), string(text))
		})
	}
}
