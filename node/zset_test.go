package node_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/replscope/replscope/internal/difftest"
	"github.com/replscope/replscope/internal/resp"
)

// zsetsFill fills key with members m0 .. m(n-1) scored i*1.1.
func zsetsFill(t testing.TB, c *resp.Client, key string, n int) map[string]float64 {
	t.Helper()
	all := map[string]float64{}
	args := []string{"ZADD", key}
	for i := 0; i < n; i++ {
		m, s := fmt.Sprintf("m%d", i), float64(i)*1.1
		all[m] = s
		args = append(args, strconv.FormatFloat(s, 'g', -1, 64), m)
	}
	setsDo(t, c, args...)
	return all
}

// zsetsCheckPairs checks that a flat member/score array pairs each member with
// its score.
func zsetsCheckPairs(t testing.TB, what string, flat []string, all map[string]float64) {
	t.Helper()
	if len(flat)%2 != 0 {
		t.Fatalf("%s: odd reply length %d", what, len(flat))
	}
	for i := 0; i < len(flat); i += 2 {
		want, ok := all[flat[i]]
		if !ok {
			t.Fatalf("%s: %q is not a member", what, flat[i])
		}
		got, err := strconv.ParseFloat(flat[i+1], 64)
		if err != nil || got != want {
			t.Fatalf("%s: %q paired with score %q, want %v", what, flat[i], flat[i+1], want)
		}
	}
}

// TestZScanPairsAndCursor checks ZSCAN over many calls on a sorted set
// past the listpack limits: member/score pairs stay paired and every
// member present for the whole scan is returned.
func TestZScanPairsAndCursor(t *testing.T) {
	_, c := setsNode(t)
	all := zsetsFill(t, c, "z", 500)
	ever := map[string]float64{}
	for m, s := range all {
		ever[m] = s
	}
	got := setsScanAll(t, c, "ZSCAN", "z", 9, func(step int) {
		victim := fmt.Sprintf("m%d", (step*53)%500)
		setsDo(t, c, "ZREM", "z", victim)
		delete(all, victim)
		extra := fmt.Sprintf("x%d", step)
		setsDo(t, c, "ZADD", "z", "-1.5", extra)
		ever[extra] = -1.5
	})
	zsetsCheckPairs(t, "ZSCAN", got, ever)
	seen := map[string]bool{}
	for i := 0; i < len(got); i += 2 {
		seen[got[i]] = true
	}
	for m := range all {
		if !seen[m] {
			t.Fatalf("ZSCAN missed %q, a member for the whole scan", m)
		}
	}
}

// TestZScanListpackInOneCall checks that a sorted set Redis keeps as a
// listpack is returned whole, in order, with cursor 0.
func TestZScanListpackInOneCall(t *testing.T) {
	_, c := setsNode(t)
	setsDo(t, c, "ZADD", "z", "3", "c", "1.5", "a", "2", "b")
	v := setsDo(t, c, "ZSCAN", "z", "0", "COUNT", "1")
	if string(v.Elems[0].Str) != "0" {
		t.Fatalf("cursor %q, want 0", v.Elems[0].Str)
	}
	if got, want := setsStrs(v.Elems[1]), []string{"a", "1.5", "b", "2", "c", "3"}; !slices.Equal(got, want) {
		t.Fatalf("ZSCAN of a listpack = %q, want %q", got, want)
	}
}

// TestZRandMemberProperties checks ZRANDMEMBER's count rules and the
// pairing of WITHSCORES replies.
func TestZRandMemberProperties(t *testing.T) {
	_, c := setsNode(t)
	for _, size := range []int{20, 300} { // listpack and skiplist in Redis
		key := fmt.Sprint("z", size)
		all := zsetsFill(t, c, key, size)
		for _, count := range []int{1, 2, size / 3, size/3 + 1, size - 1, size, size + 5} {
			flat := setsStrs(setsDo(t, c, "ZRANDMEMBER", key, strconv.Itoa(count), "WITHSCORES"))
			what := fmt.Sprintf("ZRANDMEMBER %s %d WITHSCORES", key, count)
			zsetsCheckPairs(t, what, flat, all)
			if len(flat) != 2*min(count, size) {
				t.Fatalf("%s returned %d pairs", what, len(flat)/2)
			}
			seen := map[string]bool{}
			for i := 0; i < len(flat); i += 2 {
				if seen[flat[i]] {
					t.Fatalf("%s repeated %q", what, flat[i])
				}
				seen[flat[i]] = true
			}
		}
		flat := setsStrs(setsDo(t, c, "ZRANDMEMBER", key, "-1000", "WITHSCORES"))
		zsetsCheckPairs(t, "ZRANDMEMBER -1000 WITHSCORES", flat, all)
		if len(flat) != 2000 {
			t.Fatalf("ZRANDMEMBER -1000 WITHSCORES returned %d pairs", len(flat)/2)
		}
		if got := setsStrs(setsDo(t, c, "ZRANDMEMBER", key, "-7")); len(got) != 7 {
			t.Fatalf("ZRANDMEMBER -7 returned %d members", len(got))
		}
	}
	setsDo(t, c, "ZADD", "two", "1", "a", "2", "b")
	counts := map[string]int{}
	for _, m := range setsStrs(setsDo(t, c, "ZRANDMEMBER", "two", "-100")) {
		counts[m]++
	}
	if len(counts) != 2 || counts["a"]+counts["b"] != 100 {
		t.Fatalf("ZRANDMEMBER -100 over {a b} gave %v", counts)
	}
}

// TestZSetPropagationDifferential compares the replication streams of
// sorted-set writes with redis-server's: writes replicate as sent, no-op
// writes do not replicate, and the STORE form may delete its destination.
func TestZSetPropagationDifferential(t *testing.T) {
	p := difftest.Start(t)
	p.RunStreamScript(t, "zsets", `
ZADD z 1 a 2 b 3 c
ZADD z 1 a
ZADD z NX 5 a
ZADD z XX 1 nope
ZADD z GT 0 a
ZADD z INCR 1.5 a
ZINCRBY z 2 b
ZADD z INCR GT -1 a
ZREM z nope
ZREM z c
ZPOPMIN z
ZPOPMAX z 5
ZPOPMIN nokey
ZADD y 1 a 2 b 3 c 4 d 0 e 0 f
ZREMRANGEBYRANK y 10 20
ZREMRANGEBYRANK y 0 0
ZREMRANGEBYSCORE y 100 200
ZREMRANGEBYSCORE y (3 +inf
ZREMRANGEBYLEX y [f [f
ZRANGESTORE dst y 0 -1
ZRANGESTORE dst y 10 20
ZRANGESTORE dst2 y 10 20
ZPOPMIN y 0
`)
}
