package topology

import (
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

// TestRealRedisFullSyncTimeline (issue 15 item 4) watches a real Redis
// 7.0 replica full-sync 200,000 keys from a diskless master: the master
// waits repl-diskless-sync-delay (1 s) before its child streams the RDB,
// slowed by rdb-key-save-delay, and the replica loads it slowed by
// key-load-delay. The watcher, from INFO alone, cuts the sync into
// wait-bgsave, transfer, loading and catch-up, in that order, with
// plausible durations, and logs the timeline once.
func TestRealRedisFullSyncTimeline(t *testing.T) {
	redistest.Require(t)
	m := redistest.Start(t, "--enable-debug-command", "yes", "--repl-diskless-sync", "yes",
		"--repl-diskless-sync-delay", "1", "--rdb-key-save-delay", "-50")
	m.Do(t, "DEBUG", "POPULATE", "200000", "key", "32")
	r := redistest.Start(t, "--key-load-delay", "-100", "--loading-process-events-interval-bytes", "262144")
	if info := string(r.Do(t, "INFO", "replication").Str); strings.Contains(info, "last_successful_sync_duration_ms") {
		t.Fatalf("Redis 7.0 has no last_successful_sync_duration_ms; INFO says:\n%s", info)
	}
	w, err := NewWatcher(Config{Seeds: []string{m.Addr, r.Addr}, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	watchUntil(t, w, 10*time.Second, "both nodes read", func(g *Graph) bool {
		return g.ByAddr(m.Addr).Reach == ReachOK && g.ByAddr(r.Addr).Reach == ReachOK
	})

	r.Do(t, "REPLICAOF", "127.0.0.1", port(m))
	_, evs := watchUntil(t, w, 60*time.Second, "the transfer", func(g *Graph) bool {
		s := g.ByAddr(r.Addr).FullSync
		return s != nil && s.Current() == PhaseTransfer
	})
	for i := range 20 { // written during the sync: the replica has them to catch up with
		m.Do(t, "SET", "during:"+itoa(int64(i)), strings.Repeat("x", 1000))
	}
	g, more := watchUntil(t, w, 90*time.Second, "the sync's end", func(g *Graph) bool {
		return g.ByAddr(r.Addr).LastFullSync != nil
	})
	evs = append(evs, more...)
	s := g.ByAddr(r.Addr).LastFullSync
	t.Logf("%s (%d bytes)", s.Summary(g.At), s.Bytes)

	var names []string
	var sum time.Duration
	for i, p := range s.Phases {
		names = append(names, string(p.Phase))
		sum += p.Duration(g.At)
		if i > 0 && !p.Start.Equal(s.Phases[i-1].End) {
			t.Errorf("phase %s starts at %s, the previous ended at %s", p.Phase, p.Start, s.Phases[i-1].End)
		}
	}
	if got := strings.Join(names, " "); got != "wait-bgsave transfer loading catch-up" {
		t.Fatalf("phases %q, want wait-bgsave transfer loading catch-up", got)
	}
	if s.Outcome != SyncDone || s.Master != m.Addr || sum != s.Duration(g.At) || s.Duration(g.At) > 90*time.Second {
		t.Fatalf("outcome %s master %s: phases add up to %s of %s", s.Outcome, s.Master, sum, s.Duration(g.At))
	}
	wait, _ := s.Phase(PhaseWaitBgsave)
	transfer, _ := s.Phase(PhaseTransfer)
	loading, _ := s.Phase(PhaseLoading)
	if d := wait.Duration(g.At); d < 500*time.Millisecond {
		t.Errorf("waited %s for the RDB; repl-diskless-sync-delay is 1 s", d)
	}
	if transfer.Duration(g.At) <= 0 || loading.Duration(g.At) <= 0 {
		t.Errorf("transfer %s, loading %s: both were slowed to be seen", transfer.Duration(g.At), loading.Duration(g.At))
	}
	if rate, ok := s.TransferRate(); !ok || s.Bytes < 4<<20 || rate <= 0 {
		t.Errorf("RDB of %d bytes at %v B/s (known %v): 200,000 keys of 32 bytes make more than 4 MB", s.Bytes, rate, ok)
	}
	if !findEvent(evs, EventFullSyncTimeline, r.Addr, "done in") {
		t.Errorf("no full-sync-timeline event for %s", r.Addr)
	}
}
