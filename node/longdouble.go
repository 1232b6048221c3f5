package node

import (
	"math/big"
)

// Redis keeps INCRBYFLOAT and HINCRBYFLOAT values in a C long double: on
// x86-64 the x87 80-bit format, a 64-bit mantissa and a 15-bit exponent.
const (
	// maxLongDoubleChars is Redis's MAX_LONG_DOUBLE_CHARS: longer inputs
	// are refused before parsing.
	maxLongDoubleChars = 5 * 1024
	// ldMaxMantExp: a value whose big.Float MantExp passes it is at or
	// above 2^16384 and overflows to infinity.
	ldMaxMantExp = 16384
	// ldMinNormalMantExp is the MantExp of the smallest normal, 2^-16382.
	ldMinNormalMantExp = -16381
	// ldDenormShift: subnormals are multiples of 2^-16445.
	ldDenormShift = 16445
)

// parseLongDouble parses a value the way Redis's string2ld does: the
// whole string must be what glibc's strtold reads in the C locale
// (decimal, hexadecimal "0x1p3", "inf"/"infinity", any case), with no
// leading space; NaN and results that overflow or underflow to zero are
// refused. The result is rounded to nearest-even as strtold rounds, to
// long double precision (subnormals included).
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= maxLongDoubleChars || isCSpace(b[0]) {
		return nil, false
	}
	s := b
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		s = s[1:]
	}
	if eqFoldExact(s, "inf") || eqFoldExact(s, "infinity") {
		return new(big.Float).SetPrec(longDoublePrec).SetInf(neg), true
	}
	hex := len(s) > 2 && s[0] == '0' && s[1]|0x20 == 'x'
	digit, mark := isDigit, byte('e')
	if hex {
		s, digit, mark = s[2:], isHexDigit, 'p'
	}
	// strtold must read the whole string: digits with an optional point,
	// then an optional complete exponent.
	j, n, _ := scanDigits(s, 0, digit)
	intEnd, frac := j, 0
	if j < len(s) && s[j] == '.' {
		j, frac, _ = scanDigits(s, j+1, digit)
	}
	if n+frac == 0 || scanExponent(s, j, mark) != len(s) {
		return nil, false
	}
	digits := append(append([]byte(nil), s[:intEnd]...), s[j-frac:j]...)
	exp := exponentValue(s[j:])
	var m big.Int
	base, digitExp := 10, int64(1)
	if hex {
		base, digitExp = 16, 4
	}
	m.SetString(string(digits), base)
	f := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
	if m.Sign() == 0 {
		if neg {
			f.Neg(f)
		}
		return f, true
	}
	// The value is m × 10^e (decimal) or m × 2^e (hexadecimal).
	e := exp - int64(frac)*digitExp
	if !ldInRange(&m, e, hex) {
		return nil, false
	}
	num, den := exactRatio(&m, e, hex)
	if den.Cmp(bigOne) == 0 {
		f.SetInt(num)
	} else {
		f.SetRat(new(big.Rat).SetFrac(num, den))
	}
	if f.MantExp(nil) > ldMaxMantExp {
		return nil, false // ERANGE, HUGE_VAL
	}
	if f.MantExp(nil) < ldMinNormalMantExp {
		// Subnormal: round the exact value again on the 2^-16445 grid,
		// not the 64-bit rounding (that would round twice).
		n := roundHalfEven(new(big.Int).Lsh(num, ldDenormShift), den)
		if n.Sign() == 0 {
			return nil, false // ERANGE, zero
		}
		f.SetInt(n)
		f.SetMantExp(f, -ldDenormShift)
	}
	if neg {
		f.Neg(f)
	}
	return f, true
}

var bigOne = big.NewInt(1)

// exponentValue reads a complete exponent ("e-12", "p3", or nothing).
// Huge exponents are clamped: they overflow or underflow whatever the
// mantissa.
func exponentValue(s []byte) int64 {
	if len(s) == 0 {
		return 0
	}
	s = s[1:]
	neg := s[0] == '-'
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	var e int64
	for _, c := range s {
		if e < 1<<40 {
			e = e*10 + int64(c-'0')
		}
	}
	if neg {
		return -e
	}
	return e
}

// ldInRange rules out, before any big arithmetic, values of m × base^e
// that surely overflow or round to zero.
func ldInRange(m *big.Int, e int64, hex bool) bool {
	if hex {
		top := int64(m.BitLen()) + e // value < 2^top
		return top <= ldMaxMantExp+1 && top > -ldDenormShift-1
	}
	top := int64(len(m.String())) + e // value < 10^top
	return top <= 4934 && top > -4952
}

// exactRatio returns m × 10^e or m × 2^e as num/den.
func exactRatio(m *big.Int, e int64, hex bool) (num, den *big.Int) {
	num, den = new(big.Int).Set(m), big.NewInt(1)
	if hex {
		if e >= 0 {
			num.Lsh(num, uint(e))
		} else {
			den.Lsh(den, uint(-e))
		}
		return num, den
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(e)), nil)
	if e >= 0 {
		num.Mul(num, p)
	} else {
		den = p
	}
	return num, den
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// roundHalfEven returns num/den rounded to the nearest integer, ties to
// even.
func roundHalfEven(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	r.Lsh(r, 1)
	switch c := r.Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		q.Add(q, bigOne)
	}
	return q
}
