package script

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Bounds on numeric arguments.
const (
	maxCount     = 1_000_000_000 // write: keys
	maxRate      = 10_000_000    // load: writes per second
	maxWriteSize = 512 << 20     // write: bytes per value (proto-max-bulk-len)
)

// Parse parses a script. filename names the script in positions and gives
// Script.Name. It returns the first error, an *Error.
func Parse(filename string, src []byte) (*Script, error) {
	s := &Script{Name: strings.TrimSuffix(filepath.Base(filename), filepath.Ext(filename))}
	p := &parser{file: filename, declared: make(map[string]int)}
	lines := strings.Split(string(src), "\n")
	body := p.header(s, lines)
	for i := body; i < len(lines); i++ {
		step, ok, err := p.line(i+1, lines[i])
		if err != nil {
			return nil, err
		}
		if ok {
			s.Steps = append(s.Steps, step)
		}
	}
	return s, nil
}

// parser holds what Parse knows across lines.
type parser struct {
	file     string
	declared map[string]int // node name -> line of its declaration
}

// header reads the leading comment block into s.Title and s.Description and
// returns the index of the first line after it.
func (p *parser) header(s *Script, lines []string) int {
	var desc []string
	started := false
	for i, line := range lines {
		t := strings.Trim(line, " \t\r\v\f")
		switch {
		case strings.HasPrefix(t, "#"):
			text := strings.Trim(t[1:], " \t\r\v\f")
			if !started {
				s.Title, started = text, true
			} else if text != "" {
				desc = append(desc, text)
			}
		case t == "" && !started:
			// blank lines before the block
		default:
			s.Description = strings.Join(desc, " ")
			return i
		}
	}
	s.Description = strings.Join(desc, " ")
	return len(lines)
}

// line parses one source line; ok is false for blank and comment lines.
func (p *parser) line(num int, src string) (step Step, ok bool, err error) {
	toks, lerr := lexLine(src)
	if lerr != nil {
		return Step{}, false, &Error{Pos: Pos{p.file, num, lerr.col}, Msg: lerr.msg}
	}
	if len(toks) == 0 {
		return Step{}, false, nil
	}
	lp := &lineParser{parser: p, line: num, toks: toks}
	step.Pos = Pos{p.file, num, toks[0].col}
	step.Text = src[toks[0].col-1 : toks[len(toks)-1].end-1]
	if err := lp.step(&step); err != nil {
		return Step{}, false, err
	}
	return step, true, nil
}

// lineParser walks the tokens of one line.
type lineParser struct {
	*parser
	line  int
	toks  []token
	i     int
	usage string // the verb's syntax, quoted in errors about arity
}

// errAt returns an *Error at column col of the current line.
func (lp *lineParser) errAt(col int, format string, args ...any) error {
	return &Error{Pos: Pos{lp.file, lp.line, col}, Msg: fmt.Sprintf(format, args...)}
}

// endCol is where a token after the last one would start.
func (lp *lineParser) endCol() int {
	return lp.toks[len(lp.toks)-1].end + 1
}

// more reports whether tokens remain.
func (lp *lineParser) more() bool { return lp.i < len(lp.toks) }

// peek returns the next token without consuming it; ok is false at the end.
func (lp *lineParser) peek() (token, bool) {
	if !lp.more() {
		return token{}, false
	}
	return lp.toks[lp.i], true
}

// next consumes the next token, or fails with "expected <what>, found end
// of line".
func (lp *lineParser) next(what string) (token, error) {
	if !lp.more() {
		return token{}, lp.errAt(lp.endCol(), "expected %s, found end of line%s", what, lp.usageHint())
	}
	t := lp.toks[lp.i]
	lp.i++
	return t, nil
}

// end fails if tokens remain.
func (lp *lineParser) end() error {
	if t, ok := lp.peek(); ok {
		return lp.errAt(t.col, "expected end of line, found %s%s", describe(t), lp.usageHint())
	}
	return nil
}

func (lp *lineParser) usageHint() string {
	if lp.usage == "" {
		return ""
	}
	return " (usage: " + lp.usage + ")"
}

// describe names a token in an error message.
func describe(t token) string {
	if t.quoted {
		return fmt.Sprintf("quoted string %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// keyword consumes a bare word that must be one of choices.
func (lp *lineParser) keyword(what string, choices ...string) (string, token, error) {
	t, err := lp.next(what)
	if err != nil {
		return "", t, err
	}
	if !t.quoted {
		for _, c := range choices {
			if t.text == c {
				return c, t, nil
			}
		}
	}
	hint := didYouMean(t.text, choices)
	if t.quoted && slices.Contains(choices, t.text) {
		hint = " (write keywords without quotes)"
	}
	return "", t, lp.errAt(t.col, "expected %s, found %s%s", what, describe(t), hint)
}
