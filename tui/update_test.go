package tui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// rig is a dashboard on the fixture with fakes behind it.
type rig struct {
	m    *Model
	feed *fakeFeed
	op   *fakeOperator
	load *fakeLoad
}

func newRig(t *testing.T, opts Options) *rig {
	t.Helper()
	r := &rig{feed: newFakeFeed(), op: &fakeOperator{}, load: &fakeLoad{}}
	opts.Feed, opts.Operator = r.feed, r.op
	if opts.Load == nil {
		opts.Load = r.load
	}
	r.m = fixtureModel(t, 100, 30, opts)
	return r
}

// keys presses each key and returns the last command.
func (r *rig) keys(ks ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range ks {
		_, cmd = r.m.Update(press(k))
	}
	return cmd
}

// run executes a command and feeds its message back, as the program
// would; it returns the message.
func (r *rig) run(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if msg != nil {
		r.m.Update(msg)
	}
	return msg
}

func (r *rig) selected() string {
	if n := r.m.selected(); n != nil {
		return n.Addr
	}
	return ""
}

func (r *rig) screen() string { return ansi.Strip(r.m.View().Content) }

// isQuit reports whether cmd quits the program.
func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		r := newRig(t, Options{})
		cmd := r.keys(k)
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s: want tea.QuitMsg", k)
		}
	}
}

func TestTreeNavigation(t *testing.T) {
	// layout order: 7001, its replicas 7002 (with 7004 below) and 7003, then 7005
	cases := []struct {
		keys []string
		want string
	}{
		{nil, "127.0.0.1:7001"},
		{[]string{"j"}, "127.0.0.1:7002"},
		{[]string{"down", "down"}, "127.0.0.1:7004"},
		{[]string{"j", "j", "j", "k"}, "127.0.0.1:7004"},
		{[]string{"j", "up"}, "127.0.0.1:7001"},
		{[]string{"k"}, "127.0.0.1:7001"},
		{[]string{"G"}, "127.0.0.1:7005"},
		{[]string{"end"}, "127.0.0.1:7005"},
		{[]string{"G", "g"}, "127.0.0.1:7001"},
		{[]string{"G", "home"}, "127.0.0.1:7001"},
		{[]string{"G", "j", "j"}, "127.0.0.1:7005"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.keys, ","), func(t *testing.T) {
			r := newRig(t, Options{})
			r.keys(c.keys...)
			if got := r.selected(); got != c.want {
				t.Errorf("selected %s, want %s", got, c.want)
			}
		})
	}
}

func TestSelectionFollowsNodeAcrossSnapshots(t *testing.T) {
	r := newRig(t, Options{})
	r.keys("j", "j") // 7004
	g := fixtureGraph(t0.Add(time.Second), 0)
	g.Nodes = slices.DeleteFunc(g.Nodes, func(n *topology.Node) bool { return n.Addr == "127.0.0.1:7003" })
	g.Links = g.Links[:1:1]
	g.Links = append(g.Links, fixtureGraph(t0, 0).Links[2])
	r.m.Update(updateMsg{topology.Update{Graph: g}})
	if got := r.selected(); got != "127.0.0.1:7004" {
		t.Errorf("selected %s after the snapshot, want 127.0.0.1:7004", got)
	}
}

func TestPaneFocus(t *testing.T) {
	r := newRig(t, Options{})
	for i, want := range []pane{paneDetails, paneLog, paneTree} {
		r.keys("tab")
		if r.m.focus != want {
			t.Fatalf("after %d tabs focus %d, want %d", i+1, r.m.focus, want)
		}
	}
	r.keys("shift+tab")
	if r.m.focus != paneLog {
		t.Fatalf("shift+tab: focus %d, want the log", r.m.focus)
	}
	// details scroll with j/k and G/g, the selection stays
	r.keys("shift+tab")
	r.keys("j", "j")
	if r.m.details.offset != 2 || r.selected() != "127.0.0.1:7001" {
		t.Errorf("details j j: offset %d selected %s", r.m.details.offset, r.selected())
	}
	r.keys("k")
	if r.m.details.offset != 1 {
		t.Errorf("details k: offset %d, want 1", r.m.details.offset)
	}
	r.keys("g")
	if r.m.details.offset != 0 {
		t.Errorf("details g: offset %d", r.m.details.offset)
	}
	// the log scrolls back with k and returns with G
	r.keys("tab")
	for i := range 30 {
		r.m.log.add(logEntry{at: t0, sym: "·", kind: "test", text: itoa(i)})
	}
	r.keys("k", "k")
	if r.m.log.sel != 2 {
		t.Errorf("log k k: selected %d back, want 2", r.m.log.sel)
	}
	body := r.m.layout().bottomH - 1
	for range body {
		r.keys("k")
	}
	if r.m.log.back != 3 {
		t.Errorf("log k×%d: back %d, want 3 (the selection scrolls the log)", body+2, r.m.log.back)
	}
	if !strings.Contains(r.screen(), "3 newer below") {
		t.Error("the log title does not say it is scrolled back")
	}
	r.keys("G")
	if r.m.log.back != 0 {
		t.Errorf("log G: back %d, want 0", r.m.log.back)
	}
	r.keys("g")
	if r.m.log.back == 0 {
		t.Error("log g: did not go to the oldest entries")
	}
}

