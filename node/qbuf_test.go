package node_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
)

var qbufRe = regexp.MustCompile(`qbuf=(\d+) qbuf-free=(\d+) argv-mem=(\d+)`)

// clientQbuf returns qbuf, qbuf-free and argv-mem of the client named
// name in CLIENT LIST, seen from the connection c.
func clientQbuf(t *testing.T, addr, name string) (qbuf, free, argv int64) {
	t.Helper()
	v := nodetest.MustDo(t, addr, "CLIENT", "LIST")
	for _, line := range strings.Split(string(v.Str), "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		m := qbufRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("no qbuf fields in %q", line)
		}
		a, _ := strconv.ParseInt(m[1], 10, 64)
		b, _ := strconv.ParseInt(m[2], 10, 64)
		c, _ := strconv.ParseInt(m[3], 10, 64)
		return a, b, c
	}
	t.Fatalf("no client %q in CLIENT LIST: %s", name, v.Str)
	return 0, 0, 0
}

// TestClientListQueryBuffer checks CLIENT LIST's qbuf/qbuf-free/argv-mem
// as Redis's tests/unit/querybuf.tcl and introspection.tcl read them: a
// fresh client holds a 16-32 KB buffer, a big request grows it past 32 KB
// and smaller ones shrink it back, the client running CLIENT LIST sees
// its own request and argument bytes, and an idle client's buffer is
// given back (0/0).
func TestClientListQueryBuffer(t *testing.T) {
	n := nodetest.Start(t)
	c := nodetest.Dial(t, n.Addr())
	if _, err := c.Do("CLIENT", "SETNAME", "test_client"); err != nil {
		t.Fatal(err)
	}
	q, f, a := clientQbuf(t, n.Addr(), "test_client")
	if q+f < 16384 || q+f >= 32768 || a != 0 {
		t.Errorf("fresh client: qbuf=%d qbuf-free=%d argv-mem=%d, want 16 KB <= qbuf+free < 32 KB, argv-mem 0", q, f, a)
	}
	if _, err := c.Do("SET", "x", strings.Repeat("A", 400000)); err != nil {
		t.Fatal(err)
	}
	q, f, _ = clientQbuf(t, n.Addr(), "test_client")
	big := q + f
	if big <= 32768 {
		t.Errorf("after a 400 KB request: qbuf+free = %d, want > 32 KB", big)
	}
	if _, err := c.Do("SET", "x", "AAAA"); err != nil {
		t.Fatal(err)
	}
	q, f, _ = clientQbuf(t, n.Addr(), "test_client")
	if q+f == 0 || q+f >= big {
		t.Errorf("after a small request: qbuf+free = %d, want 0 < it < %d", q+f, big)
	}
	self, err := c.Do("CLIENT", "INFO")
	if err != nil {
		t.Fatal(err)
	}
	m := qbufRe.FindStringSubmatch(string(self.Str))
	want := strconv.Itoa(len("*2\r\n$6\r\nCLIENT\r\n$4\r\nINFO\r\n"))
	if m == nil || m[1] != want || m[3] != "10" {
		t.Errorf("CLIENT INFO of itself: %q, want qbuf=%s and argv-mem=10", self.Str, want)
	}
	// introspection.tcl: the running command shows as cmd=client|info.
	if !strings.Contains(string(self.Str), " cmd=client|info ") {
		t.Errorf("CLIENT INFO of itself: %q, want cmd=client|info", self.Str)
	}
	nodetest.WaitFor(t, 10*time.Second, "idle client's query buffer given back", func() (bool, string) {
		q, f, _ := clientQbuf(t, n.Addr(), "test_client")
		return q+f == 0, "qbuf+free = " + strconv.FormatInt(q+f, 10)
	})
}
