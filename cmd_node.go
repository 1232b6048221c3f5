package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/replscope/replscope/internal/gctune"
	"github.com/replscope/replscope/internal/procs"
	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/config"
)

// gcHeadroom is how much the heap may grow between collections at least
// (see internal/gctune): request buffers are short-lived garbage that a
// small dataset would otherwise collect every few milliseconds under load.
const gcHeadroom = 256 << 20

// runNode is `replscope node [config-file] [--directive value ...]`: a
// headless node that takes its command line the way redis-server does.
func runNode(args []string) int {
	cfg, src, err := config.Load(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sizer := procs.ForProcess(cfg.IOThreads)
	n, err := node.New(cfg, node.Options{Source: src, Version: version, Job: sizer.Job})
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
	gctune.Start(ctx, gcHeadroom)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case s := <-sig:
		n.Logger().Warnf("Received %s scheduling shutdown...", signalName(s))
		if err := n.Shutdown(false, false); err != nil {
			n.Logger().Warnf("%v", err)
			_ = n.Close()
		}
	case <-n.Done():
		_ = n.Close()
	}
	return 0
}

func signalName(s os.Signal) string {
	if s == syscall.SIGINT {
		return "SIGINT"
	}
	return "SIGTERM"
}
