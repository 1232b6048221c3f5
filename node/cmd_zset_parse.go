package node

import (
	"math"
	"strconv"

	"github.com/replscope/replscope/node/keyspace"
)

// Sorted-set argument parsing: scores, score ranges and lex ranges, with
// the exact acceptance rules of Redis 7.0, which parses numbers with C's
// strtod (hexadecimal floats, "infinity", leading spaces in ranges, ...).

// Range errors, as Redis words them.
const (
	errMinMaxFloat = "ERR min or max is not a float"
	errMinMaxLex   = "ERR min or max not valid string range item"
)

// parseScore parses a score or increment argument the way Redis's
// string2d does: the whole argument is a strtod number, without leading
// space, not NaN, and not a finite text that overflows or underflows to 0.
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	v, n, erange := strtod(b)
	if n != len(b) || erange || isNaN(v) {
		return 0, false
	}
	return v, true
}

// scoreRange is a ZRANGEBYSCORE interval: min and max, each inclusive or
// exclusive ('(' prefix).
type scoreRange struct {
	min, max     float64
	minEx, maxEx bool
}

// parseScoreRange follows zslParseRange: '(' makes a bound exclusive and
// the rest must be a strtod number in full (an empty one is 0; overflow is
// ±inf), not NaN.
func parseScoreRange(min, max []byte) (scoreRange, bool) {
	var r scoreRange
	var ok1, ok2 bool
	r.min, r.minEx, ok1 = parseScoreBound(min)
	r.max, r.maxEx, ok2 = parseScoreBound(max)
	return r, ok1 && ok2
}

func parseScoreBound(b []byte) (v float64, ex, ok bool) {
	b = cString(b)
	if len(b) > 0 && b[0] == '(' {
		b, ex = b[1:], true
	}
	v, n, _ := strtod(b)
	return v, ex, n == len(b) && !isNaN(v)
}

func (r *scoreRange) gteMin(s float64) bool {
	if r.minEx {
		return s > r.min
	}
	return s >= r.min
}

func (r *scoreRange) lteMax(s float64) bool {
	if r.maxEx {
		return s < r.max
	}
	return s <= r.max
}

// first returns the lowest node in the range, or nil.
func (r *scoreRange) first(z *keyspace.ZSet) *keyspace.Node {
	n := z.FirstWhere(func(n *keyspace.Node) bool { return r.gteMin(n.Score()) })
	if n == nil || !r.lteMax(n.Score()) {
		return nil
	}
	return n
}

// last returns the highest node in the range, or nil.
func (r *scoreRange) last(z *keyspace.ZSet) *keyspace.Node {
	n := z.LastWhere(func(n *keyspace.Node) bool { return r.lteMax(n.Score()) })
	if n == nil || !r.gteMin(n.Score()) {
		return nil
	}
	return n
}

// lexBound is one end of a ZRANGEBYLEX interval: "-" (below everything),
// "+" (above everything) or a string, inclusive '[' or exclusive '('.
type lexBound struct {
	inf int // -1 for "-", +1 for "+", 0 for a string
	s   string
	ex  bool
}

// lexRange is a ZRANGEBYLEX interval.
type lexRange struct{ min, max lexBound }

// parseLexRange follows zslParseLexRange.
func parseLexRange(min, max []byte) (lexRange, bool) {
	a, ok1 := parseLexBound(min)
	b, ok2 := parseLexBound(max)
	return lexRange{a, b}, ok1 && ok2
}

func parseLexBound(b []byte) (lexBound, bool) {
	if len(b) == 0 {
		return lexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		// Redis reads the argument as a C string: "+" must end there.
		if len(b) > 1 && b[1] != 0 {
			return lexBound{}, false
		}
		if b[0] == '+' {
			return lexBound{inf: 1, ex: true}, true
		}
		return lexBound{inf: -1, ex: true}, true
	case '(':
		return lexBound{s: string(b[1:]), ex: true}, true
	case '[':
		return lexBound{s: string(b[1:])}, true
	}
	return lexBound{}, false
}

// cmpLex compares a member with a bound (sdscmplex).
func cmpLex(v string, b *lexBound) int {
	switch {
	case b.inf < 0:
		return 1
	case b.inf > 0:
		return -1
	case v < b.s:
		return -1
	case v > b.s:
		return 1
	}
	return 0
}

func (r *lexRange) gteMin(v string) bool {
	if r.min.ex {
		return cmpLex(v, &r.min) > 0
	}
	return cmpLex(v, &r.min) >= 0
}

func (r *lexRange) lteMax(v string) bool {
	if r.max.ex {
		return cmpLex(v, &r.max) < 0
	}
	return cmpLex(v, &r.max) <= 0
}

