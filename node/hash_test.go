package node_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/replscope/replscope/internal/difftest"
	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// TestHashPropagation checks what hash commands feed to the replication
// stream against redis-server 7.0: writes replicate as executed, except
// HINCRBYFLOAT, which replicates as HSET with the final value; HSET of an
// unchanged value still replicates; HDEL or HSETNX changing nothing and
// failed increments replicate nothing.
func TestHashPropagation(t *testing.T) {
	p := difftest.Start(t)
	p.RunStreamScript(t, "hashes", `
HSET h a 1 b 2
HSET h a 1
HMSET h c 3
HSETNX h a 9
HSETNX h d 4
HSETNX nokey f v
HDEL h zz
HDEL h a zz b
HINCRBY h n 5
HINCRBY h c x
HSET h s abc
HINCRBY h s 1
HINCRBYFLOAT h f 1.5
HINCRBYFLOAT h f 0.1
HINCRBYFLOAT h f 1e10
HINCRBYFLOAT h s 1
HINCRBYFLOAT h f inf
HDEL h c d n s f
HDEL h zz
HDEL nokey a
`)
}

// TestHScanCursor walks a hash too large for a listpack with small COUNTs
// while fields are added and removed between calls: SCAN's guarantee is
// that every field present for the whole walk is returned, with its
// value, and that the walk ends with cursor 0.
func TestHScanCursor(t *testing.T) {
	n := nodetest.Start(t)
	c := nodetest.Dial(t, n.Addr())
	const fields = 1500
	args := []string{"HSET", "h"}
	for i := 0; i < fields; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	hashMustDo(t, c, args...)
	seen := map[string]bool{}
	cursor, calls, extra := "0", 0, 0
	for {
		v := hashMustDo(t, c, "HSCAN", "h", cursor, "COUNT", "37")
		cursor = string(v.Elems[0].Str)
		pairs := v.Elems[1].Elems
		if len(pairs) > 2*37 {
			t.Fatalf("call %d returned %d fields with COUNT 37", calls, len(pairs)/2)
		}
		for i := 0; i+1 < len(pairs); i += 2 {
			f, val := string(pairs[i].Str), string(pairs[i+1].Str)
			if val != "v"+f[1:] {
				t.Fatalf("field %s came with value %q", f, val)
			}
			seen[f] = true
		}
		calls++
		if cursor == "0" {
			break
		}
		// Churn: delete f3, f5, ... one per call and add a new field.
		hashMustDo(t, c, "HDEL", "h", fmt.Sprintf("f%d", 2*calls+1))
		hashMustDo(t, c, "HSET", "h", fmt.Sprintf("x%d", calls), fmt.Sprintf("v%d", calls))
		extra++
	}
	if calls < fields/37 {
		t.Fatalf("the walk took %d calls; COUNT 37 over %d fields needs at least %d", calls, fields, fields/37)
	}
	for i := 0; i < fields; i++ {
		f := "f" + strconv.Itoa(i)
		if i%2 == 1 && i >= 3 && i <= 2*extra+1 {
			continue // deleted during the walk
		}
		if !seen[f] {
			t.Fatalf("field %s, present for the whole walk, was never returned", f)
		}
	}
}

// TestHScanSmallHash checks that a hash Redis would keep as a listpack is
// returned whole, in field order, with cursor 0, whatever COUNT says, and
// that a long value makes it a hash table for good.
func TestHScanSmallHash(t *testing.T) {
	n := nodetest.Start(t)
	c := nodetest.Dial(t, n.Addr())
	hashMustDo(t, c, "HSET", "h", "a", "1", "b", "2", "c", "3")
	v := hashMustDo(t, c, "HSCAN", "h", "0", "COUNT", "1")
	if got := v.String(); got != "0\na\n1\nb\n2\nc\n3" {
		t.Fatalf("HSCAN of a small hash: %q", got)
	}
	big := make([]byte, 65)
	for i := range big {
		big[i] = 'x'
	}
	args := []string{"HSET", "h", "long", string(big)}
	for i := 0; i < 40; i++ {
		args = append(args, "g"+strconv.Itoa(i), "v")
	}
	hashMustDo(t, c, args...)
	hashMustDo(t, c, "HDEL", "h", "long")
	v = hashMustDo(t, c, "HSCAN", "h", "0", "COUNT", "5")
	if string(v.Elems[0].Str) == "0" {
		t.Fatalf("a converted hash of 43 fields came back whole with COUNT 5: %q", v.String())
	}
}

// TestHRandFieldCounts checks HRANDFIELD's count forms: a positive count
// gives distinct fields (all of them when it reaches the size), a negative
// one exactly |count| fields that may repeat, and WITHVALUES pairs each
// field with its own value.
func TestHRandFieldCounts(t *testing.T) {
	n := nodetest.Start(t)
	c := nodetest.Dial(t, n.Addr())
	args := []string{"HSET", "h"}
	for i := 0; i < 100; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	hashMustDo(t, c, args...)
	cases := []struct {
		count      string
		withValues bool
		want       int
		distinct   bool
	}{
		{"5", false, 5, true},
		{"40", true, 40, true},
		{"99", false, 99, true},
		{"100", true, 100, true},
		{"1000", false, 100, true},
		{"-5", false, 5, false},
		{"-300", true, 300, false},
		{"-1", false, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.count, func(t *testing.T) {
			cmd := []string{"HRANDFIELD", "h", tc.count}
			step := 1
			if tc.withValues {
				cmd = append(cmd, "WITHVALUES")
				step = 2
			}
			elems := hashMustDo(t, c, cmd...).Elems
			if len(elems) != tc.want*step {
				t.Fatalf("%v: %d elements, want %d", cmd, len(elems), tc.want*step)
			}
			seen := map[string]bool{}
			for i := 0; i < len(elems); i += step {
				f := string(elems[i].Str)
				if len(f) < 2 || f[0] != 'f' {
					t.Fatalf("%v: unknown field %q", cmd, f)
				}
				if tc.withValues && string(elems[i+1].Str) != "v"+f[1:] {
					t.Fatalf("%v: field %s with value %q", cmd, f, elems[i+1].Str)
				}
				if tc.distinct && seen[f] {
					t.Fatalf("%v: field %s returned twice", cmd, f)
				}
				seen[f] = true
			}
		})
	}
}

// hashMustDo runs a command and fails the test on an error reply.
func hashMustDo(t *testing.T, c *resp.Client, args ...string) resp.Value {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args[:min(len(args), 4)], err)
	}
	if v.Kind == resp.Error {
		t.Fatalf("%v: %s", args[:min(len(args), 4)], v)
	}
	return v
}
