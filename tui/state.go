package tui

import (
	"strings"
	"time"

	"github.com/replscope/replscope/topology"
)

// state is what every pane reads: the look, the keys, the current
// snapshot with its tree layout, and what the dashboard remembers across
// snapshots. The root Model owns it; panes hold a pointer and never
// change it.
type state struct {
	styles   Styles
	keys     KeyMap
	readOnly bool
	title    string
	subtitle string

	graph   *topology.Graph
	rows    []topology.Row
	hist    *history
	caption string

	// A scenario's outcome: the steps that failed so far, and once it
	// ended, its verdict (PASS or FAIL) and summary.
	failedSteps int
	verdict     string
	summary     string

	load   WriteLoad
	loadOn bool
	pacer  Pacer
	speed  float64
	// stepper is the feed's Stepper; selfPaused says the feed holds its
	// own story when paused (a Stepper and a Pauser), so the dashboard
	// does not hold its snapshots.
	stepper    Stepper
	selfPaused bool

	paused     bool
	held       int // updates held while paused
	feedClosed bool

	now func() time.Time
}

// apply installs a snapshot: layout, history and caption.
func (s *state) apply(u topology.Update) {
	if u.Graph != nil {
		s.graph = u.Graph
		s.rows = topology.Layout(u.Graph)
		s.hist.observe(u.Graph)
	}
	for _, e := range u.Events {
		switch e.Kind {
		case EventCaption:
			s.caption = e.Detail
		case EventStepFailed:
			s.failedSteps++
		case EventScenarioDone:
			s.verdict, s.summary = "FAIL", e.Detail
			if passed(e.Detail) {
				s.verdict = "PASS"
			}
		}
	}
}

// passed reports whether a scenario's summary starts with PASS.
func passed(summary string) bool { return strings.HasPrefix(summary, "PASS") }

// node returns the node with id in the current snapshot, or nil.
func (s *state) node(id topology.NodeID) *topology.Node {
	return s.graph.Node(id)
}
