package difftest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// conns are a script's named connections to one server: "" is the main
// one, the others open (on database 0) the first time a line names them.
type conns struct {
	addr string
	m    map[string]*resp.Client
}

func newConns(t testing.TB, addr string, main *resp.Client) *conns {
	return &conns{addr: addr, m: map[string]*resp.Client{"": main}}
}

func (cs *conns) get(t testing.TB, name string) *resp.Client {
	t.Helper()
	if c := cs.m[name]; c != nil {
		return c
	}
	c := nodetest.Dial(t, cs.addr)
	cs.m[name] = c
	return c
}

// send writes a line's command without reading the reply.
func (cs *conns) send(t testing.TB, l Line) {
	t.Helper()
	if err := cs.get(t, l.Conn).Send(l.Args...); err != nil {
		t.Fatalf("line %d %q: send: %v", l.No, l.Text, err)
	}
}

// recv reads the pending reply of the connection "!recv name" names.
func (cs *conns) recv(t testing.TB, l Line) []byte {
	t.Helper()
	c := cs.get(t, l.Args[1])
	raw, err := c.Reader().ReadRaw()
	if err != nil {
		t.Fatalf("line %d %q: read from %s: %v", l.No, l.Text, cs.addr, err)
	}
	return raw
}

func (cs *conns) close() {
	for name, c := range cs.m {
		if name != "" {
			c.Close()
		}
	}
}

// waitBlocked waits until INFO clients reports n blocked clients.
func (cs *conns) waitBlocked(t testing.TB, l Line, n string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := cs.get(t, "").Do("INFO", "clients")
		if err != nil {
			t.Fatalf("line %d: INFO: %v", l.No, err)
		}
		if strings.Contains(string(v.Str), "\r\nblocked_clients:"+n+"\r\n") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("line %d %q: %s never had %s blocked clients", l.No, l.Text, cs.addr, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// directive runs the connection directives both script runners share;
// it reports whether it knew the line.
func directive(t testing.TB, l Line, servers ...*conns) bool {
	t.Helper()
	if l.Args[0] == "blocked" && len(l.Args) == 2 {
		if _, err := strconv.Atoi(l.Args[1]); err != nil {
			t.Fatalf("line %d: bad count %q", l.No, l.Args[1])
		}
		for _, cs := range servers {
			cs.waitBlocked(t, l, l.Args[1])
		}
		return true
	}
	return false
}
