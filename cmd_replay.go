package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/replscope/replscope/record"
	"github.com/replscope/replscope/topology"
	"github.com/replscope/replscope/tui"
)

// replayUsage is the help text of `replscope replay`.
const replayUsage = `usage: replscope replay FILE [--at TIME --once [--json]]

Shows a timeline recorded with --record (watch, demo, play) on the
dashboard, with a time bar: space play/pause, ←/→ one change, [/] the
previous/next alert or role change, +/- speed, t go to a time.

With --once (or without a terminal) it prints the fleet as it was at
--at (default: the end) as text, or with --json as the graph's JSON,
and exits. TIME is RFC 3339 (2026-12-07T03:02:00Z), a time of day on
the recording's first day (03:02:00), or +DURATION from its start (+90s).

flags:
`

// replayOpts are the parsed flags of `replscope replay`.
type replayOpts struct {
	file    string
	at      string
	once    bool
	jsonOut bool
}

// runReplay is `replscope replay FILE [--at TIME] [--once] [--json]`:
// 0 on success, 1 when the recording cannot be read, 2 on a usage error.
func runReplay(args []string) int {
	return replayMain(args, os.Stdout, os.Stderr)
}

// replayMain is runReplay with its output streams.
func replayMain(args []string, stdout, stderr io.Writer) int {
	o, err := parseReplay(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "replscope replay: %v\n", err)
		return 2
	}
	rec, err := record.Open(o.file)
	if err != nil {
		fmt.Fprintf(stderr, "replscope replay: %v\n", err)
		return 1
	}
	for _, n := range rec.Notes {
		fmt.Fprintf(stderr, "replscope replay: note: %s\n", n)
	}
	if !o.once && (stdout != os.Stdout || tui.CheckTerminal() != nil) {
		o.once = true // no terminal: the text at --at
	}
	if !o.once {
		if o.at != "" {
			fmt.Fprintln(stderr, "replscope replay: --at needs --once (the dashboard starts at the beginning; t goes to a time)")
			return 2
		}
		ctx, stop := signalContext()
		defer stop()
		return replayDashboard(ctx, rec, o.file, stderr)
	}
	at := rec.End()
	if o.at != "" {
		if at, err = record.ParseTime(o.at, rec.Start()); err != nil {
			fmt.Fprintf(stderr, "replscope replay: --at: %v\n", err)
			return 2
		}
	}
	if at.Before(rec.Start()) {
		fmt.Fprintf(stderr, "replscope replay: --at %s is before the recording starts (%s)\n",
			at.Format(time.RFC3339), rec.Start().Format(time.RFC3339))
		return 2
	}
	i := rec.StepAt(at)
	g, err := rec.Graph(i)
	if err != nil {
		fmt.Fprintf(stderr, "replscope replay: %v\n", err)
		return 1
	}
	return printReplayed(stdout, stderr, g, at, o.jsonOut)
}

// printReplayed prints the fleet as it was at t: the graph's JSON, or
// the time and the tree as `replscope watch` prints it.
func printReplayed(stdout, stderr io.Writer, g *topology.Graph, at time.Time, jsonOut bool) int {
	var err error
	if jsonOut {
		var b []byte
		if b, err = json.Marshal(g); err == nil {
			_, err = fmt.Fprintf(stdout, "%s\n", b)
		}
	} else {
		_, err = fmt.Fprintf(stdout, "%s (as recorded at %s)\n%s", at.Format(time.RFC3339),
			g.At.Format(time.RFC3339), topology.RenderText(g))
	}
	if err != nil {
		fmt.Fprintf(stderr, "replscope replay: %v\n", err)
		return 1
	}
	return 0
}

// replayDashboard shows the recording on the dashboard.
func replayDashboard(ctx context.Context, rec *record.Recording, file string, stderr io.Writer) int {
	sub := rec.Header.Source
	if sub != "" {
		sub += " · "
	}
	sub += rec.Start().Format("2006-01-02")
	if err := tui.Run(ctx, tui.Options{Replay: rec, Title: "replscope replay · " + file, Subtitle: sub}); err != nil {
		fmt.Fprintf(stderr, "replscope replay: %v\n", err)
		return 1
	}
	return 0
}

// parseReplay reads the flags and the file in any order.
func parseReplay(args []string, errOut io.Writer) (replayOpts, error) {
	var o replayOpts
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprint(errOut, replayUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.at, "at", "", "the instant to print: RFC 3339, 15:04:05, or +DURATION from the start (default: the end)")
	fs.BoolVar(&o.once, "once", false, "print the fleet at --at as text and exit")
	fs.BoolVar(&o.jsonOut, "json", false, "with --once: print the graph as JSON")
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return o, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return o, fmt.Errorf("one recording file is needed")
	}
	o.file = files[0]
	if o.jsonOut {
		o.once = true
	}
	return o, nil
}
