package topology

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// masterAt sets a captured master's offset, with a backlog holding
// everything from first on, and replaces its slaveN lines.
func masterAt(c capture, off, first int64, slaveLines ...string) capture {
	c = c.with("master_repl_offset", itoa(off), "repl_backlog_first_byte_offset", itoa(first),
		"repl_backlog_histlen", itoa(off-first+1), "slave0", "-", "slave1", "-",
		"connected_slaves", strconv.Itoa(len(slaveLines)))
	for i, l := range slaveLines {
		c = c.with("slave"+strconv.Itoa(i), l)
	}
	return c
}

// replicaAt sets a captured replica's applied offset.
func replicaAt(c capture, off int64) capture {
	return c.with("slave_repl_offset", itoa(off), "slave_read_repl_offset", itoa(off), "master_repl_offset", itoa(off))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestByteLagTimeLagAndAckAgeAreDistinct(t *testing.T) {
	w := loadWorld(t)
	t1 := t0.Add(time.Second)
	g0 := graphOf(t0, nil, Thresholds{}, w.m, w.r2)
	m1 := masterAt(w.m, 10050, 1,
		"ip=127.0.0.1,port=43867,state=online,offset=10050,lag=0",
		"ip=127.0.0.1,port=40187,state=online,offset=3000,lag=1")
	g1 := graphOf(t1, g0, Thresholds{}, m1, replicaAt(w.r2, 4050))

	m := mustNode(t, g1, addrM)
	eq(t, "write rate", m.Health.WriteRate, Rate{PerSec: 10000, Known: true})
	h := mustLink(t, g1, addrM, addrR2).Health
	eq(t, "state", h.State, LinkUp)
	eq(t, "lag bytes from the replica's own offset", [2]any{h.LagBytes, h.LagFrom}, [2]any{int64(6000), LagFromReplica})
	// The master passed offset 4050 at t0+0.4s (linear between samples at
	// 50 and 10050): the replica's data is 600ms old.
	eq(t, "lag time", [2]any{h.LagTime, h.LagTimeFrom}, [2]any{600 * time.Millisecond, LagTimeFromHistory})
	eq(t, "ack age is lag=", h.AckAge, time.Second)
	eq(t, "last master io", h.LastIO, time.Second)

	// Coverage: the backlog (1 MB, 10050 bytes held) keeps offset 4051 for
	// size - lag more bytes: 104 s at 10 kB/s.
	c := h.Coverage
	eq(t, "partial", c.Partial, true)
	eq(t, "margin", c.Margin, int64(1<<20-6000))
	eq(t, "window", c.Window.Round(time.Millisecond), 104258*time.Millisecond)

	// Without the replica's own report, lag comes from the ACKed offset.
	t2 := t1.Add(time.Second)
	m2 := masterAt(w.m, 20050, 1, "ip=127.0.0.1,port=40187,state=online,offset=15050,lag=0")
	g2 := graphOf(t2, g1, Thresholds{}, m2)
	h = mustLink(t, g2, addrM, addrR2).Health
	eq(t, "lag from ack", [2]any{h.LagBytes, h.LagFrom}, [2]any{int64(5000), LagFromAck})
	eq(t, "lag time from ack", h.LagTime, 500*time.Millisecond)
	eq(t, "no replica heartbeat", h.LastIO, time.Duration(-1))
}

func TestTimeLagFallsBackToRate(t *testing.T) {
	w := loadWorld(t)
	g0 := graphOf(t0, nil, Thresholds{}, masterAt(w.m, 100050, 1), replicaAt(w.r2, 100050))
	t1 := t0.Add(2 * time.Second)
	// The replica is behind every sample the master has: 50000 bytes at
	// 50000 B/s.
	g1 := graphOf(t1, g0, Thresholds{}, masterAt(w.m, 200050, 1), replicaAt(w.r2, 100000))
	h := mustLink(t, g1, addrM, addrR2).Health
	eq(t, "lag", h.LagBytes, int64(100050))
	eq(t, "from rate", [2]any{h.LagTime, h.LagTimeFrom}, [2]any{2001 * time.Millisecond, LagTimeFromRate})
}

func TestCoverageLostWhenBacklogMovedPast(t *testing.T) {
	w := loadWorld(t)
	m := masterAt(w.m, 2_000_000, 2_000_000-(1<<20)+1).with("repl_backlog_histlen", itoa(1<<20))
	g := graphOf(t0, nil, Thresholds{}, m, replicaAt(w.r2, 500_000).with("master_link_status", "down",
		"master_link_down_since_seconds", "30"))
	c := mustLink(t, g, addrM, addrR2).Health.Coverage
	eq(t, "partial", c.Partial, false)
	if !strings.Contains(c.Reason, "before the backlog's first byte") {
		t.Errorf("reason %q", c.Reason)
	}
	if c.Margin >= 0 {
		t.Errorf("margin %d, want negative", c.Margin)
	}
}

func TestBacklogAdvice(t *testing.T) {
	w := loadWorld(t)
	th := Thresholds{OutageWindow: 200 * time.Second}
	line := "ip=127.0.0.1,port=40187,state=online,offset=50,lag=0"
	g0 := graphOf(t0, nil, th, masterAt(w.m, 50, 1, line), replicaAt(w.r2, 50))
	t1 := t0.Add(time.Second)
	g1 := graphOf(t1, g0, th, masterAt(w.m, 10050, 1, line), replicaAt(w.r2, 4050))
	a := mustNode(t, g1, addrM).Health.Backlog
	// 10 kB/s × 200 s + 6000 bytes of current lag.
	eq(t, "needed", a.Needed, int64(2_006_000))
	eq(t, "enough", a.Enough, false)
	eq(t, "recommended (needed +25%, whole MB)", a.Recommended, int64(3<<20))
	eq(t, "holds", a.Holds.Round(time.Millisecond), 104258*time.Millisecond)
	var msg string
	for _, al := range g1.Alerts {
		if al.Name == AlertBacklogTooSmall {
			msg = al.Message
		}
	}
	if !strings.Contains(msg, "CONFIG SET repl-backlog-size 3mb") || !strings.Contains(msg, "3m20s needs 1.91M") {
		t.Errorf("backlog-too-small message %q", msg)
	}
	// The default one-minute window fits in 1 MB.
	g1 = graphOf(t1, g0, Thresholds{}, masterAt(w.m, 10050, 1, line), replicaAt(w.r2, 4050))
	eq(t, "enough for 60s", mustNode(t, g1, addrM).Health.Backlog.Enough, true)
}

func TestRateAveragesOverWindow(t *testing.T) {
	w := loadWorld(t)
	var g *Graph
	offs := []int64{50, 1050, 1050, 1050, 21050} // a burst at the end
	for i, off := range offs {
		g = graphOf(t0.Add(time.Duration(i)*time.Second), g, Thresholds{RateWindow: 4 * time.Second}, masterAt(w.m, off, 1))
	}
	eq(t, "rate over 4s", mustNode(t, g, addrM).Health.WriteRate, Rate{PerSec: 5250, Known: true})
	// A full sync to a new history resets the samples.
	g = graphOf(t0.Add(5*time.Second), g, Thresholds{}, masterAt(w.m, 7, 1).with("master_replid", strings.Repeat("b", 40)))
	eq(t, "rate unknown", mustNode(t, g, addrM).Health.WriteRate.Known, false)
}

func TestLinkStates(t *testing.T) {
	w := loadWorld(t)
	down := loadCapture(t, "replica-down")
	for _, tc := range []struct {
		name    string
		replica capture
		want    LinkState
	}{
		{"up", w.r2, LinkUp},
		{"just dropped: reconnecting", down, LinkConnecting},
		{"down past the grace", down.with("master_link_down_since_seconds", "2"), LinkDown},
		{"handshake", down.with("master_link_down_since_seconds", "-1"), LinkDown},
		{"syncing", w.r2.with("master_link_status", "down", "master_sync_in_progress", "1", "master_sync_read_bytes", "10"), LinkSyncing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphOf(t0, nil, Thresholds{}, w.m, tc.replica)
			eq(t, "state", mustLink(t, g, addrM, addrR2).Health.State, tc.want)
		})
	}
}
