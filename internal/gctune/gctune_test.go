package gctune

import "testing"

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	cases := []struct {
		live, headroom uint64
		want           int
	}{
		{0, 256 * mb, 1000},
		{10 * mb, 256 * mb, 1000},  // capped
		{64 * mb, 256 * mb, 400},   // grows by 256 MB
		{256 * mb, 256 * mb, 100},  // the default from here on
		{1024 * mb, 256 * mb, 100}, // never below the default
	}
	for _, c := range cases {
		if got := Percent(c.live, c.headroom); got != c.want {
			t.Errorf("Percent(%d MB, %d MB) = %d, want %d", c.live/mb, c.headroom/mb, got, c.want)
		}
	}
}
