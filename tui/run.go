package tui

import (
	"context"
	"errors"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"
)

// ErrNoTerminal is returned by CheckTerminal when stdin or stdout is not
// a terminal.
var ErrNoTerminal = errors.New("the dashboard needs a terminal (stdin and stdout must be a TTY)")

// CheckTerminal reports whether the dashboard can run on this process's
// stdin and stdout.
func CheckTerminal() error {
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return ErrNoTerminal
	}
	return nil
}

// Run shows the dashboard until the user quits or ctx ends. It returns nil
// on a normal quit or when ctx was cancelled, and the program's error
// otherwise; either way the terminal is restored (main screen, cursor
// shown, cooked mode). The embedding command owns the Feed and Operator:
// it starts them before and closes them after Run.
//
// Run installs no signal handler: the caller turns SIGINT, SIGTERM and
// SIGHUP into the end of ctx. (Bubble Tea's own handler would race the
// caller's for SIGTERM: when ctx ended first, its goroutine stayed blocked
// sending a quit message nobody read, and the program's shutdown waited
// for it forever, the terminal still in the alternate screen.)
//
//	w, _ := topology.NewWatcher(cfg)
//	w.Start()
//	defer w.Close()
//	err := tui.Run(ctx, tui.Options{Feed: w, Operator: w.Operator(), Title: "replscope watch"})
func Run(ctx context.Context, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the feed subscription and any operation in flight
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithEnvironment(env), tea.WithoutSignalHandler()}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
	}
	if noColor(env) {
		popts = append(popts, tea.WithColorProfile(colorprofile.ASCII))
	}
	_, err := tea.NewProgram(New(ctx, opts), popts...).Run()
	switch {
	case errors.Is(err, tea.ErrInterrupted): // ^C delivered as an interrupt: a normal way out
		return nil
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil: // ctx ended
		return nil
	}
	return err
}

// noColor reports whether NO_COLOR is set to a non-empty value
// (https://no-color.org).
func noColor(env []string) bool {
	for _, kv := range env {
		if len(kv) > len("NO_COLOR=") && kv[:len("NO_COLOR=")] == "NO_COLOR=" {
			return true
		}
	}
	return false
}
