package difftest

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// StreamTap is a fake replica attached with the legacy SYNC command: it
// skips the RDB and then reads the command stream the master sends.
type StreamTap struct {
	c  *resp.Client
	br *bufio.Reader
}

// Tap attaches a fake replica to addr.
func Tap(t testing.TB, addr string) *StreamTap {
	t.Helper()
	c := nodetest.Dial(t, addr)
	c.Timeout = 15 * time.Second
	if err := c.Send("SYNC"); err != nil {
		t.Fatalf("SYNC: %v", err)
	}
	br := c.Reader().Buffered()
	for {
		_ = c.Conn().SetReadDeadline(time.Now().Add(15 * time.Second))
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("SYNC reply from %s: %v", addr, err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue // keepalive newlines while the master prepares the RDB
		}
		if !strings.HasPrefix(line, "$") {
			t.Fatalf("SYNC reply from %s: %q", addr, line)
		}
		n, err := strconv.ParseInt(line[1:], 10, 64)
		if err != nil {
			t.Fatalf("SYNC bulk length from %s: %q", addr, line)
		}
		if _, err := io.CopyN(io.Discard, br, n); err != nil {
			t.Fatalf("SYNC payload from %s: %v", addr, err)
		}
		return &StreamTap{c: c, br: br}
	}
}

// Next reads one command of the stream.
func (s *StreamTap) Next() ([]string, error) {
	_ = s.c.Conn().SetReadDeadline(time.Now().Add(10 * time.Second))
	v, err := s.c.Reader().ReadValue()
	if err != nil {
		return nil, err
	}
	if v.Kind != resp.Array {
		return nil, fmt.Errorf("stream: not a command: %s", v)
	}
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = string(e.Str)
	}
	return out, nil
}

// Until reads commands until one equals marker (exclusively), dropping the
// master's PINGs.
func (s *StreamTap) Until(marker []string) ([][]string, error) {
	var out [][]string
	for {
		cmd, err := s.Next()
		if err != nil {
			return out, err
		}
		if len(cmd) == 1 && strings.EqualFold(cmd[0], "ping") {
			continue
		}
		if strings.Join(cmd, " ") == strings.Join(marker, " ") {
			return out, nil
		}
		out = append(out, cmd)
	}
}

var msTimestamp = regexp.MustCompile(`^1[0-9]{12}$`)

// Normalize replaces millisecond timestamps (PXAT / PEXPIREAT arguments)
// with "<ms>" so streams from two servers compare equal.
func Normalize(cmds [][]string) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		parts := make([]string, len(c))
		for j, a := range c {
			if msTimestamp.MatchString(a) {
				a = "<ms>"
			}
			parts[j] = strconv.Quote(a)
		}
		out[i] = strings.Join(parts, " ")
	}
	return out
}

// RunStreamScript runs a script's commands on both servers (replies are
// not compared) and compares what each master fed to its replication
// stream.
func (p *Pair) RunStreamScript(t testing.TB, name, text string) {
	t.Helper()
	lines, err := Parse(name, text)
	if err != nil {
		t.Fatal(err)
	}
	marker := []string{"SET", "__stream_end__", name}
	var streams [2][]string
	for i, addr := range []string{p.Redis.Addr, p.Node.Addr()} {
		c := nodetest.Dial(t, addr)
		for _, cmd := range [][]string{{"SELECT", "0"}, {"FLUSHALL"}} {
			if _, err := c.Do(cmd...); err != nil {
				t.Fatal(err)
			}
		}
		tap := Tap(t, addr)
		cs := newConns(t, addr, c)
		for _, l := range lines {
			if l.Mode == '!' {
				switch {
				case l.Args[0] == "sleep" && len(l.Args) == 2:
					ms, _ := strconv.Atoi(l.Args[1])
					time.Sleep(time.Duration(ms) * time.Millisecond)
				case l.Args[0] == "recv" && len(l.Args) == 2:
					cs.recv(t, l)
				default:
					directive(t, l, cs)
				}
				continue
			}
			if l.Async {
				cs.send(t, l)
				continue
			}
			if _, err := cs.get(t, l.Conn).Do(l.Args...); err != nil {
				t.Fatalf("%s:%d: %v", name, l.No, err)
			}
		}
		if _, err := c.Do(marker...); err != nil {
			t.Fatal(err)
		}
		cmds, err := tap.Until(marker)
		if err != nil {
			t.Fatalf("%s: reading the stream of %s: %v (got %q)", name, addr, err, cmds)
		}
		streams[i] = Normalize(cmds)
		tap.c.Close()
		cs.close()
		c.Close()
	}
	want, got := streams[0], streams[1]
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("%s: replication streams differ\n  redis-server:\n    %s\n  replscope:\n    %s",
			name, strings.Join(want, "\n    "), strings.Join(got, "\n    "))
	}
}
