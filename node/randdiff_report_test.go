package node_test

import (
	"fmt"
	"sort"
	"strings"
)

func describe(cmds []gcmd) string {
	parts := make([]string, len(cmds))
	for i, c := range cmds {
		parts[i] = c.String()
	}
	return strings.Join(parts, " | ")
}

func isPlain(a string) bool {
	if a == "" || len(a) > 40 {
		return false
	}
	for _, r := range a {
		if r <= ' ' || r == '"' || r == '\\' || r > '~' {
			return false
		}
	}
	return true
}

func quoteArgs(args []string) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = fmt.Sprintf("%q", a)
		if isPlain(a) {
			parts[i] = a
		}
	}
	return strings.Join(parts, " ")
}

func (r *run) differ(c gcmd, redis, repl []byte, inExec bool) {
	sig := signature(c.args, redis, repl)
	if inExec {
		sig = "in EXEC: " + sig
	}
	r.record(sig, c.String(), clipReply(redis), clipReply(repl))
}

// record logs one difference and marks the step failed.
func (r *run) record(sig, cmd, redis, repl string) {
	r.failed = true
	op := strings.Join(r.trace, " ; ")
	if len(r.history) > 0 {
		op = "[before: " + strings.Join(r.history, " || ") + "] " + op
	}
	if r.log.add(sig, cmd, redis, repl, op, r.seed, r.step) {
		r.distinct++
		r.h.t.Logf("seed %d step %d: %s\n  command:      %s\n  redis-server: %s\n  replscope:    %s\n  operation:    %s", r.seed, r.step, sig, cmd, redis, repl, clipN(op, 1200))
	}
}

func clipReply(b []byte) string {
	s := fmt.Sprintf("%q", b)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// signature names a difference for the report: the command (and
// subcommand) and the first line of each reply with digits folded.
func signature(args []string, redis, repl []byte) string {
	name := strings.ToUpper(args[0])
	if len(args) > 1 && (name == "PUBSUB" || name == "CLIENT") {
		name += " " + strings.ToUpper(args[1])
	}
	return name + ": " + firstLine(redis) + " ≠ " + firstLine(repl)
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\r\n")
	if len(s) > 60 {
		s = s[:60]
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '#'
		}
		return r
	}, s)
}

// diffLog collects distinct differences across seeds.
type diffLog struct {
	list []*difference
	idx  map[string]*difference
}

type difference struct {
	sig, cmd, redis, repl, op string
	seed                      int64
	step, count               int
}

func (l *diffLog) add(sig, cmd, redis, repl, op string, seed int64, step int) bool {
	if l.idx == nil {
		l.idx = map[string]*difference{}
	}
	if d := l.idx[sig]; d != nil {
		d.count++
		return false
	}
	d := &difference{sig: sig, cmd: cmd, redis: redis, repl: repl, op: op, seed: seed, step: step, count: 1}
	l.idx[sig] = d
	l.list = append(l.list, d)
	return true
}

func (l *diffLog) report() string {
	var b strings.Builder
	sorted := append([]*difference(nil), l.list...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].sig < sorted[j].sig })
	for _, d := range sorted {
		fmt.Fprintf(&b, "- %s (×%d, first seed %d step %d)\n    command:      %s\n    redis-server: %s\n    replscope:    %s\n    operation:    %s\n",
			d.sig, d.count, d.seed, d.step, d.cmd, d.redis, d.repl, clipN(d.op, 1200))
	}
	return b.String()
}

func clipN(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// appendInline appends args as one inline command, each argument in
// double quotes with \xNN escapes for anything not printable.
func appendInline(buf []byte, args []string) []byte {
	for i, a := range args {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, '"')
		for j := 0; j < len(a); j++ {
			switch b := a[j]; {
			case b == '"' || b == '\\':
				buf = append(buf, '\\', b)
			case b < ' ' || b > '~':
				buf = append(buf, fmt.Sprintf("\\x%02x", b)...)
			default:
				buf = append(buf, b)
			}
		}
		buf = append(buf, '"')
	}
	return append(buf, '\r', '\n')
}
