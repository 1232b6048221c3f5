package node_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/replscope/replscope/internal/difftest"
	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// setsNode starts a replscope node and returns its address and a
// connected client.
func setsNode(t testing.TB) (string, *resp.Client) {
	t.Helper()
	n := nodetest.Start(t)
	return n.Addr(), nodetest.Dial(t, n.Addr())
}

// setsDo runs a command and fails the test on an I/O error or an error reply.
func setsDo(t testing.TB, c *resp.Client, args ...string) resp.Value {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if v.Kind == resp.Error {
		t.Fatalf("%v: %s", args, v.Str)
	}
	return v
}

// setsStrs returns an array reply's elements as strings.
func setsStrs(v resp.Value) []string {
	out := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = string(e.Str)
	}
	return out
}

// setsFill fills key with members prefix0 .. prefix(n-1).
func setsFill(t testing.TB, c *resp.Client, key, prefix string, n int) map[string]bool {
	t.Helper()
	all := map[string]bool{}
	args := []string{"SADD", key}
	for i := 0; i < n; i++ {
		m := fmt.Sprintf("%s%d", prefix, i)
		all[m] = true
		args = append(args, m)
	}
	setsDo(t, c, args...)
	return all
}

// setsScanAll runs a SCAN-family command from cursor 0 to the end, calling
// between(step) after each call, and returns every element returned.
func setsScanAll(t testing.TB, c *resp.Client, cmd, key string, count int, between func(step int)) []string {
	t.Helper()
	cursor := "0"
	var got []string
	for step := 0; ; step++ {
		if step > 100000 {
			t.Fatalf("%s never finished", cmd)
		}
		v := setsDo(t, c, cmd, key, cursor, "COUNT", strconv.Itoa(count))
		cursor = string(v.Elems[0].Str)
		got = append(got, setsStrs(v.Elems[1])...)
		if cursor == "0" {
			return got
		}
		if between != nil {
			between(step)
		}
	}
}

// TestSScanReturnsEveryMember checks SCAN's guarantee on SSCAN: a member
// present for the whole scan is returned at least once, even while other
// members come and go, and nothing that never was a member is returned.
func TestSScanReturnsEveryMember(t *testing.T) {
	_, c := setsNode(t)
	all := setsFill(t, c, "s", "m", 1000)
	ever := map[string]bool{}
	for m := range all {
		ever[m] = true
	}
	got := setsScanAll(t, c, "SSCAN", "s", 7, func(step int) {
		// Remove one original member and add a new one on each step.
		victim := fmt.Sprintf("m%d", (step*37)%1000)
		setsDo(t, c, "SREM", "s", victim)
		delete(all, victim)
		extra := fmt.Sprintf("x%d", step)
		setsDo(t, c, "SADD", "s", extra)
		ever[extra] = true
	})
	seen := map[string]bool{}
	for _, m := range got {
		if !ever[m] {
			t.Fatalf("SSCAN returned %q, never a member", m)
		}
		seen[m] = true
	}
	for m := range all {
		if !seen[m] {
			t.Fatalf("SSCAN missed %q, a member for the whole scan", m)
		}
	}
}

// TestSScanIntsetInOneCall checks that a set Redis keeps as an intset is
// returned whole, sorted, with cursor 0, whatever COUNT says.
func TestSScanIntsetInOneCall(t *testing.T) {
	_, c := setsNode(t)
	setsDo(t, c, "SADD", "i", "30", "-5", "7", "100", "0")
	v := setsDo(t, c, "SSCAN", "i", "0", "COUNT", "1")
	if string(v.Elems[0].Str) != "0" {
		t.Fatalf("cursor %q, want 0", v.Elems[0].Str)
	}
	if got, want := setsStrs(v.Elems[1]), []string{"-5", "0", "7", "30", "100"}; !slices.Equal(got, want) {
		t.Fatalf("SSCAN of an intset = %q, want %q", got, want)
	}
}

