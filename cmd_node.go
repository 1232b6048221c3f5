package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/replscope/replscope/internal/gctune"
	"github.com/replscope/replscope/internal/procs"
	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// gcFloor is how much the heap may grow between collections at least
// (see internal/gctune): above it, garbage stays proportional to the live
// heap, so used_memory and RSS track the dataset, not a fixed headroom.
const gcFloor = 8 << 20

// runNode is `replscope node [config-file] [--directive value ...]`: a
// headless node that takes its command line the way redis-server does.
func runNode(args []string) int {
	cfg, src, err := config.Load(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sizer := procs.ForProcess(cfg.IOThreads)
	// A panic the node cannot contain has been logged with a bug report:
	// exit non-zero, as Redis does after serverPanic.
	fatal := func(string) { os.Exit(1) }
	pacer := gctune.New(gcFloor)
	n, err := node.New(cfg, node.Options{Source: src, Version: version, Job: sizer.Job, Load: pacer.Bulk, Fatal: fatal})
	if err != nil {
		fmt.Fprintf(os.Stderr, "replscope: %v\n", err)
		return 1
	}
	for _, w := range src.Warnings {
		n.Logger().Noticef("%s", w)
	}
	if err := n.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "replscope: %v\n", err)
		return 1
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	pacer.Start(ctx, n.MaxMemory)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	limit := shutdownTimeout(cfg)
	select {
	case s := <-sig:
		n.Logger().Warnf("Received %s scheduling shutdown...", signalName(s))
		shutdown := func() {
			if err := n.Shutdown(false, false); err != nil {
				n.Logger().Warnf("%v", err)
				_ = n.Close()
			}
		}
		return shutdownWithin(shutdown, n.Logger().Warnf, limit, sig)
	case <-n.Done():
		_ = n.Close()
	}
	return 0
}

// shutdownTimeout is the shutdown-timeout directive as read at start
// (Redis's default, 10 s, when it is 0).
func shutdownTimeout(cfg *config.Config) time.Duration {
	secs := cfg.ShutdownTimeout
	if secs <= 0 {
		secs = 10
	}
	return time.Duration(secs) * time.Second
}

// shutdownWithin runs shutdown (save when save points say so, stop the
// node) and makes sure the process ends: if it has not finished within
// limit, or a second signal arrives, it logs why and returns 1 without
// waiting further, as Redis exits at once on a second SIGINT.
func shutdownWithin(shutdown func(), warnf func(string, ...any), limit time.Duration, sig <-chan os.Signal) int {
	done := make(chan struct{})
	go func() {
		defer close(done)
		shutdown()
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-done:
		return 0
	case <-t.C:
		warnf("Shutdown did not finish within shutdown-timeout (%s): exiting now.", limit)
	case s := <-sig:
		warnf("Received %s again: exiting now without waiting.", signalName(s))
	}
	return 1
}

func signalName(s os.Signal) string {
	if s == syscall.SIGINT {
		return "SIGINT"
	}
	return "SIGTERM"
}
