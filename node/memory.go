package node

import (
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
)

// INFO memory's figures mean what Redis's mean: memory in use by data and
// buffers, not garbage waiting for the collector. Go's HeapAlloc counts
// both, and a node paced to collect rarely could show hundreds of
// megabytes of garbage as used_memory, the field operators alert on.
//
// used_memory is the heap the last collection found live, plus goroutine
// stacks. The collector runs whenever the heap has grown by a share of
// the live heap (internal/gctune paces it so), so the figure is at most
// one cycle behind. Before the first collection, when nothing has been
// measured live yet, the heap in use stands in.

// memSamples are the runtime metrics the memory figures come from.
var memSamples = []string{
	"/gc/heap/live:bytes",
	"/gc/cycles/total:gc-cycles",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
}

// memReader reads the runtime's memory metrics without stopping the world
// (runtime.ReadMemStats does).
type memReader struct {
	mu sync.Mutex
	s  []metrics.Sample
}

var runtimeMem = func() *memReader {
	r := &memReader{s: make([]metrics.Sample, len(memSamples))}
	for i, name := range memSamples {
		r.s[i].Name = name
	}
	return r
}()

// memFigures is one reading of the process's memory.
type memFigures struct {
	used int64 // live heap (or heap in use before the first GC) + stacks
	held int64 // what the runtime holds from the OS
}

// rss is the process's resident set size, from /proc/self/statm, or what
// the runtime holds from the OS where there is no /proc.
func (f memFigures) rss() int64 {
	if rss := processRSS(); rss > 0 {
		return rss
	}
	return f.held
}

func (r *memReader) read() memFigures {
	r.mu.Lock()
	defer r.mu.Unlock()
	metrics.Read(r.s)
	v := func(i int) int64 {
		if r.s[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(r.s[i].Value.Uint64())
	}
	live, cycles, objects, stacks, total, released := v(0), v(1), v(2), v(3), v(4), v(5)
	if cycles == 0 || live == 0 {
		live = objects
	}
	return memFigures{used: live + stacks, held: total - released}
}

// processRSS reads the resident set size from /proc/self/statm (0 where
// there is none).
func processRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// memoryInUse reads used_memory and keeps used_memory_peak. Callers hold
// the lock; the cron calls it once a second.
func (n *Node) memoryInUse() memFigures {
	f := runtimeMem.read()
	n.memPeak = max(n.memPeak, f.used)
	return f
}

// MaxMemory is the maxmemory directive in bytes (0: none), which a process
// gives the Go runtime as its soft memory limit.
func (n *Node) MaxMemory() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return int64(n.cfg.Maxmemory)
}
