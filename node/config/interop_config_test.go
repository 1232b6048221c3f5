package config

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// The differential tests in this file compare the package with a real
// redis-server 7.0 (skipped when it is not installed).

// redistestArgs are the directives internal/redistest sets on the servers
// it starts; values of these are not comparable with our defaults.
var redistestArgs = []string{"port", "bind", "save", "dir", "logfile", "repl-diskless-sync-delay", "appendonly", "daemonize"}

func do(t testing.TB, c *resp.Client, args ...string) resp.Value {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return v
}

// replyText is "OK" for a status reply and the message for an error.
func replyText(v resp.Value) string {
	if v.Kind == resp.Error {
		return string(v.Str)
	}
	return v.String()
}

func pairs(t testing.TB, v resp.Value) map[string]string {
	t.Helper()
	if v.Kind != resp.Array || len(v.Elems)%2 != 0 {
		t.Fatalf("CONFIG GET reply: %v", v)
	}
	m := make(map[string]string, len(v.Elems)/2)
	for i := 0; i < len(v.Elems); i += 2 {
		name := string(v.Elems[i].Str)
		if _, dup := m[name]; dup {
			t.Fatalf("CONFIG GET returned %q twice", name)
		}
		m[name] = string(v.Elems[i+1].Str)
	}
	return m
}

func ourPairs(t testing.TB, kv []string) map[string]string {
	t.Helper()
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		if _, dup := m[kv[i]]; dup {
			t.Fatalf("Get returned %q twice", kv[i])
		}
		m[kv[i]] = kv[i+1]
	}
	return m
}

func skipName(name string, extra ...string) bool {
	d := lookup(name)
	return d != nil && (slices.Contains(redistestArgs, d.name) || slices.Contains(extra, d.name))
}

// TestInteropDefaults compares CONFIG GET * of a real server with
// Default(): the same names (directives and aliases), the same values.
func TestInteropDefaults(t *testing.T) {
	s := redistest.Start(t)
	theirs := pairs(t, do(t, s.Client(t), "CONFIG", "GET", "*"))
	ours := ourPairs(t, Default().Get("*"))
	for name := range theirs {
		if _, ok := ours[name]; !ok {
			t.Errorf("redis has %q, we do not", name)
		}
	}
	for name, v := range ours {
		rv, ok := theirs[name]
		switch {
		case !ok:
			t.Errorf("we have %q, redis does not", name)
		case skipName(name):
		case v != rv:
			t.Errorf("%s: ours %q, redis %q", name, v, rv)
		}
	}
}

// TestInteropCommandLine starts a server with options and loads the same
// options: every directive they touch must read the same.
func TestInteropCommandLine(t *testing.T) {
	opts := []string{
		"--save", "100 1 200 2", "--save", "300", "3",
		"--replica-priority", "5",
		"--client-output-buffer-limit", "replica 1gb 2mb 3",
		"--client-output-buffer-limit", "pubsub", "1k", "2kb", "4",
		"--maxmemory", "1G",
		"--notify-keyspace-events", "KEA",
		"--hz", "1000",
		"--repl-backlog-size", "100",
		"--slave-read-only", "no",
		"--min-slaves-to-write", "2",
		"--shutdown-on-sigterm", "now save",
		"--oom-score-adj", "relative",
		"--latency-tracking-info-percentiles", "50.0 99.990 100",
		"--maxmemory-clients", "10%",
		"--unixsocketperm", "700",
		"--list-max-ziplist-entries", "5",
	}
	s := redistest.Start(t, opts...)
	theirs := pairs(t, do(t, s.Client(t), "CONFIG", "GET", "*"))
	c, src, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	if src.File != "" {
		t.Errorf("File = %q", src.File)
	}
	ours := ourPairs(t, c.Get("*"))
	for name, v := range ours {
		if skipName(name) && name != "save" {
			continue
		}
		if rv := theirs[name]; v != rv {
			t.Errorf("%s: ours %q, redis %q", name, v, rv)
		}
	}
}

