package node_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
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

// The stale-errno allowance accepts only a plain numeric sort whose every
// element converts.
func TestSameSortErrno(t *testing.T) {
	arr := func(xs ...string) []byte {
		out := fmt.Appendf(nil, "*%d\r\n", len(xs))
		for _, x := range xs {
			out = fmt.Appendf(out, "$%d\r\n%s\r\n", len(x), x)
		}
		return out
	}
	for _, tc := range []struct {
		args []string
		node []byte
		want bool
	}{
		{[]string{"SORT_RO", "z"}, arr("100"), true},
		{[]string{"SORT", "z", "DESC"}, arr("2.5", "-1", "inf"), true},
		{[]string{"SORT_RO", "z"}, arr("100", "abc"), false},
		{[]string{"SORT_RO", "z"}, arr("1e309"), false},
		{[]string{"SORT_RO", "z", "ALPHA"}, arr("100"), false},
		{[]string{"SORT", "z", "LIMIT", "0", "1"}, arr("1"), false},
		{[]string{"SORT", "z", "STORE", "d"}, []byte(":1\r\n"), false},
	} {
		if got := sameSortErrno(tc.args, []byte(errSortConv), tc.node); got != tc.want {
			t.Errorf("%q answered %q: %v, want %v", tc.args, tc.node, got, tc.want)
		}
	}
}
