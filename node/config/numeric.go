package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// numSpec describes a numeric directive the way Redis's numericConfigData
// does: bounds, whether the C type is unsigned (bounds compared as
// unsigned, message printed with %llu), and the accepted notations.
type numSpec struct {
	min, max int64 // for unsigned specs these are uint64 bit patterns
	unsigned bool
	memory   bool // 1k 1kb 1m 1mb 1g 1gb units
	percent  bool // "N%" stored as -N
	octal    bool
}

// Bounds of the C types Redis uses for its numeric configs.
const (
	intMax   = math.MaxInt32
	intMin   = math.MinInt32
	uintMax  = math.MaxUint32
	longMax  = math.MaxInt64
	llongMax = math.MaxInt64
	ullMax   = -1 // ULLONG_MAX as a long long bit pattern
)

func intRange(lo, hi int64) numSpec  { return numSpec{min: lo, max: hi} }
func uintRange(lo, hi int64) numSpec { return numSpec{min: lo, max: hi, unsigned: true} }
func memRange(lo, hi int64) numSpec  { return numSpec{min: lo, max: hi, memory: true} }
func umemRange(lo, hi int64) numSpec { return numSpec{min: lo, max: hi, memory: true, unsigned: true} }

// parse converts one argument, returning Redis's error text on failure.
func (n numSpec) parse(s string) (int64, error) {
	v, err := n.parseValue(s)
	if err != nil {
		return 0, err
	}
	return v, n.check(v)
}

func (n numSpec) parseValue(s string) (int64, error) {
	if n.memory {
		if v, ok := memToULL(s); ok {
			return int64(v), nil
		}
	}
	if n.percent && len(s) > 1 && s[len(s)-1] == '%' {
		if v, ok := string2ll(s[:len(s)-1]); ok && v >= 0 {
			return -v, nil
		}
	}
	if n.octal {
		if v, ok := strtollBase8(s); ok {
			return v, nil
		}
	}
	if !n.memory && !n.percent && !n.octal {
		if v, ok := string2ll(s); ok {
			return v, nil
		}
	}
	switch {
	case n.memory && n.percent:
		return 0, errors.New("argument must be a memory or percent value")
	case n.memory:
		return 0, errors.New("argument must be a memory value")
	case n.octal:
		return 0, errors.New("argument couldn't be parsed as an octal number")
	}
	return 0, errors.New("argument couldn't be parsed into an integer")
}

// check is Redis's numericBoundaryCheck.
func (n numSpec) check(v int64) error {
	if n.unsigned {
		u, lo, hi := uint64(v), uint64(n.min), uint64(n.max)
		if u > hi || u < lo {
			if n.octal {
				return fmt.Errorf("argument must be between %o and %o inclusive", lo, hi)
			}
			return fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
		}
		return nil
	}
	if n.percent && v < 0 {
		if v < n.min {
			return fmt.Errorf("percentage argument must be less or equal to %d", -n.min)
		}
		return nil
	}
	if v > n.max || v < n.min {
		return fmt.Errorf("argument must be between %d and %d inclusive", n.min, n.max)
	}
	return nil
}

// format renders v the way CONFIG GET shows it.
func (n numSpec) format(v int64) string {
	switch {
	case n.percent && v < 0:
		return strconv.FormatInt(-v, 10) + "%"
	case n.octal:
		return strconv.FormatInt(v, 8)
	case n.memory || n.unsigned:
		return strconv.FormatUint(uint64(v), 10)
	}
	return strconv.FormatInt(v, 10)
}

// formatRewrite renders v the way CONFIG REWRITE writes it: memory values
// in the largest exact unit of gb, mb, kb.
func (n numSpec) formatRewrite(v int64) string {
	switch {
	case n.percent && v < 0:
		return strconv.FormatInt(-v, 10) + "%"
	case n.memory:
		return formatMemory(uint64(v))
	case n.octal:
		return strconv.FormatInt(v, 8)
	case n.unsigned:
		return strconv.FormatUint(uint64(v), 10)
	}
	return strconv.FormatInt(v, 10)
}

func formatMemory(b uint64) string {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case b != 0 && b%gb == 0:
		return strconv.FormatUint(b/gb, 10) + "gb"
	case b != 0 && b%mb == 0:
		return strconv.FormatUint(b/mb, 10) + "mb"
	case b != 0 && b%kb == 0:
		return strconv.FormatUint(b/kb, 10) + "kb"
	}
	return strconv.FormatUint(b, 10)
}

// ParseMemory converts a redis.conf memory value: a plain number of bytes
// or a number followed by a unit, case-insensitive: b (1), k (1000),
// kb (1024), m (1000²), mb (1024²), g (1000³), gb (1024³). It reports
// false where Redis's memtoull reports an error. Like Redis it accepts an
// empty number as 0 and wraps on overflow.
func ParseMemory(s string) (uint64, bool) { return memToULL(s) }

// memToULL is Redis's memtoull.
func memToULL(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	d := 0
	for d < len(s) && s[d] >= '0' && s[d] <= '9' {
		d++
	}
	var mul uint64
	switch strings.ToLower(s[d:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if d >= 128 {
		return 0, false
	}
	var v uint64
	for i := 0; i < d; i++ {
		next := v*10 + uint64(s[i]-'0')
		if v > math.MaxUint64/10 || next < v*10 {
			v = math.MaxUint64 // strtoull saturates on overflow
			break
		}
		v = next
	}
	return v * mul, true
}

// string2ll is Redis's strict integer parser: optional '-', no '+', no
// blanks, no leading zeros, no "-0", at most 20 bytes, no overflow.
func string2ll(s string) (int64, bool) {
	if len(s) == 0 || len(s) >= 21 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := false
	p := 0
	if s[0] == '-' {
		neg = true
		p++
		if p == len(s) {
			return 0, false
		}
	}
	if s[p] < '1' || s[p] > '9' {
		return 0, false
	}
	var v uint64
	for ; p < len(s); p++ {
		c := s[p]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > uint64(math.MaxInt64)+1 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// strtollBase8 mirrors strtoll(s, &end, 8) with the errno and *end checks
// Redis applies to octal configs.
func strtollBase8(s string) (int64, bool) {
	p := 0
	for p < len(s) && isCSpace(s[p]) {
		p++
	}
	neg := false
	if p < len(s) && (s[p] == '+' || s[p] == '-') {
		neg = s[p] == '-'
		p++
	}
	start := p
	var v uint64
	for ; p < len(s) && s[p] >= '0' && s[p] <= '7'; p++ {
		v = v*8 + uint64(s[p]-'0')
		if v > uint64(math.MaxInt64)+1 {
			return 0, false // ERANGE
		}
	}
	if p == start {
		// No digits: strtoll leaves end at the start of the string.
		return 0, len(s) == 0
	}
	if p != len(s) {
		return 0, false
	}
	if neg {
		return int64(-v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
