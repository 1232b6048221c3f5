package node_test

import (
	"io"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// TestNotifyKeyspaceEventsRefused: a node publishes no keyspace
// notifications, so notify-keyspace-events is refused, at start and by
// CONFIG SET, never accepted and ignored; the empty value (Redis's
// default, notifications off) is accepted.
func TestNotifyKeyspaceEventsRefused(t *testing.T) {
	cfg, _, err := config.Load([]string{"--port", "0", "--save", "", "--dir", t.TempDir(), "--notify-keyspace-events", "KEA"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := node.New(cfg, node.Options{Log: io.Discard}); err == nil || !strings.Contains(err.Error(), "notify-keyspace-events") {
		t.Fatalf("New with notify-keyspace-events KEA: err %v, want a refusal", err)
	}

	n := nodetest.Start(t)
	for _, tc := range []struct {
		args []string
		want string // "" for +OK
	}{
		{[]string{"CONFIG", "SET", "notify-keyspace-events", "KEA"}, "ERR CONFIG SET failed - notify-keyspace-events is not supported"},
		{[]string{"CONFIG", "SET", "zset-max-listpack-entries", "5", "notify-keyspace-events", "Kx"}, "ERR CONFIG SET failed - notify-keyspace-events"},
		{[]string{"CONFIG", "SET", "notify-keyspace-events", "Kq"}, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character"},
		{[]string{"CONFIG", "SET", "notify-keyspace-events", ""}, ""},
	} {
		v := nodetest.Do(t, n.Addr(), tc.args...)
		got := string(v.Str)
		if tc.want == "" && got != "OK" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.args, got, tc.want)
		}
	}
	for name, want := range map[string]string{"notify-keyspace-events": "", "zset-max-listpack-entries": "128"} {
		v := nodetest.Do(t, n.Addr(), "CONFIG", "GET", name)
		if len(v.Elems) != 2 || string(v.Elems[1].Str) != want {
			t.Errorf("CONFIG GET %s after refusals: %v, want %q (the whole CONFIG SET is undone)", name, v, want)
		}
	}
}
