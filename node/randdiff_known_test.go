package node_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// knownDiff is a command shape on which the node differs from Redis 7.0.15
// today. The generator does not send it (unless -randdiff.known), so that
// TestRandomDifferential passes while it is being fixed. Delete the entry
// when the fix lands: TestRandDiffKnownStillDiffer says when one no longer
// differs.
type knownDiff struct {
	name    string // what differs, with the issue item that fixes it
	match   func(a []string, inMulti bool) bool
	example [][]string // commands that show it on an empty keyspace (nil: none found yet)
	freezes bool       // the example freezes the node: not probed
}

// knownDifferences: every shape excluded from the random streams, named.
var knownDifferences = []knownDiff{
	{
		// Not a behaviour Redis leaves unspecified but the node's scope:
		// it runs a subset of Redis's commands (no scripting, geo,
		// HyperLogLog, cluster, ACL, modules, CLIENT TRACKING and more),
		// so the forms that describe the whole table — COMMAND, COUNT,
		// LIST (with or without FILTERBY; Redis lists in its hash table's
		// order, itself unspecified), INFO and DOCS without names — list
		// fewer. Every form about one command (INFO/DOCS with names,
		// GETKEYS, GETKEYSANDFLAGS, HELP) is sent and compared.
		name: "COMMAND: the whole-table forms describe the node's commands, a subset of Redis's",
		match: func(a []string, _ bool) bool {
			if !isCmd(a, "COMMAND") {
				return false
			}
			if len(a) == 1 {
				return true
			}
			switch strings.ToUpper(a[1]) {
			case "COUNT", "LIST":
				return true
			case "INFO", "DOCS":
				return len(a) == 2
			}
			return false
		},
		example: [][]string{{"COMMAND", "COUNT"}},
	},
}

// matchKnown returns the entry of knownDifferences a command matches.
func matchKnown(args []string, inMulti bool) *knownDiff {
	for i := range knownDifferences {
		if knownDifferences[i].match(args, inMulti) {
			return &knownDifferences[i]
		}
	}
	return nil
}

func isCmd(a []string, name string) bool { return len(a) > 0 && strings.EqualFold(a[0], name) }

func anyEmpty(args []string) bool {
	for _, x := range args {
		if x == "" {
			return true
		}
	}
	return false
}

// TestRandDiffKnownStillDiffer runs each knownDifferences example on
// redis-server and a node and fails when the replies have become the
// same: the fix has landed and the entry must go, so that the random
// streams cover the shape again. Examples that freeze the node run on a
// node of their own with a short deadline.
func TestRandDiffKnownStillDiffer(t *testing.T) {
	rs := redistest.Start(t)
	shared := startFreezable(t, 10*time.Second)
	for _, k := range knownDifferences {
		t.Run(k.name, func(t *testing.T) {
			if k.example == nil {
				t.Skip("no minimal example yet")
			}
			n, deadline := shared, 5*time.Second
			if k.freezes {
				n, deadline = startFreezable(t, time.Second), 2*time.Second
			}
			want := runExample(t, rs.Addr, k.example, 5*time.Second)
			got := runExample(t, n.Addr(), k.example, deadline)
			if want == got {
				t.Errorf("knownDifferences entry no longer differs: delete it\n  example: %q\n  both:    %q", k.example, want)
			}
		})
	}
}

// runExample flushes the server and runs cmds on one connection,
// returning the replies (or how the connection failed).
func runExample(t *testing.T, addr string, cmds [][]string, deadline time.Duration) string {
	c, err := resp.Dial(context.Background(), addr, deadline)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	var out []byte
	for _, cmd := range append([][]string{{"FLUSHALL"}}, cmds...) {
		if err := c.Send(cmd...); err != nil {
			return string(out) + "send failed: " + err.Error()
		}
		raw, err := c.Reader().ReadRaw()
		if err != nil {
			return string(out) + "no reply: " + err.Error()
		}
		out = append(out, raw...)
	}
	return string(out)
}
