package tui

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// scenarioFeed is a fakeFeed that plays a story: a Pauser, a Pacer and a
// Stepper, like a scenario being played.
type scenarioFeed struct {
	*pacedFeed
	mu    sync.Mutex
	nexts int
}

func newScenarioFeed() *scenarioFeed {
	return &scenarioFeed{pacedFeed: &pacedFeed{fakeFeed: newFakeFeed(), speed: 1}}
}

func (s *scenarioFeed) Next() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nexts++
}

func (s *scenarioFeed) steps() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nexts
}

// scenarioModel is the dashboard of `replscope play` over feed, with a
// caption on screen.
func scenarioModel(t *testing.T, feed *scenarioFeed, w, h int) *Model {
	t.Helper()
	m := fixtureModel(t, w, h, Options{Feed: feed, ReadOnly: true, Title: "replscope play",
		Subtitle: "link-drop"})
	m.Update(updateMsg{topology.Update{Events: []topology.Event{
		{Time: t0, Kind: EventCaption, Detail: "the link between a and b is cut", Source: "scenario"},
		{Time: t0, Kind: "step", Detail: "7/17 cut b · 0.00s", Source: "scenario"},
	}}})
	return m
}

// TestStepKeys checks the scenario keys: n runs the next step, space (or
// p) pauses the story rather than the screen, and both are in the help
// only for a feed that steps.
func TestStepKeys(t *testing.T) {
	feed := newScenarioFeed()
	m := scenarioModel(t, feed, 100, 30)
	r := &rig{m: m, feed: feed.fakeFeed}
	screen := r.screen()
	for _, want := range []string{"space pause", "n next step", "+ faster", "- slower", "» the link between a and b is cut"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the scenario dashboard lacks %q:\n%s", want, screen)
		}
	}
	r.run(t, r.keys("n"))
	if feed.steps() != 1 {
		t.Fatalf("n asked for %d steps, want 1", feed.steps())
	}
	r.run(t, r.keys(" "))
	if _, paused := feed.counts(); !r.m.st.paused || !slices.Equal(paused, []bool{true}) {
		t.Fatalf("space: dashboard paused %v, feed told %v", r.m.st.paused, paused)
	}
	if s := r.screen(); !strings.Contains(s, "‖ paused") || !strings.Contains(s, "paused before the next step: space resumes, n runs one step") {
		t.Errorf("the paused scenario is not shown as such:\n%s", s)
	}
	// The story is paused, not the screen: a step let through with n and
	// its snapshot show at once.
	r.run(t, r.keys("n"))
	later := fixtureGraph(t0.Add(5*time.Second), 0)
	r.m.Update(updateMsg{topology.Update{Graph: later, Events: []topology.Event{
		{Time: later.At, Kind: EventCaption, Detail: "the link heals", Source: "scenario"}}}})
	if feed.steps() != 2 || r.m.st.graph != later || r.m.st.held != 0 || r.m.st.caption != "the link heals" {
		t.Errorf("while paused: %d steps, graph applied %v, %d held, caption %q",
			feed.steps(), r.m.st.graph == later, r.m.st.held, r.m.st.caption)
	}
	r.run(t, r.keys("p"))
	if _, paused := feed.counts(); r.m.st.paused || !slices.Equal(paused, []bool{true, false}) {
		t.Errorf("p: dashboard paused %v, feed told %v", r.m.st.paused, paused)
	}
	// Without a Stepper: no n, and space pauses the display as p does.
	rr := newRig(t, Options{})
	if cmd := rr.keys("n"); cmd != nil {
		t.Error("n without a Stepper returned a command")
	}
	rr.run(t, rr.keys(" "))
	if !rr.m.st.paused || !rr.m.holding() {
		t.Error("space did not pause a dashboard without a Stepper")
	}
	rr.keys("?")
	if s := ansi.Strip(rr.m.View().Content); strings.Contains(s, "next step") || !strings.Contains(s, "p pause") {
		t.Errorf("the help of a dashboard without a Stepper:\n%s", s)
	}
}

