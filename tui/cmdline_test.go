package tui

import (
	"testing"

	"github.com/replscope/replscope/topology"
)

func TestResolveNode(t *testing.T) {
	g := fixtureGraph(t0, 0)
	g.Nodes[1].Aliases = []string{"10.0.0.2:6380"}
	cases := []struct {
		ref, want, err string
	}{
		{"127.0.0.1:7002", "127.0.0.1:7002", ""},
		{"localhost:7002", "127.0.0.1:7002", ""},
		{"7003", "127.0.0.1:7003", ""},
		{":7004", "127.0.0.1:7004", ""},
		{"6380", "127.0.0.1:7002", ""},
		{"10.0.0.2:6380", "127.0.0.1:7002", ""},
		{"run-r2", "127.0.0.1:7003", ""},
		{"run-r", "", `no node "run-r" in the topology`},
		{"9999", "", "no node listens on port 9999"},
		{"nonsense", "", `no node "nonsense" in the topology`},
	}
	for _, c := range cases {
		t.Run(c.ref, func(t *testing.T) {
			n, err := resolveNode(g, c.ref)
			switch {
			case c.err != "":
				if err == nil || err.Error() != c.err {
					t.Errorf("err %v, want %q", err, c.err)
				}
			case err != nil:
				t.Errorf("err %v", err)
			case n.Addr != c.want:
				t.Errorf("got %s, want %s", n.Addr, c.want)
			}
		})
	}
	dup := fixtureGraph(t0, 0)
	dup.Nodes = append(dup.Nodes, &topology.Node{ID: "x", Addr: "10.0.0.9:7002", Reach: topology.ReachOK})
	if _, err := resolveNode(dup, "7002"); err == nil {
		t.Error("an ambiguous port resolved")
	}
}

func TestParseCommandWithoutTopology(t *testing.T) {
	if _, err := parseCommand(nil, "detach 7002"); err == nil {
		t.Error("a command without a snapshot parsed")
	}
}
