package node_test

import (
	"testing"

	"github.com/replscope/replscope/internal/difftest"
	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// TestListPropagation checks what list commands feed to the replication
// stream against redis-server 7.0: every list write replicates as executed
// (LPOP/RPOP with a count, LMOVE and RPOPLPUSH included); commands that
// change nothing (LTRIM keeping everything, LREM or LINSERT finding
// nothing, a count of 0, LPUSHX on a missing key) replicate nothing.
func TestListPropagation(t *testing.T) {
	p := difftest.Start(t)
	p.RunStreamScript(t, "lists", `
RPUSH l a b c d e f
LPUSH l z
LPUSHX l y
RPUSHX l w
LPUSHX nokey x
LPOP l
RPOP l
LPOP l 2
RPOP l 0
RPOP nokey 3
LSET l 0 first
LINSERT l BEFORE first x0
LINSERT l AFTER nothing x1
LREM l 0 nothing
LREM l 1 x0
LTRIM l 0 -1
LTRIM l 0 1
RPUSH m 1 2 3
LMOVE m n LEFT RIGHT
RPOPLPUSH m n
RPOPLPUSH m n
RPOPLPUSH m n
LMOVE n n RIGHT LEFT
LMOVE nokey n LEFT LEFT
RPOP l 100
MULTI
RPUSH q 1
LPOP q
EXEC
`)
}

// TestListWatch checks which list commands invalidate a WATCH, running
// the same sequence on redis-server and on a node: Redis signals the key
// even for an LTRIM that removes nothing, and LMOVE signals both keys.
func TestListWatch(t *testing.T) {
	p := difftest.Start(t)
	cases := []struct {
		name  string
		setup [][]string
		watch string
		write []string
	}{
		{"ltrim no-op", [][]string{{"RPUSH", "l", "a", "b"}}, "l", []string{"LTRIM", "l", "0", "-1"}},
		{"ltrim missing key", nil, "l", []string{"LTRIM", "l", "0", "1"}},
		{"lrem nothing", [][]string{{"RPUSH", "l", "a"}}, "l", []string{"LREM", "l", "0", "zz"}},
		{"linsert no pivot", [][]string{{"RPUSH", "l", "a"}}, "l", []string{"LINSERT", "l", "BEFORE", "zz", "x"}},
		{"lpop count 0", [][]string{{"RPUSH", "l", "a"}}, "l", []string{"LPOP", "l", "0"}},
		{"lmove destination", [][]string{{"RPUSH", "s", "a"}}, "d", []string{"LMOVE", "s", "d", "LEFT", "LEFT"}},
		{"lmove source", [][]string{{"RPUSH", "s", "a"}}, "s", []string{"LMOVE", "s", "d", "LEFT", "LEFT"}},
		{"lpushx missing", nil, "l", []string{"LPUSHX", "l", "a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := watchOutcome(t, p.Redis.Addr, tc.setup, tc.watch, tc.write)
			got := watchOutcome(t, p.Node.Addr(), tc.setup, tc.watch, tc.write)
			if want != got {
				t.Errorf("EXEC after %v on a watched %q: redis-server %q, replscope %q", tc.write, tc.watch, want, got)
			}
		})
	}
}

// watchOutcome flushes the server, runs setup, WATCHes key on one
// connection, runs write on another and returns the raw EXEC reply.
func watchOutcome(t *testing.T, addr string, setup [][]string, key string, write []string) string {
	t.Helper()
	a, b := nodetest.Dial(t, addr), nodetest.Dial(t, addr)
	listMustDo(t, b, "FLUSHALL")
	for _, cmd := range setup {
		listMustDo(t, b, cmd...)
	}
	listMustDo(t, a, "WATCH", key)
	listMustDo(t, b, write...)
	listMustDo(t, a, "MULTI")
	listMustDo(t, a, "PING")
	v, err := a.Do("EXEC")
	if err != nil {
		t.Fatalf("EXEC on %s: %v", addr, err)
	}
	return v.String()
}

// listMustDo runs a command and fails the test on an error reply.
func listMustDo(t *testing.T, c *resp.Client, args ...string) resp.Value {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if v.Kind == resp.Error {
		t.Fatalf("%v: %s", args, v)
	}
	return v
}

// TestListHashDirtyCounts compares how much each list and hash command
// adds to rdb_changes_since_last_save (Redis's server.dirty): one per
// element pushed, popped, removed or trimmed, one per field set or
// deleted, one for a move.
func TestListHashDirtyCounts(t *testing.T) {
	p := difftest.Start(t)
	steps := [][]string{
		{"RPUSH", "l", "a", "b", "c", "d", "e", "f"},
		{"LPOP", "l", "2"},
		{"RPOP", "l"},
		{"LPUSHX", "l", "x", "y"},
		{"LREM", "l", "0", "x"},
		{"LTRIM", "l", "1", "1"},
		{"LTRIM", "l", "0", "-1"},
		{"RPUSH", "m", "1", "2"},
		{"LMOVE", "m", "n", "LEFT", "LEFT"},
		{"LINSERT", "n", "BEFORE", "1", "0"},
		{"LSET", "n", "0", "z"},
		{"HSET", "h", "a", "1", "b", "2", "c", "3"},
		{"HSET", "h", "a", "1"},
		{"HMSET", "h", "d", "4", "e", "5"},
		{"HDEL", "h", "a", "b", "zz"},
		{"HSETNX", "h", "c", "9"},
		{"HINCRBY", "h", "n", "2"},
		{"HINCRBYFLOAT", "h", "n", "0.5"},
	}
	for _, addr := range []string{p.Redis.Addr, p.Node.Addr()} {
		listMustDo(t, nodetest.Dial(t, addr), "FLUSHALL")
	}
	for _, step := range steps {
		want := dirtyDelta(t, p.Redis.Addr, step)
		got := dirtyDelta(t, p.Node.Addr(), step)
		if want != got {
			t.Errorf("%v: redis-server counted %d changes, replscope %d", step, want, got)
		}
	}
}

// dirtyDelta runs cmd and returns how much rdb_changes_since_last_save
// grew.
func dirtyDelta(t *testing.T, addr string, cmd []string) int64 {
	t.Helper()
	field := "rdb_changes_since_last_save"
	before := nodetest.Int(nodetest.Info(t, addr, "persistence"), field)
	listMustDo(t, nodetest.Dial(t, addr), cmd...)
	return nodetest.Int(nodetest.Info(t, addr, "persistence"), field) - before
}