// TestSPopProperties checks SPOP: popped members are distinct members that
// are gone afterwards, in both of Redis's strategies (few popped, most
// popped) and when the count covers the whole set.
func TestSPopProperties(t *testing.T) {
	for _, count := range []int{1, 3, 50, 90, 99, 100, 150} {
		t.Run(strconv.Itoa(count), func(t *testing.T) {
			_, c := setsNode(t)
			all := setsFill(t, c, "s", "m", 100)
			popped := setsStrs(setsDo(t, c, "SPOP", "s", strconv.Itoa(count)))
			want := min(count, 100)
			if len(popped) != want {
				t.Fatalf("SPOP %d popped %d members, want %d", count, len(popped), want)
			}
			seen := map[string]bool{}
			for _, m := range popped {
				if !all[m] || seen[m] {
					t.Fatalf("SPOP returned %q: not a member or repeated", m)
				}
				seen[m] = true
				if setsDo(t, c, "SISMEMBER", "s", m).Int != 0 {
					t.Fatalf("%q still a member after SPOP", m)
				}
			}
			if n := setsDo(t, c, "SCARD", "s").Int; n != int64(100-want) {
				t.Fatalf("SCARD after SPOP %d = %d, want %d", count, n, 100-want)
			}
		})
	}
}

// TestSRandMemberProperties checks SRANDMEMBER's count rules: a positive
// count gives distinct members (all of them when it reaches the size), a
// negative one gives exactly -count members, repeats allowed.
func TestSRandMemberProperties(t *testing.T) {
	_, c := setsNode(t)
	all := setsFill(t, c, "s", "m", 20)
	for _, count := range []int{1, 5, 7, 19, 20, 25} {
		got := setsStrs(setsDo(t, c, "SRANDMEMBER", "s", strconv.Itoa(count)))
		if len(got) != min(count, 20) {
			t.Fatalf("SRANDMEMBER %d returned %d members", count, len(got))
		}
		seen := map[string]bool{}
		for _, m := range got {
			if !all[m] || seen[m] {
				t.Fatalf("SRANDMEMBER %d returned %q: not a member or repeated", count, m)
			}
			seen[m] = true
		}
	}
	setsDo(t, c, "SADD", "small", "a", "b")
	got := setsStrs(setsDo(t, c, "SRANDMEMBER", "small", "-200"))
	if len(got) != 200 {
		t.Fatalf("SRANDMEMBER -200 returned %d members", len(got))
	}
	counts := map[string]int{}
	for _, m := range got {
		counts[m]++
	}
	if len(counts) != 2 || counts["a"] == 0 || counts["b"] == 0 {
		t.Fatalf("SRANDMEMBER -200 over {a b} gave %v", counts)
	}
	if n := setsDo(t, c, "SCARD", "s").Int; n != 20 {
		t.Fatalf("SRANDMEMBER changed the set: SCARD %d", n)
	}
}

// TestSPopCountPropagation checks that SPOP with a count replicates as one
// SREM per popped member inside MULTI/EXEC (spopWithCountCommand), for
// both of its strategies, and that SPOP of the whole set replicates as DEL.
func TestSPopCountPropagation(t *testing.T) {
	addr, c := setsNode(t)
	tap := difftest.Tap(t, addr)
	setsFill(t, c, "few", "m", 50)
	setsFill(t, c, "most", "m", 50)
	setsFill(t, c, "whole", "m", 5)
	marker := []string{"SET", "end", "1"}
	setsDo(t, c, marker...)
	if _, err := tap.Until(marker); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key   string
		count int
	}{{"few", 3}, {"most", 48}} {
		popped := setsStrs(setsDo(t, c, "SPOP", tc.key, strconv.Itoa(tc.count)))
		setsDo(t, c, marker...)
		stream, err := tap.Until(marker)
		if err != nil {
			t.Fatal(err)
		}
		if len(stream) != tc.count+2 || stream[0][0] != "MULTI" || stream[len(stream)-1][0] != "EXEC" {
			t.Fatalf("SPOP %s %d replicated as %q", tc.key, tc.count, stream)
		}
		var removed []string
		for _, cmd := range stream[1 : len(stream)-1] {
			if len(cmd) != 3 || cmd[0] != "SREM" || cmd[1] != tc.key {
				t.Fatalf("SPOP %s %d replicated %q", tc.key, tc.count, cmd)
			}
			removed = append(removed, cmd[2])
		}
		slices.Sort(removed)
		slices.Sort(popped)
		if !slices.Equal(removed, popped) {
			t.Fatalf("SPOP %s replied %q but replicated SREMs of %q", tc.key, popped, removed)
		}
	}
	setsDo(t, c, "SPOP", "whole", "5")
	setsDo(t, c, marker...)
	stream, err := tap.Until(marker)
	if err != nil {
		t.Fatal(err)
	}
	if len(stream) != 1 || !slices.Equal(stream[0], []string{"DEL", "whole"}) {
		t.Fatalf("SPOP of the whole set replicated as %q", stream)
	}
}

