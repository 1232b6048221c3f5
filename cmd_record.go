package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/replscope/replscope/record"
	"github.com/replscope/replscope/scenarios"
	"github.com/replscope/replscope/scenarios/script"
	"github.com/replscope/replscope/topology"
	"github.com/replscope/replscope/tui"
)

// recordFlagHelp is the --record flag's help, the same for watch, demo
// and play.
const recordFlagHelp = "append the timeline to `FILE` (JSON lines; replscope replay FILE shows it again)"

// EventRecordingStopped is logged when a write error (a full disk)
// stopped the recording; watching goes on.
const EventRecordingStopped topology.EventKind = "recording-stopped"

// recorder writes what a command watches to a recording, and reports
// once on stderr when a write error stops it.
type recorder struct {
	w      *record.Writer
	stderr io.Writer
	cmd    string

	mu      sync.Mutex
	stopped error // the error that stopped the recording
}

// startRecorder opens path for cmd ("watch", "demo", "play"); source
// says what is recorded.
func startRecorder(path, cmd, source string, stderr io.Writer) (*recorder, error) {
	w, err := record.Create(path, cmd+" "+source, record.Policy{}, time.Now())
	if err != nil {
		return nil, err
	}
	return &recorder{w: w, stderr: stderr, cmd: cmd}, nil
}

// record appends u and returns it, with a recording-stopped event added
// when this write stopped the recording.
func (r *recorder) record(u topology.Update) topology.Update {
	if r == nil {
		return u
	}
	err := r.w.Record(u)
	if err == nil || errors.Is(err, record.ErrStopped) {
		return u
	}
	r.mu.Lock()
	r.stopped = err
	r.mu.Unlock()
	fmt.Fprintf(r.stderr, "replscope %s: %v; watching goes on\n", r.cmd, err)
	at := time.Now()
	if u.Graph != nil {
		at = u.Graph.At
	}
	u.Events = append(u.Events, topology.Event{Time: at, Kind: EventRecordingStopped, Source: "record",
		Detail: err.Error()})
	return u
}

// Close ends the recording; after a dashboard, a stop is said again on
// stderr, where the alternate screen hid it.
func (r *recorder) Close(afterDashboard bool) {
	if r == nil {
		return
	}
	_ = r.w.Close()
	r.mu.Lock()
	err := r.stopped
	r.mu.Unlock()
	if err != nil && afterDashboard {
		fmt.Fprintf(r.stderr, "replscope %s: %v\n", r.cmd, err)
	}
}

// recTee sits between a feed and the dashboard: every update is recorded
// on its way through, in the tee's goroutine (never the dashboard's).
type recTee struct {
	src    tui.Feed
	rec    *recorder
	out    chan topology.Update
	cancel context.CancelFunc
	done   chan struct{}
}

// recordFeed returns src with every update recorded by rec (src itself
// when rec is nil) and a func that stops the tee and waits for it. A
// scenario's controls (pause, next step, pace) stay on the feed.
func recordFeed(src tui.Feed, rec *recorder) (tui.Feed, func()) {
	if rec == nil {
		return src, func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &recTee{src: src, rec: rec, out: make(chan topology.Update), cancel: cancel, done: make(chan struct{})}
	go t.run(ctx)
	stop := func() { t.cancel(); <-t.done }
	type show interface {
		tui.Pauser
		tui.Stepper
		tui.Pacer
	}
	if s, ok := src.(show); ok {
		return struct {
			*recTee
			show
		}{t, s}, stop
	}
	return t, stop
}

// Updates delivers the source's updates once recorded.
func (t *recTee) Updates() <-chan topology.Update { return t.out }

// Refresh asks the source for an update now.
func (t *recTee) Refresh() { t.src.Refresh() }

func (t *recTee) run(ctx context.Context) {
	defer close(t.done)
	defer close(t.out)
	in := t.src.Updates()
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-in:
			if !ok {
				return
			}
			u = t.rec.record(u)
			select {
			case t.out <- u:
			case <-ctx.Done():
				return
			}
		}
	}
}

// playHeadlessRecorded is playHeadless with the observed timeline
// recorded: scenarios.RunHeadless, with the observer's updates read and
// recorded as the steps run.
func playHeadlessRecorded(ctx context.Context, sc *script.Script, copts scenarios.Options, rec *recorder, stdout, stderr io.Writer) int {
	c, err := scenarios.New(copts)
	if err != nil {
		fmt.Fprintf(stderr, "replscope play: %v\n", err)
		return 2
	}
	defer c.Close()
	obs := scenarios.Watch(c, scenarios.WatchOptions{})
	defer obs.Close()
	feed, stop := recordFeed(obs, rec)
	seen := make(chan *topology.Graph, 1)
	drained := make(chan struct{})
	go func() { // the recording is the observer's only reader
		defer close(drained)
		for u := range feed.Updates() {
			select {
			case <-seen: // keep the newest only
			default:
			}
			seen <- u.Graph
		}
	}()
	fmt.Fprintln(stdout, scenarios.FormatHeader(sc))
	total := len(sc.Steps)
	sum := scenarios.NewPlayer(sc, c, obs).Run(ctx, func(r scenarios.Result) {
		fmt.Fprintln(stdout, scenarios.FormatResult(r, total))
	})
	fmt.Fprintln(stdout, scenarios.FormatSummary(sc.Name, sum))
	if last := obs.Poll(ctx); ctx.Err() == nil { // the end state, recorded before the tee stops
		waitRecorded(seen, last.Graph, 5*time.Second)
	}
	stop()
	<-drained
	if !sum.Passed() {
		return 1
	}
	return 0
}

// waitRecorded waits until the graph last, or a later one, has gone through the recorder
// (or limit has passed).
func waitRecorded(seen <-chan *topology.Graph, last *topology.Graph, limit time.Duration) {
	timeout := time.NewTimer(limit)
	defer timeout.Stop()
	for {
		select {
		case g := <-seen:
			if g == last || g.At.After(last.At) { // a later Graph carries last's events too
				return
			}
		case <-timeout.C:
			return
		}
	}
}

// hideCreds drops the user:pass@ of addresses.
func hideCreds(addrs []string) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		if at := strings.LastIndexByte(a, '@'); at >= 0 {
			a = a[at+1:]
		}
		out[i] = a
	}
	return out
}
