package node

import (
	"syscall"
	"testing"
)

// TestLowerThreadPriority: the goroutine's thread runs at backgroundNice
// afterwards, and the test's own thread keeps its priority.
func TestLowerThreadPriority(t *testing.T) {
	before, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	go func() {
		lowerThreadPriority()
		// The raw getpriority syscall returns 20 - nice.
		p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
		if err != nil {
			p = -1
		}
		got <- p
	}()
	if p := <-got; p != 20-backgroundNice {
		t.Errorf("background thread: getpriority %d, want %d (nice %d)", p, 20-backgroundNice, backgroundNice)
	}
	if after, _ := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid()); after != before {
		t.Errorf("the calling thread's priority changed: %d -> %d", before, after)
	}
}
