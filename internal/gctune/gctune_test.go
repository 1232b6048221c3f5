package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	cases := []struct {
		live, floor uint64
		want        int
	}{
		{0, 8 * mb, 100},          // nothing measured yet: Go's default
		{512 << 10, 8 * mb, 1000}, // capped: a tiny heap still collects
		{2 * mb, 8 * mb, 400},     // grows by the 8 MB floor
		{8 * mb, 8 * mb, 100},     // still the floor
		{20 * mb, 8 * mb, 40},     // the floor is 40% of 20 MB
		{80 * mb, 8 * mb, Share},  // the floor is 10% of 80 MB
		{300 * mb, 8 * mb, Share}, // garbage proportional to the live heap: 30 MB, not 300
		{1024 * mb, 8 * mb, Share},
	}
	for _, c := range cases {
		if got := Percent(c.live, c.floor); got != c.want {
			t.Errorf("Percent(%d KB, %d KB) = %d, want %d", c.live>>10, c.floor>>10, got, c.want)
		}
	}
}

func TestSoftLimit(t *testing.T) {
	if got := SoftLimit(0); got != math.MaxInt64 {
		t.Errorf("SoftLimit(0) = %d, want no limit", got)
	}
	if got := SoftLimit(100 << 20); got != 100<<20 {
		t.Errorf("SoftLimit(100 MB) = %d", got)
	}
}

func TestQuiet(t *testing.T) {
	const mb = 1 << 20
	var q Quiet
	tick := func(cycles, free uint64) bool { return q.Tick(cycles, free*mb, 8*mb) }
	// a burst: collections every tick, never a release
	for c := uint64(1); c <= 5; c++ {
		if tick(c, 80) {
			t.Fatalf("released during a burst (cycle %d)", c)
		}
	}
	for i := 1; i < QuietTicks; i++ {
		if tick(5, 80) {
			t.Fatalf("released after %d quiet ticks", i)
		}
	}
	if !tick(5, 80) {
		t.Fatal("no release after the burst: 80 MB free over a 200 MB live heap")
	}
	if tick(5, 80) || tick(5, 80) {
		t.Fatal("released twice in one quiet period")
	}
	// the release's own collection starts a new period with little free
	for i := 0; i < 2*QuietTicks; i++ {
		if tick(6, 5) {
			t.Fatal("released 5 MB: under the floor")
		}
	}
	// 15 MB free, under a tenth of the heap but over the floor: released
	q = Quiet{}
	released := false
	for i := 0; i < 2*QuietTicks; i++ {
		released = tick(0, 15) || released
	}
	if !released {
		t.Fatal("kept 15 MB free over a 200 MB heap")
	}
}

func TestBulkPercent(t *testing.T) {
	const mb = 1 << 20
	if got := BulkPercent(300*mb, 8*mb); got != BulkShare {
		t.Errorf("BulkPercent(300 MB) = %d, want %d", got, BulkShare)
	}
	if got := BulkPercent(2*mb, 8*mb); got != 400 {
		t.Errorf("BulkPercent(2 MB) = %d, want the floor's 400", got)
	}
}

// TestPacerBulk: the pace changes as soon as the first load starts and
// returns to Share when the last one ends.
func TestPacerBulk(t *testing.T) {
	t.Setenv("GOGC", "")
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })
	runtime.GC() // a live heap measured: Percent(live, 1 byte) is Share
	p := New(1)
	gcPercent := func() int { v := debug.SetGCPercent(-1); debug.SetGCPercent(v); return v }
	p.Bulk(true)
	if got := gcPercent(); got != BulkShare {
		t.Fatalf("GC percent %d during a load, want %d", got, BulkShare)
	}
	p.Bulk(true)
	p.Bulk(false)
	if got := gcPercent(); got != BulkShare {
		t.Fatalf("GC percent %d while a second load runs, want %d", got, BulkShare)
	}
	p.Bulk(false)
	if got := gcPercent(); got != Share {
		t.Fatalf("GC percent %d after the loads, want %d", got, Share)
	}
	p.Bulk(false) // an unmatched end changes nothing
	if got := gcPercent(); got != Share {
		t.Fatalf("GC percent %d after an unmatched end, want %d", got, Share)
	}
	var none *Pacer
	none.Bulk(true) // a nil Pacer (no pacing) is inert
}

// TestQuietBarIsNotTheFloor: a 16 MB floor still releases 12 MB free on a
// quiet node (with the floor as the bar, a 1M-key node overwritten once
// kept its peak RSS); a floor below QuietFree is the bar itself.
func TestQuietBarIsNotTheFloor(t *testing.T) {
	const mb = 1 << 20
	if got := New(16 * mb).quietBar(); got != QuietFree {
		t.Errorf("16 MB floor: bar %d, want %d", got, QuietFree)
	}
	if got := New(4 * mb).quietBar(); got != 4*mb {
		t.Errorf("4 MB floor: bar %d, want %d", got, 4*mb)
	}
	var q Quiet
	p := New(16 * mb)
	released := false
	for range QuietTicks + 1 {
		released = released || q.Tick(3, 12*mb, p.quietBar())
	}
	if !released {
		t.Error("12 MB free on a quiet node with a 16 MB floor was never released")
	}
}
