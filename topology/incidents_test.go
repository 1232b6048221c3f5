package topology

import (
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/node"
)

const (
	replidA = "ea9d4425db33da1b1633d57fb37f3373957d53a8" // the captured history
	replidB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func eventFor(evs []Event, kind EventKind, addr string) (Event, bool) {
	for _, e := range evs {
		if e.Kind == kind && e.Addr == addr {
			return e, true
		}
	}
	return Event{}, false
}

func alertOn(g *Graph, addr string, name AlertName) (Alert, bool) {
	n := g.ByAddr(addr)
	if n == nil {
		return Alert{}, false
	}
	for _, a := range g.AlertsFor(n.ID) {
		if a.Name == name {
			return a, true
		}
	}
	return Alert{}, false
}

// TestMasterResetAlert: M (offset 546,000,737, data on R2) is killed and
// comes back without its RDB: a new replid at offset 0. R2 full-syncs
// from it and loses its key. master-reset is raised on M naming R2's keys
// before and after, and the log says the replid changed, the offsets went
// back and R2 full-synced.
func TestMasterResetAlert(t *testing.T) {
	w := loadWorld(t)
	line := "ip=127.0.0.1,port=40187,state=online,offset=546000737,lag=0"
	m0 := masterAt(w.m, 546_000_737, 545_000_000, line).with("db0", "keys=1,expires=0,avg_ttl=0")
	r0 := replicaAt(w.r2, 546_000_737).with("db0", "keys=1,expires=0,avg_ttl=0")
	g0 := graphOf(t0, nil, Thresholds{}, m0, r0)

	// Killed: unreachable; R2 reports its link down.
	t1 := t0.Add(time.Second)
	r1 := r0.with("master_link_status", "down", "master_link_down_since_seconds", "1")
	g1 := Build(t1, []*Node{failed(addrM, t1, errConnRefused), r1.node(t1)}, g0, nil)
	Assess(g0, g1, Thresholds{})
	eq(t, "no reset yet", g1.HasAlert(mustNode(t, g1, addrM).ID, AlertMasterReset), false)

	// Back, empty, new history; R2 already full-synced from it.
	t2 := t1.Add(time.Second)
	m2 := masterAt(w.m, 0, 1, "ip=127.0.0.1,port=40187,state=online,offset=0,lag=0").with(
		"run_id", strings.Repeat("f", 40), "master_replid", replidB, "db0", "-", "sync_full", "1")
	r2 := replicaAt(w.r2, 0).with("master_replid", replidB, "db0", "-")
	g2 := graphOf(t2, g1, Thresholds{}, m2, r2)
	a, ok := alertOn(g2, addrM, AlertMasterReset)
	if !ok {
		t.Fatalf("no master-reset alert: %v", g2.Alerts)
	}
	eq(t, "severity", a.Severity, Critical)
	for _, want := range []string{"restarted with a new history", "at offset 0, was 546000737", addrR2 + " keys 1 → 0"} {
		if !strings.Contains(a.Message, want) {
			t.Errorf("message %q lacks %q", a.Message, want)
		}
	}
	evs := Diff(g1, g2)
	for _, want := range []struct {
		kind EventKind
		addr string
		text string
	}{
		{EventReplIDChanged, addrM, "restarted without its data"},
		{EventOffsetBackwards, addrM, "546000737 → 0"},
		{EventReplIDChanged, addrR2, "full sync from " + addrM},
		{EventOffsetBackwards, addrR2, "546000737 → 0"},
		{EventFullSyncFinished, addrR2, "keys 1 → 0"},
		{EventSyncFull, addrM, "to " + addrR2 + " since its restart"},
		{EventAlertRaised, addrM, "keys 1 → 0"},
		{EventAlertCleared, addrM, "answers again"},
	} {
		e, ok := eventFor(evs, want.kind, want.addr)
		if !ok || !strings.Contains(e.Detail, want.text) {
			t.Errorf("no %s on %s with %q in %v", want.kind, want.addr, want.text, kinds(evs))
		}
	}

	// The alert holds for the window, then ends.
	g3 := graphOf(t2.Add(time.Second), g2, Thresholds{}, m2, r2)
	eq(t, "still raised", g3.HasAlert(mustNode(t, g3, addrM).ID, AlertMasterReset), true)
	g4 := graphOf(t2.Add(11*time.Minute), g3, Thresholds{}, m2, r2)
	eq(t, "after the window", g4.HasAlert(mustNode(t, g4, addrM).ID, AlertMasterReset), false)
}

// TestRestartWithDataIsNoReset: a master that reloads its RDB keeps its
// replid and offset (Redis 7 stores them in the RDB): no reset.
func TestRestartWithDataIsNoReset(t *testing.T) {
	w := loadWorld(t)
	g0 := graphOf(t0, nil, Thresholds{}, w.m, w.r2)
	g1 := graphOf(t0.Add(time.Second), g0, Thresholds{}, w.m.with("run_id", strings.Repeat("f", 40)), w.r2)
	eq(t, "alerts", alertNames(g1, addrM), []string(nil))
	for _, e := range Diff(g0, g1) {
		if e.Kind == EventReplIDChanged || e.Kind == EventOffsetBackwards {
			t.Errorf("unexpected %s %s", e.Kind, e.Detail)
		}
	}
}

// TestReplicaDroppedCauses: each way the polls can see a replica go, and
// the cause they give, on both ends of the link.
func TestReplicaDroppedCauses(t *testing.T) {
	w := loadWorld(t)
	cob := "ip=127.0.0.1,port=40187,state=online,offset=%d,lag=%d"
	onlineAt := func(off int64, lag int) string {
		return strings.NewReplacer("%d,lag=%d", itoa(off)+",lag="+itoa(int64(lag))).Replace(cob)
	}
	clients := func(id, omem string) string {
		return "id=" + id + " addr=127.0.0.1:51234 laddr=127.0.0.1:38197 fd=9 name= age=3 idle=0 flags=S db=0 omem=" + omem + "\n"
	}
	m0 := masterAt(w.m, 10_000, 1, onlineAt(10_000, 0)).withClients(clients("7", "0"))
	r0 := replicaAt(w.r2, 10_000)
	stopped := func(at time.Time) *Node { return failed(addrR2, at, errConnRefused) }
	down := replicaAt(w.r2, 10_000).with("master_link_status", "down", "master_link_down_since_seconds", "1")
	for _, tc := range []struct {
		name      string
		prevM     capture
		prevR     func(time.Time) *Node
		curM      capture
		curR      func(time.Time) *Node
		want      string
		noneWants bool
	}{
		{name: "output buffer counter",
			prevM: m0, curM: masterAt(w.m, 20_000, 1).with("client_output_buffer_limit_disconnections", "1"),
			curR: down.node, want: "output-buffer limit (hard limit 256mb or soft limit 64mb for 60s; client_output_buffer_limit_disconnections 0 → 1)"},
		{name: "omem near the limit when last seen (Redis 7.0: no counter)",
			prevM: m0.withClients(clients("7", "200000000")), curM: masterAt(w.m, 20_000, 1),
			prevR: stopped, curR: stopped, want: "output-buffer limit, most likely"},
		{name: "frozen replica, more written than the limit holds",
			prevM: m0, curM: masterAt(w.m, 300_000_000, 299_000_000),
			prevR: stopped, curR: stopped, want: "the master wrote 286.09M past the replica's offset 10000"},
		{name: "lagging by more than the limit when last seen",
			prevM: masterAt(w.m, 300_000_000, 1, onlineAt(10_000, 0)).withClients(clients("7", "0")), curM: masterAt(w.m, 300_000_100, 1),
			curR: down.node, want: "the replica was 286.09M behind when last seen"},
		{name: "timeout",
			prevM: masterAt(w.m, 10_000, 1, onlineAt(10_000, 59)).withClients(clients("7", "0")), curM: masterAt(w.m, 10_100, 1),
			prevR: stopped, curR: stopped, want: "timeout (no ACK for 1m0s; repl-timeout 1m0s)"},
		{name: "killed: both answer, a new connection id",
			prevM: m0, curM: masterAt(w.m, 10_000, 1, onlineAt(10_000, 0)).withClients(clients("9", "0")),
			curR: r0.node, want: "connection closed (CLIENT KILL or the network)"},
		{name: "same connection: nothing dropped",
			prevM: m0, curM: m0, curR: r0.node, noneWants: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prevR := tc.prevR
			if prevR == nil {
				prevR = r0.node
			}
			m := func(c capture, at time.Time) *Node {
				n := c.node(at)
				n.Limits.ReplTimeout = time.Minute
				return n
			}
			g0 := Build(t0, []*Node{m(tc.prevM, t0), prevR(t0)}, nil, nil)
			Assess(nil, g0, Thresholds{})
			t1 := t0.Add(time.Second)
			g1 := Build(t1, []*Node{m(tc.curM, t1), tc.curR(t1)}, g0, nil)
			Assess(g0, g1, Thresholds{})
			evs := Diff(g0, g1)
			em, okM := eventFor(evs, EventReplicaDropped, addrM)
			er, okR := eventFor(evs, EventReplicaDropped, addrR2)
			if tc.noneWants {
				eq(t, "no drop", okM || okR, false)
				return
			}
			if !okM || !okR {
				t.Fatalf("replica-dropped on master %v, on replica %v: %v", okM, okR, kinds(evs))
			}
			if !strings.HasPrefix(em.Detail, "with "+addrR2+" · ") || !strings.Contains(em.Detail, tc.want) {
				t.Errorf("master end %q, want the replica named and %q", em.Detail, tc.want)
			}
			if !strings.HasPrefix(er.Detail, "by "+addrM+" · ") || !strings.Contains(er.Detail, tc.want) {
				t.Errorf("replica end %q, want the master named and %q", er.Detail, tc.want)
			}
		})
	}
}

