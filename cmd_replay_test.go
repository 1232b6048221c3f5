package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/record"
	"github.com/replscope/replscope/topology"
	"github.com/replscope/replscope/tui"
)

// latest reads the recording and returns it with the graph of its last
// step (nil, nil while it holds no graph yet).
func latest(t *testing.T, path string) (*record.Recording, *topology.Graph) {
	t.Helper()
	rec, err := record.Open(path)
	if err != nil {
		return nil, nil
	}
	g, err := rec.Graph(len(rec.Steps) - 1)
	if err != nil {
		t.Fatal(err)
	}
	return rec, g
}

// hasEvent reports whether the recording logged an event of kind on
// the node at addr.
func hasEvent(rec *record.Recording, kind topology.EventKind, addr string) bool {
	for _, e := range rec.EventsUpTo(len(rec.Steps) - 1) {
		if e.Kind == kind && (addr == "" || e.Addr == addr) {
			return true
		}
	}
	return false
}

// TestRecordAnIncidentAndReplayIt runs the real binary's watch --record
// over two redis-server processes, kills the replica's link (it comes
// back with a partial resync), detaches the replica with REPLICAOF NO ONE,
// then kills the watcher with SIGKILL. The file replays: --at before the
// detach shows a master and its replica linked, --at after it two masters
// and no link; --json gives the graph; the dashboard steps through it.
func TestRecordAnIncidentAndReplayIt(t *testing.T) {
	redistest.Require(t)
	bin := buildBinary(t)
	m := redistest.Start(t)
	r := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	waitInfo(t, r.Addr, "master_link_status:up")
	for i := range 100 {
		m.Do(t, "SET", fmt.Sprintf("k%d", i), "v")
	}
	file := filepath.Join(t.TempDir(), "incident.jsonl")

	cmd := exec.Command(bin, "watch", m.Addr, "--interval", "200ms", "--json", "--record", file)
	var out, errOut lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })

	var before time.Time // a step where the replica follows the master, link up
	nodetest.WaitFor(t, 10*time.Second, "the recording showing the link up", func() (bool, string) {
		rec, g := latest(t, file)
		if g == nil {
			return false, "no graph recorded yet; stderr: " + errOut.String()
		}
		l := linkOf(g, m.Addr, r.Addr)
		if l == nil || l.Health.State != topology.LinkUp {
			return false, topology.RenderText(g)
		}
		before = rec.End()
		return true, ""
	})

	// A link kill: Redis reconnects at once with a partial resync.
	r.Do(t, "CLIENT", "KILL", "TYPE", "master")
	nodetest.WaitFor(t, 10*time.Second, "the partial resync recorded", func() (bool, string) {
		rec, g := latest(t, file)
		return hasEvent(rec, topology.EventSyncPartial, m.Addr), topology.RenderText(g)
	})
	r.Do(t, "REPLICAOF", "NO", "ONE")
	nodetest.WaitFor(t, 10*time.Second, "the detach recorded", func() (bool, string) {
		rec, g := latest(t, file)
		n := g.ByAddr(r.Addr)
		return n != nil && n.Role == topology.RoleMaster && hasEvent(rec, topology.EventRoleChanged, r.Addr),
			topology.RenderText(g)
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-exited

	replay := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := replayMain(append([]string{file}, args...), &stdout, &stderr); code != 0 {
			t.Fatalf("replay %v: exit %d: %s", args, code, stderr.String())
		}
		return stdout.String()
	}
	rec, err := record.Open(file)
	if err != nil {
		t.Fatalf("the killed recorder's file: %v", err)
	}
	text := replay("--once", "--at", before.Format(time.RFC3339Nano))
	t.Logf("before:\n%s", text)
	if !strings.Contains(lineWith(text, m.Addr), "master") || !strings.Contains(lineWith(text, r.Addr), "replica") ||
		!strings.Contains(lineWith(text, r.Addr), "link up") || !strings.Contains(lineWith(text, r.Addr), "─ ") {
		t.Errorf("before the detach, want %s master and %s its replica, link up:\n%s", m.Addr, r.Addr, text)
	}
	after := rec.End().Sub(rec.Start()).Truncate(time.Second) + time.Second
	text = replay("--once", "--at", fmt.Sprintf("+%ds", int(after.Seconds())))
	t.Logf("after:\n%s", text)
	if !strings.Contains(lineWith(text, m.Addr), "master") || !strings.Contains(lineWith(text, r.Addr), "master") ||
		strings.Contains(text, "link ") {
		t.Errorf("after the detach, want two masters and no link:\n%s", text)
	}
	var g struct {
		Type  string           `json:"type"`
		Links []map[string]any `json:"links"`
	}
	if err := json.Unmarshal([]byte(replay("--json", "--at", before.Format(time.RFC3339Nano))), &g); err != nil {
		t.Fatal(err)
	}
	if g.Type != "graph" || len(g.Links) != 1 {
		t.Errorf("--json before the detach: %+v", g)
	}

	// The dashboard on the recording: ] goes to the detach, → past it.
	tm := teatest.NewTestModel(t, tui.New(t.Context(), tui.Options{Replay: rec, Title: "replay"}),
		teatest.WithInitialTermSize(120, 30))
	waitScreen := func(what string, ok func(string) bool) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return ok(string(b)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitScreen("the first step", func(s string) bool { return strings.Contains(s, "step 1/") })
	for i := 0; i < len(rec.Steps) && !stepMarks(rec, i, topology.EventRoleChanged); i++ {
		tm.Send(tea.KeyPressMsg{Code: tea.KeyRight})
	}
	waitScreen("the role change", func(s string) bool { return strings.Contains(s, "role-changed") })
	tm.Type("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// stepMarks reports whether step i of rec logged an event of kind.
func stepMarks(rec *record.Recording, i int, kind topology.EventKind) bool {
	for _, e := range rec.Steps[i].Events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

// linkOf returns the link from master to replica in g, or nil.
func linkOf(g *topology.Graph, master, replica string) *topology.Link {
	mn, rn := g.ByAddr(master), g.ByAddr(replica)
	if mn == nil || rn == nil {
		return nil
	}
	for _, l := range g.Downstream(mn.ID) {
		if l.Replica == rn.ID {
			return l
		}
	}
	return nil
}

// TestReplayErrorsNameTheLine: a foreign file and a file with a broken
// line in the middle are refused with the line named; a last line cut
// short replays with a note.
func TestReplayErrorsNameTheLine(t *testing.T) {
	dir := t.TempDir()
	run := func(file string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := replayMain(append([]string{file}, args...), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	foreign := filepath.Join(dir, "notes.txt")
	os.WriteFile(foreign, []byte("dear diary\n"), 0o644)
	if code, _, errOut := run(foreign, "--once"); code != 1 || !strings.Contains(errOut, foreign+":1: not a replscope recording") {
		t.Errorf("foreign file: exit %d, %q", code, errOut)
	}

	good := filepath.Join(dir, "good.jsonl")
	w, err := record.Create(good, "test", record.Policy{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	for i := range 3 {
		g := &topology.Graph{At: at.Add(time.Duration(i) * time.Second), Nodes: []*topology.Node{{ID: "127.0.0.1:1",
			Addr: "127.0.0.1:1", Reach: topology.ReachUnreachable, Error: fmt.Sprintf("refused %d", i), Role: topology.RoleUnknown}}}
		if err := w.Record(topology.Update{Graph: g}); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	b, _ := os.ReadFile(good)
	lines := strings.SplitAfter(string(b), "\n")

	broken := filepath.Join(dir, "broken.jsonl")
	os.WriteFile(broken, []byte(lines[0]+lines[1]+"{\"type\":\"delta\",\"at\":\n"+lines[2]), 0o644)
	if code, _, errOut := run(broken, "--once"); code != 1 || !strings.Contains(errOut, broken+":3:") {
		t.Errorf("broken line 3: exit %d, %q", code, errOut)
	}

	cut := filepath.Join(dir, "cut.jsonl")
	os.WriteFile(cut, b[:len(b)-5], 0o644)
	code, out, errOut := run(cut, "--once")
	if code != 0 || !strings.Contains(errOut, "note: "+cut+":") || !strings.Contains(errOut, "cut short") ||
		!strings.Contains(out, "2026-12-07T03:00:01Z") || !strings.Contains(out, "refused 1") {
		t.Errorf("cut last line: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := run(good, "--once", "--at", "yesterday"); code != 2 || !strings.Contains(errOut, "--at") {
		t.Errorf("bad --at: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run(good, "--once", "--at", "2026-12-07T02:00:00Z"); code != 2 || !strings.Contains(errOut, "before the recording starts") {
		t.Errorf("--at before the start: exit %d, %q", code, errOut)
	}
}

// TestRecordRefusesAForeignFile: watch --record on a file that is not a
// recording leaves it alone and says why.
func TestRecordRefusesAForeignFile(t *testing.T) {
	foreign := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(foreign, []byte("dear diary\n"), 0o644)
	var out, errOut bytes.Buffer
	code := watchMain([]string{"127.0.0.1:1", "--once", "--record", foreign}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "not a replscope recording") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
	if b, _ := os.ReadFile(foreign); string(b) != "dear diary\n" {
		t.Errorf("the file changed: %q", b)
	}
}

// TestPlayRecords: play --headless --record records the scenario's
// timeline, which replays to the end state.
func TestPlayRecords(t *testing.T) {
	file := filepath.Join(t.TempDir(), "link-drop.jsonl")
	var out, errOut bytes.Buffer
	if code := playMain([]string{"link-drop", "--headless", "--record", file}, &out, &errOut); code != 0 {
		t.Fatalf("play: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	rec, err := record.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Header.Source != "play link-drop" || len(rec.Steps) < 2 {
		t.Errorf("recording of %q with %d steps", rec.Header.Source, len(rec.Steps))
	}
	if !hasEvent(rec, topology.EventLinkDown, "") && !hasEvent(rec, topology.EventSyncPartial, "") {
		t.Errorf("no link-down or partial resync recorded: %v", rec.EventsUpTo(len(rec.Steps)-1))
	}
	var stdout, stderr bytes.Buffer
	if code := replayMain([]string{file, "--once"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "link up") {
		t.Errorf("replay: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
