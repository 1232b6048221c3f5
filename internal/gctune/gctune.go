// Package gctune paces the garbage collector of a server process so that
// garbage stays proportional to the live heap and bounded: the heap may
// grow by max(Share of the live heap, a small floor) before the next
// collection — a floor so that a tiny heap does not collect every few
// hundred kilobytes of request buffers, and a share well below Go's
// default (GOGC=100, which lets a heap of 300 MB of keys hold 300 MB of
// garbage: twice the memory Redis needs for the same keys) — and a soft
// memory limit (maxmemory) makes the collector work harder as the process
// nears it (debug.SetMemoryLimit). A process that goes quiet returns its
// free heap memory to the OS at once (see Quiet). While a dataset loads
// (Pacer.Bulk) the heap grows by live data, and the pace is Go's default.
package gctune

import (
	"context"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Pacer paces the collector of this process; see the package comment.
// While a bulk load runs (Bulk), the heap grows by live data, not
// garbage, and the pace lets it grow by BulkShare between collections.
type Pacer struct {
	floor uint64
	pace  bool // GOGC is not set and floor > 0

	mu      sync.Mutex
	bulk    int // bulk loads running
	lastPct int // the GC percent last set; -1 when none
	sample  []metrics.Sample
}

// New returns a Pacer for a floor in bytes. The GOGC environment
// variable, when set, wins: the operator chose, and it paces nothing.
func New(floor uint64) *Pacer {
	return &Pacer{
		floor:   floor,
		pace:    os.Getenv("GOGC") == "" && floor > 0,
		lastPct: -1,
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/cycles/total:gc-cycles"},
			{Name: "/memory/classes/heap/free:bytes"}},
	}
}

// Start adjusts the pace once a second until ctx ends, and then restores
// Go's defaults. softLimit, when not nil, returns the soft memory limit in
// bytes (0: none); it is read each second, so a CONFIG SET maxmemory takes
// effect. GOMEMLIMIT, when set, wins over softLimit.
func (p *Pacer) Start(ctx context.Context, softLimit func() int64) {
	limit := os.Getenv("GOMEMLIMIT") == "" && softLimit != nil
	if !p.pace && !limit {
		return
	}
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		lastLimit := int64(-1)
		var quiet Quiet
		for {
			if p.pace {
				cycles, free := p.adjust()
				if quiet.Tick(cycles, free, p.quietBar()) {
					debug.FreeOSMemory()
				}
			}
			if limit {
				if l := SoftLimit(softLimit()); l != lastLimit {
					debug.SetMemoryLimit(l)
					lastLimit = l
				}
			}
			select {
			case <-ctx.Done():
				if p.pace {
					p.mu.Lock()
					debug.SetGCPercent(100)
					p.lastPct = 100
					p.mu.Unlock()
				}
				if limit {
					debug.SetMemoryLimit(math.MaxInt64)
				}
				return
			case <-t.C:
			}
		}
	}()
}

// adjust sets the GC percent for the live heap now and returns the
// collector's cycle count and the free heap bytes, for Quiet.
func (p *Pacer) adjust() (cycles, free uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	metrics.Read(p.sample)
	live := value(p.sample[0])
	pct := Percent(live, p.floor)
	if p.bulk > 0 {
		pct = BulkPercent(live, p.floor)
	}
	if pct != p.lastPct {
		debug.SetGCPercent(pct)
		p.lastPct = pct
	}
	return value(p.sample[1]), value(p.sample[2])
}

// Bulk records a bulk load of a dataset starting (true) or ending
// (false): a start-up load, DEBUG RELOAD, a replica loading its master's
// RDB. The pace changes at once, not at the next tick: a load of a
// million keys takes about a second, and at Share the collector would
// mark the growing heap every tenth of its size, some thirty times
// (half the CPU of a replica's full sync went to it).
func (p *Pacer) Bulk(start bool) {
	if p == nil || !p.pace {
		return
	}
	p.mu.Lock()
	switch {
	case start:
		p.bulk++
	case p.bulk > 0:
		p.bulk--
	}
	p.mu.Unlock()
	p.adjust()
}

// Start paces the collector with a new Pacer for floor; see Pacer.Start.
func Start(ctx context.Context, floor uint64, softLimit func() int64) *Pacer {
	p := New(floor)
	p.Start(ctx, softLimit)
	return p
}

func value(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}

// QuietTicks is how many ticks without a collection make a process quiet.
const QuietTicks = 3

// QuietFree is the free heap above which a quiet process returns it at
// once (or the pacer's floor, if lower). It is not the floor itself: with
// a 16 MB floor, a 1M-key node overwritten once found 8-16 MB free before
// the forced collection, kept its peak RSS settled (bench/memkeys.sh:
// 1.31-1.32x Redis's against 1.18x), though the collection then freed 27 MB.
const QuietFree = 8 << 20

// quietBar is the free heap a quiet process must exceed to return it.
func (p *Pacer) quietBar() uint64 { return min(p.floor, QuietFree) }

// Quiet decides when a process that went quiet hands its free heap memory
// back to the OS at once (debug.FreeOSMemory). The runtime's background
// scavenger returns it only slowly, so after a burst of writes (a dataset
// overwritten) RSS would stay at the burst's peak for minutes; Redis's
// allocator purges within seconds.
type Quiet struct {
	cycles   uint64
	ticks    int
	released bool
}

// Tick takes one second's readings: the collector's cycle count and
// the heap memory free but not returned to the OS (bytes). It
// reports true once per quiet period, when QuietTicks ticks have passed
// without a collection and more than floor bytes are free. (With a tenth
// of the live heap as the bar, a 1M-key node overwritten once kept its
// peak RSS, 50 MB over its live heap.)
func (q *Quiet) Tick(cycles, free, floor uint64) bool {
	if cycles != q.cycles {
		q.cycles, q.ticks, q.released = cycles, 0, false
		return false
	}
	q.ticks++
	if q.released || q.ticks < QuietTicks || free <= floor {
		return false
	}
	q.released = true
	return true
}

// Share is the garbage a large heap may hold between collections, in
// percent of the live heap (a GOGC value). A collection marks the live
// heap, so its CPU cost per byte written grows as the share shrinks:
// 10% costs a 1M-key node ~15% of its CPU while 1M keys are loaded and
// overwritten
// (bench/memkeys.sh prints the collector's CPU share).
const Share = 10

// Percent is the GOGC value that lets a heap of live bytes grow by
// max(live × Share%, floor), capped at 1000 (a tiny heap still collects).
// Before the first collection has measured the live heap, it is Go's
// default.
func Percent(live, floor uint64) int {
	if live == 0 {
		return 100
	}
	pct := floor * 100 / live
	return int(max(Share, min(pct, 1000)))
}

// BulkShare is the growth, in percent of the live heap, allowed between
// collections while a dataset loads (Go's default GOGC): the heap then
// grows by live data, so the garbage it may hold stays small, and the
// collector marks the final heap about twice over the load instead of
// 1/Share times.
const BulkShare = 100

// BulkPercent is the GOGC value while a bulk load runs: Percent, but
// allowing at least BulkShare.
func BulkPercent(live, floor uint64) int {
	return max(BulkShare, Percent(live, floor))
}

// SoftLimit is the runtime memory limit for a maxmemory of bytes: none
// (math.MaxInt64) when it is 0.
func SoftLimit(maxmemory int64) int64 {
	if maxmemory <= 0 {
		return math.MaxInt64
	}
	return maxmemory
}