// TestAlertsThatLoseTheirSubjectEnd: when the master drops a lagging
// replica, lag-bytes and output-buffer end ("replica gone"), they do not
// clear; an alert that clears says what holds now, not the problem.
func TestAlertsThatLoseTheirSubjectEnd(t *testing.T) {
	w := loadWorld(t)
	line := "ip=127.0.0.1,port=40187,state=online,offset=1000,lag=0"
	full := "id=7 addr=127.0.0.1:51234 flags=S omem=200000000\n"
	var g0 *Graph

	// The replica is frozen (SIGSTOP): the master alone reports it, until
	// it drops it at the limit and no longer lists it.
	m0 := masterAt(w.m, 5_000_000, 1, line).withClients(full)
	g0 = Build(t0, []*Node{m0.node(t0), failed(addrR2, t0, errConnRefused)}, nil, nil)
	Assess(nil, g0, Thresholds{})
	eq(t, "raised", alertNames(g0, addrR2), []string{"lag-bytes", "output-buffer", "unreachable"})
	t1 := t0.Add(time.Second)
	g1 := Build(t1, []*Node{masterAt(w.m, 5_000_100, 1).node(t1), failed(addrR2, t1, errConnRefused)}, g0, nil)
	Assess(g0, g1, Thresholds{})
	evs := Diff(g0, g1)
	for _, e := range evs {
		if e.Kind == EventAlertCleared {
			t.Errorf("reads as good news: %s %s %s", e.Kind, e.Alert, e.Detail)
		}
	}
	for _, name := range []AlertName{AlertLagBytes, AlertOutputBuffer} {
		if !hasEvent(evs, EventAlertEnded, mustNode(t, g1, addrR2).ID, name) {
			t.Errorf("no alert-ended %s: %v", name, kinds(evs))
		}
	}
	e, _ := eventFor(evs, EventAlertEnded, addrR2)
	if !strings.HasPrefix(e.Detail, "ended: ") {
		t.Errorf("ended detail %q", e.Detail)
	}

	// Caught up: lag-bytes clears, and says the lag now.
	h0 := graphOf(t0, nil, Thresholds{}, masterAt(w.m, 5_000_000, 1, line), replicaAt(w.r2, 1000))
	h1 := graphOf(t0.Add(time.Second), h0, Thresholds{}, masterAt(w.m, 5_000_000, 1, line), replicaAt(w.r2, 5_000_000))
	c, ok := eventFor(Diff(h0, h1), EventAlertCleared, addrR2)
	eq(t, "cleared", ok, true)
	eq(t, "cleared detail", c.Detail, "lag now 0B")
}

