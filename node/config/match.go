package config

// Match reports whether s matches the glob pattern with the semantics of
// Redis 7.0's stringmatchlen, used by KEYS, SCAN MATCH, PSUBSCRIBE and
// CONFIG GET:
//
//   - '*' matches any run of bytes, '?' any one byte;
//   - '[abc]', '[^abc]' and ranges '[a-z]' (bounds in either order) match
//     one byte; inside brackets '\x' is a literal x and compares case
//     sensitively even when nocase is set; a class with no closing ']'
//     runs to the end of the pattern;
//   - '\x' outside brackets is a literal x; a trailing '\' is literal;
//   - nocase folds ASCII letters only;
//   - bytes are compared as C's signed char in ranges, as Redis does on
//     x86-64 and arm64 Linux builds (so '[a-\xff]' also matches 'A');
//   - an empty s matches only the empty pattern (Redis's KEYS treats the
//     pattern "*" specially to list the empty key; callers that want that
//     must do the same).
//
// Unlike the recursive original it runs in O(len(pattern)·len(s)) time:
// it backtracks only to the last '*', which gives the same answers because
// every other element of a pattern matches exactly one byte.
func Match(pattern, s string, nocase bool) bool {
	return match(pattern, s, nocase)
}

// MatchBytes is Match for byte slices; it does not allocate.
func MatchBytes(pattern, s []byte, nocase bool) bool {
	return match(pattern, s, nocase)
}

func match[T string | []byte](p, s T, nocase bool) bool {
	if len(s) == 0 {
		return len(p) == 0
	}
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) && p[pi] == '*' {
			for pi < len(p) && p[pi] == '*' {
				pi++
			}
			if pi == len(p) {
				return true
			}
			starP, starS = pi, si
			continue
		}
		if pi < len(p) {
			if end, ok := matchOne(p, pi, s[si], nocase); ok {
				pi = end
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		si, pi = starS, starP
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchOne matches the single-byte pattern element starting at p[i] (not
// a '*') against c. It returns the index just past the element, which
// does not depend on c, and whether c matched.
func matchOne[T string | []byte](p T, i int, c byte, nocase bool) (int, bool) {
	n := len(p)
	switch p[i] {
	case '?':
		return i + 1, true
	case '[':
		return matchClass(p, i+1, c, nocase)
	case '\\':
		if n-i >= 2 {
			i++
		}
	}
	return i + 1, eqByte(p[i], c, nocase)
}

// matchClass parses a bracket expression whose body starts at p[i], the
// way stringmatchlen walks it, and tests c against it.
func matchClass[T string | []byte](p T, i int, c byte, nocase bool) (int, bool) {
	n := len(p)
	not := i < n && p[i] == '^'
	if not {
		i++
	}
	matched := false
	for {
		switch {
		case i < n && p[i] == '\\' && n-i >= 2:
			i++
			if p[i] == c {
				matched = true
			}
		case i < n && p[i] == ']':
			return i + 1, matched != not
		case i >= n:
			// Unterminated class: it ends with the pattern.
			return n, matched != not
		case n-i >= 3 && p[i+1] == '-':
			lo, hi, v := signedChar(p[i]), signedChar(p[i+2]), signedChar(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			if nocase {
				lo, hi, v = lowerInt(lo), lowerInt(hi), lowerInt(v)
			}
			if v >= lo && v <= hi {
				matched = true
			}
			i += 2
		default:
			if eqByte(p[i], c, nocase) {
				matched = true
			}
		}
		i++
	}
}

func eqByte(a, b byte, nocase bool) bool {
	if a == b {
		return true
	}
	return nocase && lowerByte(a) == lowerByte(b)
}

func lowerByte(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

func lowerInt(v int) int {
	if v >= 'A' && v <= 'Z' {
		return v + ('a' - 'A')
	}
	return v
}

// signedChar converts b the way C does when char is signed.
func signedChar(b byte) int { return int(int8(b)) }
