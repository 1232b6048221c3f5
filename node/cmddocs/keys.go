package cmddocs

import (
	"strconv"
	"strings"
)

// KeyRef is one key a command's arguments name: its index in argv (argv[0]
// is the command's name) and its key-spec flags (JSON names, "RW", ...).
type KeyRef struct {
	Pos   int
	Flags []string
}

// HasKeySpec reports whether a key spec is not marked NOT_KEY.
func (c *Command) HasKeySpec() bool {
	for _, s := range c.KeySpecs {
		if !has(s.Flags, "NOT_KEY") {
			return true
		}
	}
	return false
}

// HasVariableFlags reports whether a key spec is marked VARIABLE_FLAGS:
// its flags depend on the arguments, which only getkeys code knows.
func (c *Command) HasVariableFlags() bool {
	for _, s := range c.KeySpecs {
		if has(s.Flags, "VARIABLE_FLAGS") {
			return true
		}
	}
	return false
}

// KeysBySpecs finds the keys of argv from the key specs, as Redis 7.0.15's
// getKeysUsingKeySpecs does (specs marked NOT_KEY skipped). ok is false
// when a spec is of an unknown kind, does not fit argv, or is INCOMPLETE:
// Redis then asks the command's getkeys function.
func (c *Command) KeysBySpecs(argv [][]byte) (keys []KeyRef, ok bool) {
	argc := len(argv)
	for _, s := range c.KeySpecs {
		if has(s.Flags, "NOT_KEY") {
			continue
		}
		first := 0
		switch bs := s.BeginSearch; {
		case bs.Index != nil:
			first = bs.Index.Pos
		case bs.Keyword != nil:
			first = keywordStart(argv, bs.Keyword.Keyword, bs.Keyword.Startfrom)
			if first == 0 {
				continue // keyword not found: this spec names no key
			}
		default:
			return nil, false
		}
		var last, step int
		switch fk := s.FindKeys; {
		case fk.Range != nil:
			step = fk.Range.Step
			switch {
			case fk.Range.Lastkey >= 0:
				last = first + fk.Range.Lastkey
			case fk.Range.Limit == 0:
				last = argc + fk.Range.Lastkey
			default:
				last = first + ((argc-first)/fk.Range.Limit + fk.Range.Lastkey)
			}
		case fk.Keynum != nil:
			step = fk.Keynum.Step
			at := first + fk.Keynum.Keynumidx
			if at >= argc {
				return nil, false
			}
			n, err := strconv.ParseInt(string(argv[at]), 10, 64)
			if err != nil || n < 0 || !strictInt(argv[at]) {
				return nil, false
			}
			first += fk.Keynum.Firstkey
			last = first + int(int32(n)) - 1 // C's (int) cast
		default:
			return nil, false
		}
		if last >= argc || last < first || first >= argc {
			return nil, false
		}
		for i := first; i <= last && step > 0; i += step {
			keys = append(keys, KeyRef{Pos: i, Flags: s.Flags})
		}
		if has(s.Flags, "INCOMPLETE") {
			return nil, false
		}
	}
	return keys, true
}

// keywordStart returns the index after keyword in argv, searched from
// startfrom (from the end when negative) as Redis searches it, or 0.
func keywordStart(argv [][]byte, keyword string, startfrom int) int {
	argc := len(argv)
	start, end := startfrom, argc-1
	if startfrom <= 0 {
		start, end = argc+startfrom, 0
	}
	for i := start; i != end; {
		if i >= argc || i < 1 {
			break
		}
		if strings.EqualFold(string(argv[i]), keyword) {
			return i + 1
		}
		if start <= end {
			i++
		} else {
			i--
		}
	}
	return 0
}

// strictInt reports whether b is written as Redis's string2ll accepts it:
// "0", or digits not starting with 0 after an optional '-'.
func strictInt(b []byte) bool {
	s := string(b)
	if s == "0" {
		return true
	}
	s = strings.TrimPrefix(s, "-")
	return s != "" && s[0] != '0' && strings.Trim(s, "0123456789") == ""
}

// KeyFlagNames returns key-spec flags in the order and case Redis replies
// with them (COMMAND GETKEYSANDFLAGS, key specs): RO, RW, OW, RM upper
// case, the others lower case.
func KeyFlagNames(flags []string) []string {
	var out []string
	for _, f := range keyFlagNames {
		if has(flags, f) {
			if len(f) > 2 {
				f = strings.ToLower(f)
			}
			out = append(out, f)
		}
	}
	return out
}
