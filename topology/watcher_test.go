package topology

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// serveWorld serves the captured star + chain on a fake network.
func serveWorld(t *testing.T) (*fakeNet, world, map[string]*fakeServer) {
	f := newFakeNet(t)
	w := loadWorld(t)
	srv := map[string]*fakeServer{
		addrM: f.serve(addrM, w.m), addrR1: f.serve(addrR1, w.r1),
		addrR2: f.serve(addrR2, w.r2), addrC1: f.serve(addrC1, w.c1),
	}
	return f, w, srv
}

func newTestWatcher(t *testing.T, f *fakeNet, cfg Config) *Watcher {
	t.Helper()
	cfg.Dial = f.dialer()
	clock := t0
	cfg.Now = func() time.Time { return clock }
	w, err := NewWatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func TestDiscoveryFromAnySeedFindsTheSameGraph(t *testing.T) {
	f, _, _ := serveWorld(t)
	var first string
	for _, seed := range []string{addrM, addrR1, addrR2, addrC1} {
		w := newTestWatcher(t, f, Config{Seeds: []string{seed}})
		g := w.Poll(t.Context()).Graph
		text := RenderText(g)
		if first == "" {
			first = text
			eq(t, "nodes", len(g.Nodes), 4)
			eq(t, "links", len(g.Links), 3)
			continue
		}
		if text != first {
			t.Errorf("from %s:\n%s\nfrom %s:\n%s", seed, text, addrM, first)
		}
	}
}

func TestSentinelSeedExpandsToItsMasters(t *testing.T) {
	f, w, _ := serveWorld(t)
	f.serve(addrSent, loadCapture(t, "sentinel"))
	f.serve("127.0.0.1:50645", w.m) // the master the Sentinel monitors: M under another address
	wt := newTestWatcher(t, f, Config{Seeds: []string{addrSent}})
	g := wt.Poll(t.Context()).Graph
	eq(t, "sentinel", mustNode(t, g, addrSent).Role, RoleSentinel)
	m := mustNode(t, g, "127.0.0.1:50645")
	eq(t, "master found through the sentinel", m.RunID, "b890ece8a0f49280bef60d1753460223886b3903")
	// R2 names M at 38197: the same run_id, so one node, its primary
	// address the smaller one, the Sentinel's an alias.
	eq(t, "primary", m.Addr, addrM)
	eq(t, "alias", m.Aliases, []string{"127.0.0.1:50645"})
	mustLink(t, g, "127.0.0.1:50645", addrR2)
	mustLink(t, g, addrR1, addrC1)
	eq(t, "nodes", len(g.Nodes), 5)
}

func TestUnreachableAuthFailedAndSlowNodesAreShown(t *testing.T) {
	f, _, srv := serveWorld(t)
	srv[addrM].set(func(s *fakeServer) { s.password = "right" })
	srv[addrR1].set(func(s *fakeServer) { s.stall = true })
	w := newTestWatcher(t, f, Config{Seeds: []string{addrC1, "127.0.0.1:1"}, Password: "hunter2",
		Timeout: 300 * time.Millisecond})
	start := time.Now()
	g := w.Poll(t.Context()).Graph
	took := time.Since(start)
	// C1 → R1 (stalls: one timeout) and nothing else below R1 can be
	// learned; M is learned from nobody. Seeds: C1 and a closed port.
	eq(t, "c1", mustNode(t, g, addrC1).Reach, ReachOK)
	r1 := mustNode(t, g, addrR1)
	eq(t, "r1", r1.Reach, ReachUnreachable)
	if !strings.Contains(r1.Error, "no answer within 300ms") {
		t.Errorf("r1 error %q", r1.Error)
	}
	eq(t, "closed port", mustNode(t, g, "127.0.0.1:1").Reach, ReachUnreachable)
	if took > 2*time.Second {
		t.Errorf("a stalled node held the round for %s", took)
	}

	// Seeded with M too: auth fails with the wrong password, and the
	// password never shows.
	w = newTestWatcher(t, f, Config{Seeds: []string{addrM}, Password: "hunter2", Timeout: 300 * time.Millisecond})
	g = w.Poll(t.Context()).Graph
	m := mustNode(t, g, addrM)
	eq(t, "auth", m.Reach, ReachAuthFailed)
	if !strings.Contains(m.Error, "WRONGPASS") || strings.Contains(RenderText(g), "hunter2") {
		t.Errorf("error %q / text:\n%s", m.Error, RenderText(g))
	}
	eq(t, "alert", alertNames(g, addrM), []string{"auth-failed"})

	// Per-address credentials from the seed get in.
	w = newTestWatcher(t, f, Config{Seeds: []string{":right@" + addrM}, Password: "hunter2", Timeout: 300 * time.Millisecond})
	g = w.Poll(t.Context()).Graph
	eq(t, "per-address password", mustNode(t, g, addrM).Reach, ReachOK)
}

func TestWatcherReusesConnectionsAndForgets(t *testing.T) {
	f, _, srv := serveWorld(t)
	w := newTestWatcher(t, f, Config{Seeds: []string{addrM}, ForgetAfter: time.Nanosecond})
	for range 3 {
		w.Poll(t.Context())
	}
	srv[addrR2].mu.Lock()
	accepted := srv[addrR2].accepted
	srv[addrR2].mu.Unlock()
	eq(t, "one connection for three rounds", accepted, 1)
	for _, c := range srv[addrM].commands() {
		if strings.HasPrefix(c, "CONFIG GET client-output-buffer-limit") {
			accepted-- // counts CONFIG GETs: only the first round asks
		}
	}
	eq(t, "limits read once", accepted, 0)
}

func TestWatcherStartDeliversUpdatesAndCloses(t *testing.T) {
	f, _, _ := serveWorld(t)
	w, err := NewWatcher(Config{Seeds: []string{addrM}, Dial: f.dialer(), Interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	w.Refresh()
	for i := range 3 {
		select {
		case u := <-w.Updates():
			eq(t, "nodes", len(u.Graph.Nodes), 4)
		case <-time.After(5 * time.Second):
			t.Fatalf("no update %d", i)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-w.Updates(); ok {
		// One pending update may still be delivered; the next read must
		// see the channel closed.
		if _, ok := <-w.Updates(); ok {
			t.Fatal("updates not closed")
		}
	}
	if w.Latest() == nil {
		t.Error("no latest graph")
	}
	// Close before Start is fine too.
	w2, _ := NewWatcher(Config{Seeds: []string{addrM}, Dial: f.dialer()})
	_ = w2.Close()
}

func TestOperatorOnFakeNodes(t *testing.T) {
	f, _, srv := serveWorld(t)
	w := newTestWatcher(t, f, Config{Seeds: []string{addrM}})
	g := w.Poll(t.Context()).Graph
	op := w.Operator()
	ctx := t.Context()

	out, err := op.Attach(ctx, g, mustNode(t, g, addrC1).ID, addrM, false)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "command", out.Command, "REPLICAOF 127.0.0.1 38197")
	eq(t, "sync", out.Verdict.Sync, SyncPartial)
	eq(t, "sent", last(srv[addrC1].commands()), "REPLICAOF 127.0.0.1 38197")
	if !strings.Contains(out.Summary, "partial resync expected") {
		t.Errorf("summary %q", out.Summary)
	}

	_, err = op.Attach(ctx, g, mustNode(t, g, addrM).ID, addrC1, false)
	var refused *RefusedError
	if !errors.As(err, &refused) || codes(refused.Verdict)[0] != "cycle" {
		t.Fatalf("cycle not refused: %v", err)
	}
	if strings.HasPrefix(last(srv[addrM].commands()), "REPLICAOF") {
		t.Error("a refused attach was sent")
	}

	out, err = op.KillLink(ctx, g, mustNode(t, g, addrR2).ID)
	if err != nil || out.Reply != "1" {
		t.Fatalf("kill: %v %+v", err, out)
	}
	out, err = op.Detach(ctx, g, mustNode(t, g, addrR2).ID, false)
	if err != nil || out.Command != "REPLICAOF NO ONE" || out.Forced {
		t.Fatalf("detach: %v %+v", err, out)
	}
	if _, err := op.ReadOnly().Detach(ctx, g, mustNode(t, g, addrR2).ID, true); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only: %v", err)
	}
	// A forced refusal runs and says so.
	srv[addrR2].set(func(s *fakeServer) { s.c = s.c.with("slave_priority", "0") })
	g = w.Poll(ctx).Graph
	if _, err := op.Detach(ctx, g, mustNode(t, g, addrR2).ID, false); !errors.Is(err, ErrRefused) {
		t.Fatalf("priority 0 not refused: %v", err)
	}
	out, err = op.Detach(ctx, g, mustNode(t, g, addrR2).ID, true)
	if err != nil || !out.Forced {
		t.Fatalf("forced: %v %+v", err, out)
	}
}

func TestProbeTimeoutDoesNotWaitForCancelledContext(t *testing.T) {
	f, _, srv := serveWorld(t)
	srv[addrM].set(func(s *fakeServer) { s.stall = true })
	r := NewRemote(f.dialer(), Auth{}, 10*time.Second)
	defer r.Close()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	n := r.Probe(ctx, addrM, t0)
	if time.Since(start) > 5*time.Second || n.Reach != ReachUnreachable {
		t.Errorf("probe took %s, reach %s", time.Since(start), n.Reach)
	}
}

func last(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[len(ss)-1]
}

func TestUnreachableNodesAreForgottenOnlyWhenNobodyMentionsThem(t *testing.T) {
	f, w, srv := serveWorld(t)
	clock := t0
	wt, err := NewWatcher(Config{Seeds: []string{addrR2}, Dial: f.dialer(), ForgetAfter: 10 * time.Second,
		Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer wt.Close()
	g := wt.Poll(t.Context()).Graph
	mID := mustNode(t, g, addrM).ID
	// M dies; R2 still names it: M stays, unreachable, for as long as
	// that lasts.
	srv[addrM].set(func(s *fakeServer) { s.down = true })
	clock = clock.Add(time.Minute)
	g = wt.Poll(t.Context()).Graph
	eq(t, "dead master kept while mentioned", g.Node(mID).Reach, ReachUnreachable)
	clock = clock.Add(time.Minute)
	g = wt.Poll(t.Context()).Graph
	eq(t, "still kept", g.Node(mID) != nil, true)
	// R2 moves elsewhere, and R1 too: M is mentioned by nobody and is
	// forgotten after ForgetAfter. R1 and C1, which answer, stay.
	srv[addrR2].set(func(s *fakeServer) { s.c = w.r2.with("master_port", "1") })
	srv[addrR1].set(func(s *fakeServer) { s.c = w.r1.with("master_port", "1") })
	clock = clock.Add(time.Second)
	u := wt.Poll(t.Context())
	eq(t, "kept within ForgetAfter", u.Graph.Node(mID) != nil, true)
	clock = clock.Add(20 * time.Second)
	wt.Poll(t.Context()) // probed one last time: now past ForgetAfter
	clock = clock.Add(time.Second)
	u = wt.Poll(t.Context())
	eq(t, "forgotten", u.Graph.Node(mID), (*Node)(nil))
	eq(t, "the others stay", len(u.Graph.Nodes), 4) // R1, R2, C1 and 127.0.0.1:1
	if !hasEvent(u.Events, EventNodeVanished, mID, "") {
		t.Errorf("events %v", kinds(u.Events))
	}
}