func TestHelpKey(t *testing.T) {
	r := newRig(t, Options{})
	r.keys("?")
	if !r.m.showHelp || !strings.Contains(r.screen(), "Keys · ? closes") {
		t.Fatal("? did not open the full help")
	}
	for _, want := range []string{"attach", "detach", "kill link", "command", "filter", "write load", "refresh", "pause"} {
		if !strings.Contains(r.screen(), want) {
			t.Errorf("full help lacks %q", want)
		}
	}
	r.keys("?")
	if r.m.showHelp {
		t.Error("? did not close the help")
	}
	r.keys("?", "esc")
	if r.m.showHelp {
		t.Error("esc did not close the help")
	}
}

func TestFilterMode(t *testing.T) {
	r := newRig(t, Options{})
	r.keys("/")
	if r.m.mode != modeFilter {
		t.Fatal("/ did not open the filter")
	}
	r.keys("7", "0", "0", "4")
	if len(r.m.tree.rows) != 1 || r.selected() != "127.0.0.1:7004" {
		t.Fatalf("filter 7004: %d rows, selected %s", len(r.m.tree.rows), r.selected())
	}
	r.keys("backspace", "backspace", "backspace", "backspace", "s", "y", "n", "c")
	if len(r.m.tree.rows) != 1 || r.selected() != "127.0.0.1:7003" {
		t.Errorf("filter by state 'sync': %d rows, selected %s", len(r.m.tree.rows), r.selected())
	}
	r.keys("enter")
	if r.m.mode != modeNormal || r.m.tree.filter != "sync" {
		t.Fatalf("enter: mode %d filter %q", r.m.mode, r.m.tree.filter)
	}
	r.keys("esc")
	if r.m.tree.filter != "" || len(r.m.tree.rows) != 5 {
		t.Errorf("esc in normal mode kept the filter %q", r.m.tree.filter)
	}
	r.keys("/", "x", "x", "esc")
	if r.m.mode != modeNormal || r.m.tree.filter != "" || len(r.m.tree.rows) != 5 {
		t.Errorf("esc in the filter: mode %d filter %q rows %d", r.m.mode, r.m.tree.filter, len(r.m.tree.rows))
	}
	r.keys("/", "n", "o", "p", "e")
	if !strings.Contains(r.screen(), "no node matches /nope") {
		t.Error("an empty filter result is not explained")
	}
	// q is text while typing; ctrl+c still quits
	if cmd := r.keys("q"); r.m.mode != modeFilter || r.m.tree.filter != "nopeq" || isQuit(cmd) {
		t.Errorf("q in the filter: mode %d filter %q", r.m.mode, r.m.tree.filter)
	}
	if cmd := r.keys("ctrl+c"); !isQuit(cmd) {
		t.Error("ctrl+c in the filter did not quit")
	}
}

