package topology

import (
	"testing"
	"time"
)

// TestNoEstimatesFromANearZeroRate: an idle master's PINGs (14 bytes
// every 10 s) give no "data is 2h old", no "~208h" margin window and no
// backlog holding time.
func TestNoEstimatesFromANearZeroRate(t *testing.T) {
	w := loadWorld(t)
	line := "ip=127.0.0.1,port=40187,state=online,offset=36,lag=0"
	g0 := graphOf(t0, nil, Thresholds{}, masterAt(w.m, 50, 1, line), replicaAt(w.r2, 36))
	g1 := graphOf(t0.Add(10*time.Second), g0, Thresholds{}, masterAt(w.m, 64, 1, line), replicaAt(w.r2, 36))
	h := mustLink(t, g1, addrM, addrR2).Health
	eq(t, "lag bytes", h.LagBytes, int64(28))
	eq(t, "no age from 1.4 B/s", h.LagTimeKnown, false)
	eq(t, "no window", h.Coverage.WindowKnown, false)
	a := mustNode(t, g1, addrM).Health.Backlog
	eq(t, "no holding time", a.HoldsKnown, false)
	for _, al := range g1.Alerts {
		t.Errorf("unexpected alert %s: %s", al.Name, al.Message)
	}
}

// TestLowMarginIsNotCovered: a partial resync is possible but the margin
// lasts under a second at the current rate: Low, shown amber.
func TestLowMarginIsNotCovered(t *testing.T) {
	w := loadWorld(t)
	line := "ip=127.0.0.1,port=40187,state=online,offset=0,lag=0"
	g0 := graphOf(t0, nil, Thresholds{}, masterAt(w.m, 50, 1, line), replicaAt(w.r2, 50))
	g1 := graphOf(t0.Add(time.Second), g0, Thresholds{}, masterAt(w.m, 900_050, 1, line), replicaAt(w.r2, 800_000))
	c := mustLink(t, g1, addrM, addrR2).Health.Coverage
	eq(t, "partial", c.Partial, true)
	eq(t, "low", c.Low, true)
	h0 := graphOf(t0, nil, Thresholds{}, masterAt(w.m, 50, 1, line), replicaAt(w.r2, 50))
	h1 := graphOf(t0.Add(time.Second), h0, Thresholds{}, masterAt(w.m, 1050, 1, line), replicaAt(w.r2, 1000))
	eq(t, "ample", mustLink(t, h1, addrM, addrR2).Health.Coverage.Low, false)
}

// TestBacklogAdviceFollowsThePeakRate: the advice is sized for the
// highest rate in the outage window, so it does not flap with each
// reading (644 → 716 → 602 MB).
func TestBacklogAdviceFollowsThePeakRate(t *testing.T) {
	w := loadWorld(t)
	var g *Graph
	off := int64(50)
	var recs []int64
	for i, rate := range []int64{0, 10_000_000, 11_000_000, 9_500_000, 10_200_000} {
		off += rate
		g = graphOf(t0.Add(time.Duration(i)*time.Second), g, Thresholds{RateWindow: time.Second}, masterAt(w.m, off, off-1000))
		if a := mustNode(t, g, addrM).Health.Backlog; a.Known {
			recs = append(recs, a.Recommended)
		}
	}
	eq(t, "steady after the peak", recs[1:], []int64{832 << 20, 832 << 20, 832 << 20})
}

// TestRepeatedReadingKeepsTheRate: a node not re-read this round (same
// reading, same time) keeps its samples and rate instead of resetting.
func TestRepeatedReadingKeepsTheRate(t *testing.T) {
	w := loadWorld(t)
	g0 := graphOf(t0, nil, Thresholds{}, masterAt(w.m, 50, 1))
	t1 := t0.Add(time.Second)
	m1 := masterAt(w.m, 1050, 1).node(t1)
	g1 := Build(t1, []*Node{m1}, g0, nil)
	Assess(g0, g1, Thresholds{})
	g2 := Build(t1.Add(time.Second), []*Node{m1}, g1, nil)
	Assess(g1, g2, Thresholds{})
	eq(t, "rate", mustNode(t, g2, addrM).Health.WriteRate, Rate{PerSec: 1000, Known: true})
}

// TestRateDropsToZeroWhenOffsetsStop: 9.5 MB/s of writes, then none: the
// next reading says 0, not 9.5 MB/s averaged over the window.
func TestRateDropsToZeroWhenOffsetsStop(t *testing.T) {
	w := loadWorld(t)
	var g *Graph
	off := int64(50)
	for i := range 12 {
		if i < 10 {
			off += 9_500_000
		}
		g = graphOf(t0.Add(time.Duration(i)*time.Second), g, Thresholds{}, masterAt(w.m, off, off-1000))
	}
	eq(t, "rate", mustNode(t, g, addrM).Health.WriteRate, Rate{PerSec: 0, Known: true})
}
