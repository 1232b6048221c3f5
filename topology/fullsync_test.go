package topology

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/node"
)

const (
	fsMaster  = "127.0.0.1:7000"
	fsReplica = "127.0.0.1:7001"
	fsMRun    = "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"
	fsRRun    = "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
)

// syncWorld feeds a FullSyncTracker one master and one replica, round
// after round, as the Watcher does.
type syncWorld struct {
	t      *testing.T
	tr     *FullSyncTracker
	prev   *Graph
	events []Event
}

func newSyncWorld(t *testing.T) *syncWorld {
	return &syncWorld{t: t, tr: NewFullSyncTracker()}
}

// at is t0 plus ms milliseconds.
func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// round observes the two nodes at ms, with the embedded events evs.
func (w *syncWorld) round(ms int, master, replica *Node, evs ...node.Event) *Node {
	w.t.Helper()
	g := Build(at(ms), []*Node{master, replica}, w.prev, []string{fsMaster, fsReplica})
	w.events = append(w.events, w.tr.Observe(g, evs)...)
	w.prev = g
	return g.ByAddr(fsReplica)
}

// redisRound observes real-Redis-shaped INFO: the master at offset moff
// listing the replica in state, the replica with INFO fields kv.
func (w *syncWorld) redisRound(ms int, moff int64, state string, kv ...string) *Node {
	w.t.Helper()
	return w.round(ms, NodeFromReplies(fsMaster, at(ms), Replies{Info: masterInfo(moff, state)}),
		NodeFromReplies(fsReplica, at(ms), Replies{Info: replicaInfo(fsRRun, kv...)}))
}

func masterInfo(off int64, state string) string {
	return fmt.Sprintf("# Server\r\nrun_id:%s\r\ntcp_port:7000\r\n# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"+
		"slave0:ip=127.0.0.1,port=7001,state=%s,offset=0,lag=0\r\nmaster_replid:%s\r\nmaster_repl_offset:%d\r\n",
		fsMRun, state, strings.Repeat("a", 40), off)
}

// replicaInfo is a Redis 7.0 replica's INFO with the fields kv
// ("name:value") replacing or adding to a link that is down.
func replicaInfo(runID string, kv ...string) string {
	fields := []string{"run_id:" + runID, "tcp_port:7001", "loading:0", "role:slave", "master_host:127.0.0.1",
		"master_port:7000", "master_link_status:down", "master_last_io_seconds_ago:-1", "master_sync_in_progress:0",
		"slave_repl_offset:0", "slave_read_repl_offset:0"}
	for _, f := range kv {
		name, _, _ := strings.Cut(f, ":")
		replaced := false
		for i, old := range fields {
			if strings.HasPrefix(old, name+":") {
				fields[i], replaced = f, true
			}
		}
		if !replaced {
			fields = append(fields, f)
		}
	}
	return strings.Join(fields, "\r\n") + "\r\n"
}

// spans renders phases as "wait-bgsave 0-2000 transfer 2000-3000 …" in
// ms from t0 ("…" for a phase still running).
func spans(s *FullSync) string {
	var b []string
	for _, p := range s.Phases {
		end := "…"
		if !p.End.IsZero() {
			end = fmt.Sprint(p.End.Sub(t0).Milliseconds())
		}
		b = append(b, fmt.Sprintf("%s %d-%s", p.Phase, p.Start.Sub(t0).Milliseconds(), end))
	}
	return strings.Join(b, " ")
}

func (w *syncWorld) kinds() string {
	var b []string
	for _, e := range w.events {
		b = append(b, string(e.Kind)+"@"+fmt.Sprint(e.Time.Sub(t0).Milliseconds()))
	}
	return strings.Join(b, " ")
}