func TestCommandLine(t *testing.T) {
	cases := []struct {
		line, cmd, target string
		kind              opKind
	}{
		{"detach 7002", "REPLICAOF NO ONE", "127.0.0.1:7002", opDetach},
		{"replicaof 127.0.0.1:7004 no one", "REPLICAOF NO ONE", "127.0.0.1:7004", opDetach},
		{"replicaof 7004 7001", "REPLICAOF 127.0.0.1 7001", "127.0.0.1:7004", opAttach},
		{"replicaof :7004 127.0.0.1 7003", "REPLICAOF 127.0.0.1 7003", "127.0.0.1:7004", opAttach},
		{"attach 7004 10.0.0.9:6379", "REPLICAOF 10.0.0.9 6379", "127.0.0.1:7004", opAttach},
		{"kill-link 7002", "CLIENT KILL TYPE master", "127.0.0.1:7002", opKillLink},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			r := newRig(t, Options{})
			r.keys(":")
			if r.m.mode != modeCommand {
				t.Fatal(": did not open the command line")
			}
			r.m.input.SetValue(c.line)
			r.keys("enter")
			if r.m.mode != modeConfirm {
				t.Fatalf("mode %d, status %q", r.m.mode, r.m.status)
			}
			op := r.m.prompt.op
			if op.Command != c.cmd || op.Target != c.target || op.Kind != c.kind {
				t.Errorf("got %s %q on %s", op.Kind, op.Command, op.Target)
			}
			if s := r.screen(); !strings.Contains(s, c.cmd) || !strings.Contains(s, c.target) {
				t.Errorf("the prompt does not show %q and %s", c.cmd, c.target)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		for _, line := range []string{"bogus 7002", "detach", "detach 9999", "replicaof 7002", "kill-link 7001", ""} {
			r := newRig(t, Options{})
			r.keys(":")
			r.m.input.SetValue(line)
			r.keys("enter")
			if r.m.mode != modeNormal || !r.m.statusErr || r.m.status == "" {
				t.Errorf("%q: mode %d status %q", line, r.m.mode, r.m.status)
			}
		}
	})
	t.Run("esc", func(t *testing.T) {
		r := newRig(t, Options{})
		r.keys(":", "d", "esc")
		if r.m.mode != modeNormal || len(r.op.Calls()) != 0 {
			t.Error("esc did not cancel the command line")
		}
	})
}

func TestConfirmOnlyY(t *testing.T) {
	for _, k := range []string{"enter", "n", "N", "Y", "q", "esc", " ", "ctrl+c", "d"} {
		t.Run(k, func(t *testing.T) {
			r := newRig(t, Options{})
			r.keys("j", "d")
			if r.m.mode != modeConfirm {
				t.Fatal("d did not ask")
			}
			cmd := r.keys(k)
			if cmd != nil || r.m.mode != modeNormal {
				t.Errorf("%q: mode %d, cmd %v", k, r.m.mode, cmd != nil)
			}
			if len(r.op.Calls()) != 0 {
				t.Errorf("%q ran %v", k, r.op.Calls())
			}
			if !strings.Contains(r.screen(), "REPLICAOF NO ONE cancelled") {
				t.Errorf("%q: the cancellation is not logged", k)
			}
		})
	}
}

func TestDetachConfirmed(t *testing.T) {
	r := newRig(t, Options{})
	r.keys("j", "d")
	if s := r.screen(); !strings.Contains(s, "Proceed? (y/N)") || !strings.Contains(s, "✓ allowed") {
		t.Fatalf("prompt:\n%s", s)
	}
	cmd := r.keys("y")
	if r.m.busy == "" || !strings.Contains(r.screen(), "REPLICAOF NO ONE on 127.0.0.1:7002") {
		t.Error("the command in flight is not shown")
	}
	msg := r.run(t, cmd)
	done, ok := msg.(opDoneMsg)
	if !ok {
		t.Fatalf("got %T", msg)
	}
	if got := r.op.Calls(); !slices.Equal(got, []string{"detach run-r1 force=false"}) {
		t.Errorf("calls %v", got)
	}
	if !strings.Contains(r.screen(), "$ detach") || !strings.Contains(r.screen(), "REPLICAOF NO ONE → OK") {
		t.Errorf("the operation is not logged with its command:\n%s", r.screen())
	}
	// after an operation the dashboard asks for a fresh snapshot
	r.run(t, r.m.onOpDone(done))
	if n, _ := r.feed.counts(); n == 0 {
		t.Error("no refresh after the operation")
	}
}

