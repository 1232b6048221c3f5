package config

import (
	"errors"
	"strings"
)

// ErrUnbalancedQuotes is returned by SplitArgs for a line whose quotes do
// not close, or whose closing quote is not followed by a blank or the end
// of the line.
var ErrUnbalancedQuotes = errors.New("unbalanced quotes")

// SplitArgs splits one configuration line into arguments the way Redis's
// sdssplitargs does: blanks separate arguments; "double quotes" accept the
// escapes \n \r \t \b \a \xHH and a backslash before any other character;
// 'single quotes' accept only \'; a quote may start in the middle of an
// argument (ab"cd" is abcd); a closing quote must be followed by a blank or
// the end of the line. A NUL byte ends the line, as it does for the C
// string Redis parses. An empty or all-blank line gives no arguments.
func SplitArgs(line string) ([]string, error) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	var args []string
	p := 0
	n := len(line)
	for {
		for p < n && isCSpace(line[p]) {
			p++
		}
		if p >= n {
			return args, nil
		}
		var cur []byte
		inq, insq := false, false
		for done := false; !done; {
			switch {
			case inq:
				switch {
				case p >= n:
					return nil, ErrUnbalancedQuotes
				case line[p] == '\\' && p+3 < n && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]):
					cur = append(cur, hexVal(line[p+2])<<4|hexVal(line[p+3]))
					p += 3
				case line[p] == '\\' && p+1 < n:
					p++
					cur = append(cur, unescape(line[p]))
				case line[p] == '"':
					if p+1 < n && !isCSpace(line[p+1]) {
						return nil, ErrUnbalancedQuotes
					}
					done = true
				default:
					cur = append(cur, line[p])
				}
			case insq:
				switch {
				case p >= n:
					return nil, ErrUnbalancedQuotes
				case line[p] == '\\' && p+1 < n && line[p+1] == '\'':
					p++
					cur = append(cur, '\'')
				case line[p] == '\'':
					if p+1 < n && !isCSpace(line[p+1]) {
						return nil, ErrUnbalancedQuotes
					}
					done = true
				default:
					cur = append(cur, line[p])
				}
			default:
				if p >= n {
					done = true
					break
				}
				switch line[p] {
				case ' ', '\n', '\r', '\t':
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, line[p])
				}
			}
			if p < n {
				p++
			}
		}
		args = append(args, string(cur))
	}
}

// isCSpace reports whether b is a blank for C's isspace in the C locale.
func isCSpace(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

func hexVal(b byte) byte {
	switch {
	case b >= '0' && b <= '9':
		return b - '0'
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10
	default:
		return b - 'A' + 10
	}
}

func unescape(b byte) byte {
	switch b {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return b
}

// Quote returns s in double quotes with the escapes Redis's sdscatrepr
// uses: \\ \" \n \r \t \a \b, and \xHH for every other byte that is not
// printable ASCII. SplitArgs turns the result back into s (when s has no
// NUL byte, which Quote escapes as \x00 and SplitArgs decodes).
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				const hex = "0123456789abcdef"
				b.WriteString(`\x`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
