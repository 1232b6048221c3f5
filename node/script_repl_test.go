package node_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// TestScriptEffectsReplicate checks what a script sends down the
// replication stream, on redis-server 7.0.15 and on a node: the write
// commands it ran (effects replication, the only mode of 7.0), wrapped in
// MULTI/EXEC when there are several; nothing for a read-only script, for
// SCRIPT LOAD or SCRIPT FLUSH, nor for the commands run after
// redis.set_repl(redis.REPL_NONE).
func TestScriptEffectsReplicate(t *testing.T) {
	var streams [2][]string
	for i, kind := range []string{"redis", "replscope"} {
		t.Run(kind, func(t *testing.T) {
			s := startServer(t, kind)
			streams[i] = scriptStream(t, s.addr)
		})
	}
	if t.Failed() {
		return
	}
	want := []string{
		"SELECT 0", "set a 1",
		"MULTI", "set b 2", "incr c", "EXEC",
		"set x 1",
		"MULTI", "set in-multi 1", "SET after-multi 2", "EXEC",
		"SET end 1",
	}
	if !slices.Equal(streams[0], want) {
		t.Errorf("redis-server's stream:\n%q\nthe test expects:\n%q", streams[0], want)
	}
	if !slices.Equal(streams[1], streams[0]) {
		t.Errorf("node's stream:\n%q\nredis-server's:\n%q", streams[1], streams[0])
	}
}

// scriptStream runs the scripts and returns the stream a replica
// attached before them reads, PINGs left out, up to SET end 1.
func scriptStream(t *testing.T, addr string) []string {
	t.Helper()
	f := attachFakeReplica(t, addr)
	c := nodetest.Dial(t, addr)
	for _, cmd := range [][]string{
		{"EVAL", "redis.call('set','a','1')", "0"},
		{"EVAL", "redis.call('set','b','2') redis.call('incr','c')", "0"},
		{"EVAL", "return redis.call('get','a')", "0"},
		{"EVAL_RO", "return redis.call('get','b')", "0"},
		{"SCRIPT", "LOAD", "return 1"},
		{"SCRIPT", "FLUSH"},
		{"EVAL", "redis.call('set','x','1') redis.set_repl(redis.REPL_NONE) redis.call('set','y','2')", "0"},
		{"EVAL", "redis.call('get','x')", "0"},
		{"MULTI"},
		{"EVAL", "redis.call('set','in-multi','1')", "0"},
		{"SET", "after-multi", "2"},
		{"EXEC"},
		{"SET", "end", "1"},
	} {
		if v, err := c.Do(cmd...); err != nil || v.Kind == resp.Error {
			t.Fatalf("%q: %v %v", cmd, v, err)
		}
	}
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		_ = f.conn.SetReadDeadline(deadline)
		v, err := f.rd.ReadValue()
		if err != nil {
			t.Fatalf("reading the stream after %q: %v", got, err)
		}
		if v.Kind != resp.Array {
			continue // the newlines a master sends while a replica waits
		}
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = string(e.Str)
		}
		line := strings.Join(parts, " ")
		if strings.EqualFold(line, "PING") {
			continue
		}
		got = append(got, line)
		if line == "SET end 1" {
			return got
		}
	}
	t.Fatalf("no SET end 1 in the stream: %q", got)
	return nil
}
