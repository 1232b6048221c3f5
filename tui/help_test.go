package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestHelpLegend: the `?` help explains every symbol the screens use and
// the `:` command syntax, at 80×24 as at 200×60.
func TestHelpLegend(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		m := fixtureModel(t, sz[0], sz[1], Options{Feed: newFakeFeed(), Operator: &fakeOperator{}})
		m.Update(press("?"))
		s := ansi.Strip(m.View().Content)
		for _, want := range []string{"◆ master", "◇ replica", "♥ heartbeat just in", "♡ heartbeat", "‼ critical alert",
			"! warning", "⊘ unreachable", "↻ full sync", "↺ partial resync", "@ offset", "✗ link down",
			":replicaof <node> <host:port|node|no one>", ":detach <node>", ":kill-link <node>"} {
			if !strings.Contains(s, want) {
				t.Errorf("%v: the help lacks %q:\n%s", sz, want, s)
			}
		}
	}
	// read-only: no command syntax, and it says why
	m := fixtureModel(t, 80, 24, Options{Feed: newFakeFeed()})
	m.Update(press("?"))
	s := ansi.Strip(m.View().Content)
	if strings.Contains(s, ":detach") || !strings.Contains(s, "read-only: operations are off") {
		t.Errorf("the read-only help:\n%s", s)
	}
}

// TestReadOnlyKeysSayWhy: under --readonly an operation key is not
// ignored silently.
func TestReadOnlyKeysSayWhy(t *testing.T) {
	r := newRig(t, Options{ReadOnly: true})
	for _, k := range []string{"a", "d", "x", ":", "w"} {
		r.keys("j")
		if cmd := r.keys(k); cmd != nil || r.m.mode != modeNormal {
			t.Errorf("read-only %s: mode %d cmd %v", k, r.m.mode, cmd != nil)
		}
		if !strings.Contains(r.screen(), "read-only: operations are off") {
			t.Errorf("read-only %s: nothing says why:\n%s", k, r.screen())
		}
	}
}

// TestWriteLoadFeedback: w says what it did.
func TestWriteLoadFeedback(t *testing.T) {
	r := newRig(t, Options{})
	r.run(t, r.keys("w"))
	if !strings.Contains(r.screen(), "write load on") {
		t.Errorf("w on: no feedback:\n%s", r.screen())
	}
	r.run(t, r.keys("w"))
	if !strings.Contains(r.screen(), "write load off") {
		t.Errorf("w off: no feedback:\n%s", r.screen())
	}
}