// TestFullSyncFromRedisInfo follows a disk-based Redis 7.0 full sync from
// INFO alone: master_sync_in_progress:1 with nothing read (the master's
// BGSAVE), bytes arriving, loading:1, the link up behind the master's
// offset, then caught up.
func TestFullSyncFromRedisInfo(t *testing.T) {
	w := newSyncWorld(t)
	sync := func(total, read int) []string {
		return []string{"master_sync_in_progress:1", fmt.Sprintf("master_sync_total_bytes:%d", total),
			fmt.Sprintf("master_sync_read_bytes:%d", read), "master_sync_last_io_seconds_ago:0"}
	}
	r := w.redisRound(0, 100, "online", "master_link_status:up", "slave_repl_offset:100")
	if r.FullSync != nil || r.LastFullSync != nil {
		t.Fatalf("a replica streaming has no full sync: %+v %+v", r.FullSync, r.LastFullSync)
	}
	w.redisRound(1000, 100, "wait_bgsave", sync(-1, 0)...)
	r = w.redisRound(2000, 100, "wait_bgsave", sync(-1, 0)...)
	if r.FullSync == nil || r.FullSync.Current() != PhaseWaitBgsave {
		t.Fatalf("waiting for BGSAVE: FullSync = %+v", r.FullSync)
	}
	w.redisRound(3000, 300, "send_bulk", sync(2_000_000, 500_000)...)
	w.redisRound(4000, 500, "send_bulk", sync(2_000_000, 2_000_000)...)
	r = w.redisRound(5000, 700, "online", append(sync(2_000_000, 2_000_000), "loading:1", "loading_loaded_perc:40.00")...)
	if got := r.FullSync.Current(); got != PhaseLoading {
		t.Fatalf("loading:1 shows phase %q", got)
	}
	w.redisRound(6000, 900, "online", "master_link_status:up", "slave_repl_offset:300")
	r = w.redisRound(7000, 950, "online", "master_link_status:up", "slave_repl_offset:900")
	if r.FullSync != nil {
		t.Fatalf("caught up, still running: %+v", r.FullSync)
	}
	s := r.LastFullSync
	if s == nil || s.Outcome != SyncDone || s.Exact {
		t.Fatalf("LastFullSync = %+v, want a done sync from polls", s)
	}
	want := "wait-bgsave 1000-3000 transfer 3000-5000 loading 5000-6000 catch-up 6000-7000"
	if got := spans(s); got != want {
		t.Fatalf("phases %s\nwant   %s", got, want)
	}
	if s.Duration(at(9999)) != 6*time.Second || s.Bytes != 2_000_000 || s.Master != fsMaster || s.Replica != NodeID(fsRRun) {
		t.Fatalf("duration %s bytes %d master %s replica %s", s.Duration(at(9999)), s.Bytes, s.Master, s.Replica)
	}
	if rate, ok := s.TransferRate(); !ok || rate != 1_000_000 {
		t.Fatalf("transfer rate %v %v, want 1000000 B/s", rate, ok)
	}
	wantEv := "full-sync-timeline@7000"
	if got := w.kinds(); got != wantEv {
		t.Fatalf("events %s\nwant   %s", got, wantEv)
	}
	last := w.events[len(w.events)-1]
	if last.Node != NodeID(fsRRun) || last.Peer != NodeID(fsMRun) || last.Source != "poll" ||
		last.Detail != "with 127.0.0.1:7000 · done in 6.0s: wait-bgsave 2.0s · transfer 2.0s 976.56K/s · loading 1.0s · catch-up 1.0s" {
		t.Fatalf("timeline event %+v", last)
	}
	// It stays the replica's last full sync in later rounds.
	if r := w.redisRound(8000, 950, "online", "master_link_status:up", "slave_repl_offset:950"); r.LastFullSync == nil || r.LastFullSync.End != at(7000) {
		t.Fatalf("a later round lost LastFullSync: %+v", r.LastFullSync)
	}
}

