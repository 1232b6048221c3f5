package tui

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/replscope/replscope/topology"
)

// TestProgram runs the dashboard in a real Bubble Tea program (teatest):
// the feed subscription delivers a snapshot, the keys detach a node after
// the (y/N) prompt, the operation runs in a command, and q quits.
func TestProgram(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	feed, op := newFakeFeed(), &fakeOperator{}
	m := New(ctx, Options{Feed: feed, Operator: op, Title: "replscope test", Now: func() time.Time { return t0 }})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	feed.ch <- topology.Update{Graph: fixtureGraph(t0, 44), Events: fixtureEvents(t0)}
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	wait("full-sync-started")
	tm.Type("jd")
	wait("Proceed")
	tm.Type("y")
	deadline := time.Now().Add(5 * time.Second)
	for !slices.Equal(op.Calls(), []string{"detach run-r1 force=false"}) {
		if time.Now().After(deadline) {
			t.Fatalf("operator calls %v", op.Calls())
		}
		time.Sleep(10 * time.Millisecond)
	}
	wait("is now a master")
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if n, _ := feed.counts(); n == 0 {
		t.Error("no refresh after the operation")
	}
}
