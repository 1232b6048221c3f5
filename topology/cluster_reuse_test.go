package topology

import (
	"reflect"
	"strings"
	"testing"
)

// TestReusePeers checks that a node's CLUSTER NODES reply read against
// its previous view gives what a fresh parse gives, and that a reply
// whose lines changed only in ping-sent/pong-recv reuses the previous
// peers without parsing (the same slice).
func TestReusePeers(t *testing.T) {
	const host = "10.0.0.1"
	a, _ := synthClusterText(4, 1, 2, 0)
	b, _ := synthClusterText(4, 1, 2, 1) // every line's ping/pong moved
	prev := clusterFromReplies(host+":6379", "cluster_state:ok\r\n", a, nil)
	if prev == nil {
		t.Fatal("no view")
	}
	fresh := func(text string) []ClusterPeer {
		t.Helper()
		ps, err := ParseClusterNodes(text, host)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	lines := strings.SplitAfter(b, "\n")
	failed := strings.Replace(lines[1], " master ", " master,fail? ", 1)
	cases := []struct {
		name  string
		text  string
		reuse bool // the previous slice itself
	}{
		{"times only", b, true},
		{"one flag changed", strings.Replace(b, lines[1], failed, 1), false},
		{"a line gone", strings.Replace(b, lines[3], "", 1), false},
		{"a line added", b + "ffff000000000000000000000000000000000000 10.9.9.9:6379@16379 master - 0 0 9 connected\n", false},
		{"epoch changed", strings.Replace(b, lines[0], strings.Replace(lines[0], " 1 connected", " 7 connected", 1), 1), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := reusePeers(c.text, host, prev)
			if err != nil {
				t.Fatal(err)
			}
			if want := fresh(c.text); !reflect.DeepEqual(got, want) {
				t.Fatalf("reused parse differs from a fresh one:\n got %+v\nwant %+v", got, want)
			}
			same := len(got) > 0 && &got[0] == &prev.Peers[0]
			if same != c.reuse {
				t.Fatalf("shares the previous slice: %v, want %v", same, c.reuse)
			}
		})
	}
}