// TestFullSyncEndings covers syncs that do not end well: the link drops
// mid-transfer, the replica restarts, a new sync starts over, a diskless
// (EOF-marked) transfer, the link dropping while catching up.
func TestFullSyncEndings(t *testing.T) {
	inSync := func(read int) []string {
		return []string{"master_sync_in_progress:1", "master_sync_total_bytes:0", fmt.Sprintf("master_sync_read_bytes:%d", read)}
	}
	tests := []struct {
		name    string
		play    func(w *syncWorld)
		outcome SyncOutcome
		reason  string
		spans   string
	}{
		{"link drops mid-transfer", func(w *syncWorld) {
			w.redisRound(0, 10, "send_bulk", inSync(100)...)
			w.redisRound(1000, 10, "send_bulk", inSync(900)...)
			w.redisRound(2000, 10, "online")
		}, SyncFailed, "link down during transfer", "transfer 0-2000"},
		{"replica restarts", func(w *syncWorld) {
			w.redisRound(0, 10, "wait_bgsave", inSync(0)...)
			w.round(1000, NodeFromReplies(fsMaster, at(1000), Replies{Info: masterInfo(10, "online")}),
				NodeFromReplies(fsReplica, at(1000), Replies{Info: replicaInfo("x"+fsRRun[1:], "master_link_status:up")}))
		}, SyncFailed, "the replica restarted", "wait-bgsave 0-1000"},
		{"a new sync starts over", func(w *syncWorld) {
			w.redisRound(0, 10, "send_bulk", inSync(500)...)
			w.redisRound(1000, 10, "wait_bgsave", inSync(0)...)
		}, SyncFailed, "a new full sync began", "transfer 0-1000"},
		{"diskless transfer, size from what arrived", func(w *syncWorld) {
			w.redisRound(0, 10, "send_bulk", inSync(500)...)
			w.redisRound(1000, 10, "online", append(inSync(4000), "loading:1")...)
			w.redisRound(2000, 10, "online", "master_link_status:up", "slave_repl_offset:10")
		}, SyncDone, "", "transfer 0-1000 loading 1000-2000 catch-up 2000-2000"},
		{"link drops while catching up", func(w *syncWorld) {
			w.redisRound(0, 10, "send_bulk", inSync(500)...)
			w.redisRound(1000, 90, "online", "master_link_status:up", "slave_repl_offset:10")
			w.redisRound(2000, 90, "online")
		}, SyncDone, "catch-up cut short: link down during catch-up", "transfer 0-1000 catch-up 1000-2000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newSyncWorld(t)
			tc.play(w)
			s := w.prev.ByAddr(fsReplica).LastFullSync
			if s == nil {
				t.Fatalf("no LastFullSync; events %s", w.kinds())
			}
			if s.Outcome != tc.outcome || s.Reason != tc.reason || spans(s) != tc.spans {
				t.Fatalf("got %s %q %s\nwant %s %q %s", s.Outcome, s.Reason, spans(s), tc.outcome, tc.reason, tc.spans)
			}
		})
	}
	t.Run("diskless size", func(t *testing.T) {
		w := newSyncWorld(t)
		w.redisRound(0, 10, "send_bulk", inSync(500)...)
		w.redisRound(1000, 10, "online", append(inSync(4000), "loading:1")...)
		if b := w.prev.ByAddr(fsReplica).FullSync.Bytes; b != 4000 {
			t.Fatalf("an EOF-marked transfer's size is what arrived: got %d, want 4000", b)
		}
	})
}

// embeddedReplica is an embedded replscope replica's Status at ms.
func embeddedReplica(ms int, mod func(*node.Status)) *Node {
	st := node.Status{Time: at(ms), Addr: fsReplica, RunID: fsRRun, Role: "replica", MasterHost: "127.0.0.1", MasterPort: 7000,
		LinkState: "handshake", MasterLastIO: -1, LinkDownSince: -1, ReplicaOffset: 1, LastSyncDurationMs: -1}
	if mod != nil {
		mod(&st)
	}
	return NodeFromStatus(st, true)
}

func embeddedMaster(ms int, off int64, state string) *Node {
	return NodeFromStatus(node.Status{Time: at(ms), Addr: fsMaster, RunID: fsMRun, Role: "master", Offset: off,
		Replicas: []node.ReplicaStatus{{IP: "127.0.0.1", Port: 7001, State: state}}}, true)
}

