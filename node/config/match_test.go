package config

import (
	"strings"
	"testing"
)

// matchCases follow stringmatchlen (Redis 7.0.15 src/util.c). The
// case-sensitive ones are replayed against a real server's KEYS by the
// interop test.
var matchCases = []struct {
	pattern, s string
	nocase     bool
	want       bool
}{
	{"", "", false, true},
	{"", "a", false, false},
	{"*", "", false, false}, // stringmatchlen never matches an empty string
	{"**", "", false, false},
	{"?", "", false, false},
	{"*", "abc", false, true},
	{"**", "abc", false, true},
	{"a*", "a", false, true},
	{"a**", "a", false, true},
	{"a*?", "a", false, false},
	{"a*c", "abbbc", false, true},
	{"a*c", "abbb", false, false},
	{"*c", "abcbc", false, true},
	{"*b*", "abc", false, true},
	{"a*b*c", "aXbYc", false, true},
	{"a*b*c", "aXcYb", false, false},
	{"?", "a", false, true},
	{"??", "a", false, false},
	{"a?c", "abc", false, true},
	{"[abc]", "b", false, true},
	{"[abc]", "d", false, false},
	{"[^abc]", "b", false, false},
	{"[^abc]", "d", false, true},
	{"[a-c]", "b", false, true},
	{"[c-a]", "b", false, true},
	{"[a-c]", "d", false, false},
	{"[a-c]", "B", false, false},
	{"[a-c]", "B", true, true},
	{"[A-C]", "b", true, true},
	{"[abc]", "B", true, true},
	{"[\\]]", "]", false, true},
	{"[\\a]", "A", true, false}, // escaped class members compare case-sensitively
	{"[\\a]", "a", true, true},
	{"[]", "a", false, false},
	{"[abc", "b", false, true}, // an unterminated class runs to the end
	{"[abc", "bx", false, false},
	{"[a-]", "_", false, true}, // "a-]" is a range from 'a' down to ']'
	{"[a-]", "b", false, false},
	{"[a-]x", "_", false, true},
	{"[-a]", "-", false, true},
	{"[^]", "a", false, true},
	{"[a-\xff]", "A", false, true},     // signed char: the range is -1..'a'
	{"[a-\xff]", "\xe9", false, false}, // -23 is outside -1..97
	{"[a-\xff]", "b", false, false},
	{"\\*", "*", false, true},
	{"\\*", "a", false, false},
	{"\\?", "?", false, true},
	{"\\[a]", "[a]", false, true},
	{"a\\", "a\\", false, true}, // a trailing backslash is literal
	{"\\", "\\", false, true},
	{"HeLLo", "hello", true, true},
	{"HeLLo", "hello", false, false},
	{"h*O", "hellO", true, true},
	{"\xc3\xa9", "\xc3\x89", true, false}, // only ASCII letters fold
	{"*a*a*a*a*a*a*b", strings.Repeat("a", 40), false, false},
	{"*a*a*a*a*a*a*b", strings.Repeat("a", 40) + "b", false, true},
}

func TestMatch(t *testing.T) {
	for _, tc := range matchCases {
		t.Run(tc.pattern+"|"+tc.s, func(t *testing.T) {
			if got := Match(tc.pattern, tc.s, tc.nocase); got != tc.want {
				t.Errorf("Match(%q, %q, %v) = %v, want %v", tc.pattern, tc.s, tc.nocase, got, tc.want)
			}
			if got := MatchBytes([]byte(tc.pattern), []byte(tc.s), tc.nocase); got != tc.want {
				t.Errorf("MatchBytes(%q, %q, %v) = %v, want %v", tc.pattern, tc.s, tc.nocase, got, tc.want)
			}
		})
	}
}

// TestMatchNoBlowup runs patterns that take exponential time in a naive
// backtracking matcher; the test binary's timeout is the failure mode.
func TestMatchNoBlowup(t *testing.T) {
	s := strings.Repeat("a", 20000)
	p := strings.Repeat("*a", 50) + "*b"
	if Match(p, s, false) {
		t.Fatal("matched a string without b")
	}
	if !Match(p, s+"b", false) {
		t.Fatal("did not match")
	}
	if Match(strings.Repeat("*?", 30)+"[b]", s, true) {
		t.Fatal("matched a string without b")
	}
}

func TestMatchBytesDoesNotAllocate(t *testing.T) {
	p, s := []byte("*a[b-d]?\\*[^x]*z"), []byte("xxabq*yzz")
	allocs := testing.AllocsPerRun(100, func() {
		if !MatchBytes(p, s, true) {
			t.Fatal("no match")
		}
	})
	if allocs != 0 {
		t.Fatalf("MatchBytes allocates %v times per call", allocs)
	}
}

func BenchmarkMatchBytes(b *testing.B) {
	p := []byte("user:*:session:[0-9]*")
	s := []byte("user:12345678:session:99887766")
	for b.Loop() {
		MatchBytes(p, s, false)
	}
}

// FuzzMatch checks that Match never panics on any pattern and that the
// string and byte-slice flavours agree.
func FuzzMatch(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern, tc.s, tc.nocase)
	}
	f.Fuzz(func(t *testing.T, p, s string, nocase bool) {
		if Match(p, s, nocase) != MatchBytes([]byte(p), []byte(s), nocase) {
			t.Fatalf("Match and MatchBytes disagree on %q %q", p, s)
		}
	})
}
