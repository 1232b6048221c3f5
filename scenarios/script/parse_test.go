package script

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// stepsOf parses "node a b c" followed by src and returns the steps after
// the declaration, with Pos and Text cleared.
func stepsOf(t testing.TB, src string) []Step {
	t.Helper()
	s, err := Parse("test.scn", []byte("node a b c\n"+src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return bare(s.Steps[1:])
}

// bare returns a copy of steps without Pos and Text.
func bare(steps []Step) []Step {
	out := make([]Step, len(steps))
	for i, s := range steps {
		s.Pos, s.Text = Pos{}, ""
		out[i] = s
	}
	return out
}

func TestParseSteps(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Step
	}{
		{"node", "node d e", Step{Verb: VerbNode, Nodes: []string{"d", "e"}}},
		{"node redis", "node r-1 r_2 redis", Step{Verb: VerbNode, Nodes: []string{"r-1", "r_2"}, Redis: true}},
		{"config one value", "config a repl-backlog-size 16kb",
			Step{Verb: VerbConfig, Node: "a", Directive: "repl-backlog-size", Values: []string{"16kb"}}},
		{"config several values", "config a client-output-buffer-limit replica 256mb 64mb 60",
			Step{Verb: VerbConfig, Node: "a", Directive: "client-output-buffer-limit", Values: []string{"replica", "256mb", "64mb", "60"}}},
		{"config empty string", `config a save ""`, Step{Verb: VerbConfig, Node: "a", Directive: "save", Values: []string{""}}},
		{"config directive lowered", `config a Repl-Timeout 5`, Step{Verb: VerbConfig, Node: "a", Directive: "repl-timeout", Values: []string{"5"}}},
		{"replicaof", "replicaof b a", Step{Verb: VerbReplicaOf, Node: "b", Target: "a"}},
		{"replicaof no one", "replicaof b no one", Step{Verb: VerbReplicaOf, Node: "b", NoOne: true}},
		{"promote", "promote b", Step{Verb: VerbPromote, Node: "b"}},
		{"write default size", "write a 5000", Step{Verb: VerbWrite, Node: "a", Count: 5000, Size: 100}},
		{"write size", "write a 10 16kb", Step{Verb: VerbWrite, Node: "a", Count: 10, Size: 16 << 10}},
		{"write size decimal unit", "write a 1 2K", Step{Verb: VerbWrite, Node: "a", Count: 1, Size: 2000}},
		{"set", "set a k v", Step{Verb: VerbSet, Node: "a", Key: "k", Value: "v"}},
		{"set ttl", "set a session alice 3s", Step{Verb: VerbSet, Node: "a", Key: "session", Value: "alice", TTL: 3 * time.Second}},
		{"set ttl ms", "set a k v 1500ms", Step{Verb: VerbSet, Node: "a", Key: "k", Value: "v", TTL: 1500 * time.Millisecond}},
		{"set quoted", `set a "a key" "a value" 1.5s`,
			Step{Verb: VerbSet, Node: "a", Key: "a key", Value: "a value", TTL: 1500 * time.Millisecond}},
		{"set value like a duration", "set a k 5s", Step{Verb: VerbSet, Node: "a", Key: "k", Value: "5s"}},
		{"set nil is a string", "set a k nil", Step{Verb: VerbSet, Node: "a", Key: "k", Value: "nil"}},
		{"load on default", "load a on", Step{Verb: VerbLoad, Node: "a", On: true, Rate: 1000}},
		{"load on rate", "load a on 250", Step{Verb: VerbLoad, Node: "a", On: true, Rate: 250}},
		{"load off", "load a off", Step{Verb: VerbLoad, Node: "a"}},
		{"cut", "cut b", Step{Verb: VerbCut, Node: "b"}},
		{"heal", "heal b", Step{Verb: VerbHeal, Node: "b"}},
		{"pause", "pause b", Step{Verb: VerbPause, Node: "b"}},
		{"resume", "resume b", Step{Verb: VerbResume, Node: "b"}},
		{"kill", "kill a", Step{Verb: VerbKill, Node: "a"}},
		{"restart", "restart a", Step{Verb: VerbRestart, Node: "a"}},
		{"sleep ms", "sleep 500ms", Step{Verb: VerbSleep, Dur: 500 * time.Millisecond}},
		{"sleep fraction", "sleep 1.5s", Step{Verb: VerbSleep, Dur: 1500 * time.Millisecond}},
		{"sleep minutes", "sleep 1m", Step{Verb: VerbSleep, Dur: time.Minute}},
		{"sleep us", "sleep 250us", Step{Verb: VerbSleep, Dur: 250 * time.Microsecond}},
		{"wait synced default timeout", "wait synced b c",
			Step{Verb: VerbWaitSynced, Nodes: []string{"b", "c"}, Timeout: 10 * time.Second}},
		{"wait synced timeout", "wait synced b 5s", Step{Verb: VerbWaitSynced, Nodes: []string{"b"}, Timeout: 5 * time.Second}},
		{"wait link up", "wait link b up", Step{Verb: VerbWaitLink, Node: "b", LinkUp: true, Timeout: 10 * time.Second}},
		{"wait link down timeout", "wait link b down 2s", Step{Verb: VerbWaitLink, Node: "b", Timeout: 2 * time.Second}},
		{"wait acked", "wait acked a 1", Step{Verb: VerbWaitAcked, Node: "a", Count: 1, Timeout: 10 * time.Second}},
		{"wait acked timeout", "wait acked a 2 500ms", Step{Verb: VerbWaitAcked, Node: "a", Count: 2, Timeout: 500 * time.Millisecond}},
		{"expect role", "expect b role replica", Step{Verb: VerbExpectRole, Node: "b", Role: RoleReplica}},
		{"expect sync", "expect b sync partial", Step{Verb: VerbExpectSync, Node: "b", Sync: SyncPartial}},
		{"expect key bare", "expect b key k1 = v1", Step{Verb: VerbExpectKey, Node: "b", Key: "k1", Value: "v1"}},
		{"expect key quoted", `expect b key "a key" = "a\tvalue\x21"`,
			Step{Verb: VerbExpectKey, Node: "b", Key: "a key", Value: "a\tvalue!"}},
		{"expect key nil", "expect b key gone = nil", Step{Verb: VerbExpectKey, Node: "b", Key: "gone", Nil: true}},
		{"expect key quoted nil is a string", `expect b key k = "nil"`, Step{Verb: VerbExpectKey, Node: "b", Key: "k", Value: "nil"}},
		{"expect key empty value", `expect b key k = ""`, Step{Verb: VerbExpectKey, Node: "b", Key: "k"}},
		{"expect keys", "expect b keys 1", Step{Verb: VerbExpectKeys, Node: "b", Count: 1}},
		{"expect keys zero", "expect b keys 0", Step{Verb: VerbExpectKeys, Node: "b"}},
		{"expect consistent", "expect consistent a b c", Step{Verb: VerbExpectConsistent, Nodes: []string{"a", "b", "c"}}},
		{"expect alert", "expect a alert backlog-overflow", Step{Verb: VerbExpectAlert, Node: "a", Alert: "backlog-overflow"}},
		{"say", `say "b catches up \"fast\""`, Step{Verb: VerbSay, Caption: `b catches up "fast"`}},
		{"trailing comment", "cut b   # drop the link", Step{Verb: VerbCut, Node: "b"}},
		{"hash inside a word", "expect b key k#1 = v#2", Step{Verb: VerbExpectKey, Node: "b", Key: "k#1", Value: "v#2"}},
		{"hash inside a string", `say "step #1"`, Step{Verb: VerbSay, Caption: "step #1"}},
		{"tabs and CR", "write\ta\t7\r", Step{Verb: VerbWrite, Node: "a", Count: 7, Size: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stepsOf(t, tt.src)
			if len(got) != 1 {
				t.Fatalf("got %d steps, want 1: %+v", len(got), got)
			}
			if !reflect.DeepEqual(got[0], tt.want) {
				t.Fatalf("step mismatch\n got: %+v\nwant: %+v", got[0], tt.want)
			}
		})
	}
}

func TestParsePositionsAndText(t *testing.T) {
	src := "# Title\n\nnode a b\n   replicaof b a   # comment\n\n\tsay \"hi\"\n"
	s, err := Parse("dir/demo.scn", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		pos  Pos
		text string
	}{
		{Pos{"dir/demo.scn", 3, 1}, "node a b"},
		{Pos{"dir/demo.scn", 4, 4}, "replicaof b a"},
		{Pos{"dir/demo.scn", 6, 2}, `say "hi"`},
	}
	if len(s.Steps) != len(want) {
		t.Fatalf("got %d steps, want %d", len(s.Steps), len(want))
	}
	for i, w := range want {
		if s.Steps[i].Pos != w.pos || s.Steps[i].Text != w.text {
			t.Errorf("step %d: pos %v text %q, want %v %q", i, s.Steps[i].Pos, s.Steps[i].Text, w.pos, w.text)
		}
	}
	if s.Name != "demo" {
		t.Errorf("Name = %q, want demo", s.Name)
	}
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name, src          string
		title, description string
	}{
		{"title and description", "# Partial resync\n# A replica catches up\n#   from the backlog.\nnode a\n",
			"Partial resync", "A replica catches up from the backlog."},
		{"title only", "#Failover\nnode a\n", "Failover", ""},
		{"leading blank lines", "\n\n# T\n# d\n", "T", "d"},
		{"empty comment lines skipped", "# T\n#\n# d1\n#\n# d2\n", "T", "d1 d2"},
		{"blank line ends the block", "# T\n\n# not description\nnode a\n", "T", ""},
		{"step ends the block", "# T\nnode a\n# later comment\n", "T", ""},
		{"no header", "node a\n# comment\n", "", ""},
		{"extra hashes kept", "## T\n", "# T", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("x.scn", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if s.Title != tt.title || s.Description != tt.description {
				t.Fatalf("title %q description %q, want %q %q", s.Title, s.Description, tt.title, tt.description)
			}
		})
	}
}