// TestFullSyncEmbeddedExact follows an embedded replica: the wait comes
// from its master's wait_bgsave line until the node's own events date the
// first RDB byte and the end of loading, and last_successful_sync_duration_ms
// dates the start; the transfer/loading boundary and the catch-up are
// seen by polls.
func TestFullSyncEmbeddedExact(t *testing.T) {
	w := newSyncWorld(t)
	ev := func(ms int, kind node.EventKind, bytes int64) node.Event {
		return node.Event{Time: at(ms), Node: fsReplica, Kind: kind, Master: fsMaster, Bytes: bytes}
	}
	transfer := func(read int64) func(*node.Status) {
		return func(s *node.Status) {
			s.LinkState, s.SyncInProgress, s.SyncTotalBytes, s.SyncReadBytes = "sync", true, 2000, read
		}
	}
	r := w.round(500, embeddedMaster(500, 100, "wait_bgsave"), embeddedReplica(500, nil))
	if r.FullSync == nil || r.FullSync.Current() != PhaseWaitBgsave {
		t.Fatalf("the master lists the replica in wait_bgsave: FullSync = %+v", r.FullSync)
	}
	// The node's event (first byte at 1200) arrives with a poll at 1500.
	w.round(1500, embeddedMaster(1500, 100, "send_bulk"), embeddedReplica(1500, transfer(500)),
		ev(1200, node.EventFullSyncStarted, 2000))
	r = w.round(2500, embeddedMaster(2500, 120, "send_bulk"), embeddedReplica(2500, transfer(2000)))
	if r.FullSync.Current() != PhaseLoading {
		t.Fatalf("all 2000 bytes in: phase %q, want loading", r.FullSync.Current())
	}
	up := func(off int64) func(*node.Status) {
		return func(s *node.Status) {
			s.LinkState, s.LinkUp, s.MasterLastIO, s.LinkDownSince = "connected", true, 0, 0
			s.ReplicaOffset, s.LastSync, s.LastSyncDurationMs = off, "full", 2900
		}
	}
	// Loaded at 3100 (its event); PSYNC went out 2900 ms before.
	r = w.round(3500, embeddedMaster(3500, 150, "online"), embeddedReplica(3500, up(120)),
		ev(3100, node.EventFullSyncFinished, 2000))
	if r.FullSync == nil || r.FullSync.Current() != PhaseCatchUp {
		t.Fatalf("behind the master's 150 at 120: FullSync = %+v", r.FullSync)
	}
	r = w.round(4500, embeddedMaster(4500, 160, "online"), embeddedReplica(4500, up(150)))
	s := r.LastFullSync
	if s == nil || s.Outcome != SyncDone || !s.Exact {
		t.Fatalf("LastFullSync = %+v, want an exact done sync", s)
	}
	want := "wait-bgsave 200-1200 transfer 1200-2500 loading 2500-3100 catch-up 3100-4500"
	if got := spans(s); got != want {
		t.Fatalf("phases %s\nwant   %s", got, want)
	}
	if s.Start != at(200) || s.Bytes != 2000 {
		t.Fatalf("start %s bytes %d", s.Start, s.Bytes)
	}
	for _, e := range w.events {
		if e.Kind == EventFullSyncTimeline && e.Source != "node" {
			t.Fatalf("an exact sync's timeline event has source %q", e.Source)
		}
	}
}

