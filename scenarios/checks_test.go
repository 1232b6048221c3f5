package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/scenarios/script"
)

// TestChecks pins the "expected …, saw …" message of every expect.
func TestChecks(t *testing.T) {
	replica := NodeState{Name: "b", Running: true, Role: "replica", MasterAddr: "127.0.0.1:7001", LinkUp: true, LastSync: "full"}
	master := NodeState{Name: "a", Running: true, Role: "master"}
	down := NodeState{Name: "b", Running: false}
	bulk := func(s string) resp.Value { return resp.Value{Kind: resp.BulkString, Str: []byte(s)} }
	tests := []struct {
		name string
		err  error
		want string // "" when the check holds
	}{
		{"role holds", checkRole(replica, "a", "replica"), ""},
		{"role of a replica", checkRole(replica, "a", "master"), "expected b role master, saw b role replica (of a, link up)"},
		{"role of a master", checkRole(master, "", "replica"), "expected a role replica, saw a role master"},
		{"role of a stopped node", checkRole(down, "", "master"), "expected b role master, saw b not running"},
		{"sync holds", checkSync(replica, "full"), ""},
		{"sync differs", checkSync(replica, "partial"), "expected b's last sync partial, saw full"},
		{"no sync yet", checkSync(master, "full"), "expected a's last sync full, saw no sync yet"},
		{"key holds", checkKey("b", "k", "v", false, bulk("v")), ""},
		{"key nil holds", checkKey("b", "k", "", true, resp.Value{Kind: resp.BulkString, Null: true}), ""},
		{"key missing", checkKey("b", "k", "v", false, resp.Value{Kind: resp.BulkString, Null: true}), `expected b key k = "v", saw nil`},
		{"key present", checkKey("b", "k", "", true, bulk("v")), `expected b key k = nil, saw "v"`},
		{"key wrong type", checkKey("b", "k", "v", false, resp.Value{Kind: resp.Error, Str: []byte("WRONGTYPE Operation against a key holding the wrong kind of value")}),
			`expected b key k = "v", saw error WRONGTYPE Operation against a key holding the wrong kind of value`},
		{"key long value", checkKey("b", "k", "v", false, bulk(strings.Repeat("x", 100))),
			`expected b key k = "v", saw "xxxxxxxxxxxxxxxxxxxx"…(100 bytes)…"xxxxxxxxxxxxxxxxxxxx"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if tt.err != nil {
				got = tt.err.Error()
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestSyncedVerdict checks when a replica counts as caught up: link up to
// the master it was told, offset at least the master's.
func TestSyncedVerdict(t *testing.T) {
	m := NodeState{Name: "a", Running: true, Role: "master", Offset: 500}
	r := NodeState{Name: "b", Running: true, Role: "replica", MasterAddr: "127.0.0.1:7001", LinkUp: true, ReplicaOffset: 500, ReplID: "0123456789abcdef"}
	tests := []struct {
		name   string
		edit   func(r *NodeState)
		ok     bool
		detail string
	}{
		{"caught up", func(*NodeState) {}, true, "b at offset 500 of replid 01234567"},
		{"ahead of the offset read before it", func(r *NodeState) { r.ReplicaOffset = 520 }, true, "b at offset 520 of replid 01234567"},
		{"behind", func(r *NodeState) { r.ReplicaOffset = 400 }, false, "b at offset 400, a at 500"},
		{"link down", func(r *NodeState) { r.LinkUp = false }, false, "b's link down at offset 500, a at 500"},
		{"other master", func(r *NodeState) { r.MasterAddr = "127.0.0.1:7009" }, false, "b replicating from 127.0.0.1:7009, not a"},
		{"promoted", func(r *NodeState) { r.Role = "master" }, false, "b is a master"},
		{"stopped", func(r *NodeState) { r.Running = false }, false, "b not running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := r
			tt.edit(&rr)
			ok, detail := syncedVerdict(m, rr, "127.0.0.1:7001")
			if ok != tt.ok || detail != tt.detail {
				t.Errorf("got %v %q, want %v %q", ok, detail, tt.ok, tt.detail)
			}
		})
	}
}

// TestLastSyncIn reads a redis-server replica's log for its last sync.
func TestLastSyncIn(t *testing.T) {
	full := "1:S 22 Nov 2026 04:00:00.000 * Full resync from master: 5f…:0\n"
	partial := "1:S 22 Nov 2026 04:00:01.000 * Successful partial resynchronization with master.\n"
	for _, tt := range []struct{ log, want string }{
		{"", ""},
		{full, "full"},
		{full + partial, "partial"},
		{partial + full, "full"},
	} {
		if got := lastSyncIn(tt.log); got != tt.want {
			t.Errorf("lastSyncIn(%q) = %q, want %q", tt.log, got, tt.want)
		}
	}
}

// TestFormat pins the headless output lines.
func TestFormat(t *testing.T) {
	step := func(text string, v script.Verb) script.Step {
		return script.Step{Text: text, Verb: v, Pos: script.Pos{File: "x.scn", Line: 7, Col: 1}}
	}
	ok := Result{Index: 3, Step: step("wait synced b", script.VerbWaitSynced), Detail: "b at offset 42", Dur: 210 * time.Millisecond}
	fail := Result{Index: 9, Step: step("expect b sync partial", script.VerbExpectSync), Outcome: Failed,
		Message: "expected b's last sync partial, saw full"}
	say := Result{Index: 0, Step: script.Step{Verb: script.VerbSay, Caption: "hello", Text: `say "hello"`}}
	for _, tt := range []struct{ got, want string }{
		{FormatResult(ok, 12), " 4/12  wait synced b                    ok     0.21s  b at offset 42"},
		{FormatResult(fail, 12), "10/12  expect b sync partial            FAIL   0.00s  expected b's last sync partial, saw full (x.scn:7)"},
		{FormatResult(say, 12), " 1/12  » hello"},
		{FormatSummary("s", Summary{Steps: 5, Run: 5, OK: 5, Expects: 2, Dur: time.Second}), "PASS s: 5/5 steps, 2/2 expects held, 1.00s"},
		{FormatSummary("s", Summary{Steps: 5, Run: 5, OK: 4, Failed: 1, Expects: 2}), "FAIL s: 5/5 steps, 1/2 expects held, 0.00s"},
		{FormatSummary("s", Summary{Steps: 5, Run: 3, OK: 2, Errored: 1, Expects: 1}),
			"FAIL s: 3/5 steps, 1/1 expects held, stopped by an error (2 steps not run), 0.00s"},
	} {
		if tt.got != tt.want {
			t.Errorf("got  %q\nwant %q", tt.got, tt.want)
		}
	}
}
