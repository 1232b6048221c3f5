package topology

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

func redisWatcher(t *testing.T, seeds []string, th Thresholds) *Watcher {
	t.Helper()
	w, err := NewWatcher(Config{Seeds: seeds, Timeout: 400 * time.Millisecond, Thresholds: th})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func findEvent(evs []Event, kind EventKind, addr, text string) bool {
	for _, e := range evs {
		if e.Kind == kind && e.Addr == addr && strings.Contains(e.Detail, text) {
			return true
		}
	}
	return false
}

// TestRealRedisMasterResetAlert (issue 16 item 2): the master, with data
// on both replicas, is SIGKILLed and restarted without an RDB. Redis's
// replicas full-sync from it (Replication ID mismatch) and lose their
// key. master-reset is raised naming each replica's keys before and
// after, and the log has the new replid, the offset going back and the
// full syncs.
func TestRealRedisMasterResetAlert(t *testing.T) {
	bin := redistest.Require(t)
	m := redistest.Start(t)
	r1 := redistest.Start(t, "--replicaof", "127.0.0.1", port(m))
	r2 := redistest.Start(t, "--replicaof", "127.0.0.1", port(m))
	m.Do(t, "SET", "k", strings.Repeat("v", 10_000)) // through the stream: the offset moves
	w := redisWatcher(t, []string{m.Addr}, Thresholds{})
	watchUntil(t, w, 15*time.Second, "star up with the key everywhere", func(g *Graph) bool {
		return allUp(3)(g) && g.ByAddr(r1.Addr).Keys == 1 && g.ByAddr(r2.Addr).Keys == 1
	})

	m.Stop() // SIGKILL: nothing saved
	watchUntil(t, w, 15*time.Second, "master unreachable", func(g *Graph) bool {
		return g.ByAddr(m.Addr).Reach != ReachOK
	})
	redistest.StartIn(t, bin, m.Dir, m.Port)
	g, evs := watchUntil(t, w, 20*time.Second, "master-reset naming both replicas' keys", func(g *Graph) bool {
		a, ok := alertOn(g, m.Addr, AlertMasterReset)
		return ok && strings.Contains(a.Message, r1.Addr+" keys 1 → 0") && strings.Contains(a.Message, r2.Addr+" keys 1 → 0")
	})
	a, _ := alertOn(g, m.Addr, AlertMasterReset)
	eq(t, "critical", a.Severity, Critical)
	t.Logf("alert: %s\nevents:\n%s", a.Message, strings.Join(details(evs), "\n"))
	for _, want := range []struct {
		kind EventKind
		addr string
		text string
	}{
		{EventReplIDChanged, m.Addr, "restarted without its data"},
		{EventOffsetBackwards, m.Addr, "→ 0"},
		{EventReplIDChanged, r1.Addr, "full sync from " + m.Addr},
		{EventReplIDChanged, r2.Addr, "full sync from " + m.Addr},
		{EventAlertRaised, m.Addr, "with a new history"},
	} {
		if !findEvent(evs, want.kind, want.addr, want.text) {
			t.Errorf("no %s on %s with %q", want.kind, want.addr, want.text)
		}
	}
	for _, r := range []*redistest.Server{r1, r2} {
		if !findEvent(evs, EventFullSyncFinished, r.Addr, "") && !findEvent(evs, EventFullSyncStarted, r.Addr, "") {
			t.Errorf("no full-sync event for %s", r.Addr)
		}
	}
}

// TestRealRedisReplicaDroppedAtOutputBufferLimit (issue 16 item 3): a
// frozen replica (SIGSTOP) under writes is dropped by Redis at
// client-output-buffer-limit replica 1mb 512kb 1. The log says so on
// both ends with the cause, and its lag/output-buffer alerts do not read
// as cleared.
func TestRealRedisReplicaDroppedAtOutputBufferLimit(t *testing.T) {
	m := redistest.Start(t, "--client-output-buffer-limit", "replica 1mb 512kb 1")
	r := redistest.Start(t, "--replicaof", "127.0.0.1", port(m))
	w := redisWatcher(t, []string{m.Addr, r.Addr}, Thresholds{})
	watchUntil(t, w, 15*time.Second, "replica up and online on the master", func(g *Graph) bool {
		ms := g.ByAddr(m.Addr)
		return allUp(2)(g) && len(ms.Replicas) == 1 && ms.Replicas[0].State == "online"
	})

	r.Signal(syscall.SIGSTOP)
	defer r.Signal(syscall.SIGCONT)
	g, evs := watchUntil(t, w, 10*time.Second, "replica frozen", func(g *Graph) bool {
		return g.ByAddr(r.Addr).Reach != ReachOK
	})
	eq(t, "master still lists it online", mustLink(t, g, m.Addr, r.Addr).Health.State, LinkUp)

	c := m.Client(t)
	val := strings.Repeat("x", 64<<10)
	for i := range 400 { // 25 MB: past the kernel's socket buffers and the 1 MB hard limit
		if v, err := c.Do("SET", fmt.Sprint("big", i%16), val); err != nil || v.Kind != 0 && v.String() != "OK" {
			t.Fatalf("SET: %v %v", err, v)
		}
	}
	if !strings.Contains(m.Log(), "scheduled to be closed ASAP for overcoming of output buffer limits") {
		t.Fatalf("Redis did not drop the replica at its limit; log:\n%s", m.Log())
	}
	_, more := watchUntil(t, w, 10*time.Second, "replica no longer listed", func(g *Graph) bool {
		return len(g.ByAddr(m.Addr).Replicas) == 0
	})
	evs = append(evs, more...)
	t.Logf("events:\n%s", strings.Join(details(evs), "\n"))
	for _, addr := range []string{m.Addr, r.Addr} {
		if !findEvent(evs, EventReplicaDropped, addr, "output-buffer limit") {
			t.Errorf("no replica-dropped with the output-buffer cause on %s: %v", addr, details(evs))
		}
	}
	for _, e := range evs {
		if e.Kind == EventAlertCleared && e.Addr == r.Addr {
			t.Errorf("reads as good news: %s %s %s", e.Kind, e.Alert, e.Detail)
		}
	}
}

// TestRealRedisSubReplicaBelowAFrozenMiddle (issue 16 item 5): M → R1 →
// C1, R1 SIGSTOPped while M takes writes: C1 still reports its link up,
// but its lag is judged against M during the freeze, not after it.
func TestRealRedisSubReplicaBelowAFrozenMiddle(t *testing.T) {
	m := redistest.Start(t)
	r1 := redistest.Start(t, "--replicaof", "127.0.0.1", port(m))
	c1 := redistest.Start(t, "--replicaof", "127.0.0.1", port(r1))
	w := redisWatcher(t, []string{m.Addr}, Thresholds{LagBytes: 1000})
	watchUntil(t, w, 15*time.Second, "chain up", allUp(3))

	r1.Signal(syscall.SIGSTOP)
	defer r1.Signal(syscall.SIGCONT)
	c := m.Client(t)
	for i := range 100 {
		if _, err := c.Do("SET", fmt.Sprint("k", i), strings.Repeat("v", 100)); err != nil {
			t.Fatal(err)
		}
	}
	g, _ := watchUntil(t, w, 15*time.Second, "C1 judged against the root", func(g *Graph) bool {
		a, ok := alertOn(g, c1.Addr, AlertLagBytes)
		return ok && g.ByAddr(r1.Addr).Reach != ReachOK && a.Peer == g.ByAddr(m.Addr).ID
	})
	f := mustNode(t, g, c1.Addr).Health.Freshness
	t.Logf("tree:\n%s", RenderText(g))
	eq(t, "stalled", f.Stalled, true)
	eq(t, "known", f.Known, true)
	if f.LagBytes < 10_000 || !strings.Contains(f.Note, "upstream "+r1.Addr) {
		t.Errorf("freshness %+v", f)
	}
	eq(t, "C1 still says its link is up", c1.Do(t, "INFO", "replication").String() != "" &&
		strings.Contains(c1.Do(t, "INFO", "replication").String(), "master_link_status:up"), true)
}

func details(evs []Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Kind)+" "+e.Addr+" "+e.Detail)
	}
	return out
}