// TestFullSyncJSON checks the watch --json form of a node's syncs.
func TestFullSyncJSON(t *testing.T) {
	w := newSyncWorld(t)
	w.redisRound(0, 10, "send_bulk", "master_sync_in_progress:1", "master_sync_total_bytes:1000", "master_sync_read_bytes:10")
	w.redisRound(1000, 10, "online", "master_link_status:up", "slave_repl_offset:10")
	w.redisRound(2000, 10, "wait_bgsave", "master_sync_in_progress:1", "master_sync_total_bytes:-1", "master_sync_read_bytes:0")
	b, err := json.Marshal(w.prev)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Nodes []struct {
			Addr         string          `json:"addr"`
			FullSync     json.RawMessage `json:"full_sync"`
			LastFullSync json.RawMessage `json:"last_full_sync"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for _, n := range out.Nodes {
		if n.Addr != fsReplica {
			continue
		}
		wantRun := `{"master":"127.0.0.1:7000","start":"2026-01-02T03:04:07Z","end":null,"duration_s":0,"outcome":"running","exact":false,"bytes":null,"transfer_bps":null,"phases":[{"phase":"wait-bgsave","start":"2026-01-02T03:04:07Z","end":null,"duration_s":0}]}`
		wantLast := `{"master":"127.0.0.1:7000","start":"2026-01-02T03:04:05Z","end":"2026-01-02T03:04:06Z","duration_s":1,"outcome":"done","exact":false,"bytes":1000,"transfer_bps":1000,"phases":[{"phase":"transfer","start":"2026-01-02T03:04:05Z","end":"2026-01-02T03:04:06Z","duration_s":1},{"phase":"catch-up","start":"2026-01-02T03:04:06Z","end":"2026-01-02T03:04:06Z","duration_s":0}]}`
		if string(n.FullSync) != wantRun || string(n.LastFullSync) != wantLast {
			t.Fatalf("full_sync %s\nwant      %s\nlast_full_sync %s\nwant           %s", n.FullSync, wantRun, n.LastFullSync, wantLast)
		}
		return
	}
	t.Fatal("no replica in the JSON")
}

// TestFullSyncReplscopeEOFStream: a replscope replica's EOF-marked
// transfer (size unknown, no INFO loading) is loading once its bytes stop
// growing, stays so while they do not, and is the same transfer again if
// they were only paused. Loading began no later than the poll that first
// showed the last byte count.
func TestFullSyncReplscopeEOFStream(t *testing.T) {
	w := newSyncWorld(t)
	read := func(n int64) func(*node.Status) {
		return func(s *node.Status) {
			s.LinkState, s.SyncInProgress, s.SyncTotalBytes, s.SyncReadBytes = "sync", true, 0, n
		}
	}
	w.round(0, embeddedMaster(0, 10, "send_bulk"), embeddedReplica(0, read(0)))
	w.round(1000, embeddedMaster(1000, 10, "send_bulk"), embeddedReplica(1000, read(500)))
	w.round(2000, embeddedMaster(2000, 10, "send_bulk"), embeddedReplica(2000, read(500)))
	r := w.round(3000, embeddedMaster(3000, 10, "send_bulk"), embeddedReplica(3000, read(900)))
	if got := spans(r.FullSync); got != "transfer 0-…" {
		t.Fatalf("after a pause: %s, want one transfer still running", got)
	}
	w.round(4000, embeddedMaster(4000, 10, "online"), embeddedReplica(4000, read(900)))
	r = w.round(5000, embeddedMaster(5000, 10, "online"), embeddedReplica(5000, read(900)))
	if got := spans(r.FullSync); got != "transfer 0-3000 loading 3000-…" {
		t.Fatalf("bytes stopped at 900: %s", got)
	}
}

// TestFullSyncWaitUntilFirstLine: a replica seen waiting only through its
// master's slaveN line is still waiting when the master moves it to
// send_bulk before the replica reads the RDB's first line: no failed
// sync, one sync going on into the transfer.
func TestFullSyncWaitUntilFirstLine(t *testing.T) {
	w := newSyncWorld(t)
	w.redisRound(0, 10, "wait_bgsave")
	w.redisRound(1000, 10, "send_bulk")
	r := w.redisRound(2000, 10, "send_bulk", "master_sync_in_progress:1", "master_sync_total_bytes:0", "master_sync_read_bytes:100")
	if r.LastFullSync != nil || r.FullSync == nil || spans(r.FullSync) != "wait-bgsave 0-2000 transfer 2000-…" {
		t.Fatalf("last %+v, running %s", r.LastFullSync, spans(r.FullSync))
	}
}