// TestInitialAlertsAndPairsLoggedOnce: the first Graph's alerts are
// logged (a watch started mid-incident shows it), and an alert raised on
// both members of a pair (shared-replid) is logged once.
func TestInitialAlertsAndPairsLoggedOnce(t *testing.T) {
	w := loadWorld(t)
	// R1 promoted without a new replid: two masters share M's history.
	twin := w.r1.with("role", "master", "master_host", "-", "master_port", "-", "master_link_status", "-")
	g := graphOf(t0, nil, Thresholds{}, w.m, twin)
	eq(t, "raised on both", len(g.Alerts), 2)
	evs := Diff(nil, g)
	eq(t, "logged once at the first poll", kinds(evs), []string{"alert-raised " + addrM + " shared-replid"})
}

// TestMasterSideEventsNameTheReplica: an embedded master's events name the
// replica they are about.
func TestMasterSideEventsNameTheReplica(t *testing.T) {
	w := loadWorld(t)
	g := graphOf(t0, nil, Thresholds{}, w.m, w.r2)
	evs := NodeEvents(g, []node.Event{
		{Time: t0, Node: addrM, Kind: node.EventFullSyncStarted, Peer: addrR2, Offset: 0},
		{Time: t0, Node: addrM, Kind: node.EventReplicaDropped, Peer: addrR2, Reason: "connection closed"},
		{Time: t0, Node: addrR2, Kind: node.EventLinkUp, Master: addrM, Offset: 7},
	})
	var got []string
	for _, e := range evs {
		got = append(got, e.Detail)
	}
	eq(t, "details", got, []string{
		"with " + addrR2 + " · from offset 0",
		"with " + addrR2 + " · connection closed",
		"with " + addrM + " · at offset 7",
	})
}

