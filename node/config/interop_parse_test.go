package config

import (
	"context"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// TestInteropKeysMatch compares Match with a real server's KEYS on the
// same keys, for the table patterns and a few thousand random ones.
func TestInteropKeysMatch(t *testing.T) {
	s := redistest.Start(t)
	rc := s.Client(t)
	rng := rand.New(rand.NewPCG(1, 2))
	keySet := map[string]bool{}
	for _, k := range []string{"", "a", "b", "ab", "ba", "abc", "aXbYc", "aXcYb", "A", "B", "hello", "HELLO",
		"_", "]", "[", "-", "^", "\\", "*", "?", "[a]", "a\\", "\xe9", "\x01", "x-y", "a]b", "abbbc", "aaaa"} {
		keySet[k] = true
	}
	for _, tc := range matchCases {
		keySet[tc.s] = true
	}
	for len(keySet) < 300 {
		keySet[randString(rng, "ab-]^\\[Az\xe9", 6)] = true
	}
	var keys []string
	for k := range keySet {
		keys = append(keys, k)
		if v := do(t, rc, "SET", k, "1"); v.Kind == resp.Error {
			t.Fatalf("SET %q: %s", k, v.Str)
		}
	}
	patterns := []string{"**", "[", "[^", "\\", "a\\", "[\\", "[a-", "[a-]", "[]]", "[!a]"}
	for _, tc := range matchCases {
		if !tc.nocase {
			patterns = append(patterns, tc.pattern)
		}
	}
	for range 3000 {
		patterns = append(patterns, randString(rng, "ab*?[]^-\\A\xe9", 7))
	}
	for _, p := range patterns {
		v := do(t, rc, "KEYS", p)
		var want []string
		for _, e := range v.Elems {
			want = append(want, string(e.Str))
		}
		var got []string
		for _, k := range keys {
			// KEYS lists every key for the pattern "*" without matching.
			if p == "*" || Match(p, k, false) {
				got = append(got, k)
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("KEYS %q:\n ours  %q\n redis %q", p, got, want)
		}
	}
}

// TestInteropMatchNocase compares case-insensitive matching with the
// server's CONFIG GET over its directive names, with mixed-case patterns.
func TestInteropMatchNocase(t *testing.T) {
	s := redistest.Start(t)
	rc := s.Client(t)
	rng := rand.New(rand.NewPCG(3, 4))
	names := sortedKeys(ourPairs(t, Default().Get("*")))
	for range 500 {
		p := randString(rng, "rRePpLl-*?[]^aA", 6)
		if !strings.ContainsAny(p, "*?[") {
			continue // an exact lookup, not a match
		}
		var got []string
		for _, n := range names {
			if Match(p, n, true) {
				got = append(got, n)
			}
		}
		want := sortedKeys(pairs(t, do(t, rc, "CONFIG", "GET", p)))
		if !slices.Equal(got, want) {
			t.Errorf("CONFIG GET %q:\n ours  %q\n redis %q", p, got, want)
		}
	}
}

func randString(rng *rand.Rand, alphabet string, maxLen int) string {
	n := rng.IntN(maxLen + 1)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

// TestInteropSplitArgs sends each line as an inline command to a real
// server, whose inline parser is sdssplitargs, and compares the
// arguments it received (stored with RPUSH) with SplitArgs.
func TestInteropSplitArgs(t *testing.T) {
	s := redistest.Start(t)
	rng := rand.New(rand.NewPCG(5, 6))
	var lines []string
	for _, tc := range splitCases {
		lines = append(lines, tc.line)
	}
	for range 300 {
		lines = append(lines, randString(rng, "ab \"'\\x4F\tn", 10))
	}
	var c *resp.Client
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	for _, line := range lines {
		if c == nil {
			var err error
			if c, err = resp.Dial(context.Background(), s.Addr, 5*time.Second); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.WriteRaw([]byte("RPUSH l x " + line + "\r\n")); err != nil {
			t.Fatal(err)
		}
		v, err := c.Receive()
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		ours, ourErr := SplitArgs(line)
		if v.Kind == resp.Error {
			// The server closes the connection after a protocol error.
			c.Close()
			c = nil
			if !strings.Contains(string(v.Str), "unbalanced quotes") || ourErr == nil {
				t.Errorf("%q: redis %q, ours %q, %v", line, v.Str, ours, ourErr)
			}
			continue
		}
		got := do(t, c, "LRANGE", "l", "0", "-1")
		do(t, c, "DEL", "l")
		var theirs []string
		for _, e := range got.Elems[1:] {
			theirs = append(theirs, string(e.Str))
		}
		if ourErr != nil || !slices.Equal(ours, theirs) {
			t.Errorf("%q: redis %q, ours %q, %v", line, theirs, ours, ourErr)
		}
	}
}
