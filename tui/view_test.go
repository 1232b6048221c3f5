package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

func TestFeedSubscription(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f := newFakeFeed()
	m := New(ctx, Options{Feed: f})
	cmd := m.Init()
	g := fixtureGraph(t0, 0)
	f.ch <- topology.Update{Graph: g}
	msg := cmd()
	if u, ok := msg.(updateMsg); !ok || u.u.Graph != g {
		t.Fatalf("got %T", msg)
	}
	_, next := m.Update(msg)
	if next == nil || m.st.graph != g {
		t.Fatal("the subscription was not re-armed after an update")
	}
	close(f.ch)
	if _, ok := next().(feedClosedMsg); !ok {
		t.Fatal("a closed feed did not say so")
	}
	cancel()
	if msg := waitForUpdate(ctx, newFakeFeed())(); msg != nil {
		t.Errorf("a cancelled subscription returned %T", msg)
	}
	m.Update(feedClosedMsg{})
	if !strings.Contains(ansi.Strip(m.View().Content), "feed ended") {
		t.Error("the end of the feed is not shown")
	}
}

func TestCaptionEvent(t *testing.T) {
	r := newRig(t, Options{})
	r.m.Update(updateMsg{topology.Update{Events: []topology.Event{{Time: t0, Kind: EventCaption, Detail: "the link drops; watch the backlog"}}}})
	s := r.screen()
	if !strings.Contains(s, "» the link drops; watch the backlog") {
		t.Errorf("caption not shown:\n%s", s)
	}
	if got := len(strings.Split(s, "\n")); got != 30 {
		t.Errorf("%d lines with a caption, want 30", got)
	}
}

// TestViewFitsEverySize checks the frame is exactly w×h at every size,
// in every mode, down to tiny windows.
func TestViewFitsEverySize(t *testing.T) {
	sizes := [][2]int{{80, 24}, {160, 48}, {100, 30}, {60, 20}, {40, 12}, {20, 5}, {200, 60}}
	modes := [][]string{nil, {"?"}, {"j", "d"}, {"j", "a"}, {"/"}, {"tab"}, {"tab", "tab"}, {"tab", "tab", "k", "enter"}}
	for _, sz := range sizes {
		for _, keys := range modes {
			m := fixtureModel(t, sz[0], sz[1], Options{Feed: newFakeFeed(), Operator: &fakeOperator{}, Load: &fakeLoad{}})
			for _, k := range keys {
				m.Update(press(k))
			}
			lines := strings.Split(m.View().Content, "\n")
			if len(lines) != sz[1] {
				t.Errorf("%v %v: %d lines", sz, keys, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != sz[0] {
					t.Errorf("%v %v: line %d is %d wide: %q", sz, keys, i, w, ansi.Strip(l))
					break
				}
			}
		}
	}
}

func TestNoColorEnv(t *testing.T) {
	for env, want := range map[string]bool{"NO_COLOR=1": true, "NO_COLOR=yes": true, "NO_COLOR=": false, "TERM=xterm": false} {
		if got := noColor([]string{env}); got != want {
			t.Errorf("%s: noColor %v", env, got)
		}
	}
}

// TestDeepViewFitsEverySize: the deep chain's frame is exactly w×h too,
// however many columns the tree drops.
func TestDeepViewFitsEverySize(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {60, 20}, {40, 12}, {20, 5}, {200, 60}} {
		lines := strings.Split(deepModel(t, sz[0], sz[1], 546000737).View().Content, "\n")
		if len(lines) != sz[1] {
			t.Errorf("%v: %d lines", sz, len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w != sz[0] {
				t.Errorf("%v: line %d is %d wide: %q", sz, i, w, ansi.Strip(l))
				break
			}
		}
	}
}
