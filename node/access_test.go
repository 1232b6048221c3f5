package node

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/replscope/replscope/node/keyspace"
)

// The access field follows Redis 7.0.15's objectSetLRUOrLFU and
// estimateObjectIdleTime, wrap-arounds of the 24-bit LRU clock included.
func TestRestoreIdleTimeWraps(t *testing.T) {
	for _, tc := range []struct {
		clock uint32
		idle  int64
		want  int64
	}{
		{clock: 5000, idle: 1000, want: 1000},
		{clock: 100, idle: 1000, want: 1000}, // before the clock's start: unwrapped
		{clock: 5000, idle: 0, want: 0},
		{clock: 5000, idle: lruClockMax, want: 0}, // one whole turn
		{clock: 5000, idle: lruClockMax + 1, want: 1},
		{clock: 5000, idle: math.MaxInt64, want: lruClockMax - 1}, // idle*1000 wraps to -1000
	} {
		n := &Node{access: accessClock{lru: tc.clock}}
		e := keyspace.New(1).DB(0).Add([]byte("k"), []byte("v"), nil, 0)
		n.restoreAccessLocked(e, -1, tc.idle, 0)
		if got := n.idleSeconds(e); got != tc.want {
			t.Errorf("clock %d, RESTORE IDLETIME %d: OBJECT IDLETIME %d, want %d", tc.clock, tc.idle, got, tc.want)
		}
		n.restoreAccessLocked(e, 7, -1, 0) // FREQ is ignored without LFU
		if got := n.idleSeconds(e); got != tc.want {
			t.Errorf("FREQ changed the idle time under an LRU policy: %d", got)
		}
	}
}

func TestLFUDecayAndIncrement(t *testing.T) {
	minute := int64(60_000)
	for _, tc := range []struct {
		field uint32
		now   int64
		want  uint32
	}{
		{field: 10<<8 | 7, now: 10 * minute, want: 7},
		{field: 10<<8 | 7, now: 12 * minute, want: 5},
		{field: 10<<8 | 7, now: 30 * minute, want: 0},
		{field: 65535<<8 | 7, now: 65537 * minute, want: 6}, // the minute clock wrapped: one period
	} {
		if got := lfuDecayed(tc.field, tc.now); got != tc.want {
			t.Errorf("lfuDecayed(%#x, minute %d) = %d, want %d", tc.field, tc.now/minute, got, tc.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for c := uint32(0); c <= lfuInitVal; c++ {
		if got := lfuLogIncr(c, r); got != c+1 {
			t.Errorf("counter %d (at most LFU_INIT_VAL) must always grow: %d", c, got)
		}
	}
	if got := lfuLogIncr(255, r); got != 255 {
		t.Errorf("counter 255 grew to %d", got)
	}
	grew := 0
	for range 10000 {
		if lfuLogIncr(105, r) == 106 {
			grew++
		}
	}
	if grew < 2 || grew > 40 { // p = 1/1001
		t.Errorf("counter 105 grew %d times in 10000, want about 10", grew)
	}
}
