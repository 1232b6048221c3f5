package node_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/difftest"
	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/nodetest"
)

// usecFields drops the timing fields of a commandstats line, which differ
// run to run.
var usecFields = regexp.MustCompile(`usec=\d+,usec_per_call=[0-9.]+,`)

// TestCommandStatsMatchRedis runs the same commands on redis-server and a
// node and compares INFO commandstats (calls, rejected_calls,
// failed_calls per command, subcommands as "client|id"), errorstats and
// total_error_replies, as Redis 7.0 counts them: an error reply makes the
// call failed, a refusal before running (arity, MULTI queuing) rejected,
// and a failed command inside EXEC counts against that command, not EXEC.
func TestCommandStatsMatchRedis(t *testing.T) {
	p := difftest.Start(t)
	script := [][]string{
		{"SET", "a", "b"}, {"GET", "a"}, {"LPUSH", "a", "x"}, {"GET"}, {"SETBIT", "a", "-1", "1"},
		{"MULTI"}, {"SET", "a", "b"}, {"INCR", "a"}, {"EXEC"}, {"EXEC"},
		{"MULTI"}, {"GET"}, {"SET", "x", "y"}, {"EXEC"},
		{"NOSUCHCOMMAND"}, {"CLIENT", "ID"}, {"CLIENT", "NOSUCH"}, {"CONFIG", "GET"},
		{"SORT", "a"}, {"OBJECT", "ENCODING", "a"}, {"BITCOUNT", "a", "x", "1"},
	}
	run := func(addr string) (cmdstats, errorstats string, total int64) {
		c := nodetest.Dial(t, addr)
		if _, err := c.Do("CONFIG", "RESETSTAT"); err != nil {
			t.Fatal(err)
		}
		for _, args := range script {
			if _, err := c.Do(args...); err != nil {
				t.Fatalf("%s %q: %v", addr, args, err)
			}
		}
		v, err := c.Do("INFO", "commandstats")
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(string(v.Str), "\r\n") {
			if strings.HasPrefix(l, "cmdstat_") {
				lines = append(lines, usecFields.ReplaceAllString(l, ""))
			}
		}
		sort.Strings(lines)
		e, err := c.Do("INFO", "errorstats")
		if err != nil {
			t.Fatal(err)
		}
		s, err := c.Do("INFO", "stats")
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n"), string(e.Str), info.Parse(string(s.Str)).Int("total_error_replies", 0)
	}
	wantCmd, wantErr, wantTotal := run(p.Redis.Addr)
	gotCmd, gotErr, gotTotal := run(p.Node.Addr())
	if gotCmd != wantCmd {
		t.Errorf("commandstats differ:\nredis-server:\n%s\nreplscope:\n%s", wantCmd, gotCmd)
	}
	if gotErr != wantErr {
		t.Errorf("errorstats differ:\nredis-server: %q\nreplscope:    %q", wantErr, gotErr)
	}
	if gotTotal != wantTotal {
		t.Errorf("total_error_replies %d, redis-server has %d", gotTotal, wantTotal)
	}
}
