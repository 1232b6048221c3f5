package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// stopSignals end every long-running command (demo, play, watch): ^C
// outside raw mode, kill's default, and the terminal going away.
var stopSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// signalContext returns a context that ends at the first stop signal. It is
// the one way a signal reaches the dashboard (tui.Run leaves signals to its
// caller): the command then returns through its deferred cleanup, which
// stops its nodes and restores the terminal. Once the first signal has
// been taken, the signals get their default action back, so a second one
// ends the process at once should the cleanup ever hang. Call stop when
// the command returns.
func signalContext() (ctx context.Context, stop context.CancelFunc) {
	ctx, stop = signal.NotifyContext(context.Background(), stopSignals...)
	context.AfterFunc(ctx, stop)
	return ctx, stop
}
