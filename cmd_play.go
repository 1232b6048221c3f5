package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/replscope/replscope/scenarios"
	"github.com/replscope/replscope/scenarios/script"
	"github.com/replscope/replscope/tui"
)

// playUsage is the help text of `replscope play`.
const playUsage = `usage: replscope play SCENARIO|FILE [flags]
       replscope play --list

Plays a replication story over nodes started for it: the built-in scenario
SCENARIO (see --list) or the script FILE (.scn). With the dashboard the
viewer follows it (space pause, n next step, +/- pace); with --headless it
prints one line per step and a summary, and exits 0 when every expect held,
1 when one did not or a step failed, 2 when the script cannot run.

flags:
`

// The dashboard finds a scenario's controls on its feed: space pauses,
// n runs the next step, + and - set the pace.
var (
	_ tui.Pauser  = (*scenarios.Show)(nil)
	_ tui.Stepper = (*scenarios.Show)(nil)
	_ tui.Pacer   = (*scenarios.Show)(nil)
)

// playOpts are the parsed flags of `replscope play`.
type playOpts struct {
	arg      string
	list     bool
	headless bool
	speed    float64
	basePort int
	logFile  string
	record   string
}

// runPlay is `replscope play SCENARIO|FILE [--headless] [--speed X]
// [--base-port P] [--log FILE] | --list`.
func runPlay(args []string) int {
	return playMain(args, os.Stdout, os.Stderr)
}

// playMain is runPlay with its output streams.
func playMain(args []string, stdout, stderr io.Writer) int {
	o, err := parsePlay(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "replscope play: %v\n", err)
		return 2
	}
	if o.list {
		listScenarios(stdout)
		return 0
	}
	sc, err := scenarios.Open(o.arg)
	if err == nil {
		err = scenarios.Check(sc)
	}
	if err != nil {
		var se *script.Error
		if errors.As(err, &se) {
			fmt.Fprintln(stderr, se)
		} else {
			fmt.Fprintf(stderr, "replscope play: %v\n", err)
		}
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	copts, closeLog, err := clusterOptions(o)
	if err != nil {
		fmt.Fprintf(stderr, "replscope play: %v\n", err)
		return 2
	}
	defer closeLog()
	if !o.headless {
		if err := tui.CheckTerminal(); err != nil {
			fmt.Fprintf(stderr, "replscope play: %v: playing headless instead.\n", err)
			o.headless = true
		}
	}
	var rec *recorder
	if o.record != "" {
		if rec, err = startRecorder(o.record, "play", sc.Name, stderr); err != nil {
			fmt.Fprintf(stderr, "replscope play: %v\n", err)
			return 1
		}
		defer rec.Close(!o.headless)
	}
	if o.headless && rec != nil {
		return playHeadlessRecorded(ctx, sc, copts, rec, stdout, stderr)
	}
	if o.headless {
		return playHeadless(ctx, sc, copts, stdout, stderr)
	}
	return playDashboardRecorded(ctx, sc, copts, o.speed, rec, stdout, stderr)
}