// first returns the lowest node in the range, or nil.
func (r *lexRange) first(z *keyspace.ZSet) *keyspace.Node {
	n := z.FirstWhere(func(n *keyspace.Node) bool { return r.gteMin(n.Member()) })
	if n == nil || !r.lteMax(n.Member()) {
		return nil
	}
	return n
}

// last returns the highest node in the range, or nil.
func (r *lexRange) last(z *keyspace.ZSet) *keyspace.Node {
	n := z.LastWhere(func(n *keyspace.Node) bool { return r.lteMax(n.Member()) })
	if n == nil || !r.gteMin(n.Member()) {
		return nil
	}
	return n
}

// cString cuts b at its first NUL byte, as C code reading it would.
func cString(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// strtod emulates C's strtod on b: it returns the value, how many bytes
// form the number (0 when there is none) and whether the value overflowed
// or underflowed to zero (errno ERANGE).
func strtod(b []byte) (v float64, n int, erange bool) {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	start := i
	neg := i < len(b) && b[i] == '-'
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	if j := matchFold(b, i, "inf"); j > 0 {
		if k := matchFold(b, j, "inity"); k > 0 {
			j = k
		}
		if neg {
			return negInf, j, false
		}
		return posInf, j, false
	}
	if j := matchFold(b, i, "nan"); j > 0 {
		if j < len(b) && b[j] == '(' {
			k := j + 1
			for k < len(b) && (isAlnum(b[k]) || b[k] == '_') {
				k++
			}
			if k < len(b) && b[k] == ')' {
				j = k + 1
			}
		}
		return math.NaN(), j, false
	}
	if i+1 < len(b) && b[i] == '0' && (b[i+1]|0x20) == 'x' {
		if v, j, er, ok := strtodHex(b, i+2, neg); ok {
			return v, j, er
		}
	}
	j, digits, nonzero := scanDigits(b, i, isDigit)
	if j < len(b) && b[j] == '.' {
		var d int
		var nz bool
		j, d, nz = scanDigits(b, j+1, isDigit)
		digits += d
		nonzero = nonzero || nz
	}
	if digits == 0 {
		return 0, 0, false
	}
	j = scanExponent(b, j, 'e')
	f, err := strconv.ParseFloat(string(b[start:j]), 64)
	return f, j, err != nil || (f == 0 && nonzero)
}

// strtodHex parses the part of a hexadecimal float after "0x".
func strtodHex(b []byte, i int, neg bool) (float64, int, bool, bool) {
	j, digits, nonzero := scanDigits(b, i, isHexDigit)
	if j < len(b) && b[j] == '.' {
		var d int
		var nz bool
		j, d, nz = scanDigits(b, j+1, isHexDigit)
		digits += d
		nonzero = nonzero || nz
	}
	if digits == 0 {
		return 0, 0, false, false
	}
	mant := string(b[i:j])
	end := scanExponent(b, j, 'p')
	exp := "p0"
	if end > j {
		exp = string(b[j:end])
	}
	text := "0x" + mant + exp
	if neg {
		text = "-" + text
	}
	f, err := strconv.ParseFloat(text, 64)
	return f, end, err != nil || (f == 0 && nonzero), true
}

// scanDigits skips the digits from i; it returns where they end, how many
// there were and whether one was not zero.
func scanDigits(b []byte, i int, digit func(byte) bool) (int, int, bool) {
	n, nonzero := 0, false
	for i < len(b) && digit(b[i]) {
		nonzero = nonzero || b[i] != '0'
		i++
		n++
	}
	return i, n, nonzero
}

// scanExponent returns where an exponent (e.g. "e-12") starting at i ends,
// or i when there is no complete one.
func scanExponent(b []byte, i int, mark byte) int {
	if i >= len(b) || b[i]|0x20 != mark {
		return i
	}
	j := i + 1
	if j < len(b) && (b[j] == '+' || b[j] == '-') {
		j++
	}
	k, n, _ := scanDigits(b, j, isDigit)
	if n == 0 {
		return i
	}
	return k
}

// matchFold returns the index after word if b[i:] starts with it, ignoring
// case, or 0.
func matchFold(b []byte, i int, word string) int {
	if len(b)-i < len(word) {
		return 0
	}
	for k := 0; k < len(word); k++ {
		if b[i+k]|0x20 != word[k] {
			return 0
		}
	}
	return i + len(word)
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isHexDigit(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isAlnum(c byte) bool    { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }

// appendListpackScore renders a score as a listpack holds it (Redis's
// d2string, or the integer a listpack stores for integral scores): what
// ZSCAN returns for a listpack-encoded sorted set.
func appendListpackScore(dst []byte, f float64) []byte {
	const limit = float64(math.MaxInt64 / 2)
	if f == math.Trunc(f) && f >= -limit && f <= limit {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return appendDouble(dst, f)
}
