package node_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/difftest"
	"github.com/replscope/replscope/internal/resp"
)

// TestCommandFactsAsRedis compares COMMAND INFO and COMMAND DOCS of every
// command the node runs with redis-server's, byte for byte: flags, ACL
// categories, tips, key specs, arguments and history come from Redis's
// command JSON. A container is compared subcommand by subcommand
// ("config|get"): Redis lists a container's subcommands in its hash
// table's order, which changes from run to run.
func TestCommandFactsAsRedis(t *testing.T) {
	p := difftest.Start(t)
	dial := func(addr string) *resp.Client {
		c, err := resp.Dial(context.Background(), addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	rc, nc := dial(p.Redis.Addr), dial(p.Node.Addr())
	raw := func(c *resp.Client, args ...string) []byte {
		t.Helper()
		if err := c.Send(args...); err != nil {
			t.Fatal(err)
		}
		b, err := c.Reader().ReadRaw()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	list, err := nc.Do("COMMAND", "LIST")
	if err != nil || len(list.Elems) == 0 {
		t.Fatalf("COMMAND LIST: %v %v", list, err)
	}
	var names []string
	for _, v := range list.Elems {
		name := string(v.Str)
		info, err := nc.Do("COMMAND", "INFO", name)
		if err != nil {
			t.Fatal(err)
		}
		subs := info.Elems[0].Elems[9].Elems
		if len(subs) == 0 {
			names = append(names, name)
			continue
		}
		for _, s := range subs {
			names = append(names, string(s.Elems[0].Str))
		}
	}
	compared := 0
	// In RESP2, then in RESP3 (sets and maps).
	for _, proto := range []string{"2", "3"} {
		raw(rc, "HELLO", proto)
		raw(nc, "HELLO", proto)
		for _, name := range names {
			if name == "sentinel" || strings.HasPrefix(name, "sentinel|") {
				continue // only a Sentinel knows these
			}
			for _, sub := range []string{"INFO", "DOCS"} {
				want, got := raw(rc, "COMMAND", sub, name), raw(nc, "COMMAND", sub, name)
				if !bytes.Equal(want, got) {
					t.Errorf("RESP%s COMMAND %s %s\n  redis-server: %q\n  replscope:    %q", proto, sub, name, want, got)
				}
				compared++
			}
		}
	}
	t.Logf("%d COMMAND INFO/DOCS entries identical", compared)
	if compared < 100 {
		t.Fatalf("compared only %d entries", compared)
	}
}
