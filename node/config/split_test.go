package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// splitCases follow sdssplitargs (Redis 7.0.15 src/sds.c); the interop
// test replays every one of them through a real server's inline-command
// parser, which uses the same function.
var splitCases = []struct {
	line string
	want []string // nil with bad set: unbalanced quotes
	bad  bool
}{
	{line: "", want: nil},
	{line: "   \t ", want: nil},
	{line: "set foo bar", want: []string{"set", "foo", "bar"}},
	{line: "  a   b  ", want: []string{"a", "b"}},
	{line: "a\tb", want: []string{"a", "b"}},
	{line: "a\vb c", want: []string{"a\vb", "c"}}, // \v skips as a blank but does not end a token
	{line: `"a b" c`, want: []string{"a b", "c"}},
	{line: `"\x41\x4a\x4B"`, want: []string{"AJK"}},
	{line: `"\n\r\t\b\a\\\"\z"`, want: []string{"\n\r\t\b\a\\\"z"}},
	{line: `"\xZZ"`, want: []string{"xZZ"}},
	{line: `"\x4"`, want: []string{"x4"}},
	{line: `'a\'b'`, want: []string{"a'b"}},
	{line: `'a\nb'`, want: []string{`a\nb`}},
	{line: `ab"cd"`, want: []string{"abcd"}},
	{line: `ab"c d" e`, want: []string{"abc d", "e"}},
	{line: `ab'c d'`, want: []string{"abc d"}},
	{line: `"" ''`, want: []string{"", ""}},
	{line: "\"a\"\tb", want: []string{"a", "b"}},
	{line: `a\x41 b`, want: []string{`a\x41`, "b"}},
	{line: `"abc`, bad: true},
	{line: `"abc"d`, bad: true},
	{line: `'abc'd`, bad: true},
	{line: `'abc`, bad: true},
	{line: `"abc\"`, bad: true},
	{line: `"abc\`, bad: true},
	{line: `'abc\'`, bad: true},
	{line: `a "b`, bad: true},
}

func TestSplitArgs(t *testing.T) {
	for _, tc := range splitCases {
		t.Run(tc.line, func(t *testing.T) {
			got, err := SplitArgs(tc.line)
			if tc.bad {
				if !errors.Is(err, ErrUnbalancedQuotes) {
					t.Fatalf("SplitArgs(%q) = %q, %v; want unbalanced quotes", tc.line, got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("SplitArgs(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
			}
		})
	}
}

func TestSplitArgsStopsAtNUL(t *testing.T) {
	// The C parser sees a NUL byte as the end of the line.
	got, err := SplitArgs("a b\x00c d")
	if err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"abc", `"abc"`},
		{"a b", `"a b"`},
		{"\\\"", `"\\\""`},
		{"\n\r\t\a\b", `"\n\r\t\a\b"`},
		{"\x00\x01\x7f\xff", `"\x00\x01\x7f\xff"`},
		{"é", `"\xc3\xa9"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := Quote(tc.in); got != tc.want {
				t.Fatalf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzSplitArgs checks that SplitArgs never panics and that quoting its
// result with Quote and splitting again gives the same arguments.
func FuzzSplitArgs(f *testing.F) {
	for _, tc := range splitCases {
		f.Add(tc.line)
	}
	f.Add("save \"900 1\" '300 10'")
	f.Fuzz(func(t *testing.T, line string) {
		args, err := SplitArgs(line)
		if err != nil {
			if !errors.Is(err, ErrUnbalancedQuotes) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = Quote(a)
		}
		again, err := SplitArgs(strings.Join(quoted, " "))
		if err != nil || !slices.Equal(again, args) {
			t.Fatalf("round trip of %q: %q -> %q, %v", line, args, again, err)
		}
	})
}
