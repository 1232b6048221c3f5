package config

import (
	"math"
	"testing"
)

// TestParseMemory follows Redis's memtoull (src/util.c) and the values a
// Redis 7.0.15 server showed after CONFIG SET repl-backlog-size.
func TestParseMemory(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"12345", 12345, true},
		{"00012", 12, true},
		{"1b", 1, true},
		{"1B", 1, true},
		{"1k", 1000, true},
		{"1K", 1000, true},
		{"1kb", 1024, true},
		{"1Kb", 1024, true},
		{"1m", 1000000, true},
		{"1mb", 1048576, true},
		{"1MB", 1048576, true},
		{"1g", 1000000000, true},
		{"1gB", 1073741824, true},
		{"8589934592g", 8589934592000000000, true},
		{"", 0, true},                                  // Redis reads an empty number as 0
		{"k", 0, true},                                 // likewise
		{"99999999999999999999", math.MaxUint64, true}, // strtoull saturates
		{"-1", 0, false},
		{"1.5mb", 0, false},
		{" 1", 0, false},
		{"+1", 0, false},
		{"0x10", 0, false},
		{"1 kb", 0, false},
		{"1tb", 0, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseMemory(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("ParseMemory(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestNumSpec covers the numeric kinds with the error texts Redis 7.0.15
// returned for the same CONFIG SET values.
func TestNumSpec(t *testing.T) {
	for _, tc := range []struct {
		name    string
		spec    numSpec
		in      string
		want    int64
		shown   string
		errText string
	}{
		{"int", intRange(0, intMax), "5", 5, "5", ""},
		{"int negative", intRange(intMin, intMax), "-2", -2, "-2", ""},
		{"int plus sign", intRange(0, intMax), "+5", 0, "", "argument couldn't be parsed into an integer"},
		{"int leading zero", intRange(0, intMax), "007", 0, "", "argument couldn't be parsed into an integer"},
		{"int minus zero", intRange(0, intMax), "-0", 0, "", "argument couldn't be parsed into an integer"},
		{"int space", intRange(0, intMax), " 5", 0, "", "argument couldn't be parsed into an integer"},
		{"int range", intRange(0, intMax), "2147483648", 0, "", "argument must be between 0 and 2147483647 inclusive"},
		{"int overflow", intRange(0, intMax), "99999999999999999999", 0, "", "argument couldn't be parsed into an integer"},
		{"uint negative", uintRange(1, uintMax), "-1", 0, "", "argument must be between 1 and 4294967295 inclusive"},
		{"memory", memRange(1, llongMax), "2mb", 2 << 20, "2097152", ""},
		{"memory zero", memRange(1, llongMax), "", 0, "", "argument must be between 1 and 9223372036854775807 inclusive"},
		{"memory wraps negative", memRange(1, llongMax), "18446744073709551615", 0, "", "argument must be between 1 and 9223372036854775807 inclusive"},
		{"memory bad", memRange(1, llongMax), "1x", 0, "", "argument must be a memory value"},
		{"unsigned memory max", umemRange(0, ullMax), "99999999999999999999", -1, "18446744073709551615", ""},
		{"percent", numSpec{min: -100, max: longMax, memory: true, percent: true}, "10%", -10, "10%", ""},
		{"percent too big", numSpec{min: -100, max: longMax, memory: true, percent: true}, "101%", 0, "", "percentage argument must be less or equal to 100"},
		{"percent or memory", numSpec{min: -100, max: longMax, memory: true, percent: true}, "-1", 0, "", "argument must be a memory or percent value"},
		{"octal", numSpec{max: 0o777, unsigned: true, octal: true}, "700", 0o700, "700", ""},
		{"octal range", numSpec{max: 0o777, unsigned: true, octal: true}, "1000", 0, "", "argument must be between 0 and 777 inclusive"},
		{"octal bad", numSpec{max: 0o777, unsigned: true, octal: true}, "9", 0, "", "argument couldn't be parsed as an octal number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := tc.spec.parse(tc.in)
			if tc.errText != "" {
				if err == nil || err.Error() != tc.errText {
					t.Fatalf("parse(%q) = %d, %v; want error %q", tc.in, v, err, tc.errText)
				}
				return
			}
			if err != nil || v != tc.want {
				t.Fatalf("parse(%q) = %d, %v; want %d", tc.in, v, err, tc.want)
			}
			if s := tc.spec.format(v); s != tc.shown {
				t.Fatalf("format(%d) = %q, want %q", v, s, tc.shown)
			}
		})
	}
}

func TestFormatMemoryForRewrite(t *testing.T) {
	for _, tc := range []struct {
		in   uint64
		want string
	}{
		{0, "0"}, {1000, "1000"}, {1024, "1kb"}, {3 << 20, "3mb"}, {1 << 30, "1gb"}, {1<<30 + 1024, "1048577kb"},
	} {
		if got := formatMemory(tc.in); got != tc.want {
			t.Errorf("formatMemory(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
