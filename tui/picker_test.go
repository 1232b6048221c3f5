package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// TestPickerShowsTheGuardsCause (issue 16 item 9): each candidate that
// means a full resync names the guard's cause (topology.Verdict.Cause),
// and the guard's sentence on the candidate under the cursor shows below
// the list, whole. 7003 became a master and took a replid of its own:
// every master it could follow answers "Replication ID mismatch".
func TestPickerShowsTheGuardsCause(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		m := fixtureModel(t, sz[0], sz[1], Options{Feed: newFakeFeed(), Operator: &fakeOperator{}})
		for _, k := range []string{"j", "j", "j", "a"} {
			m.Update(press(k))
		}
		s := ansi.Strip(m.View().Content)
		if sz[0] >= 120 && strings.Count(s, "full resync · replid-mismatch") != 3 {
			t.Errorf("%v: the candidates do not name the cause:\n%s", sz, s)
		}
		if !strings.Contains(s, symSyncing+" replid mismatch: 127.0.0.1:7003") {
			t.Errorf("%v: no sentence on the candidate under the cursor:\n%s", sz, s)
		}
		if strings.Contains(s, "left that history") {
			t.Errorf("%v: 7003 has no replid2, yet the guard says it left 7001's history:\n%s", sz, s)
		}
	}
}

// TestGoldenPickerWide pins the picker where its rows fit whole.
func TestGoldenPickerWide(t *testing.T) {
	m := fixtureModel(t, 120, 40, Options{Feed: newFakeFeed(), Operator: &fakeOperator{}})
	for _, k := range []string{"j", "j", "j", "a"} {
		m.Update(press(k))
	}
	golden(t, "mode-picker-120x40.golden", screen(t, m, colorprofile.NoTTY))
}
