package node

import (
	"math"
	"testing"
)

// TestParseScore checks ZADD/ZINCRBY score parsing against Redis's
// string2d rules: a whole strtod number, no leading space, no NaN, no
// finite text that overflows or underflows to zero.
func TestParseScore(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true}, {"-2.5", -2.5, true}, {"+7", 7, true}, {".5", 0.5, true}, {"5.", 5, true},
		{"1e3", 1000, true}, {"1E-3", 0.001, true}, {"inf", math.Inf(1), true}, {"-Infinity", math.Inf(-1), true},
		{"+INF", math.Inf(1), true}, {"0x10", 16, true}, {"0x1p-2", 0.25, true}, {"-0x.8", -0.5, true},
		{"5e-324", 5e-324, true}, {"1.7976931348623157e308", math.MaxFloat64, true},
		{"", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1_0", 0, false}, {"nan", 0, false},
		{"nan(123)", 0, false}, {"1e400", 0, false}, {"-1e400", 0, false}, {"1e-400", 0, false},
		{"0x", 0, false}, {"1e", 0, false}, {"1e+", 0, false}, {"abc", 0, false}, {"infinit", 0, false},
		{"1\x00", 0, false}, {".", 0, false}, {"-", 0, false}, {"0x1p", 0, false},
	} {
		got, ok := parseScore([]byte(tc.in))
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseScore(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestParseScoreRange checks zslParseRange's rules: '(' for exclusive
// bounds, strtod in full (leading spaces, empty is 0, overflow is ±inf),
// the argument read as a C string, NaN refused.
func TestParseScoreRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ex   bool
		ok   bool
	}{
		{"1", 1, false, true}, {"(1", 1, true, true}, {"-inf", math.Inf(-1), false, true},
		{"(+inf", math.Inf(1), true, true}, {"", 0, false, true}, {"(", 0, true, true},
		{"  2", 2, false, true}, {"1e400", math.Inf(1), false, true}, {"1e-400", 0, false, true},
		{"3\x00junk", 3, false, true}, {"0x1p1", 2, false, true},
		{" ", 0, false, false}, {"2 ", 0, false, false}, {"((1", 0, false, false}, {"[1", 0, false, false},
		{"nan", 0, false, false}, {"(nan", 0, false, false}, {"a", 0, false, false},
	} {
		v, ex, ok := parseScoreBound([]byte(tc.in))
		if ok != tc.ok || (ok && (v != tc.want || ex != tc.ex)) {
			t.Errorf("parseScoreBound(%q) = %v %v %v; want %v %v %v", tc.in, v, ex, ok, tc.want, tc.ex, tc.ok)
		}
	}
}

// TestLexRange checks zslParseLexRange and sdscmplex ordering: "-" and
// "+" are below and above every string, '(' excludes, '[' includes.
func TestLexRange(t *testing.T) {
	for _, bad := range []string{"", "a", "--", "++", "+a", "1"} {
		if _, ok := parseLexBound([]byte(bad)); ok {
			t.Errorf("parseLexBound(%q) accepted", bad)
		}
	}
	if _, ok := parseLexBound([]byte("+\x00x")); !ok {
		t.Error(`"+" followed by a NUL byte must read as "+"`)
	}
	r, ok := parseLexRange([]byte("(b"), []byte("[d"))
	if !ok {
		t.Fatal("parseLexRange((b, [d) failed")
	}
	for v, in := range map[string]bool{"a": false, "b": false, "b\x00": true, "c": true, "d": true, "d\x00": false} {
		if got := r.gteMin(v) && r.lteMax(v); got != in {
			t.Errorf("%q in (b [d = %v, want %v", v, got, in)
		}
	}
	all, _ := parseLexRange([]byte("-"), []byte("+"))
	if !all.gteMin("") || !all.lteMax("\xff\xff") {
		t.Error("- + must hold every string")
	}
	none, _ := parseLexRange([]byte("+"), []byte("-"))
	if none.gteMin("x") && none.lteMax("x") {
		t.Error("+ - must hold nothing")
	}
}

// TestAppendListpackScore checks how ZSCAN prints a listpack's scores:
// integral values as integers up to LLONG_MAX/2, the rest as %.17g.
func TestAppendListpackScore(t *testing.T) {
	for in, want := range map[float64]string{
		1: "1", -3: "-3", 1e17: "100000000000000000", 1e20: "1e+20", 2.5: "2.5", 1.1: "1.1000000000000001",
		math.Inf(1): "inf", math.Inf(-1): "-inf", 0: "0", math.Copysign(0, -1): "0",
		4611686018427387904: "4611686018427387904", 9223372036854775807: "9.2233720368547758e+18",
	} {
		if got := string(appendListpackScore(nil, in)); got != want {
			t.Errorf("appendListpackScore(%v) = %q, want %q", in, got, want)
		}
	}
}
