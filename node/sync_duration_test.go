package node_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
)

// TestLastSuccessfulSyncDuration checks INFO's last_successful_sync_duration_ms
// (a replscope field; Redis 7.0 has none): -1 on a replica that never
// synced, then the time from PSYNC to streaming of the last sync that
// succeeded: here a master that holds the RDB back for holdMs after
// +FULLRESYNC, as one running BGSAVE does.
func TestLastSuccessfulSyncDuration(t *testing.T) {
	const holdMs = 300
	r := nodetest.Start(t)
	fm := newFakeMaster(t)
	nodetest.MustDo(t, r.Addr(), "REPLICAOF", "127.0.0.1", fm.port())
	s := fm.accept()
	s.handshake()
	if got := nodetest.Info(t, r.Addr(), "replication")["last_successful_sync_duration_ms"]; got != "-1" {
		t.Fatalf("before any sync last_successful_sync_duration_ms = %q, want -1", got)
	}
	s.send([]byte("+FULLRESYNC " + fakeID + " 100\r\n"))
	time.Sleep(holdMs * time.Millisecond) // the master's BGSAVE: the duration measured
	good := rdbWith(t, map[string]string{"k": "v"})
	s.send([]byte("$" + fmt.Sprint(len(good)) + "\r\n"))
	s.send(good)
	s.expect("REPLCONF ACK")
	info := nodetest.Info(t, r.Addr(), "replication")
	ms, err := strconv.ParseInt(info["last_successful_sync_duration_ms"], 10, 64)
	if err != nil || ms < holdMs || ms > 10_000 {
		t.Fatalf("after a full sync held %d ms: last_successful_sync_duration_ms = %q", holdMs, info["last_successful_sync_duration_ms"])
	}
	if st := r.Status(); st.LastSyncDurationMs != ms {
		t.Fatalf("Status().LastSyncDurationMs = %d, INFO says %d", st.LastSyncDurationMs, ms)
	}
}
