package scenarios

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/scenarios/script"
)

// HeadlessOptions configure RunHeadless.
type HeadlessOptions struct {
	Out     io.Writer    // where the step lines and the summary go (required)
	Cluster Options      // the cluster to play on (BasePort, Log, Version, …)
	Watch   WatchOptions // how the cluster is watched and alerts assessed
}

// RunHeadless plays sc on a new Cluster without a dashboard: a header,
// one line per step as it finishes (FormatResult) and a summary
// (FormatSummary). err is set when the scenario could not start at all (a
// Check failure such as a Redis node without redis-server, or the
// cluster's temporary directory); a failing step only shows in the
// summary.
func RunHeadless(ctx context.Context, sc *script.Script, o HeadlessOptions) (Summary, error) {
	if err := Check(sc); err != nil {
		return Summary{}, err
	}
	c, err := New(o.Cluster)
	if err != nil {
		return Summary{}, err
	}
	defer c.Close()
	w := Watch(c, o.Watch)
	defer w.Close()
	p := NewPlayer(sc, c, w)
	fmt.Fprintln(o.Out, FormatHeader(sc))
	total := len(sc.Steps)
	sum := p.Run(ctx, func(r Result) { fmt.Fprintln(o.Out, FormatResult(r, total)) })
	fmt.Fprintln(o.Out, FormatSummary(sc.Name, sum))
	return sum, nil
}

// FormatHeader renders the scenario's name and title.
func FormatHeader(sc *script.Script) string {
	if sc.Title == "" {
		return "# " + sc.Name
	}
	return "# " + sc.Name + ": " + sc.Title
}

// stepColumn is the width the step text is padded to.
const stepColumn = 32

// FormatResult renders one step's line: its number, text, outcome and
// duration, then what happened or, for a failure, what was expected and
// seen and where the step is.
//
//	4/11  wait synced b                    ok     0.21s  b at offset 4821
//	5/11  » the link between a and b is cut
//	7/11  expect b sync partial            FAIL   0.00s  expected b's last sync partial, saw full (link-drop.scn:12)
func FormatResult(r Result, total int) string {
	w := len(strconv.Itoa(total))
	if r.Step.Verb == script.VerbSay && r.Outcome == OK {
		return fmt.Sprintf("%*d/%d  » %s", w, r.Index+1, total, r.Step.Caption)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*d/%d  %-*s %-5s %6s", w, r.Index+1, total, stepColumn, r.Step.Text, r.Outcome, FormatDur(r.Dur))
	switch {
	case r.Message != "":
		fmt.Fprintf(&b, "  %s (%s:%d)", r.Message, r.Step.Pos.File, r.Step.Pos.Line)
	case r.Detail != "":
		b.WriteString("  " + r.Detail)
	}
	return b.String()
}

// FormatSummary renders the last line of a run: PASS or FAIL, the counts
// and the wall time the run took. It starts with PASS or FAIL: the
// dashboard reads the verdict there.
func FormatSummary(name string, s Summary) string {
	held := s.Expects - s.Failed
	verdict := "PASS"
	if !s.Passed() {
		verdict = "FAIL"
	}
	msg := fmt.Sprintf("%s %s: %d/%d steps, %d/%d expects held", verdict, name, s.Run, s.Steps, held, s.Expects)
	if s.Errored > 0 {
		msg += fmt.Sprintf(", stopped by an error (%d steps not run)", s.Steps-s.Run)
	}
	return msg + ", " + FormatDur(s.Dur)
}

// FormatDur renders a duration in seconds with two decimals, "0.21s".
func FormatDur(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}
