package metrics

import (
	"testing"
	"time"

	"github.com/replscope/replscope/topology"
)

// TestCollectorFullSyncDurations exports a replica's last completed full
// sync as one series per phase and a total; a failed sync exports nothing.
func TestCollectorFullSyncDurations(t *testing.T) {
	g := plainGraph()
	r1 := g.ByAddr(addrR1)
	s := t0.Add(-10 * time.Second)
	r1.LastFullSync = &topology.FullSync{
		Replica: r1.ID, Master: addrM, Start: s, End: s.Add(5 * time.Second), Bytes: 1 << 20,
		Outcome: topology.SyncDone,
		Phases: []topology.PhaseSpan{
			{Phase: topology.PhaseWaitBgsave, Start: s, End: s.Add(time.Second)},
			{Phase: topology.PhaseTransfer, Start: s.Add(time.Second), End: s.Add(3 * time.Second)},
			{Phase: topology.PhaseLoading, Start: s.Add(3 * time.Second), End: s.Add(4500 * time.Millisecond)},
			{Phase: topology.PhaseCatchUp, Start: s.Add(4500 * time.Millisecond), End: s.Add(5 * time.Second)},
		},
	}
	r2 := g.ByAddr(addrR2)
	r2.LastFullSync = &topology.FullSync{Replica: r2.ID, Master: addrM, Start: s, End: s.Add(time.Second),
		Outcome: topology.SyncFailed, Reason: "link down",
		Phases: []topology.PhaseSpan{{Phase: topology.PhaseWaitBgsave, Start: s, End: s.Add(time.Second)}}}

	got := scrape(t, fixed(g))
	series := func(phase string) string {
		return `replscope_full_sync_duration_seconds{master="127.0.0.1:7001",phase="` + phase + `",replica="127.0.0.1:7002"}`
	}
	expectSeries(t, got, map[string]float64{
		series("total"):       5,
		series("wait_bgsave"): 1,
		series("transfer"):    2,
		series("load"):        1.5,
		series("catch_up"):    0.5,
	})
	expectAbsent(t, got,
		`replscope_full_sync_duration_seconds{master="127.0.0.1:7001",phase="total",replica="127.0.0.1:7003"}`,
		`replscope_full_sync_duration_seconds{master="127.0.0.1:7001",phase="wait_bgsave",replica="127.0.0.1:7003"}`)
}
