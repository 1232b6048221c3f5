package tui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/topology"
)

// Feed delivers topology snapshots with the events since the previous one.
// A *topology.Watcher is a Feed. Updates is closed when the feed ends;
// Refresh asks for a new snapshot as soon as possible.
type Feed interface {
	Updates() <-chan topology.Update
	Refresh()
}

// Pauser is implemented by feeds that can hold their own progress while
// the dashboard is paused (a scenario being played). Feeds that do not
// implement it keep running; the dashboard then holds their updates.
type Pauser interface {
	SetPaused(paused bool)
}

// Stepper is implemented by feeds that play a story step by step (a
// scenario): `n` runs the next step at once, paused or not. A Stepper that
// is also a Pauser holds its own story while the dashboard is paused, so
// the dashboard goes on drawing its snapshots: the cluster, and what the
// steps `n` lets through do to it, stay live on screen.
type Stepper interface {
	Next()
}

// stepCmd asks a Stepper for its next step.
func stepCmd(s Stepper) tea.Cmd {
	return func() tea.Msg {
		s.Next()
		return nil
	}
}

// Pacer is implemented by feeds that replay at an adjustable speed (a
// scenario): `+` and `-` double and halve it, within [minSpeed, maxSpeed].
type Pacer interface {
	Speed() float64
	SetSpeed(x float64)
}

// The speeds `+` and `-` stay within.
const (
	minSpeed = 0.25
	maxSpeed = 16
)

// speedMsg reports a Pacer's speed after a change.
type speedMsg struct{ x float64 }

// setSpeedCmd changes a Pacer's speed.
func setSpeedCmd(p Pacer, x float64) tea.Cmd {
	return func() tea.Msg {
		p.SetSpeed(x)
		return speedMsg{p.Speed()}
	}
}

// WriteLoad is the demo's background write load, toggled with `w`.
type WriteLoad interface {
	SetEnabled(on bool)
	Enabled() bool
}

// The event kinds of a scenario being played (scenarios.Show publishes
// them; the values are the contract, the dashboard does not import
// scenarios).
const (
	// EventCaption is a caption ("say"): the dashboard shows its Detail
	// under the header and logs it.
	EventCaption topology.EventKind = "caption"
	// EventStep is a step that went as expected.
	EventStep topology.EventKind = "step"
	// EventStepFailed is an expect that did not hold or a step that could
	// not run: the header counts them in red.
	EventStepFailed topology.EventKind = "step-failed"
	// EventScenarioDone ends the run; its Detail is the summary and starts
	// with the verdict, PASS or FAIL, which the header then shows.
	EventScenarioDone topology.EventKind = "scenario-done"
)

// updateMsg carries one snapshot from the feed.
type updateMsg struct{ u topology.Update }

// feedClosedMsg says the feed's channel was closed.
type feedClosedMsg struct{}

// waitForUpdate is the feed subscription: a command that waits for the next
// snapshot and is re-armed after each one (bubbletea's realtime pattern).
// It returns nil when ctx ends, so no goroutine outlives the program.
func waitForUpdate(ctx context.Context, f Feed) tea.Cmd {
	if f == nil {
		return nil
	}
	ch := f.Updates()
	return func() tea.Msg {
		select {
		case u, ok := <-ch:
			if !ok {
				return feedClosedMsg{}
			}
			return updateMsg{u}
		case <-ctx.Done():
			return nil
		}
	}
}

// refreshCmd asks the feed for a snapshot now.
func refreshCmd(f Feed) tea.Cmd {
	return func() tea.Msg {
		f.Refresh()
		return nil
	}
}

// pauseCmd tells a Pauser feed to hold or resume.
func pauseCmd(f Feed, paused bool) tea.Cmd {
	p, ok := f.(Pauser)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		p.SetPaused(paused)
		return nil
	}
}

// loadMsg reports the write load's state after a toggle.
type loadMsg struct{ on bool }

// toggleLoadCmd flips the write load.
func toggleLoadCmd(l WriteLoad, on bool) tea.Cmd {
	return func() tea.Msg {
		l.SetEnabled(on)
		return loadMsg{on: l.Enabled()}
	}
}

// The topology package's Watcher is the dashboard's usual Feed.
var _ Feed = (*topology.Watcher)(nil)
