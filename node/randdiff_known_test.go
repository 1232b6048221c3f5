package node_test

import (
	"context"
	"strconv"
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
		// Seen once (seed 3 of an earlier table): after MULTI, ZADD z:3 CH
		// -0 b, EXEC, Redis's ZRANGE z:3 0 -1 WITHSCORES had "b" "-0", the
		// node's "b" "0" (z:3 also held the member 9223372036854775807).
		// The simple cases agree; no minimal example yet.
		name: "a -0 score: after some ZADD ... -0 Redis prints the score as -0 and the node as 0",
		match: func(a []string, _ bool) bool {
			return (isCmd(a, "ZADD") || isCmd(a, "ZINCRBY")) && strings.Contains(strings.Join(a, "\x00")+"\x00", "\x00-0\x00")
		},
	},
	{
		name: "error texts echo an argument past NUL or with its trailing CR/LF (Redis trims CR/LF, stops at NUL) (#17.5)",
		match: func(a []string, _ bool) bool {
			return (hasPrefixFold(a, "EXPIRE") || hasPrefixFold(a, "PEXPIRE")) && len(a) > 3 && anyControl(a[3:])
		},
		example: [][]string{{"EXPIRE", "k", "1", "x\x00y"}, {"EXPIRE", "k", "1", "x\r\n"}},
	},
	{
		name: "COMMAND: COUNT/LIST/DOCS/GETKEYS describe Redis's whole command table, INFO nosuch is *1 $-1 (#17.5, #17.6)",
		match: func(a []string, _ bool) bool {
			return isCmd(a, "COMMAND") && (len(a) == 1 || !strings.EqualFold(a[1], "NOSUCH"))
		},
		example: [][]string{{"COMMAND", "COUNT"}},
	},
	{
		name:    "HELLO 3: RESP3 is missing (#17.6)",
		match:   func(a []string, _ bool) bool { return isCmd(a, "HELLO") && len(a) > 1 && a[1] == "3" },
		example: [][]string{{"HELLO", "3"}},
	},
	{
		name: "HELLO ... AUTH user pass followed by a bad option: Redis authenticates as it parses (WRONGPASS), the node reports the option (syntax error)",
		match: func(a []string, _ bool) bool {
			for i := 2; isCmd(a, "HELLO") && i < len(a); i++ {
				if strings.EqualFold(a[i], "AUTH") && len(a) > i+3 {
					return true
				}
			}
			return false
		},
		example: [][]string{{"HELLO", "2", "AUTH", "a", "b", "x"}},
	},
	{
		name:    "inside MULTI an unknown subcommand or a subcommand's wrong arity is queued instead of refused (EXECABORT) (#17.5)",
		match:   func(a []string, inMulti bool) bool { return inMulti && badSubcommand(a) },
		example: [][]string{{"MULTI"}, {"CLIENT", "NOSUCH"}},
	},
}

// badSubcommand reports a CLIENT, PUBSUB, CONFIG, COMMAND, XGROUP or XINFO
// call with an unknown subcommand or the wrong number of arguments for it.
func badSubcommand(a []string) bool {
	if len(a) < 2 {
		return isCmd(a, "CLIENT") || isCmd(a, "PUBSUB") || isCmd(a, "CONFIG") || isCmd(a, "XGROUP") || isCmd(a, "XINFO")
	}
	sub, n := strings.ToUpper(a[1]), len(a)
	switch {
	case isCmd(a, "CONFIG"):
		return !(sub == "GET" && n >= 3 || sub == "SET" && n >= 4)
	case isCmd(a, "COMMAND"):
		return sub == "NOSUCH"
	case isCmd(a, "CLIENT"):
		return !(sub == "GETNAME" && n == 2 || sub == "SETNAME" && n == 3)
	case isCmd(a, "PUBSUB"):
		return !(sub == "CHANNELS" && n <= 3 || sub == "NUMPAT" && n == 2 || sub == "NUMSUB")
	case isCmd(a, "XGROUP"):
		return !((sub == "CREATE" || sub == "SETID") && n >= 5 || sub == "DESTROY" && n == 4 ||
			(sub == "CREATECONSUMER" || sub == "DELCONSUMER") && n == 5 || sub == "HELP" && n == 2)
	case isCmd(a, "XINFO"):
		return !(sub == "STREAM" && n >= 3 || sub == "GROUPS" && n == 3 || sub == "CONSUMERS" && n == 4 || sub == "HELP" && n == 2)
	}
	return false
}

func hasPrefixFold(a []string, prefix string) bool {
	return len(a) > 0 && strings.HasPrefix(strings.ToUpper(a[0]), prefix)
}

func anyControl(args []string) bool {
	for _, x := range args {
		if strings.ContainsAny(x, "\x00\r\n") {
			return true
		}
	}
	return false
}

// outsideInt32 reports an integer text outside [-2^31, 2^31-1].
func outsideInt32(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && (n < -1<<31 || n > 1<<31-1) || err != nil && hugeInt(s)
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

// hugeInt reports an integer text of 10 digits or more (|n| ≥ 10^9).
func hugeInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return len(s) >= 10 && strings.Trim(s, "0123456789") == ""
}

func anyEmpty(args []string) bool {
	for _, x := range args {
		if x == "" {
			return true
		}
	}
	return false
}

// pastTime reports a positive unix time (s or ms) before 2020.
func pastTime(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0 && n < 1577836800
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

// hasOption reports an option name (any case) followed by value.
func hasOption(a []string, name, value string) bool {
	for i := 1; i+1 < len(a); i++ {
		if strings.EqualFold(a[i], name) && a[i+1] == value {
			return true
		}
	}
	return false
}
