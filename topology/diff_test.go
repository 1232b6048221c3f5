package topology

import (
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/node/status"
)

// kinds renders events as "kind addr" lines.
func kinds(evs []Event) []string {
	var out []string
	for _, e := range evs {
		s := string(e.Kind) + " " + e.Addr
		if e.Alert != "" {
			s += " " + string(e.Alert)
		}
		out = append(out, s)
	}
	return out
}

func TestDiff(t *testing.T) {
	w := loadWorld(t)
	down := loadCapture(t, "replica-down").with("master_link_down_since_seconds", "3")
	step := func(prev *Graph, i int, cs ...capture) *Graph {
		return graphOf(t0.Add(time.Duration(i)*time.Second), prev, Thresholds{}, cs...)
	}
	g0 := step(nil, 0, w.m, w.r1, w.r2, w.c1)
	eq(t, "baseline", Diff(nil, g0), nil)

	g1 := step(g0, 1, w.m, w.r1, down, w.c1)
	eq(t, "link down", kinds(Diff(g0, g1)), []string{
		"link-down " + addrR2,
		"replica-dropped " + addrM,
		"replica-dropped " + addrR2,
		"alert-raised " + addrR2 + " link-down",
	})

	g2 := step(g1, 2, w.m.with("sync_full", "3"), w.r1, syncing(w.r2), w.c1)
	eq(t, "full sync", kinds(Diff(g1, g2)), []string{
		"sync-full " + addrM,
		"full-sync-started " + addrR2,
		"alert-cleared " + addrR2 + " link-down",
	})

	g3 := step(g2, 3, w.m.with("sync_full", "3", "sync_partial_ok", "1"), w.r1, w.r2, w.c1)
	eq(t, "sync done", kinds(Diff(g2, g3)), []string{
		"sync-partial " + addrM,
		"full-sync-finished " + addrR2,
		"link-up " + addrR2,
	})

	// R1 promoted: its role changes; C1 reconnects to it with a partial
	// resync (sync_partial_ok in the capture), as Redis does after
	// REPLICAOF NO ONE.
	promoted := loadCapture(t, "promoted")
	m := w.m.with("slave0", "-", "connected_slaves", "1", "slave1", "ip=127.0.0.1,port=40187,state=online,offset=50,lag=0")
	g4 := step(g3, 4, m, promoted, w.r2, w.c1)
	// M still answers as a master: R1 was promoted from its history, so
	// two masters of one dataset take writes (split-history, logged once).
	eq(t, "promotion", kinds(Diff(g3, g4)), []string{"role-changed " + addrR1, "replid-changed " + addrR1,
		"sync-partial " + addrR1, "alert-raised " + addrM + " split-history"})

	// M restarts (new run_id) and R2 goes away entirely.
	restarted := m.with("run_id", strings.Repeat("f", 40), "slave1", "-", "connected_slaves", "0")
	g5 := step(g4, 5, restarted, promoted, w.c1)
	// Its counters count from zero again: three full syncs since.
	eq(t, "restart and vanish", kinds(Diff(g4, g5)), []string{
		"node-restarted " + addrM,
		"sync-full " + addrM,
		"node-vanished " + addrR2,
	})

	// A node that stops answering keeps its identity: reach changes and
	// the unreachable alert is raised.
	g6 := Build(t0.Add(6*time.Second), []*Node{failed(addrR1, t0, errConnRefused), w.c1.node(t0)}, g5, nil)
	Assess(g5, g6, Thresholds{})
	ev := kinds(Diff(g5, g6))
	want := []string{"reach-changed " + addrR1, "alert-raised " + addrR1 + " unreachable"}
	for _, k := range want {
		if !contains(ev, k) {
			t.Errorf("missing %q in %q", k, ev)
		}
	}
}

func TestMergePrefersEmbeddedNodesOwnEvents(t *testing.T) {
	w := loadWorld(t)
	g := graphOf(t0, nil, Thresholds{}, w.m, w.r2)
	g.ByAddr(addrR2).Embedded = true
	poll := []Event{
		{Time: t0, Kind: EventLinkDown, Node: g.ByAddr(addrR2).ID, Addr: addrR2, Source: "poll"},
		{Time: t0, Kind: EventAlertRaised, Node: g.ByAddr(addrR2).ID, Addr: addrR2, Alert: AlertLinkDown, Source: "poll"},
	}
	own := NodeEvents(g, []status.Event{{Time: t0.Add(-time.Millisecond), Node: addrR2, Kind: status.EventLinkDown,
		Master: addrM, Reason: "connection reset"}})
	got := Merge(g, poll, own)
	eq(t, "merged", kinds(got), []string{"link-down " + addrR2, "alert-raised " + addrR2 + " link-down"})
	eq(t, "own event first", got[0].Source, "node")
	eq(t, "peer named by id", got[0].Peer, g.ByAddr(addrM).ID)
}
