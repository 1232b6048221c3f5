package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/scenarios/script"
	"github.com/replscope/replscope/topology"
	"github.com/replscope/replscope/tui"
)

// TestShowPaceControls checks the dashboard's controls: a paused Show runs
// nothing, Next lets exactly one step through, unpausing plays to the end,
// and captions and steps reach the feed.
func TestShowPaceControls(t *testing.T) {
	sc, err := script.Parse("show.scn", []byte("# show\nnode a\nsay \"one\"\nwrite a 1\nsay \"two\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, Options{})
	obs := watch(t, c, WatchOptions{})
	defer obs.Close()
	s := NewShow(NewPlayer(sc, c, obs), obs, ShowOptions{Paused: true, StepPause: 10 * time.Millisecond, CaptionHold: 10 * time.Millisecond})
	events := make(chan topology.Event, 100)
	go func() { // drains the feed until the Watcher closes it
		for u := range s.Updates() {
			for _, e := range u.Events {
				if e.Source == "scenario" || e.Kind == EventScenarioDone {
					events <- e
				}
			}
		}
	}()
	s.Start()
	defer s.Close()

	time.Sleep(100 * time.Millisecond) // a paused Show must stay put: nothing to wait for
	if got := s.Summary().Run; got != 0 {
		t.Fatalf("%d steps ran while paused", got)
	}
	if st := s.Status(); !strings.Contains(st, "step 1/4 · ⏸ paused · ×1") {
		t.Errorf("status %q", st)
	}
	s.Next()
	waitFor(t, "one step", func() bool { return s.Summary().Run == 1 })
	s.Next()
	waitFor(t, "the caption", func() bool { return s.Caption() == "one" })
	time.Sleep(50 * time.Millisecond) // still paused after the two steps asked for
	if got := s.Summary().Run; got != 2 {
		t.Fatalf("%d steps ran, want 2", got)
	}
	s.SetPaused(false)
	select {
	case <-s.Finished():
	case <-time.After(10 * time.Second):
		t.Fatal("the Show did not finish")
	}
	if sum := s.Summary(); !sum.Passed() || sum.Run != 4 {
		t.Errorf("summary %+v", sum)
	}
	var kinds []string
	deadline := time.After(5 * time.Second)
	for len(kinds) < 5 {
		select {
		case e := <-events:
			kinds = append(kinds, string(e.Kind)+" "+e.Detail)
		case <-deadline:
			t.Fatalf("events so far: %q", kinds)
		}
	}
	want := []string{"step 1/4 node a", "caption one", "step 3/4 write a 1", "caption two", "scenario-done PASS show: 4/4 steps"}
	for i, w := range want {
		if !strings.HasPrefix(kinds[i], w) {
			t.Errorf("event %d = %q, want prefix %q", i, kinds[i], w)
		}
	}
}

// TestShowSpeed checks the pace bounds.
func TestShowSpeed(t *testing.T) {
	s := &Show{speed: 1, wake: make(chan struct{}, 1)}
	s.Faster()
	if s.Speed() != 2 {
		t.Errorf("Faster: %v", s.Speed())
	}
	s.SetSpeed(100)
	if s.Speed() != MaxSpeed {
		t.Errorf("SetSpeed(100): %v", s.Speed())
	}
	for range 10 {
		s.Slower()
	}
	if s.Speed() != MinSpeed {
		t.Errorf("after slowing down: %v", s.Speed())
	}
}

// showEvents plays src in a Show with short pauses and returns the
// scenario's events once it finished, with the Show's summary.
func showEvents(t *testing.T, src string, pause time.Duration) ([]topology.Event, Summary) {
	t.Helper()
	sc, err := script.Parse("show.scn", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c := newCluster(t, Options{})
	obs := watch(t, c, WatchOptions{})
	defer obs.Close()
	s := NewShow(NewPlayer(sc, c, obs), obs, ShowOptions{StepPause: pause, CaptionHold: pause})
	events := make(chan topology.Event, 100)
	go func() { // drains the feed until the Watcher closes it
		defer close(events)
		for u := range s.Updates() {
			for _, e := range u.Events {
				if e.Source == "scenario" || e.Kind == EventScenarioDone {
					events <- e
				}
			}
		}
	}()
	s.Start()
	defer s.Close()
	select {
	case <-s.Finished():
	case <-time.After(20 * time.Second):
		t.Fatal("the Show did not finish")
	}
	var out []topology.Event
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-events:
			out = append(out, e)
			if e.Kind == EventScenarioDone {
				return out, s.Summary()
			}
		case <-deadline:
			t.Fatalf("no scenario-done event; so far %v", out)
		}
	}
}

// TestShowSummaryWallTime: the summary's duration is the time the
// scenario took on the dashboard, pauses included, not the sum of the
// steps' own times (0.07s for a 27s show).
func TestShowSummaryWallTime(t *testing.T) {
	pause := 150 * time.Millisecond
	evs, sum := showEvents(t, "# wall\nnode a\nwrite a 1\nwrite a 1\n", pause)
	if sum.Dur < 2*pause {
		t.Errorf("summary duration %v for a show with two %v pauses between its steps", sum.Dur, pause)
	}
	done := evs[len(evs)-1].Detail
	if !strings.HasPrefix(done, "PASS show: 3/3 steps") || !strings.HasSuffix(done, FormatDur(sum.Dur)) {
		t.Errorf("scenario-done %q (summary %v)", done, sum.Dur)
	}
}

// TestShowFailedExpect: a false expect is a step-failed event naming
// what was expected, and the scenario ends in FAIL.
func TestShowFailedExpect(t *testing.T) {
	evs, sum := showEvents(t, "# fails\nnode a\nexpect a role replica\nwrite a 1\n", time.Millisecond)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, string(e.Kind))
	}
	want := []string{string(EventStep), string(EventStepFailed), string(EventStep), string(EventScenarioDone)}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	if !strings.Contains(evs[1].Detail, "expected a role replica") || sum.Passed() {
		t.Errorf("step-failed %q, passed %v", evs[1].Detail, sum.Passed())
	}
	if !strings.HasPrefix(evs[3].Detail, "FAIL show:") {
		t.Errorf("scenario-done %q", evs[3].Detail)
	}
}

// TestEventKindsMatchDashboard: the dashboard recognises a Show's events
// by these values (it does not import scenarios).
func TestEventKindsMatchDashboard(t *testing.T) {
	pairs := [][2]topology.EventKind{{EventCaption, tui.EventCaption}, {EventStep, tui.EventStep},
		{EventStepFailed, tui.EventStepFailed}, {EventScenarioDone, tui.EventScenarioDone}}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("scenarios %q, tui %q", p[0], p[1])
		}
	}
}