func TestGuardRefusalForces(t *testing.T) {
	r := newRig(t, Options{})
	r.keys("j", "j", "j", "d") // 7003 is in a full sync
	if r.m.prompt.op.Verdict.Allowed {
		t.Fatal("the guard allowed detaching a syncing replica")
	}
	s := r.screen()
	for _, want := range []string{"refuses it", "syncing:", "Force it past the guard? (y/N)"} {
		if !strings.Contains(s, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
	r.run(t, r.keys("y"))
	if got := r.op.Calls(); !slices.Equal(got, []string{"detach run-r2 force=true"}) {
		t.Errorf("calls %v", got)
	}
	if !strings.Contains(r.screen(), "forced past the guard") {
		t.Error("the log does not say the guard was overridden")
	}
}

func TestAttachPicker(t *testing.T) {
	r := newRig(t, Options{})
	r.keys("j", "j", "a") // 7004
	if r.m.mode != modePicker {
		t.Fatal("a did not open the picker")
	}
	var addrs []string
	for _, c := range r.m.picker.cands {
		addrs = append(addrs, c.node.Addr)
	}
	if !slices.Equal(addrs, []string{"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"}) {
		t.Errorf("candidates %v (itself and the unreachable node are left out)", addrs)
	}
	r.keys("G")
	if c, _ := r.m.picker.chosen(); c.node.Addr != "127.0.0.1:7003" {
		t.Errorf("G chose %s", c.node.Addr)
	}
	r.keys("g", "down")
	if c, _ := r.m.picker.chosen(); c.node.Addr != "127.0.0.1:7002" {
		t.Errorf("g down chose %s", c.node.Addr)
	}
	r.keys("up", "enter")
	if r.m.mode != modeConfirm || r.m.prompt.op.Command != "REPLICAOF 127.0.0.1 7001" {
		t.Fatalf("enter: mode %d op %q", r.m.mode, r.m.prompt.op.Command)
	}
	r.run(t, r.keys("y"))
	if got := r.op.Calls(); !slices.Equal(got, []string{"attach run-r3 127.0.0.1:7001 force=false"}) {
		t.Errorf("calls %v", got)
	}
	for _, k := range []string{"esc", "q"} {
		r := newRig(t, Options{})
		r.keys("j", "a", k)
		if r.m.mode != modeNormal || len(r.op.Calls()) != 0 {
			t.Errorf("%s did not cancel the picker", k)
		}
	}
}

func TestKillLink(t *testing.T) {
	r := newRig(t, Options{})
	r.keys("x") // the master has no link to kill
	if r.m.mode != modeNormal || !r.m.statusErr || !strings.Contains(r.m.status, "not a replica") {
		t.Errorf("x on a master: mode %d status %q", r.m.mode, r.m.status)
	}
	r.keys("j", "x")
	if r.m.mode != modeConfirm || r.m.prompt.op.Command != "CLIENT KILL TYPE master" {
		t.Fatalf("x on a replica: mode %d op %q", r.m.mode, r.m.prompt.op.Command)
	}
	r.run(t, r.keys("y"))
	if got := r.op.Calls(); !slices.Equal(got, []string{"kill-link run-r1"}) {
		t.Errorf("calls %v", got)
	}
}

func TestOperationError(t *testing.T) {
	r := newRig(t, Options{})
	r.op.err = errors.New("dial 127.0.0.1:7002: dial tcp 127.0.0.1:7002: connect: connection refused")
	r.keys("j", "d")
	r.run(t, r.keys("y"))
	if !r.m.statusErr || !strings.Contains(r.screen(), "failed: connection refused") {
		t.Errorf("the failure is not shown by its cause: %q", r.m.status)
	}
	// the log keeps the whole error, for the expand view
	if e, _ := r.m.log.selected(); !strings.Contains(e.text, "dial tcp 127.0.0.1:7002") {
		t.Errorf("the log lost the error: %q", e.text)
	}
}

func TestWriteLoadKey(t *testing.T) {
	r := newRig(t, Options{})
	r.run(t, r.keys("w"))
	if !r.load.Enabled() || !strings.Contains(r.screen(), "● writing") {
		t.Error("w did not start the write load")
	}
	r.run(t, r.keys("w"))
	if r.load.Enabled() || !strings.Contains(r.screen(), "○ writes off") {
		t.Error("w did not stop the write load")
	}
	// without a write load (watch), w does nothing and is not in the help
	m := fixtureModel(t, 100, 30, Options{Feed: newFakeFeed(), Operator: &fakeOperator{}})
	if _, cmd := m.Update(press("w")); cmd != nil {
		t.Error("w without a write load returned a command")
	}
	m.Update(press("?"))
	if strings.Contains(ansi.Strip(m.View().Content), "write load") {
		t.Error("the help offers w without a write load")
	}
}

func TestPauseAndRefresh(t *testing.T) {
	r := newRig(t, Options{})
	r.run(t, r.keys("p"))
	if !r.m.st.paused {
		t.Fatal("p did not pause")
	}
	if _, paused := r.feed.counts(); !slices.Equal(paused, []bool{true}) {
		t.Errorf("the Pauser feed was told %v", paused)
	}
	before := r.m.st.graph
	later := fixtureGraph(t0.Add(5*time.Second), 4096)
	r.m.Update(updateMsg{topology.Update{Graph: later, Events: []topology.Event{{Time: later.At, Kind: topology.EventLinkUp, Addr: "127.0.0.1:7004"}}}})
	if r.m.st.graph != before || r.m.st.held != 1 {
		t.Fatal("a snapshot was applied while paused")
	}
	if !strings.Contains(r.screen(), "paused (1 held)") {
		t.Error("the header does not say the dashboard is paused")
	}
	r.run(t, r.keys("r"))
	if r.m.st.graph != later || r.m.st.held != 0 {
		t.Error("r did not show the held snapshot")
	}
	if n, _ := r.feed.counts(); n != 1 {
		t.Errorf("r asked the feed %d times", n)
	}
	// r while paused with nothing held shows the next snapshot once
	r.run(t, r.keys("r"))
	next := fixtureGraph(t0.Add(6*time.Second), 0)
	r.m.Update(updateMsg{topology.Update{Graph: next}})
	if r.m.st.graph != next {
		t.Error("the snapshot asked for with r was held")
	}
	r.m.Update(updateMsg{topology.Update{Graph: fixtureGraph(t0.Add(7*time.Second), 0)}})
	if r.m.st.graph != next {
		t.Error("a second snapshot was applied while paused")
	}
	r.run(t, r.keys("p"))
	if r.m.st.paused || r.m.st.graph.At != t0.Add(7*time.Second) {
		t.Error("p did not resume with the held snapshot")
	}
	if _, paused := r.feed.counts(); !slices.Equal(paused, []bool{true, false}) {
		t.Errorf("the Pauser feed was told %v", paused)
	}
}

func TestReadOnly(t *testing.T) {
	r := newRig(t, Options{ReadOnly: true})
	for _, k := range []string{"a", "d", "x", ":", "w"} {
		r.keys("j")
		if cmd := r.keys(k); cmd != nil || r.m.mode != modeNormal {
			t.Errorf("read-only %s: mode %d cmd %v", k, r.m.mode, cmd != nil)
		}
	}
	r.keys("?")
	s := r.screen()
	for _, gone := range []string{"attach", "detach", "kill link", "command", "write load"} {
		if strings.Contains(s, gone) {
			t.Errorf("read-only help offers %q", gone)
		}
	}
	if !strings.Contains(s, "read-only") {
		t.Error("the header does not say read-only")
	}
	// no Operator means read-only too
	m := fixtureModel(t, 100, 30, Options{Feed: newFakeFeed()})
	if _, cmd := m.Update(press("d")); cmd != nil || m.mode != modeNormal {
		t.Error("d without an Operator asked to detach")
	}
}

func TestSpeedKeys(t *testing.T) {
	feed := &pacedFeed{fakeFeed: newFakeFeed(), speed: 1}
	m := fixtureModel(t, 100, 30, Options{Feed: feed})
	step := func(k string) {
		_, cmd := m.Update(press(k))
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		m.Update(cmd())
	}
	step("+")
	step("=")
	if feed.Speed() != 4 || !strings.Contains(ansi.Strip(m.View().Content), "speed 4×") {
		t.Errorf("speed %g after + =", feed.Speed())
	}
	for range 5 {
		step("+")
	}
	if feed.Speed() != maxSpeed {
		t.Errorf("speed %g, want the maximum %g", feed.Speed(), float64(maxSpeed))
	}
	for range 10 {
		step("-")
	}
	if feed.Speed() != minSpeed {
		t.Errorf("speed %g, want the minimum %g", feed.Speed(), minSpeed)
	}
	// a feed without a pace has no speed keys
	r := newRig(t, Options{})
	if cmd := r.keys("+"); cmd != nil {
		t.Error("+ without a Pacer returned a command")
	}
}