// configSetSteps run in order on a real server and on one Config; after
// each, the reply and the CONFIG GET of every name set must agree. Values
// with side effects a Config cannot have (port, bind, maxclients, TLS) or
// with a deliberate difference (appendonly yes, activedefrag yes) are
// left out.
var configSetSteps = [][]string{
	{"replica-priority", "abc"}, {"replica-priority", ""}, {"replica-priority", "-1"},
	{"replica-priority", "+5"}, {"replica-priority", " 5"}, {"replica-priority", "007"},
	{"replica-priority", "2147483648"}, {"replica-priority", "-0"},
	{"replica-priority", "99999999999999999999"}, {"replica-priority", "1e3"}, {"replica-priority", "5"},
	{"slave-priority", "abc"}, {"SLAVE-PRIORITY", "7"}, {"repl-ping-slave-period", "0"},
	{"repl-backlog-size", ""}, {"repl-backlog-size", "k"}, {"repl-backlog-size", "1K"},
	{"repl-backlog-size", "1Kb"}, {"repl-backlog-size", "1b"}, {"repl-backlog-size", "-1"},
	{"repl-backlog-size", "99999999999999999999"}, {"repl-backlog-size", "18446744073709551615"},
	{"repl-backlog-size", "9223372036854775808"}, {"repl-backlog-size", "1.5mb"},
	{"repl-backlog-size", " 1"}, {"repl-backlog-size", "+1"}, {"repl-backlog-size", "0x10"},
	{"repl-backlog-size", "1gB"}, {"repl-backlog-size", "8589934592g"}, {"repl-backlog-size", "00012"},
	{"repl-backlog-size", "20000"}, {"repl-backlog-size", "1mb"},
	{"proto-max-bulk-len", "1000"}, {"proto-max-bulk-len", "2mb"},
	{"client-query-buffer-limit", "-1"}, {"client-query-buffer-limit", "1gb"},
	{"maxmemory", "99999999999999999999"}, {"maxmemory", "1G"}, {"maxmemory", "0"},
	{"maxmemory-clients", "10%"}, {"maxmemory-clients", "101%"}, {"maxmemory-clients", "-1"}, {"maxmemory-clients", "0"},
	{"hz", "1000"}, {"hz", "0"}, {"hz", "-1"}, {"hz", "10"},
	{"save", ""}, {"save", "100 1 200 2"}, {"save", "  "}, {"save", "100 1 "}, {"save", "100"},
	{"save", "0 1"}, {"save", "1 -1"}, {"save", "1 99999999999999999999"}, {"save", "100 "},
	{"save", "3600 1 300 100 60 10000"},
	{"client-output-buffer-limit", ""}, {"client-output-buffer-limit", "slave 1gb 2 3"},
	{"client-output-buffer-limit", "replica 1 2"}, {"client-output-buffer-limit", "master 1 2 3"},
	{"client-output-buffer-limit", "normal 1x 2 3"}, {"client-output-buffer-limit", "NORMAL 1 2 -3"},
	{"client-output-buffer-limit", "pubsub 1 2 4294967296"},
	{"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
	{"notify-keyspace-events", "KEA"}, {"notify-keyspace-events", "gK"}, {"notify-keyspace-events", "x y"},
	{"notify-keyspace-events", "AKEm"}, {"notify-keyspace-events", ""},
	{"loglevel", "FOO"}, {"loglevel", "WARNING"}, {"loglevel", "notice"},
	{"repl-diskless-load", "foo"}, {"repl-diskless-load", "SWAPDB"}, {"repl-diskless-load", "disabled"},
	{"protected-mode", "YES"}, {"protected-mode", "maybe"},
	{"replica-announce-ip", "1.2.3.4"}, {"replica-announce-ip", ""},
	{"masterauth", "x y"}, {"masterauth", ""},
	{"oom-score-adj", "relative"}, {"oom-score-adj", "bogus"}, {"oom-score-adj", "no"},
	{"oom-score-adj-values", "0 200"}, {"oom-score-adj-values", "0 200 2001"}, {"oom-score-adj-values", "0 200 800"},
	{"shutdown-on-sigint", "save nosave"}, {"shutdown-on-sigint", "now save"}, {"shutdown-on-sigint", ""},
	{"shutdown-on-sigint", "bogus"}, {"shutdown-on-sigint", "default"},
	{"latency-tracking-info-percentiles", "50.0 99.990 100"}, {"latency-tracking-info-percentiles", "101"},
	{"latency-tracking-info-percentiles", "abc"}, {"latency-tracking-info-percentiles", ""},
	{"latency-tracking-info-percentiles", "50 99 99.9"},
	{"proc-title-template", "{foo}"}, {"proc-title-template", "{title}"}, {"proc-title-template", "{{"},
	{"appendonly", "maybe"}, {"daemonize", "yes"}, {"unixsocketperm", "700"}, {"databases", "1"},
	{"replicaof", "1.2.3.4 5"}, {"slaveof", "no one"}, {"dir", "/tmp"}, {"dbfilename", "x.rdb"},
	{"foo", "bar"},
	{"tls-auth-clients", "optional"}, {"tls-auth-clients", "bogus"}, {"tls-auth-clients", "yes"},
	{"list-max-listpack-size", "-2147483649"}, {"list-max-ziplist-size", "-5"}, {"list-max-listpack-size", "-2"},
	{"slowlog-log-slower-than", "-2"}, {"slowlog-log-slower-than", "-1"},
	{"set-max-intset-entries", "-1"}, {"active-defrag-cycle-min", "0"},
	{"cluster-announce-hostname", "bad_host"}, {"cluster-announce-hostname", ""},
	{"acl-pubsub-default", "ALLCHANNELS"}, {"acl-pubsub-default", "resetchannels"},
	{"lua-time-limit", "6000"}, {"maxclients", "0"}, {"timeout", "-1"},
	{"hz", "20", "port", "abc"}, {"hz", "20", "hz", "30"}, {"hz", "20", "HZ", "30"},
	{"slave-priority", "1", "replica-priority", "2"},
	{"foo", "1", "port", "x"}, {"port", "x", "foo", "1"}, {"daemonize", "yes", "foo", "1"},
	{"hz", "20", "daemonize", "yes"}, {"hz", "1", "port"}, {"hz"},
	{"hz", "30", "repl-backlog-size", "1"},
}

func TestInteropConfigSet(t *testing.T) {
	s := redistest.Start(t)
	rc := s.Client(t)
	ours := Default()
	for _, step := range configSetSteps {
		t.Run(strings.Join(step, " "), func(t *testing.T) {
			want := replyText(do(t, rc, append([]string{"CONFIG", "SET"}, step...)...))
			got := "OK"
			if _, err := ours.Set(step); err != nil {
				got = err.Error()
			}
			if got != want {
				t.Fatalf("reply:\n ours  %q\n redis %q", got, want)
			}
			for i := 0; i < len(step); i += 2 {
				if lookup(step[i]) == nil || skipName(step[i]) {
					continue
				}
				theirs := pairs(t, do(t, rc, "CONFIG", "GET", step[i]))
				mine := ourPairs(t, ours.Get(step[i]))
				if !mapsEqual(mine, theirs) {
					t.Errorf("after the step, CONFIG GET %s: ours %q, redis %q", step[i], mine, theirs)
				}
			}
		})
	}
	// Everything else must still agree too.
	theirs := pairs(t, do(t, rc, "CONFIG", "GET", "*"))
	for name, v := range ourPairs(t, ours.Get("*")) {
		if !skipName(name) && theirs[name] != v {
			t.Errorf("at the end, %s: ours %q, redis %q", name, v, theirs[name])
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}

// TestInteropConfigGetPatterns compares which names CONFIG GET returns
// for glob patterns (matched case-insensitively) and exact names.
func TestInteropConfigGetPatterns(t *testing.T) {
	s := redistest.Start(t)
	rc := s.Client(t)
	ours := Default()
	for _, pats := range [][]string{
		{"*"}, {"repl*"}, {"*SLAVE*"}, {"?ort"}, {"[pr]*"}, {"replica-[a-p]*"}, {"MAXMEMORY*"},
		{"slave-read-only"}, {"SLAVE-READ-ONLY"}, {"port", "PORT", "*port"}, {"slaveof", "replicaof"},
		{"*max*", "*min*"}, {"[^a-r]*"}, {"*-[lz]*"}, {"tls-*", "tls-port"}, {"nosuchthing"},
		{"*\\-*"}, {"lazyfree-lazy-?????"}, {"*[0-9]*"}, {"client-*", "CLIENT-*"},
	} {
		t.Run(strings.Join(pats, " "), func(t *testing.T) {
			theirs := pairs(t, do(t, rc, append([]string{"CONFIG", "GET"}, pats...)...))
			mine := ourPairs(t, ours.Get(pats...))
			if got, want := sortedKeys(mine), sortedKeys(theirs); !slices.Equal(got, want) {
				t.Fatalf("names:\n ours  %q\n redis %q", got, want)
			}
			for name, v := range mine {
				if !skipName(name) && theirs[name] != v {
					t.Errorf("%s: ours %q, redis %q", name, v, theirs[name])
				}
			}
		})
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