// TestReplicaBelowAFrozenUpstreamIsJudgedAgainstTheRoot: M → R1 → C1 with
// R1 frozen (SIGSTOP): C1 still says its link is up at offset 50 while M
// writes on. C1's staleness is measured against M, during the freeze.
func TestReplicaBelowAFrozenUpstreamIsJudgedAgainstTheRoot(t *testing.T) {
	w := loadWorld(t)
	th := Thresholds{LagBytes: 4000}
	g := graphOf(t0, nil, th, w.m, w.r1, w.c1)
	eq(t, "healthy", len(g.Alerts), 0)
	r1Line := "ip=127.0.0.1,port=43867,state=online,offset=50,lag=%d"
	for i := 1; i <= 12; i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		m := masterAt(w.m, 50+int64(i)*1000, 1, strings.Replace(r1Line, "%d", itoa(int64(i)), 1))
		prev := g
		g = Build(at, []*Node{m.node(at), failed(addrR1, at, errConnRefused), w.c1.node(at)}, prev, nil)
		Assess(prev, g, th)
	}
	c1 := mustNode(t, g, addrC1)
	f := c1.Health.Freshness
	eq(t, "root", f.Root, mustNode(t, g, addrM).ID)
	eq(t, "stalled via R1", [2]any{f.Stalled, f.Via}, [2]any{true, mustNode(t, g, addrR1).ID})
	eq(t, "lag against the root", [2]any{f.Known, f.LagBytes}, [2]any{true, int64(12000)})
	eq(t, "age", [2]any{f.LagTimeKnown, f.LagTime}, [2]any{true, 12 * time.Second})
	if !strings.Contains(f.Note, "upstream "+addrR1+" unreachable") {
		t.Errorf("note %q", f.Note)
	}
	if txt := RenderText(g); !strings.Contains(txt, "[upstream "+addrR1+" unreachable — 11.72K behind root master "+addrM+"]") {
		t.Errorf("the text tree does not show C1's freshness:\n%s", txt)
	}
	if js, err := g.MarshalJSON(); err != nil || !strings.Contains(string(js), `"freshness":{"root":"`+string(mustNode(t, g, addrM).ID)+`","depth":2,"stalled":true`) {
		t.Errorf("JSON lacks freshness (%v): %s", err, js)
	}
	for _, name := range []AlertName{AlertLagBytes, AlertLagSeconds} {
		a, ok := alertOn(g, addrC1, name)
		if !ok || a.Peer != mustNode(t, g, addrM).ID {
			t.Errorf("%s on C1 against the root: %v %+v", name, ok, a)
		}
	}

	// R1 resumes and catches up at once; C1 follows a moment later. The
	// root judgement clears (it does not "end"), and no staleness is
	// interpolated across R1's frozen gap: nothing new fires on recovery.
	at := t0.Add(13 * time.Second)
	m13 := masterAt(w.m, 12_050, 1, strings.Replace(r1Line, "%d", "0", 1))
	r13 := replicaAt(w.r1, 12_050).with("slave0", "ip=127.0.0.1,port=37949,state=online,offset=50,lag=0")
	rec := graphOf(at, g, th, m13, r13, w.c1)
	evs := Diff(g, rec)
	if e, ok := eventFor(evs, EventAlertCleared, addrC1); !ok || e.Alert == "" {
		t.Errorf("root alerts should clear on recovery: %v", details(evs))
	}
	for _, e := range evs {
		if e.Kind == EventAlertEnded || (e.Kind == EventAlertRaised && e.Alert == AlertLagSeconds) {
			t.Errorf("recovery noise: %s %s %s", e.Kind, e.Alert, e.Detail)
		}
	}

	// The root cannot be read either: freshness unknown, and said so.
	prev := g
	g = Build(at, []*Node{failed(addrM, at, errConnRefused), failed(addrR1, at, errConnRefused), w.c1.node(at)}, prev, nil)
	Assess(prev, g, th)
	f = mustNode(t, g, addrC1).Health.Freshness
	eq(t, "unknown", f.Known, false)
	eq(t, "note", f.Note, "upstream "+addrR1+" unreachable — freshness unknown")
}

