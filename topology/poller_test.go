package topology

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestStalledNodeHoldsNoRound stalls one node of the captured world (it
// accepts and never answers) under Start's loop, in fake time: the rounds
// keep coming at the interval with the others' data fresh, the stalled
// node keeps its last answer until its timeout, is marked stale with a
// "stale" event, and is never probed twice at once.
func TestStalledNodeHoldsNoRound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, _, srv := serveWorld(t)
		const interval = 100 * time.Millisecond
		w, err := NewWatcher(Config{Seeds: []string{addrM}, Dial: f.dialer(), Interval: interval, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		w.Start()
		t.Cleanup(func() { _ = w.Close() })
		next := func() Update {
			t.Helper()
			select {
			case u := <-w.Updates():
				return u
			case <-time.After(time.Minute):
				t.Fatal("no update for a minute")
				return Update{}
			}
		}
		for u := next(); len(u.Graph.Nodes) != 4 || u.Graph.ByAddr(addrR2).Reach != ReachOK; u = next() {
		}
		srv[addrR2].set(func(s *fakeServer) { s.stall = true })
		stalled := time.Now()
		var staleAt, prevAt time.Time
		for time.Since(stalled) < 30*interval {
			u := next()
			g := u.Graph
			if !prevAt.IsZero() && g.At.Sub(prevAt) > interval {
				t.Errorf("round at +%s, %s after the previous one", g.At.Sub(stalled), g.At.Sub(prevAt))
			}
			prevAt = g.At
			if age, _ := g.DataAge(g.ByAddr(addrM)); age > interval || g.IsStale(g.ByAddr(addrM)) {
				t.Errorf("the master's data is %s old", age)
			}
			r2 := g.ByAddr(addrR2)
			if r2.Reach != ReachOK {
				t.Errorf("the stalled node lost its last answer before its timeout: %s %s", r2.Reach, r2.Error)
			}
			if g.IsStale(r2) && staleAt.IsZero() {
				staleAt = g.At
				if !hasEventAt(u.Events, EventStale, addrR2) {
					t.Errorf("no stale event in %v", u.Events)
				}
			}
		}
		if staleAt.IsZero() {
			t.Fatal("the stalled node was never marked stale")
		} else if d := staleAt.Sub(stalled); d > (staleIntervals+2)*interval {
			t.Errorf("marked stale %s after it stalled", d)
		}
		srv[addrR2].mu.Lock()
		accepted := srv[addrR2].accepted
		srv[addrR2].mu.Unlock()
		if accepted > 1 {
			t.Errorf("%d connections to the stalled node: probed again while a probe was in flight", accepted)
		}
	})
}
