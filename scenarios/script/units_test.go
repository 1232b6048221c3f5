package script

import (
	"math"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"500ms", 500 * time.Millisecond, true},
		{"2s", 2 * time.Second, true},
		{"1m", time.Minute, true},
		{"1.5s", 1500 * time.Millisecond, true},
		{"250us", 250 * time.Microsecond, true},
		{"0.5us", 500, true},
		{"0s", 0, true},
		{"1.0000000001s", time.Second, true}, // finer than 1ns: truncated
		{"fast", 0, false},
		{"5", 0, false},
		{"5h", 0, false},
		{"5S", 0, false},
		{"-1s", 0, false},
		{".5s", 0, false},
		{"1.s", 0, false},
		{"1.2.3s", 0, false},
		{"1e3ms", 0, false},
		{"1s500ms", 0, false},
		{"99999999999999m", 0, false}, // overflows time.Duration
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseDuration(tt.in)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("parseDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFormatDurationRoundTrip(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0m"},
		{time.Minute, "1m"},
		{90 * time.Second, "90s"},
		{1500 * time.Millisecond, "1500ms"},
		{250 * time.Microsecond, "250us"},
		{1500, "1.5us"},
		{1, "0.001us"},
		{math.MaxInt64, "9223372036854775.807us"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := formatDuration(tt.d)
			if got != tt.want {
				t.Fatalf("formatDuration(%d) = %q, want %q", tt.d, got, tt.want)
			}
			back, ok := parseDuration(got)
			if !ok || back != tt.d {
				t.Fatalf("parseDuration(%q) = %d, %v; want %d", got, back, ok, tt.d)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"100", 100, true},
		{"100b", 100, true},
		{"16kb", 16 << 10, true},
		{"16KB", 16 << 10, true},
		{"2k", 2000, true},
		{"1mb", 1 << 20, true},
		{"1m", 1000000, true},
		{"3Gb", 3 << 30, true},
		{"1g", 1000000000, true},
		{"1.5mb", 0, false},
		{"mb", 0, false},
		{"16kib", 0, false},
		{"-1", 0, false},
		{"9223372036854775807", math.MaxInt64, true},
		{"9223372036854775808", 0, false},
		{"9999999999gb", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseSize(tt.in)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("parseSize(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{100, "100"}, {1024, "1kb"}, {1536, "1536"}, {16 << 20, "16mb"}, {2 << 30, "2gb"}, {2000, "2000"}, {0, "0"},
	}
	for _, tt := range tests {
		if got := formatSize(tt.n); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
		if back, ok := parseSize(tt.want); !ok || back != tt.n {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.want, back, ok, tt.n)
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		word, want string
	}{
		{"wirte", "write"},
		{"Write", "write"},
		{"replicof", "replicaof"},
		{"exepct", "expect"},
		{"slep", "sleep"},
		{"ct", "cut"},
		{"frobnicate", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.word, verbs); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