func TestParseWholeScript(t *testing.T) {
	src := `# Partial resync after a short cut
# b loses its link for a moment and catches up from the backlog.
node a b c
replicaof b a
replicaof c a
write a 1000
wait synced b c
cut b
write a 10
heal b
wait synced b 5s
expect b sync partial
expect consistent a b c
`
	s, err := Parse("partial.scn", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var verbs []string
	for _, st := range s.Steps {
		verbs = append(verbs, st.Verb.String())
	}
	want := "node replicaof replicaof write wait synced cut write heal wait synced expect sync expect consistent"
	if got := strings.Join(verbs, " "); got != want {
		t.Fatalf("verbs = %q\nwant    %q", got, want)
	}
}

func TestEmptyScript(t *testing.T) {
	s, err := Parse("empty.scn", nil)
	if err != nil || len(s.Steps) != 0 {
		t.Fatalf("Parse(empty) = %+v, %v; want no steps, nil", s, err)
	}
}

func TestStepStringRoundTrip(t *testing.T) {
	src := `node a b c
node r redis
config a save ""
config a client-output-buffer-limit replica 256mb 64mb 60
replicaof b a
replicaof b no one
promote b
write a 5 100
write a 5 1048576
write a 5 1500
set a k v
set a "k 1" "" 3000ms
set a k "#v" 90s
set a k nil 1m
load a on 1000
load a on 5
load a off
cut b
heal b
pause b
resume b
kill a
restart a
sleep 1.5s
sleep 90s
sleep 0.0015ms
wait synced b c 10s
wait link b down 3s
wait acked a 1 10s
wait acked a 2 1500ms
expect b role master
expect b sync full
expect b key "k 1" = "nil"
expect b key k = nil
expect b keys 0
expect b keys 42
expect b key "#k" = "line\nbreak\x00\xff"
expect consistent a b
expect a alert "some alert"
say "quote \" and backslash \\"
`
	wantLines := []string{
		"node a b c", "node r redis", `config a save ""`,
		"config a client-output-buffer-limit replica 256mb 64mb 60",
		"replicaof b a", "replicaof b no one", "promote b",
		"write a 5", "write a 5 1mb", "write a 5 1500",
		"set a k v", `set a "k 1" "" 3s`, `set a k "#v" 90s`, "set a k nil 1m",
		"load a on", "load a on 5", "load a off",
		"cut b", "heal b", "pause b", "resume b", "kill a", "restart a",
		"sleep 1500ms", "sleep 90s", "sleep 1.5us",
		"wait synced b c", "wait link b down 3s",
		"wait acked a 1", "wait acked a 2 1500ms",
		"expect b role master", "expect b sync full",
		`expect b key "k 1" = "nil"`, "expect b key k = nil",
		"expect b keys 0", "expect b keys 42",
		`expect b key "#k" = "line\nbreak\x00\xff"`,
		"expect consistent a b", `expect a alert "some alert"`,
		`say "quote \" and backslash \\"`,
	}
	s, err := Parse("rt.scn", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Steps) != len(wantLines) {
		t.Fatalf("got %d steps, want %d", len(s.Steps), len(wantLines))
	}
	var rendered []string
	for i, st := range s.Steps {
		if got := st.String(); got != wantLines[i] {
			t.Errorf("step %d renders %q, want %q", i, got, wantLines[i])
		}
		rendered = append(rendered, st.String())
	}
	again, err := Parse("rt.scn", []byte(strings.Join(rendered, "\n")))
	if err != nil {
		t.Fatalf("rendered script does not parse: %v", err)
	}
	if !reflect.DeepEqual(bare(again.Steps), bare(s.Steps)) {
		t.Fatal("re-parsing the rendered steps changed them")
	}
}

func TestVerbString(t *testing.T) {
	tests := []struct {
		v    Verb
		want string
	}{
		{VerbWrite, "write"},
		{VerbExpectConsistent, "expect consistent"},
		{VerbWaitLink, "wait link"},
		{VerbWaitAcked, "wait acked"},
		{VerbExpectKeys, "expect keys"},
		{VerbSet, "set"},
		{VerbPause, "pause"},
		{Verb(99), "Verb(99)"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("Verb(%d).String() = %q, want %q", int(tt.v), got, tt.want)
		}
	}
}

func TestParseClusterVerbs(t *testing.T) {
	sc, err := Parse("t.scn", []byte("node a b redis cluster\nfailover b\nfailover a force\nfailover b takeover\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := sc.Steps
	if !s[0].Redis || !s[0].Cluster || s[1].Verb != VerbFailover || s[1].Mode != "" || s[2].Mode != "force" || s[3].Mode != "takeover" {
		t.Fatalf("steps %+v", s)
	}
	if _, err := Parse("t.scn", []byte("node a redis\nfailover a now\n")); err == nil || !strings.Contains(err.Error(), "expected force or takeover") {
		t.Fatalf("bad mode: %v", err)
	}
}
