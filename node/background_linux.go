package node

import (
	"runtime"
	"syscall"
)

// backgroundNice is the nice value of the thread a BGSAVE runs on: when
// the CPU is short, the kernel then runs the threads that serve clients
// first, so a client's request is not kept waiting behind the encoder for
// a time slice. A full sync's encoder keeps the normal priority: its
// replica, often a process of the same priority on the same host while it
// loads, would then outrun it, and the sync took longer (bench/compare.sh:
// 0.53× of Redis's time against 0.46-0.47× without).
const backgroundNice = 10

// lowerThreadPriority pins the calling goroutine to its OS thread and
// lowers that thread's priority to backgroundNice. The goroutine never
// unlocks: when it ends, Go ends the thread with it, so the lower priority
// never passes to other goroutines (an unprivileged process could not
// raise it back). A failure leaves the priority as it was.
func lowerThreadPriority() {
	runtime.LockOSThread()
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), backgroundNice)
}
