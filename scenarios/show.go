package scenarios

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/replscope/replscope/scenarios/script"
	"github.com/replscope/replscope/topology"
)

// Event kinds a Show adds to the topology feed. EventCaption has the value
// the dashboard shows as the current caption (tui.EventCaption).
const (
	EventCaption      topology.EventKind = "caption"       // a `say` step: Detail is the caption
	EventStep         topology.EventKind = "step"          // a step that went as expected
	EventStepFailed   topology.EventKind = "step-failed"   // a false expect or a step that could not run
	EventScenarioDone topology.EventKind = "scenario-done" // the last step ran: Detail is the summary
)

// Pace bounds and defaults.
const (
	MinSpeed           = 0.125
	MaxSpeed           = 16
	DefaultStepPause   = 700 * time.Millisecond // after each step, at speed 1
	DefaultCaptionHold = 2 * time.Second        // after a caption, plus time to read it
	paceTick           = 50 * time.Millisecond
)

// ShowOptions configure a Show.
type ShowOptions struct {
	Speed       float64       // pace multiplier (default 1): 2 halves the pauses
	StepPause   time.Duration // pause after a step at speed 1 (default DefaultStepPause)
	CaptionHold time.Duration // pause after a caption at speed 1 (default DefaultCaptionHold, plus reading time)
	Paused      bool          // start paused: nothing runs until SetPaused(false) or Next
}

// Show plays a Player at a pace a viewer controls, for the dashboard: it
// pauses after each step (longer after a caption), and SetPaused, Next and
// SetSpeed steer it. It is a dashboard Feed: the Watcher's topology
// updates, with a caption event for each `say` and a step event for each
// step. Close stops the player's goroutine (the caller closes the Player's
// Cluster and Watcher afterwards).
type Show struct {
	p    *Player
	obs  *topology.Watcher
	opts ShowOptions

	mu      sync.Mutex
	paused  bool
	speed   float64
	steps   int // Next requests not yet served
	next    int // index of the next step to run
	current string
	caption string
	last    *Result
	sum     Summary
	over    bool

	wake     chan struct{}
	finished chan struct{}
	cancel   context.CancelFunc
	done     chan struct{}
	start    sync.Once
	stop     sync.Once
}

// NewShow prepares a Show of p, publishing to obs (the started Watcher p
// checks alerts with, see Watch). Start runs it.
func NewShow(p *Player, obs *topology.Watcher, o ShowOptions) *Show {
	if o.Speed <= 0 {
		o.Speed = 1
	}
	if o.StepPause <= 0 {
		o.StepPause = DefaultStepPause
	}
	if o.CaptionHold <= 0 {
		o.CaptionHold = DefaultCaptionHold
	}
	return &Show{p: p, obs: obs, opts: o, paused: o.Paused, speed: clampSpeed(o.Speed),
		wake: make(chan struct{}, 1), finished: make(chan struct{}), done: make(chan struct{})}
}

// Start runs the steps in a goroutine owned by the Show.
func (s *Show) Start() {
	s.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		s.cancel = cancel
		go s.run(ctx)
	})
}

// Close stops the steps (a step in progress is cancelled) and waits for
// the goroutine.
func (s *Show) Close() error {
	s.stop.Do(func() {
		s.start.Do(func() { close(s.done) }) // never started
		if s.cancel != nil {
			s.cancel()
		}
		<-s.done
	})
	return nil
}

// Updates is the topology feed with the Show's events (tui.Feed).
func (s *Show) Updates() <-chan topology.Update { return s.obs.Updates() }

// Refresh asks for a topology round now (tui.Feed).
func (s *Show) Refresh() { s.obs.Refresh() }

// SetPaused holds the Show before its next step, or lets it go on
// (tui.Pauser). A step already running finishes.
func (s *Show) SetPaused(paused bool) {
	s.mu.Lock()
	s.paused = paused
	s.mu.Unlock()
	signal(s.wake)
}

// Paused reports whether the Show is held.
func (s *Show) Paused() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paused
}

// Next runs the next step now: it ends the pause after the current step,
// or lets one step through while paused.
func (s *Show) Next() {
	s.mu.Lock()
	s.steps++
	s.mu.Unlock()
	signal(s.wake)
}

// SetSpeed sets the pace multiplier, within MinSpeed and MaxSpeed.
func (s *Show) SetSpeed(x float64) {
	s.mu.Lock()
	s.speed = clampSpeed(x)
	s.mu.Unlock()
	signal(s.wake)
}

// Speed returns the pace multiplier.
func (s *Show) Speed() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.speed
}

// Faster doubles the pace; Slower halves it.
func (s *Show) Faster() { s.SetSpeed(s.Speed() * 2) }

// Slower halves the pace.
func (s *Show) Slower() { s.SetSpeed(s.Speed() / 2) }

// Finished is closed when the script has run to its end (every step ran,
// or one could not); it stays open when the Show was closed before.
func (s *Show) Finished() <-chan struct{} { return s.finished }

