package tui

import (
	tea "charm.land/bubbletea/v2"

	"strings"
	"testing"

	"github.com/replscope/replscope/topology"
)

// TestTreeShowsSentinelGroup: the tree rows of a Sentinel-managed group's
// nodes carry "◎<group>" beside the address, at 80×24 too, with the
// badge still whole; other nodes carry none, and `/` finds the group by
// name.
func TestTreeShowsSentinelGroup(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		r := newRig(t, Options{})
		r.m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		g := fixtureGraph(t0, 44)
		g.Sentinels = []topology.SentinelGroup{{Name: "mymaster", Master: "127.0.0.1:7001", Quorum: 1,
			Replicas: []topology.SentinelReplica{{Addr: "127.0.0.1:7002"}, {Addr: "127.0.0.1:7003"}}}}
		r.m.Update(updateMsg{topology.Update{Graph: g}})
		s := r.screen()
		row := func(port string) string {
			for _, l := range strings.Split(s, "\n") {
				if i := strings.Index(l, ":"+port+" "); i >= 0 && i < sz[0]/2 {
					if j := strings.Index(l[i:], "│"); j >= 0 { // the tree pane's edge
						return l[:i+j]
					}
					return l
				}
			}
			t.Fatalf("%v: no tree row for %s:\n%s", sz, port, s)
			return ""
		}
		for _, p := range []string{"7001", "7002", "7003"} {
			l := row(p)
			if !strings.Contains(l, ":"+p+" "+symSentinel+"mymaster") {
				t.Errorf("%v: row of %s has no Sentinel marker: %q", sz, p, l)
			}
		}
		if l := row("7002"); !strings.Contains(l, symOnline) {
			t.Errorf("%v: the marker pushed the badge out: %q", sz, l)
		}
		if l := row("7004"); strings.Contains(l, symSentinel) {
			t.Errorf("%v: an unmanaged node has a marker: %q", sz, l)
		}
		r.m.tree.setFilter("mymaster")
		if n := len(r.m.tree.rows); n != 3 {
			t.Errorf("%v: /mymaster shows %d rows, want 3", sz, n)
		}
	}
}
