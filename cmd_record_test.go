package main

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/replscope/replscope/record"
	"github.com/replscope/replscope/topology"
	"github.com/replscope/replscope/tui"
)

// showFeed is a feed with a scenario's controls.
type showFeed struct {
	ch     chan topology.Update
	paused bool
	speed  float64
	nexts  int
}

func (f *showFeed) Updates() <-chan topology.Update { return f.ch }
func (f *showFeed) Refresh()                        {}
func (f *showFeed) SetPaused(p bool)                { f.paused = p }
func (f *showFeed) Next()                           { f.nexts++ }
func (f *showFeed) Speed() float64                  { return f.speed }
func (f *showFeed) SetSpeed(x float64)              { f.speed = x }

// TestRecordFeed: the tee between a feed and the dashboard records every
// update on its way through, keeps a scenario's controls on the feed,
// and ends when the feed does.
func TestRecordFeed(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tee.jsonl")
	var errOut bytes.Buffer
	rec, err := startRecorder(file, "play", "test", &errOut)
	if err != nil {
		t.Fatal(err)
	}
	src := &showFeed{ch: make(chan topology.Update), speed: 1}
	feed, stop := recordFeed(src, rec)
	defer stop()
	if _, ok := feed.(tui.Pauser); !ok {
		t.Fatal("the recorded feed lost Pauser")
	}
	feed.(tui.Pacer).SetSpeed(4)
	feed.(tui.Stepper).Next()
	if src.speed != 4 || src.nexts != 1 {
		t.Errorf("controls did not reach the feed: speed %g, nexts %d", src.speed, src.nexts)
	}
	at := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	for i := range 3 {
		g := &topology.Graph{At: at.Add(time.Duration(i) * time.Second), Nodes: []*topology.Node{{ID: "x",
			Addr: "127.0.0.1:1", Reach: topology.ReachUnreachable, Role: topology.RoleUnknown, Error: string(rune('a' + i))}}}
		u := topology.Update{Graph: g}
		if i == 1 {
			u.Events = []topology.Event{{Time: g.At, Kind: topology.EventReachChanged, Node: "x", Addr: "127.0.0.1:1", Source: "poll"}}
		}
		src.ch <- u
		if got := <-feed.Updates(); got.Graph != g {
			t.Fatalf("update %d did not come through", i)
		}
	}
	close(src.ch)
	if _, ok := <-feed.Updates(); ok {
		t.Error("the tee did not end with its feed")
	}
	rec.Close(true)
	r, err := record.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Steps) != 3 || len(r.EventsUpTo(2)) != 1 || r.Header.Source != "play test" {
		t.Errorf("recorded %d steps, %d events, source %q", len(r.Steps), len(r.EventsUpTo(2)), r.Header.Source)
	}
	if errOut.Len() > 0 {
		t.Errorf("stderr: %s", errOut.String())
	}
	plain, stopPlain := recordFeed(&plainFeed{}, nil)
	defer stopPlain()
	if _, ok := plain.(*plainFeed); !ok {
		t.Error("no recorder: the feed should be the source itself")
	}
}

type plainFeed struct{}

func (plainFeed) Updates() <-chan topology.Update { return nil }
func (plainFeed) Refresh()                        {}
