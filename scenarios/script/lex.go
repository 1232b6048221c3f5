package script

import (
	"fmt"
	"strings"
)

// token is one word of a line: a bare word or a quoted string.
type token struct {
	text   string // the word, or the decoded string
	quoted bool
	col    int // 1-based column of the first byte
	end    int // 1-based column just past the last byte
}

// isSpace reports whether c separates tokens.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

// lexError is a lexing error at a 1-based column.
type lexError struct {
	col int
	msg string
}

// lexLine splits a line into tokens. A '#' at the start of a token begins
// a comment that runs to the end of the line.
func lexLine(line string) ([]token, *lexError) {
	var toks []token
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case isSpace(c):
			i++
		case c == '#':
			return toks, nil
		case c == '"':
			tok, next, err := lexQuoted(line, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, tok)
			i = next
		default:
			tok, next, err := lexBare(line, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, tok)
			i = next
		}
	}
	return toks, nil
}

// lexBare reads a bare word starting at line[start].
func lexBare(line string, start int) (token, int, *lexError) {
	i := start
	for i < len(line) && !isSpace(line[i]) {
		if line[i] == '"' {
			return token{}, 0, &lexError{col: i + 1, msg: fmt.Sprintf(
				"expected a space or the end of the word after %q, found a quote (to include a quote, write the whole value as a quoted string with \\\")",
				line[start:i])}
		}
		i++
	}
	return token{text: line[start:i], col: start + 1, end: i + 1}, i, nil
}

// lexQuoted reads a quoted string whose opening quote is at line[start].
func lexQuoted(line string, start int) (token, int, *lexError) {
	var b strings.Builder
	i := start + 1
	for {
		if i >= len(line) {
			return token{}, 0, &lexError{col: start + 1,
				msg: "expected a closing quote for this string, found end of line"}
		}
		c := line[i]
		switch c {
		case '"':
			i++
			if i < len(line) && !isSpace(line[i]) {
				return token{}, 0, &lexError{col: i + 1, msg: fmt.Sprintf(
					"expected a space after the closing quote, found %q", line[i:i+1])}
			}
			return token{text: b.String(), quoted: true, col: start + 1, end: i + 1}, i, nil
		case '\\':
			r, n, err := unescape(line, i)
			if err != nil {
				return token{}, 0, err
			}
			b.WriteByte(r)
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// unescape decodes the escape sequence at line[i] (a backslash) and
// returns the byte and the sequence's length.
func unescape(line string, i int) (byte, int, *lexError) {
	bad := func(found string) *lexError {
		return &lexError{col: i + 1, msg: fmt.Sprintf(
			"expected an escape \\\", \\\\, \\n, \\t or \\xHH, found `%s`", found)}
	}
	if i+1 >= len(line) {
		return 0, 0, bad(`\`)
	}
	switch line[i+1] {
	case '"':
		return '"', 2, nil
	case '\\':
		return '\\', 2, nil
	case 'n':
		return '\n', 2, nil
	case 't':
		return '\t', 2, nil
	case 'x':
		if i+3 < len(line) {
			hi, ok1 := hexVal(line[i+2])
			lo, ok2 := hexVal(line[i+3])
			if ok1 && ok2 {
				return hi<<4 | lo, 4, nil
			}
		}
		return 0, 0, bad(line[i:min(i+4, len(line))])
	}
	return 0, 0, bad(line[i : i+2])
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