// TestAlertsSurviveARestartOfTheirPeer: R2 lags behind M; M restarts with
// its data (a new run_id, the same history). The lag-bytes alert is the
// same alert: no cleared/raised pair in the log.
func TestAlertsSurviveARestartOfTheirPeer(t *testing.T) {
	w := loadWorld(t)
	line := "ip=127.0.0.1,port=40187,state=online,offset=1000,lag=0"
	th := Thresholds{LagBytes: 1000}
	g0 := graphOf(t0, nil, th, masterAt(w.m, 5000, 1, line), replicaAt(w.r2, 1000))
	eq(t, "raised", alertNames(g0, addrR2), []string{"lag-bytes"})
	restarted := masterAt(w.m, 5000, 1, line).with("run_id", strings.Repeat("f", 40))
	g1 := graphOf(t0.Add(time.Second), g0, th, restarted, replicaAt(w.r2, 1000))
	for _, e := range Diff(g0, g1) {
		if e.Alert != "" {
			t.Errorf("alert event for an unchanged condition: %s %s %s", e.Kind, e.Alert, e.Detail)
		}
	}
}

// TestNoDropWhenTheMasterDies: a replica whose master stopped answering
// reports its link down; that is not the master dropping it.
func TestNoDropWhenTheMasterDies(t *testing.T) {
	w := loadWorld(t)
	g0 := graphOf(t0, nil, Thresholds{}, w.m, w.r2)
	t1 := t0.Add(time.Second)
	down := w.r2.with("master_link_status", "down", "master_link_down_since_seconds", "1")
	g1 := Build(t1, []*Node{failed(addrM, t1, errConnRefused), down.node(t1)}, g0, nil)
	Assess(g0, g1, Thresholds{})
	for _, e := range Diff(g0, g1) {
		if e.Kind == EventReplicaDropped {
			t.Errorf("%s %s %s", e.Kind, e.Addr, e.Detail)
		}
	}
}

// TestWatchLogsAlertsAtTheFirstPoll: `watch` started during an incident
// (a seed that does not answer) logs the alert with its first Graph.
func TestWatchLogsAlertsAtTheFirstPoll(t *testing.T) {
	f, _, _ := serveWorld(t)
	w := newTestWatcher(t, f, Config{Seeds: []string{addrM, addrLone}})
	u := w.Poll(t.Context())
	if !u.Graph.HasAlert(mustNode(t, u.Graph, addrLone).ID, AlertUnreachable) {
		t.Fatalf("no unreachable alert:\n%s", RenderText(u.Graph))
	}
	if _, ok := eventFor(u.Events, EventAlertRaised, addrLone); !ok {
		t.Errorf("first poll's events %v", kinds(u.Events))
	}
}

// TestProbeReadsReplTimeout: the probe reads repl-timeout with a CONFIG
// GET of its own (one parameter per CONFIG GET before Redis 7), for the
// timeout cause of a dropped replica.
func TestProbeReadsReplTimeout(t *testing.T) {
	f, _, _ := serveWorld(t)
	w := newTestWatcher(t, f, Config{Seeds: []string{addrM}})
	l := mustNode(t, w.Poll(t.Context()).Graph, addrM).Limits
	eq(t, "limits", l, Limits{Known: true, OutputHard: 256 << 20, OutputSoft: 64 << 20, OutputSoftSeconds: 60, ReplTimeout: time.Minute})
}