// parsePlay reads the flags and the scenario argument in any order.
func parsePlay(args []string, errOut io.Writer) (playOpts, error) {
	var o playOpts
	fs := flag.NewFlagSet("play", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprint(errOut, playUsage)
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.list, "list", false, "list the built-in scenarios")
	fs.BoolVar(&o.headless, "headless", false, "no dashboard: one line per step, a summary and an exit status")
	fs.Float64Var(&o.speed, "speed", 1, "dashboard pace: 2 halves the pauses between steps (0.125-16)")
	fs.IntVar(&o.basePort, "base-port", 0, "port of the first node, the others following (0: free ports)")
	fs.StringVar(&o.logFile, "log", "", "append the embedded nodes' logs to this file")
	fs.StringVar(&o.record, "record", "", recordFlagHelp)
	var rest []string
	for tail := args; ; {
		if err := fs.Parse(tail); err != nil {
			return o, err
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		tail = fs.Args()[1:]
	}
	switch {
	case o.list && len(rest) == 0:
		return o, nil
	case len(rest) != 1:
		fs.Usage()
		return o, fmt.Errorf("expected one scenario name or file, got %d", len(rest))
	case o.speed < scenarios.MinSpeed || o.speed > scenarios.MaxSpeed:
		return o, fmt.Errorf("--speed must be between %g and %g", scenarios.MinSpeed, float64(scenarios.MaxSpeed))
	case o.basePort < 0 || o.basePort > 65535:
		return o, fmt.Errorf("--base-port must be 0-65535")
	}
	o.arg = rest[0]
	return o, nil
}

// listScenarios prints the built-in scenarios, one line each.
func listScenarios(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, b := range scenarios.Builtins() {
		note := ""
		if b.Redis {
			note = " (needs redis-server)"
		}
		if b.Sentinel {
			note = " (needs redis-server and redis-sentinel)"
		}
		fmt.Fprintf(tw, "%s\t%s%s\n", b.Name, b.Title, note)
	}
	_ = tw.Flush()
}

// clusterOptions turns the flags into the cluster's options; the returned
// func closes the log file.
func clusterOptions(o playOpts) (scenarios.Options, func(), error) {
	copts := scenarios.Options{BasePort: o.basePort, Version: version}
	if o.logFile == "" {
		return copts, func() {}, nil
	}
	f, err := os.OpenFile(o.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return copts, nil, fmt.Errorf("--log: %w", err)
	}
	copts.Log = f
	return copts, func() { _ = f.Close() }, nil
}

// playHeadless runs the scenario without a dashboard and returns the exit
// status.
func playHeadless(ctx context.Context, sc *script.Script, copts scenarios.Options, stdout, stderr io.Writer) int {
	sum, err := scenarios.RunHeadless(ctx, sc, scenarios.HeadlessOptions{Out: stdout, Cluster: copts})
	if err != nil {
		fmt.Fprintf(stderr, "replscope play: %v\n", err)
		return 2
	}
	if !sum.Passed() {
		return 1
	}
	return 0
}

// demoScenario is `replscope demo --scenario NAME` (for the lead to wire
// into runDemo): the scenario on the dashboard, its nodes on ports from
// basePort, every node with password as requirepass and masterauth when it
// is set. It returns the exit status.
func demoScenario(name string, basePort int, password string) int {
	return demoScenarioRecorded(name, basePort, password, "")
}

// demoScenarioRecorded is demoScenario with the timeline recorded to
// recordTo ("": not recorded).
func demoScenarioRecorded(name string, basePort int, password, recordTo string) int {
	sc, err := scenarios.Open(name)
	if err == nil {
		err = scenarios.Check(sc)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "replscope demo: %v\n", err)
		return 2
	}
	if err := tui.CheckTerminal(); err != nil {
		fmt.Fprintf(os.Stderr, "replscope demo: %v.\nWithout a terminal: replscope play --headless %s\n", err, name)
		return 1
	}
	ctx, stop := signalContext()
	defer stop()
	copts := scenarios.Options{BasePort: basePort, Password: password, Version: version}
	var rec *recorder
	if recordTo != "" {
		if rec, err = startRecorder(recordTo, "demo", name, os.Stderr); err != nil {
			fmt.Fprintf(os.Stderr, "replscope demo: %v\n", err)
			return 1
		}
		defer rec.Close(true)
	}
	return playDashboardRecorded(ctx, sc, copts, 1, rec, os.Stdout, os.Stderr)
}

// playDashboard runs the scenario on the dashboard until the viewer quits,
// then prints the summary of the steps that ran. It is also what `replscope
// demo --scenario NAME` runs.
func playDashboard(ctx context.Context, sc *script.Script, copts scenarios.Options, speed float64, stdout, stderr io.Writer) int {
	return playDashboardRecorded(ctx, sc, copts, speed, nil, stdout, stderr)
}

// playDashboardRecorded is playDashboard with the timeline recorded by
// rec (nil: not recorded).
func playDashboardRecorded(ctx context.Context, sc *script.Script, copts scenarios.Options, speed float64, rec *recorder, stdout, stderr io.Writer) int {
	c, err := scenarios.New(copts)
	if err != nil {
		fmt.Fprintf(stderr, "replscope play: %v\n", err)
		return 2
	}
	defer c.Close()
	obs := scenarios.Watch(c, scenarios.WatchOptions{})
	defer obs.Close()
	show := scenarios.NewShow(scenarios.NewPlayer(sc, c, obs), obs, scenarios.ShowOptions{Speed: speed})
	show.Start()
	defer show.Close()
	feed, stopRec := recordFeed(show, rec)
	defer stopRec()
	// The header names the scenario only: its title would push the speed
	// and the pause state off the line. Captions tell the story.
	err = tui.Run(ctx, tui.Options{Feed: feed, ReadOnly: true, Title: "replscope play", Subtitle: sc.Name})
	_ = show.Close()
	if err != nil {
		fmt.Fprintf(stderr, "replscope play: %v\n", err)
		return 1
	}
	sum := show.Summary()
	fmt.Fprintln(stdout, scenarios.FormatSummary(sc.Name, sum))
	select {
	case <-show.Finished():
		if sum.Passed() {
			return 0
		}
	default:
		fmt.Fprintln(stdout, "stopped before the end ("+show.Status()+")")
	}
	return 1
}
