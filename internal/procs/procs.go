// Package procs sizes the Go scheduler of a server process the way Redis
// uses a machine's CPUs: io-threads threads serve clients (Redis's default
// is one, its main thread), and a job beside them — a save or a load, the
// RDB of a full sync — gets one more while it runs, as Redis forks a child
// for a BGSAVE.
//
// On a small machine this matters: with every CPU given to the scheduler,
// the server's idle threads spin looking for work and take the CPU its own
// clients (and redis-benchmark) need, while a single serving thread beside
// a background job that shares it stalls clients for a whole scheduling
// slice (10 ms) at a time.
package procs

import (
	"os"
	"runtime"
	"sync"
)

// Sizer holds the scheduler at base threads, base+1 while jobs run.
type Sizer struct {
	mu    sync.Mutex
	set   func(int)
	base  int
	burst int
	jobs  int
}

// New returns a Sizer for ioThreads serving threads on a machine of ncpu
// CPUs that applies its sizes through set (runtime.GOMAXPROCS in a
// process; a recorder in tests) and applies the base size now.
func New(ioThreads, ncpu int, set func(int)) *Sizer {
	base := max(1, min(ioThreads, ncpu))
	s := &Sizer{set: set, base: base, burst: max(base, min(base+1, ncpu))}
	set(base)
	return s
}

// ForProcess sizes this process for ioThreads serving threads, unless the
// GOMAXPROCS environment variable is set (the operator's choice wins): then
// it returns nil, whose Job does nothing.
func ForProcess(ioThreads int) *Sizer {
	if os.Getenv("GOMAXPROCS") != "" {
		return nil
	}
	return New(ioThreads, runtime.NumCPU(), func(n int) { runtime.GOMAXPROCS(n) })
}

// Job records a background job starting (true) or ending (false); the
// first to start raises the size and the last to end lowers it again.
func (s *Sizer) Job(start bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case start:
		s.jobs++
		if s.jobs == 1 && s.burst != s.base {
			s.set(s.burst)
		}
	case s.jobs > 0:
		s.jobs--
		if s.jobs == 0 && s.burst != s.base {
			s.set(s.base)
		}
	}
}
