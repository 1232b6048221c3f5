package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// The accepted-but-ignored directives with their own syntax. They keep
// their canonical CONFIG GET text in Config.extra.

// extraText is the stored text of an ignored special directive.
func extraText(c *Config, name string) string {
	s, _ := c.extra[name].(string)
	return s
}

// percentilesDir: latency-tracking-info-percentiles <p> [...] or "".
func percentilesDir() *directive {
	const name = "latency-tracking-info-percentiles"
	return &directive{
		name: name, flags: multiArg | ignored,
		init: func(c *Config) { c.extra[name] = "50 99 99.9" },
		set: func(c *Config, args []string, _ *setState) error {
			if len(args) == 1 && args[0] == "" {
				args = nil
			}
			parts := make([]string, len(args))
			for i, a := range args {
				v, ok := string2d(a)
				if !ok {
					return errors.New("Invalid latency-tracking-info-percentiles parameters")
				}
				if v > 100 || v < 0 {
					return errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
				}
				parts[i] = trimDouble(strconv.FormatFloat(v, 'f', 6, 64))
			}
			c.extra[name] = strings.Join(parts, " ")
			return nil
		},
		get: func(c *Config) string { return extraText(c, name) },
		rewrite: func(c *Config) []rline {
			v := extraText(c, name)
			if v == "" {
				v = `""`
			}
			return []rline{{name + " " + v, true}}
		},
	}
}

// string2d is Redis's strict strtod wrapper.
func string2d(s string) (float64, bool) {
	if s == "" || isCSpace(s[0]) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// trimDouble drops trailing zeros after a decimal point, and the point.
func trimDouble(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// notifyFlags are the keyspace event classes in the order Redis prints
// them; 'A' is the alias for every class up to 'n' except K, E and m.
var notifyFlags = []struct {
	c   byte
	bit int
}{
	{'g', 1 << 2}, {'$', 1 << 3}, {'l', 1 << 4}, {'s', 1 << 5}, {'h', 1 << 6}, {'z', 1 << 7},
	{'x', 1 << 8}, {'e', 1 << 9}, {'t', 1 << 10}, {'d', 1 << 13}, {'n', 1 << 14},
}

const (
	notifyKeyspace = 1 << 0
	notifyKeyevent = 1 << 1
	notifyKeyMiss  = 1 << 11
	notifyAll      = 1<<2 | 1<<3 | 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<9 | 1<<10 | 1<<13
)

// notifyDir: notify-keyspace-events <classes>, shown in Redis's order.
func notifyDir() *directive {
	const name = "notify-keyspace-events"
	return &directive{
		name: name, flags: ignored,
		init: func(c *Config) { c.extra[name] = "" },
		set: func(c *Config, args []string, _ *setState) error {
			flags := 0
			for i := 0; i < len(args[0]); i++ {
				b := notifyBit(args[0][i])
				if b < 0 {
					return errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
				}
				flags |= b
			}
			c.extra[name] = notifyString(flags)
			return nil
		},
		get: func(c *Config) string { return extraText(c, name) },
		rewrite: func(c *Config) []rline {
			v := extraText(c, name)
			return []rline{{name + " " + Quote(v), v != ""}}
		},
	}
}

func notifyBit(c byte) int {
	switch c {
	case 'A':
		return notifyAll
	case 'K':
		return notifyKeyspace
	case 'E':
		return notifyKeyevent
	case 'm':
		return notifyKeyMiss
	}
	for _, f := range notifyFlags {
		if f.c == c {
			return f.bit
		}
	}
	return -1
}

func notifyString(flags int) string {
	var b []byte
	if flags&notifyAll == notifyAll {
		b = append(b, 'A')
	} else {
		for _, f := range notifyFlags {
			if flags&f.bit != 0 {
				b = append(b, f.c)
			}
		}
	}
	if flags&notifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if flags&notifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if flags&notifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// oomValuesDir: oom-score-adj-values <master> <replica> <bgchild>.
func oomValuesDir() *directive {
	const name, def = "oom-score-adj-values", "0 200 800"
	return &directive{
		name: name, flags: multiArg | ignored,
		init: func(c *Config) { c.extra[name] = def },
		set: func(c *Config, args []string, _ *setState) error {
			if len(args) != 3 {
				return errWrongArgs
			}
			parts := make([]string, 3)
			for i, a := range args {
				v, ok := strtoll(a, 10)
				if !ok || v < -2000 || v > 2000 {
					return errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
				}
				parts[i] = strconv.FormatInt(v, 10)
			}
			c.extra[name] = strings.Join(parts, " ")
			return nil
		},
		get: func(c *Config) string { return extraText(c, name) },
		rewrite: func(c *Config) []rline {
			v := extraText(c, name)
			return []rline{{name + " " + v, v != def}}
		},
	}
}

// shutdownWords are the flags of shutdown-on-sigint / -sigterm.
var shutdownWords = []enumItem{{"default", 0}, {"save", 1}, {"nosave", 2}, {"now", 4}, {"force", 8}}

// shutdownOnSigDir: shutdown-on-sig* default | [save|nosave] [now] [force].
func shutdownOnSigDir(name string) *directive {
	return &directive{
		name: name, flags: multiArg | ignored,
		init: func(c *Config) { c.extra[name] = "default" },
		set: func(c *Config, args []string, _ *setState) error {
			if len(args) == 0 {
				return enumError(shutdownWords)
			}
			flags := 0
			for _, a := range args {
				found := false
				for _, w := range shutdownWords {
					if strings.EqualFold(a, w.word) {
						flags |= w.val
						found = true
					}
				}
				if !found {
					return enumError(shutdownWords)
				}
			}
			if flags&1 != 0 && flags&2 != 0 {
				return errors.New("shutdown options SAVE and NOSAVE can't be used simultaneously")
			}
			c.extra[name] = shutdownString(flags)
			return nil
		},
		get: func(c *Config) string { return extraText(c, name) },
		rewrite: func(c *Config) []rline {
			v := extraText(c, name)
			return []rline{{name + " " + v, v != "default"}}
		},
	}
}

// shutdownString is configEnumGetName for bit flags.
func shutdownString(flags int) string {
	var names []string
	rest := flags
	for _, w := range shutdownWords {
		if w.val == flags {
			return w.word
		}
		if w.val != 0 && w.val&rest == w.val {
			names = append(names, w.word)
			rest &^= w.val
		}
	}
	if len(names) == 0 || rest != 0 {
		return "unknown"
	}
	return strings.Join(names, " ")
}

// checkProcTitle accepts a proc-title-template whose {variables} are all
// known and which does not expand to blanks only.
func checkProcTitle(v string) error {
	bad := errors.New("template format is invalid or contains unknown variables")
	var out strings.Builder
	for p := v; p != ""; {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			out.WriteString(p)
			break
		}
		out.WriteString(p[:i])
		p = p[i+1:]
		if p == "" {
			return bad
		}
		if p[0] == '{' {
			out.WriteByte('{')
			p = p[1:]
			continue
		}
		j := strings.IndexByte(p, '}')
		if j < 0 {
			return bad
		}
		switch p[:j] {
		case "title", "server-mode", "unixsocket":
			// Empty for a validation run, as in Redis.
		case "listen-addr", "config-file", "port", "tls-port":
			out.WriteString("x")
		default:
			return bad
		}
		p = p[j+1:]
	}
	if strings.Trim(out.String(), " ") == "" {
		return bad
	}
	return nil
}
