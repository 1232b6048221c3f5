package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/replscope/replscope/internal/gctune"
	"github.com/replscope/replscope/internal/nodestart"
	"github.com/replscope/replscope/internal/procs"
	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// gcFloor is how much the heap may grow between collections at least
// (see internal/gctune): above it, garbage stays proportional to the live
// heap, so used_memory and RSS track the dataset, not a fixed headroom.
// Before strings were overwritten in place, a node of 100k keys of 100 B
// collected every ~130k SETs under SET -P16 at 16 MB (gctrace), half as
// often as at 8 MB, and the collector's share of a master's CPU with a
// replica went from ~18% to ~10% (perf). Overwrites now make no garbage
// (gctrace: no collection in 2M such SETs); the floor paces what new keys,
// other types and buffers leave. A heap of a million keys is paced by its
// 10% share, above the floor either way.
const gcFloor = 16 << 20

// runNode is `replscope node [config-file] [--directive value ...]`: a
// headless node that takes its command line the way redis-server does.
func runNode(args []string) int {
	var cfg *config.Config
	pacer := gctune.New(gcFloor)
	n, err := nodestart.StartWith(args, func(c *config.Config) node.Options {
		cfg = c
		sizer := procs.ForProcess(c.IOThreads)
		// A panic the node cannot contain has been logged with a bug
		// report: exit non-zero, as Redis does after serverPanic.
		fatal := func(string) { os.Exit(1) }
		return node.Options{Version: version, Job: sizer.Job, Load: pacer.Bulk, Fatal: fatal}
	}, nil)
	var cerr *nodestart.ConfigError
	switch {
	case errors.As(err, &cerr):
		fmt.Fprintln(os.Stderr, cerr.Err)
		return 1
	case err != nil:
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
