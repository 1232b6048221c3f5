package gctune

import (
	"math"
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
		{40 * mb, 8 * mb, Share},  // the floor is 20% of 40 MB
		{300 * mb, 8 * mb, Share}, // garbage proportional to the live heap: 60 MB, not 300
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