// TestGoldenScenario pins `replscope play`'s dashboard, paused, at 80×24
// without colour, and its help.
func TestGoldenScenario(t *testing.T) {
	for _, c := range []struct {
		name string
		keys []string
	}{{"scenario", []string{" "}}, {"scenario-help", []string{"?"}}} {
		t.Run(c.name, func(t *testing.T) {
			m := scenarioModel(t, newScenarioFeed(), 80, 24)
			for _, k := range c.keys {
				m.Update(press(k))
			}
			golden(t, "mode-"+c.name+".golden", screen(t, m, colorprofile.NoTTY))
		})
	}
}

// failingRun is the end of a scenario in which an expect did not hold.
func failingRun() []topology.Event {
	return []topology.Event{
		{Time: t0, Kind: EventStep, Detail: "8/17 wait synced b · 1.20s · b at offset 4821", Source: "scenario"},
		{Time: t0, Kind: EventStepFailed, Addr: "127.0.0.1:7002", Detail: "9/17 expect b sync partial · 0.00s · FAIL: expected b's last sync partial, saw full", Source: "scenario"},
		{Time: t0, Kind: EventScenarioDone, Detail: "FAIL link-drop: 17/17 steps, 4/5 expects held, 27.31s"},
	}
}

// TestScenarioVerdict: a failed expect is logged with the failing glyph
// and turns the header red; the end of the run says PASS or FAIL in the
// header and the summary in the status bar.
func TestScenarioVerdict(t *testing.T) {
	evs := failingRun()
	m := scenarioModel(t, newScenarioFeed(), 100, 30)
	m.Update(updateMsg{topology.Update{Events: evs[:2]}})
	s := ansi.Strip(m.View().Content)
	header := strings.SplitN(s, "\n", 2)[0]
	if !strings.Contains(header, symLinkDown+" 1 failed") {
		t.Errorf("the header does not count the failed expect: %q", header)
	}
	if !strings.Contains(s, symLinkDown+" step-failed") || !strings.Contains(s, symOnline+" step ") {
		t.Errorf("the steps are not logged with their outcome's glyph:\n%s", s)
	}
	m.Update(updateMsg{topology.Update{Events: evs[2:]}})
	s = ansi.Strip(m.View().Content)
	header = strings.SplitN(s, "\n", 2)[0]
	if !strings.Contains(header, symLinkDown+" FAIL") {
		t.Errorf("the header does not say FAIL: %q", header)
	}
	if !strings.Contains(s, "FAIL link-drop: 17/17 steps, 4/5 expects held, 27.31s") {
		t.Errorf("the summary is not shown:\n%s", s)
	}
	if got := m.st.styles.Crit.Render(symLinkDown + " FAIL"); !strings.Contains(m.View().Content, got) {
		t.Errorf("FAIL is not in the critical style")
	}

	p := scenarioModel(t, newScenarioFeed(), 100, 30)
	p.Update(updateMsg{topology.Update{Events: []topology.Event{
		{Time: t0, Kind: EventScenarioDone, Detail: "PASS link-drop: 17/17 steps, 5/5 expects held, 27.31s"}}}})
	if header := strings.SplitN(ansi.Strip(p.View().Content), "\n", 2)[0]; !strings.Contains(header, symOnline+" PASS") {
		t.Errorf("the header does not say PASS: %q", header)
	}
}

// TestGoldenScenarioFailed pins the end of a failing run at 80×24.
func TestGoldenScenarioFailed(t *testing.T) {
	m := scenarioModel(t, newScenarioFeed(), 80, 24)
	m.Update(updateMsg{topology.Update{Events: failingRun()}})
	golden(t, "mode-scenario-failed.golden", screen(t, m, colorprofile.NoTTY))
}
