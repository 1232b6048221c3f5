package topology

import (
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
)

// TestEmbeddedFullSyncTimeline: an embedded replica's full sync is dated
// by the node itself. Its master holds the sync for
// repl-diskless-sync-delay (1 s); the replica's last_successful_sync_duration_ms
// and its events date the wait, the first RDB byte and the end of
// loading exactly.
func TestEmbeddedFullSyncTimeline(t *testing.T) {
	m := startNode(t, nil, nil, "--repl-diskless-sync-delay", "1")
	r := startNode(t, nil, nil)
	dial := DefaultDialer()
	nodetest.Write(t, m.Addr(), "key:", 20000, 100)
	w, err := NewWatcher(Config{Embedded: []EmbeddedNode{m, r}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	host, port, _ := strings.Cut(m.Addr(), ":")
	do(t, dial, r.Addr(), "REPLICAOF", host, port)
	g, evs := watchUntil(t, w, 30*time.Second, "the sync's end", func(g *Graph) bool {
		n := g.ByAddr(r.Addr())
		return n != nil && n.LastFullSync != nil
	})
	s := g.ByAddr(r.Addr()).LastFullSync
	t.Logf("%s (%d bytes)", s.Summary(g.At), s.Bytes)
	if !s.Exact || s.Outcome != SyncDone || len(s.Phases) < 3 {
		t.Fatalf("LastFullSync %+v: want an exact, done sync", s)
	}
	wait, first := s.Phases[0], s.Phases[1]
	if wait.Phase != PhaseWaitBgsave || first.Phase != PhaseTransfer || s.Phases[len(s.Phases)-1].Phase != PhaseCatchUp {
		t.Fatalf("phases %+v: want wait-bgsave, transfer, …, catch-up", s.Phases)
	}
	if d := wait.Duration(g.At); d < 900*time.Millisecond || d > 10*time.Second {
		t.Errorf("waited %s; the master delays the sync 1 s", d)
	}
	if s.Bytes <= 0 || !findEvent(evs, EventFullSyncTimeline, CanonAddr(r.Addr()), "done in") {
		t.Errorf("bytes %d; events %v", s.Bytes, details(evs))
	}
}
