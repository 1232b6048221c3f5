package node_test

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// sentinelBlock is what Sentinel sends to turn a node into a master
// (target "NO ONE") or into a replica of target: one MULTI block that also
// rewrites the config file and drops every normal and pubsub client but
// its own (sentinelSendSlaveOf in sentinel.c; seen live, PROTOCOL.md §6).
func sentinelBlock(target ...string) [][]string {
	return [][]string{
		{"MULTI"},
		append([]string{"SLAVEOF"}, target...),
		{"CONFIG", "REWRITE"},
		{"CLIENT", "KILL", "TYPE", "normal"},
		{"CLIENT", "KILL", "TYPE", "pubsub"},
		{"EXEC"},
	}
}

// render shows a reply with its RESP type, for comparing two servers.
func render(v resp.Value) string {
	switch v.Kind {
	case resp.Array:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = render(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case resp.Integer:
		return ":" + strconv.FormatInt(v.Int, 10)
	case resp.BulkString:
		return "$" + string(v.Str)
	}
	return string(v.Kind) + string(v.Str)
}

// bystanders connects a plain client, a channel subscriber and a pattern
// subscriber to addr: Sentinel's CLIENT KILL TYPE normal and TYPE pubsub
// must disconnect all three.
func bystanders(t *testing.T, addr string) []*resp.Client {
	t.Helper()
	var out []*resp.Client
	for _, cmd := range [][]string{{"PING"}, {"SUBSCRIBE", "__sentinel__:hello"}, {"PSUBSCRIBE", "*"}} {
		c := nodetest.Dial(t, addr)
		if v, err := c.Do(cmd...); err != nil || v.Kind == resp.Error {
			t.Fatalf("%s %q: %v %s", addr, cmd, err, v)
		}
		out = append(out, c)
	}
	return out
}

// TestSentinelCommandBlock sends Sentinel's failover and reconfiguration
// blocks to a replscope node and to a redis-server in the same state, with
// no config file, and compares every reply: MULTI/QUEUED, the EXEC array
// (SLAVEOF's +OK, CONFIG REWRITE's error, the CLIENT KILL counts). The
// bystander clients must be gone afterwards and the sender still served.
func TestSentinelCommandBlock(t *testing.T) {
	redistest.Require(t)
	type start func(t *testing.T, args ...string) (addr string, port int)
	kinds := []struct {
		name  string
		start start
	}{
		{"redis-server", func(t *testing.T, args ...string) (string, int) {
			s := redistest.Start(t, args...)
			return s.Addr, s.Port
		}},
		{"replscope", func(t *testing.T, args ...string) (string, int) {
			n := nodetest.Start(t, args...)
			return n.Addr(), n.Port
		}},
	}
	for _, promote := range []bool{true, false} {
		name := "SLAVEOF host port on a master"
		if promote {
			name = "SLAVEOF NO ONE on a replica"
		}
		t.Run(name, func(t *testing.T) {
			got := map[string][]string{}
			for _, k := range kinds {
				master, mport := k.start(t)
				nodetest.MustDo(t, master, "SET", "k", "v")
				target := []string{"127.0.0.1", strconv.Itoa(mport)}
				var addr string
				if promote {
					addr, _ = k.start(t, "--replicaof", "127.0.0.1", strconv.Itoa(mport))
					nodetest.WaitSynced(t, master, addr, 10*time.Second)
					target = []string{"NO", "ONE"}
				} else {
					addr, _ = k.start(t)
				}
				others := bystanders(t, addr)
				sender := nodetest.Dial(t, addr)
				// Connections the test closed before may not be reaped yet:
				// wait until the sender and the plain bystander are the only
				// normal clients, so that the kill counts are exact.
				nodetest.WaitFor(t, 5*time.Second, "closed test connections to go", func() (bool, string) {
					v, err := sender.Do("CLIENT", "LIST", "TYPE", "normal")
					if err != nil {
						t.Fatal(err)
					}
					list := strings.TrimSpace(string(v.Str))
					return strings.Count(list, "\n") == 1, list
				})
				for _, cmd := range sentinelBlock(target...) {
					v, err := sender.Do(cmd...)
					if err != nil {
						t.Fatalf("%s %q: %v", k.name, cmd, err)
					}
					got[k.name] = append(got[k.name], render(v))
				}
				for i, c := range others {
					if v, err := c.Receive(); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
						t.Errorf("%s: bystander %d not disconnected: %s %v", k.name, i, v, err)
					}
				}
				if v, err := sender.Do("PING"); err != nil || render(v) != "+PONG" {
					t.Fatalf("%s: sender after the block: %v %s", k.name, err, v)
				}
				want := "master"
				if !promote {
					want = "slave"
				}
				if r := nodetest.Info(t, addr, "replication")["role"]; r != want {
					t.Fatalf("%s: role %s after the block, want %s", k.name, r, want)
				}
			}
			if r, s := strings.Join(got["redis-server"], "\n"), strings.Join(got["replscope"], "\n"); r != s {
				t.Fatalf("replies differ\nredis-server:\n%s\nreplscope:\n%s", r, s)
			}
			t.Logf("replies:\n%s", strings.Join(got["replscope"], "\n"))
		})
	}
}
