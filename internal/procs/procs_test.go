package procs

import (
	"slices"
	"testing"
)

func TestSizerRaisesForJobsAndLowersAfterTheLast(t *testing.T) {
	var got []int
	s := New(1, 2, func(n int) { got = append(got, n) })
	s.Job(true)
	s.Job(true) // a second job while the first runs: no change
	s.Job(false)
	s.Job(false)
	s.Job(false) // an unmatched end is ignored
	s.Job(true)
	if want := []int{1, 2, 1, 2}; !slices.Equal(got, want) {
		t.Fatalf("sizes %v, want %v", got, want)
	}
}

func TestSizerBounds(t *testing.T) {
	cases := []struct {
		io, ncpu    int
		base, burst int
	}{
		{1, 1, 1, 1},  // one CPU: nothing to add
		{1, 8, 1, 2},  // Redis's default
		{4, 8, 4, 5},  // io-threads 4
		{16, 8, 8, 8}, // more threads than CPUs
		{0, 8, 1, 2},  // never below one
	}
	for _, c := range cases {
		var got []int
		s := New(c.io, c.ncpu, func(n int) { got = append(got, n) })
		s.Job(true)
		want := []int{c.base}
		if c.burst != c.base {
			want = append(want, c.burst)
		}
		if !slices.Equal(got, want) {
			t.Errorf("io-threads %d on %d CPUs: sizes %v, want %v", c.io, c.ncpu, got, want)
		}
	}
}

func TestNilSizerIsInert(t *testing.T) {
	var s *Sizer
	s.Job(true)
	s.Job(false)
}
