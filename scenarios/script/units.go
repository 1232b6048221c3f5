package script

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// durationUnits are the units a duration may carry, in nanoseconds.
var durationUnits = map[string]int64{
	"us": int64(time.Microsecond),
	"ms": int64(time.Millisecond),
	"s":  int64(time.Second),
	"m":  int64(time.Minute),
}

// maxNumberLen bounds the digits of a number, keeping parsing cheap.
const maxNumberLen = 40

// parseDuration parses a number with a unit: "500ms", "2s", "1m", "1.5s",
// "250us". Fractions finer than a nanosecond are truncated. It reports
// false when s is not a valid duration or does not fit a time.Duration.
func parseDuration(s string) (time.Duration, bool) {
	num, unit := splitNumber(s)
	ns, ok := durationUnits[unit]
	if !ok || !validDecimal(num) {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt64(ns))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if !q.IsInt64() {
		return 0, false
	}
	return time.Duration(q.Int64()), true
}

// splitNumber splits s into its leading digits and dots and the rest.
func splitNumber(s string) (num, unit string) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	return s[:i], s[i:]
}

// validDecimal accepts digits with an optional fraction: "2", "1.5".
func validDecimal(s string) bool {
	if s == "" || len(s) > maxNumberLen {
		return false
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	return allDigits(intPart) && (!hasDot || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatDuration renders d in the largest unit that keeps it exact, so that
// parseDuration(formatDuration(d)) == d for every d >= 0.
func formatDuration(d time.Duration) string {
	switch {
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	case d%time.Microsecond == 0:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	}
	frac := strings.TrimRight(strconv.FormatInt(1000+int64(d%time.Microsecond), 10)[1:], "0")
	return strconv.FormatInt(int64(d/time.Microsecond), 10) + "." + frac + "us"
}

// sizeUnits are the redis.conf memory units, lower case.
var sizeUnits = map[string]int64{
	"":   1,
	"b":  1,
	"k":  1000,
	"kb": 1 << 10,
	"m":  1000 * 1000,
	"mb": 1 << 20,
	"g":  1000 * 1000 * 1000,
	"gb": 1 << 30,
}

// parseSize parses a byte count with an optional redis.conf unit, case
// insensitive: "100", "16kb", "1mb", "2k". It reports false when s is not
// a valid size or does not fit an int64.
func parseSize(s string) (int64, bool) {
	num, unit := splitNumber(s)
	mult, ok := sizeUnits[strings.ToLower(unit)]
	if !ok || !allDigits(num) || len(num) > 19 {
		return 0, false
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, false
	}
	return n * mult, true
}

// formatSize renders n with the largest binary unit that keeps it exact.
func formatSize(n int64) string {
	switch {
	case n != 0 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "gb"
	case n != 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "mb"
	case n != 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "kb"
	}
	return strconv.FormatInt(n, 10)
}

// parseCount parses a whole number in [1, limit] written in digits only.
func parseCount(s string, limit int) (int, bool) {
	n, ok := parseNumber(s, limit)
	return n, ok && n >= 1
}

// parseNumber parses a whole number in [0, limit] written in digits only.
func parseNumber(s string, limit int) (int, bool) {
	if !allDigits(s) || len(s) > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > limit {
		return 0, false
	}
	return n, true
}