// Summary returns the counts of the steps run so far.
func (s *Show) Summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sum
}

// Status is one line for a status bar: the step, the pace and the last
// outcome, e.g. "step 5/14 · ⏸ paused · ×2 · expect b sync partial".
func (s *Show) Status() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := len(s.p.Script().Steps)
	parts := []string{fmt.Sprintf("step %d/%d", min(s.next+1, total), total)}
	switch {
	case s.over:
		parts[0] = "finished"
	case s.paused:
		parts = append(parts, "⏸ paused")
	default:
		parts = append(parts, "▶ playing")
	}
	parts = append(parts, "×"+strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", s.speed), "0"), "."))
	if s.current != "" {
		parts = append(parts, s.current)
	}
	if s.last != nil && s.last.Outcome != OK {
		parts = append(parts, s.last.Outcome.String()+": "+s.last.Message)
	}
	return strings.Join(parts, " · ")
}

// Caption returns the last caption shown.
func (s *Show) Caption() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caption
}

// run plays the steps: wait for the gate, run one, publish it, pause.
func (s *Show) run(ctx context.Context) {
	defer close(s.done)
	for !s.p.Done() {
		if !s.gate(ctx) {
			return
		}
		s.mu.Lock()
		s.current = s.p.Script().Steps[s.p.Next()].Text
		s.mu.Unlock()
		r, _ := s.p.Step(ctx)
		s.record(r, s.p.Next())
		if !s.pause(ctx, s.holdFor(r)) {
			return
		}
	}
	sum := s.p.Summary()
	s.mu.Lock()
	s.over = true
	s.mu.Unlock()
	s.obs.Publish(topology.Event{Time: time.Now(), Kind: EventScenarioDone,
		Detail: FormatSummary(s.p.Script().Name, sum)})
	close(s.finished)
}

// record keeps r as the last result and next as the next step's index,
// and publishes r's events.
func (s *Show) record(r Result, next int) {
	s.mu.Lock()
	s.last, s.next, s.sum = &r, next, s.p.Summary()
	if r.Step.Verb == script.VerbSay {
		s.caption = r.Step.Caption
	}
	s.mu.Unlock()
	s.obs.Publish(stepEvents(r, len(s.p.Script().Steps), s.p.c)...)
}

// gate waits until the Show may run a step: not paused, or a Next
// request. It reports false when ctx ended.
func (s *Show) gate(ctx context.Context) bool {
	for {
		s.mu.Lock()
		switch {
		case s.steps > 0:
			s.steps--
			s.mu.Unlock()
			return true
		case !s.paused:
			s.mu.Unlock()
			return true
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return false
		case <-s.wake:
		}
	}
}

// pause waits d of show time (d at speed 1), ended early by Next; time
// does not run while paused. It reports false when ctx ended.
func (s *Show) pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTicker(paceTick)
	defer t.Stop()
	var elapsed time.Duration
	for elapsed < d {
		s.mu.Lock()
		skip, paused, speed := s.steps > 0, s.paused, s.speed
		s.mu.Unlock()
		if skip || paused {
			return true // the gate serves Next and holds while paused
		}
		select {
		case <-ctx.Done():
			return false
		case <-s.wake:
		case <-t.C:
			elapsed += time.Duration(float64(paceTick) * speed)
		}
	}
	return true
}

// holdFor is the pause after r at speed 1: longer after a caption, by its
// length.
func (s *Show) holdFor(r Result) time.Duration {
	if r.Step.Verb == script.VerbSay {
		words := len(strings.Fields(r.Step.Caption))
		return s.opts.CaptionHold + time.Duration(words)*150*time.Millisecond
	}
	return s.opts.StepPause
}

// stepEvents turns a result into feed events: the caption of a `say`, and
// a step line for every step.
func stepEvents(r Result, total int, c *Cluster) []topology.Event {
	at := r.Start.Add(r.Dur)
	if r.Step.Verb == script.VerbSay {
		return []topology.Event{{Time: at, Kind: EventCaption, Detail: r.Step.Caption, Source: "scenario"}}
	}
	kind, detail := EventStep, r.Detail
	if r.Outcome != OK {
		kind, detail = EventStepFailed, r.Outcome.String()+": "+r.Message
	}
	text := fmt.Sprintf("%d/%d %s · %s", r.Index+1, total, r.Step.Text, FormatDur(r.Dur))
	if detail != "" {
		text += " · " + detail
	}
	e := topology.Event{Time: at, Kind: kind, Detail: text, Source: "scenario"}
	name := r.Step.Node
	if name == "" && len(r.Step.Nodes) > 0 {
		name = r.Step.Nodes[0]
	}
	if addr := c.Addr(name); addr != "" {
		e.Addr = addr
	}
	return []topology.Event{e}
}

// clampSpeed keeps x within MinSpeed and MaxSpeed.
func clampSpeed(x float64) float64 { return min(max(x, MinSpeed), MaxSpeed) }
