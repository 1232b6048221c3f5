package script

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String renders the step in canonical form: one line that Parse reads
// back into the same step (given the same declared nodes). Optional
// arguments equal to their defaults are left out.
func (s Step) String() string {
	var b strings.Builder
	w := func(parts ...string) {
		for _, p := range parts {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p)
		}
	}
	switch s.Verb {
	case VerbNode:
		w("node")
		w(s.Nodes...)
		if s.Redis {
			w("redis")
		}
		if s.Cluster {
			w("cluster")
		}
	case VerbFailover:
		w("failover", s.Node)
		if s.Mode != "" {
			w(s.Mode)
		}
	case VerbConfig:
		w("config", s.Node, s.Directive)
		for _, v := range s.Values {
			w(word(v))
		}
	case VerbReplicaOf:
		if s.NoOne {
			w("replicaof", s.Node, "no", "one")
		} else {
			w("replicaof", s.Node, s.Target)
		}
	case VerbPromote, VerbCut, VerbHeal, VerbPause, VerbResume, VerbKill, VerbRestart:
		w(s.Verb.String(), s.Node)
	case VerbWrite:
		w("write", s.Node, strconv.Itoa(s.Count))
		if s.Size != DefaultWriteSize {
			w(formatSize(s.Size))
		}
	case VerbSet:
		w("set", s.Node, word(s.Key), word(s.Value))
		if s.TTL != 0 {
			w(formatDuration(s.TTL))
		}
	case VerbLoad:
		s.formatLoad(w)
	case VerbSleep:
		w("sleep", formatDuration(s.Dur))
	case VerbWaitSynced:
		w("wait", "synced")
		w(s.Nodes...)
		s.formatTimeout(w)
	case VerbWaitLink:
		state := "down"
		if s.LinkUp {
			state = "up"
		}
		w("wait", "link", s.Node, state)
		s.formatTimeout(w)
	case VerbWaitAcked:
		w("wait", "acked", s.Node, strconv.Itoa(s.Count))
		s.formatTimeout(w)
	case VerbSentinel, VerbWaitMaster, VerbWaitEvent:
		s.formatSentinel(w)
	default:
		s.formatExpectOrSay(w)
	}
	return b.String()
}

func (s Step) formatLoad(w func(...string)) {
	if !s.On {
		w("load", s.Node, "off")
		return
	}
	w("load", s.Node, "on")
	if s.Rate != DefaultLoadRate {
		w(strconv.Itoa(s.Rate))
	}
}

func (s Step) formatTimeout(w func(...string)) {
	if s.Timeout != DefaultWaitTimeout {
		w(formatDuration(s.Timeout))
	}
}

func (s Step) formatExpectOrSay(w func(...string)) {
	switch s.Verb {
	case VerbExpectRole:
		w("expect", s.Node, "role", s.Role)
	case VerbExpectSync:
		w("expect", s.Node, "sync", s.Sync)
	case VerbExpectKey:
		w("expect", s.Node, "key", word(s.Key), "=")
		if s.Nil {
			w("nil")
		} else if s.Value == "nil" {
			w(quote(s.Value))
		} else {
			w(word(s.Value))
		}
	case VerbExpectKeys:
		w("expect", s.Node, "keys", strconv.Itoa(s.Count))
	case VerbExpectConsistent:
		w("expect", "consistent")
		w(s.Nodes...)
	case VerbExpectAlert:
		w("expect", s.Node, "alert", word(s.Alert))
	case VerbSay:
		w("say", quote(s.Caption))
	default:
		w(fmt.Sprintf("# %v", s.Verb))
	}
}

// String renders the whole script: its title and description as a leading
// comment block, then one step per line.
func (sc *Script) String() string {
	var b strings.Builder
	if sc.Title != "" || sc.Description != "" {
		b.WriteString(strings.TrimRight("# "+sc.Title, " ") + "\n")
		if sc.Description != "" {
			b.WriteString("# " + sc.Description + "\n")
		}
		b.WriteString("\n")
	}
	for _, s := range sc.Steps {
		b.WriteString(s.String() + "\n")
	}
	return b.String()
}

// word renders a value bare when it reads back unchanged, quoted otherwise.
func word(s string) string {
	if s == "" || s[0] == '#' {
		return quote(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' {
			return quote(s)
		}
	}
	return s
}

// quote renders s as a quoted string using the script's escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		c := s[i]
		switch {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < ' ' || c == 0x7f || (r == utf8.RuneError && n == 1):
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}
