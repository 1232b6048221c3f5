package node_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
)

// TestRESP3VerbatimText checks that the texts Redis 7.0 sends as verbatim
// strings in RESP3 (INFO, CLIENT INFO, CLIENT LIST, MEMORY DOCTOR) come as
// "=<len>\r\ntxt:<text>\r\n", with a length that counts the "txt:" prefix,
// and as plain bulk strings again after HELLO 2. The difftest scripts
// compare only their type: the texts differ from redis-server's.
func TestRESP3VerbatimText(t *testing.T) {
	n := nodetest.Start(t)
	c := nodetest.Dial(t, n.Addr())
	defer c.Close()
	do := func(args ...string) string {
		t.Helper()
		if err := c.Send(args...); err != nil {
			t.Fatal(err)
		}
		raw, err := c.Reader().ReadRaw()
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	if got := do("HELLO", "3"); !strings.HasPrefix(got, "%7\r\n") {
		t.Fatalf("HELLO 3: %q", got)
	}
	for _, cmd := range [][]string{{"INFO", "server"}, {"CLIENT", "INFO"}, {"CLIENT", "LIST"}, {"MEMORY", "DOCTOR"}} {
		got := do(cmd...)
		head, body, ok := strings.Cut(got, "\r\n")
		if !ok || head[0] != '=' || !strings.HasPrefix(body, "txt:") || !strings.HasSuffix(body, "\r\n") {
			t.Fatalf("%v: not a verbatim string: %q", cmd, got)
		}
		if l, _ := strconv.Atoi(head[1:]); l != len(body)-2 {
			t.Fatalf("%v: length %d, body of %d bytes: %q", cmd, l, len(body)-2, got)
		}
	}
	if got := do("CLIENT", "INFO"); !strings.Contains(got, " resp=3") {
		t.Fatalf("CLIENT INFO after HELLO 3: %q", got)
	}
	do("HELLO", "2")
	if got := do("INFO", "server"); got[0] != '$' {
		t.Fatalf("INFO after HELLO 2: %q", got)
	}
	if got := do("CLIENT", "INFO"); got[0] != '$' || !strings.Contains(got, " resp=2") {
		t.Fatalf("CLIENT INFO after HELLO 2: %q", got)
	}
}
