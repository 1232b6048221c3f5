// Package gctune sets the garbage collector's pace for a server process:
// the heap may grow by max(100% of the live heap, a fixed headroom) before
// the next collection. Go's default (100% of live) makes a small dataset
// collect very often under load — every few tens of megabytes of request
// buffers — while a large dataset already collects rarely. A fixed floor
// of headroom removes most of the collections of small datasets and
// changes nothing for large ones.
package gctune

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Start adjusts GOGC once a second until ctx ends, unless the GOGC
// environment variable is set (the operator's choice wins). headroom is in
// bytes.
func Start(ctx context.Context, headroom uint64) {
	if os.Getenv("GOGC") != "" || headroom == 0 {
		return
	}
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		last := -1
		for {
			if pct := Percent(live(sample), headroom); pct != last {
				debug.SetGCPercent(pct)
				last = pct
			}
			select {
			case <-ctx.Done():
				debug.SetGCPercent(100)
				return
			case <-t.C:
			}
		}
	}()
}

func live(s []metrics.Sample) uint64 {
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// Percent is the GOGC value that lets a heap of live bytes grow by
// max(live, headroom), capped at 1000 (a tiny heap still collects).
func Percent(live, headroom uint64) int {
	if live == 0 {
		return 1000
	}
	pct := headroom * 100 / live
	return int(max(100, min(pct, 1000)))
}
