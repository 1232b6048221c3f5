package node

import (
	"runtime"
	"testing"
	"time"
)

// TestArrivalsEarlierGoesFirst: a batch waits while one that arrived
// earlier is registered, and goes once that one has left (or at once when
// it arrived later).
func TestArrivalsEarlierGoesFirst(t *testing.T) {
	var a arrivals
	early, late := &Client{id: 1}, &Client{id: 2}
	a.turn(early, 100) // alone: returns at once
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.turn(late, 200)
	}()
	select {
	case <-done:
		t.Fatal("the later batch did not wait for the earlier one")
	case <-time.After(arrivalWaitCap / 5):
	}
	a.leave(early)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the later batch still waits after the earlier one left")
	}
	a.leave(late)
	// A batch that arrived earlier does not wait for a later one.
	a.turn(late, 300)
	start := time.Now()
	a.turn(early, 250)
	if time.Since(start) >= arrivalWaitCap {
		t.Fatal("the earlier batch waited for a later one")
	}
}

// TestArrivalsAllocateNothing: a batch that goes at once, and one that
// waits for an earlier one and is woken by its leave, allocate nothing
// once the client's wake channel and timer exist (the map, the channel
// replaced on every leave, a timer and a defer per wait allocated on every
// batch before).
func TestArrivalsAllocateNothing(t *testing.T) {
	var a arrivals
	early, late := &Client{id: 1}, &Client{id: 2}
	alone := func() {
		a.turn(late, 100)
		a.leave(late)
	}
	waiting := func() {
		a.turn(early, 100)
		done := make(chan struct{}) // the test's own allocation, counted below
		go func() {
			a.turn(late, 200)
			a.leave(late)
			close(done)
		}()
		for {
			a.mu.Lock()
			waits := len(a.pending) == 2 && (a.pending[0].waiting || a.pending[1].waiting)
			a.mu.Unlock()
			if waits {
				break
			}
			runtime.Gosched()
		}
		a.leave(early)
		<-done
	}
	alone()
	waiting()
	if n := testing.AllocsPerRun(50, alone); n != 0 {
		t.Errorf("a batch going at once: %.1f allocations", n)
	}
	// The goroutine, its closure and done: 3 allocations of the test's.
	if n := testing.AllocsPerRun(50, waiting); n > 3 {
		t.Errorf("a batch waiting for an earlier one: %.1f allocations, want at most the test's 3", n)
	}
}

// TestArrivalsLeaveWakesOnlyTheEarliest: a leave wakes the earliest batch
// left, not every waiter (the others still have it before them).
func TestArrivalsLeaveWakesOnlyTheEarliest(t *testing.T) {
	var a arrivals
	e, m, l := &Client{id: 1}, &Client{id: 2}, &Client{id: 3}
	for _, c := range []*Client{m, l} {
		c.arrivalWake = make(chan struct{}, 1)
	}
	a.pending = []arrival{{c: e, ts: 100}, {c: l, ts: 300, waiting: true}, {c: m, ts: 200, waiting: true}}
	a.leave(e)
	if len(m.arrivalWake) != 1 {
		t.Error("the earliest waiter left was not woken")
	}
	if len(l.arrivalWake) != 0 {
		t.Error("a waiter with an earlier batch still pending was woken")
	}
}
