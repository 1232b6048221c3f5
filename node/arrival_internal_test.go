package node

import (
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