// TestSetPropagationDifferential compares the replication streams of
// deterministic set commands with redis-server's: SPOP of a one-member set
// (SREM), SPOP of the whole set (DEL), SMOVE, no-op writes that must not
// replicate, and the STORE forms (including deleting the destination).
func TestSetPropagationDifferential(t *testing.T) {
	p := difftest.Start(t)
	p.RunStreamScript(t, "sets", `
SADD s a b c
SADD s a
SREM s zz
SREM s a
SADD one x
SPOP one
SADD two x y
SPOP two 5
SPOP nokey
SPOP s 0
SADD t b d
SMOVE s t b
SMOVE s t zz
SMOVE s s c
SMOVE s t c
SUNIONSTORE u t s
SINTERSTORE i t u
SDIFFSTORE d t t
SINTERSTORE i t nokey
SINTERSTORE nokey2 t nokey
SDIFFSTORE nokey3 nokey t
`)
}

// TestSetZSetDirtyCounts compares how much each set and sorted-set command
// adds to rdb_changes_since_last_save (Redis's server.dirty): one per
// member added, removed, popped or moved, one per stored destination.
func TestSetZSetDirtyCounts(t *testing.T) {
	p := difftest.Start(t)
	steps := [][]string{
		{"SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h"},
		{"SADD", "s", "a", "x"},
		{"SADD", "s", "a"},
		{"SREM", "s", "a", "b", "zz"},
		{"SPOP", "s"},
		{"SPOP", "s", "2"},
		{"SPOP", "s", "0"},
		{"SADD", "t", "1", "2"},
		{"SMOVE", "t", "u", "1"},
		{"SMOVE", "t", "u", "2"},
		{"SADD", "s2", "x", "y"},
		{"SUNIONSTORE", "d", "s", "s2"},
		{"SINTERSTORE", "d", "s", "nokey"},
		{"SINTERSTORE", "d", "s", "nokey"},
		{"SPOP", "s2", "10"},
		{"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"},
		{"ZADD", "z", "CH", "1", "a", "9", "b", "6", "f"},
		{"ZINCRBY", "z", "1", "a"},
		{"ZADD", "z", "INCR", "0", "a"},
		{"ZREM", "z", "a", "zz"},
		{"ZPOPMIN", "z", "2"},
		{"ZPOPMAX", "z"},
		{"ZADD", "y", "1", "a", "2", "b", "3", "c", "4", "d"},
		{"ZREMRANGEBYRANK", "y", "0", "1"},
		{"ZREMRANGEBYSCORE", "y", "-inf", "+inf"},
		{"ZRANGESTORE", "zd", "z", "0", "-1"},
		{"ZRANGESTORE", "zd", "nokey", "0", "-1"},
	}
	for _, addr := range []string{p.Redis.Addr, p.Node.Addr()} {
		nodetest.MustDo(t, addr, "FLUSHALL")
	}
	for _, step := range steps {
		if want, got := setsDirtyDelta(t, p.Redis.Addr, step), setsDirtyDelta(t, p.Node.Addr(), step); want != got {
			t.Errorf("%v: redis-server counted %d changes, replscope %d", step, want, got)
		}
	}
}

// setsDirtyDelta runs cmd and returns how much rdb_changes_since_last_save
// grew.
func setsDirtyDelta(t *testing.T, addr string, cmd []string) int64 {
	t.Helper()
	const field = "rdb_changes_since_last_save"
	before := nodetest.Int(nodetest.Info(t, addr, "persistence"), field)
	nodetest.MustDo(t, addr, cmd...)
	return nodetest.Int(nodetest.Info(t, addr, "persistence"), field) - before
}
