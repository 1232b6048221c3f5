package node

import (
	"math"
	"testing"
)

// Table tests of the arithmetic the bitmap and SORT commands do on
// client-given integers, at the int64 edges, without redis-server (the
// differential scripts and TestEdgeIntegersMatchRedis compare the same
// cases with it byte for byte).

func TestSortLimitsAtEdges(t *testing.T) {
	const maxI, minI = math.MaxInt64, math.MinInt64
	for _, tc := range []struct {
		start, count, n int64
		wantS, wantE    int64
	}{
		{0, -1, 5, 0, 4},
		{1, 2, 5, 1, 2},
		{-5, 2, 5, 0, 1},
		{2, 0, 5, 0, -1},
		{100, 5, 5, 0, -1},
		{maxI, maxI, 5, 0, -1},
		{minI, minI, 5, 0, 4},
		{3, maxI, 5, 3, 4},
		{minI, maxI, 5, 0, 4},
		{0, -1, 0, 0, -1},
		{maxI, 1, 0, 0, -1},
		{4, 1, 5, 4, 4},
	} {
		s, e := sortLimits(tc.start, tc.count, tc.n)
		if s != tc.wantS || e != tc.wantE {
			t.Errorf("LIMIT %d %d over %d: [%d,%d], want [%d,%d]", tc.start, tc.count, tc.n, s, e, tc.wantS, tc.wantE)
		}
	}
}

func TestBitRangeAtEdges(t *testing.T) {
	const maxI, minI = math.MaxInt64, math.MinInt64
	for _, tc := range []struct {
		start, end, n int64
		bit           bool
		first, last   int64
		empty         bool
	}{
		{0, -1, 3, false, 0, 23, false},
		{minI, maxI, 3, false, 0, 23, false},
		{minI, maxI, 3, true, 0, 23, false},
		{maxI, minI, 3, false, 0, 0, true},
		{5, 30, 3, true, 5, 23, false},
		{-3, -1, 3, true, 21, 23, false},
		{1, 1, 3, false, 8, 15, false},
		{0, 0, 0, false, 0, 0, true},
		{1 << 31, 1 << 31, 3, false, 0, 0, true},
	} {
		f, l, e := bitRange(tc.start, tc.end, tc.n, tc.bit)
		if e != tc.empty || (!e && (f != tc.first || l != tc.last)) {
			t.Errorf("range %d %d of %d bytes (bit=%v): %d %d %v, want %d %d %v", tc.start, tc.end, tc.n, tc.bit, f, l, e, tc.first, tc.last, tc.empty)
		}
	}
}

func TestBitfieldOverflowAtEdges(t *testing.T) {
	for _, tc := range []struct {
		value, incr int64
		width, over int
		want        int64
		overflow    bool
	}{
		{math.MaxInt64, 1, 64, bfWrap, math.MinInt64, true},
		{math.MaxInt64, 1, 64, bfSat, math.MaxInt64, true},
		{math.MinInt64, -1, 64, bfSat, math.MinInt64, true},
		{math.MinInt64, -1, 64, bfWrap, math.MaxInt64, true},
		{0, math.MinInt64, 64, bfSat, math.MinInt64, false},
		{-1, math.MinInt64, 64, bfSat, math.MinInt64, true},
		{127, 1, 8, bfWrap, -128, true},
		{-128, -1, 8, bfSat, -128, true},
		{100, 27, 8, bfFail, 0, false},
		{1, math.MaxInt64, 8, bfSat, 127, true},
	} {
		got, ov := signedOverflow(tc.value, tc.incr, tc.width, tc.over)
		if ov != tc.overflow || (ov && got != tc.want) {
			t.Errorf("i%d %d%+d (%d): %d %v, want %d %v", tc.width, tc.value, tc.incr, tc.over, got, ov, tc.want, tc.overflow)
		}
	}
	for _, tc := range []struct {
		value       uint64
		incr        int64
		width, over int
		want        uint64
		overflow    bool
	}{
		{1<<63 - 1, 1, 63, bfWrap, 0, true},
		{1<<63 - 1, 1, 63, bfSat, 1<<63 - 1, true},
		{0, math.MinInt64, 63, bfSat, 0, true},
		{0, -1, 1, bfWrap, 1, true},
		{255, 1, 8, bfWrap, 0, true},
		{1 << 62, math.MaxInt64, 63, bfSat, 1<<63 - 1, true},
		{5, -5, 8, bfFail, 0, false},
	} {
		got, ov := unsignedOverflow(tc.value, tc.incr, tc.width, tc.over)
		if ov != tc.overflow || (ov && got != tc.want) {
			t.Errorf("u%d %d%+d (%d): %d %v, want %d %v", tc.width, tc.value, tc.incr, tc.over, got, ov, tc.want, tc.overflow)
		}
	}
}

func TestBitScanHelpers(t *testing.T) {
	s := []byte{0xff, 0x0f, 0x00, 0x80}
	if n := countBits(s, 0, 31); n != 13 {
		t.Errorf("countBits all = %d, want 13", n)
	}
	if n := countBits(s, 3, 11); n != 5 {
		t.Errorf("countBits 3..11 = %d, want 5", n)
	}
	for _, tc := range []struct {
		first, last int64
		want        bool
		pos         int64
	}{
		{0, 31, false, 8}, {0, 31, true, 0}, {8, 31, true, 12}, {16, 23, true, -1}, {16, 31, true, 24}, {9, 10, false, 9},
	} {
		if p := findBit(s, tc.first, tc.last, tc.want); p != tc.pos {
			t.Errorf("findBit(%d..%d, %v) = %d, want %d", tc.first, tc.last, tc.want, p, tc.pos)
		}
	}
}
