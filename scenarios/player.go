package scenarios

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/replscope/replscope/scenarios/script"
	"github.com/replscope/replscope/topology"
)

// Outcome says how a step went.
type Outcome int

// The outcomes of a step.
const (
	OK      Outcome = iota
	Failed          // an expect that did not hold
	Errored         // a step that could not be carried out: the script stops
)

// String names the outcome as the headless output prints it.
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Failed:
		return "FAIL"
	default:
		return "ERROR"
	}
}

// Result is what one step did.
type Result struct {
	Index   int // 0-based position in the script's steps
	Step    script.Step
	Outcome Outcome
	Detail  string // what happened, e.g. "b at offset 4821"
	Message string // for Failed and Errored: "expected …, saw …" or the error
	Start   time.Time
	Dur     time.Duration
}

// Summary counts the results of a run.
type Summary struct {
	Steps   int // steps in the script
	Run     int // steps run
	OK      int
	Failed  int // expects that did not hold
	Errored int // steps that could not be carried out
	Expects int // expect steps run
	// Dur is the wall time from the first step's start to the last
	// step's end: on the dashboard, pauses between steps count.
	Dur time.Duration
}

// Passed reports whether every step ran and every expect held.
func (s Summary) Passed() bool { return s.Run == s.Steps && s.Failed == 0 && s.Errored == 0 }

// Player runs a script over a Cluster one step at a time, so that a
// dashboard can pace it. A step that cannot be carried out (a wait that
// times out, a node that fails) stops the script; a false expect is
// reported and the script goes on. Step is not safe for concurrent use.
type Player struct {
	sc  *script.Script
	c   *Cluster
	obs *topology.Watcher

	next    int
	stopped bool
	sum     Summary
	began   time.Time // the first step's start
}

// NewPlayer returns a Player for sc over c. obs (see Watch) answers
// `expect … alert` (nil makes those steps fail with an error).
func NewPlayer(sc *script.Script, c *Cluster, obs *topology.Watcher) *Player {
	return &Player{sc: sc, c: c, obs: obs, sum: Summary{Steps: len(sc.Steps)}}
}

// Script returns the script being played.
func (p *Player) Script() *script.Script { return p.sc }

// Done reports whether no step is left to run (all ran, or one errored).
func (p *Player) Done() bool { return p.stopped || p.next >= len(p.sc.Steps) }

// Next returns the index of the step Step would run next.
func (p *Player) Next() int { return p.next }

// Summary returns the counts so far.
func (p *Player) Summary() Summary { return p.sum }

// Step runs the next step and returns its result; ok is false when no
// step was left.
func (p *Player) Step(ctx context.Context) (r Result, ok bool) {
	if p.Done() {
		return Result{}, false
	}
	s := p.sc.Steps[p.next]
	r = Result{Index: p.next, Step: s, Start: time.Now()}
	p.next++
	detail, err := p.exec(ctx, s)
	r.Dur = time.Since(r.Start)
	r.Detail = detail
	p.observe(ctx, s)
	var fail *expectFailure
	switch {
	case err == nil:
		r.Outcome = OK
	case errors.As(err, &fail):
		r.Outcome, r.Message = Failed, fail.Error()
	default:
		r.Outcome, r.Message = Errored, err.Error()
		p.stopped = true
	}
	p.count(r)
	return r, true
}

// observe has the Watcher read the cluster after a step that may have
// changed it, so that its history (which replicas it has seen, how many
// full syncs) never depends on when its periodic rounds fall.
func (p *Player) observe(ctx context.Context, s script.Step) {
	if p.obs == nil || s.Verb == script.VerbSay || isExpect(s.Verb) {
		return
	}
	p.obs.Poll(ctx) // best effort: a failed round only loses one sample
}

func (p *Player) count(r Result) {
	p.sum.Run++
	if p.began.IsZero() {
		p.began = r.Start
	}
	p.sum.Dur = r.Start.Add(r.Dur).Sub(p.began)
	if isExpect(r.Step.Verb) {
		p.sum.Expects++
	}
	switch r.Outcome {
	case OK:
		p.sum.OK++
	case Failed:
		p.sum.Failed++
	default:
		p.sum.Errored++
	}
}

// Run runs the remaining steps, calling each (when not nil) with every
// result, and returns the summary.
func (p *Player) Run(ctx context.Context, each func(Result)) Summary {
	for {
		r, ok := p.Step(ctx)
		if !ok {
			return p.sum
		}
		if each != nil {
			each(r)
		}
	}
}

// isExpect reports whether v is one of the expect verbs.
func isExpect(v script.Verb) bool {
	switch v {
	case script.VerbExpectRole, script.VerbExpectSync, script.VerbExpectKey, script.VerbExpectKeys,
		script.VerbExpectConsistent, script.VerbExpectAlert:
		return true
	}
	return false
}

// Check reports what would keep sc from running before any node starts:
// alert names topology does not raise, Redis nodes without redis-server.
// Its error names the step's position.
func Check(sc *script.Script) error {
	for _, s := range sc.Steps {
		switch {
		case s.Verb == script.VerbExpectAlert && !slices.Contains(topology.AlertNames, topology.AlertName(s.Alert)):
			names := make([]string, len(topology.AlertNames))
			for i, n := range topology.AlertNames {
				names[i] = string(n)
			}
			return fmt.Errorf("%s: unknown alert %q: expected one of %s", s.Pos, s.Alert, strings.Join(names, ", "))
		case s.Verb == script.VerbNode && s.Redis && !RedisAvailable():
			return fmt.Errorf("%s: %w", s.Pos, ErrNoRedis)
		case s.Verb == script.VerbSentinel && !SentinelAvailable():
			return fmt.Errorf("%s: %w", s.Pos, ErrNoSentinel)
		}
	}
	return nil
}

// NeedsRedis reports whether sc declares redis-server nodes.
func NeedsRedis(sc *script.Script) bool {
	return slices.ContainsFunc(sc.Steps, func(s script.Step) bool { return s.Verb == script.VerbNode && s.Redis })
}
