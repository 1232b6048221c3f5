package script

import (
	"strings"
	"testing"
	"time"
)

// TestSentinelVerbs parses the Sentinel verbs, prints them back in
// canonical form, and rejects their mistakes with the position.
func TestSentinelVerbs(t *testing.T) {
	src := "node a b redis\nsentinel s monitor a\nsentinel s2 monitor a quorum 2\nfailover s\n" +
		"wait master s b 30s\nwait event s2 +switch-master\n"
	sc, err := Parse("t.scn", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Step{
		{Verb: VerbSentinel, Node: "s", Target: "a", Count: 1},
		{Verb: VerbSentinel, Node: "s2", Target: "a", Count: 2},
		{Verb: VerbFailover, Node: "s"},
		{Verb: VerbWaitMaster, Node: "s", Target: "b", Timeout: 30 * time.Second},
		{Verb: VerbWaitEvent, Node: "s2", Value: "+switch-master", Timeout: DefaultWaitTimeout},
	}
	lines := strings.Split(strings.TrimSpace(src), "\n")
	for i, w := range want {
		got := sc.Steps[i+1]
		if got.Verb != w.Verb || got.Node != w.Node || got.Target != w.Target || got.Count != w.Count ||
			got.Value != w.Value || got.Timeout != w.Timeout {
			t.Errorf("step %d = %+v, want %+v", i+1, got, w)
		}
		if s := got.String(); s != lines[i+1] {
			t.Errorf("step %d prints %q, want %q", i+1, s, lines[i+1])
		}
	}
	for _, bad := range []struct{ src, msg string }{
		{"node a\nsentinel a monitor a", "already declared"},
		{"node a\nsentinel s monitor b", `node "b" is not declared`},
		{"node a\nsentinel s watch a", `expected "monitor"`},
		{"node a\nsentinel s monitor a quorum 0", "expected a quorum from 1 to 100"},
		{"node a\nfailover s", `node "s" is not declared`},
		{"node a\nsentinel s monitor a\nwait event s switch-master", "expected a Sentinel event like +switch-master"},
	} {
		if _, err := Parse("t.scn", []byte(bad.src)); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%q: error %v, want %q", bad.src, err, bad.msg)
		}
	}
}
