package node_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
)

// jobCount records Options.Job edges.
type jobCount struct {
	mu           sync.Mutex
	starts, ends int
}

func (j *jobCount) edge(start bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if start {
		j.starts++
	} else {
		j.ends++
	}
}

func (j *jobCount) get() (int, int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.starts, j.ends
}

// TestBackgroundJobsAreReported: a BGSAVE and a full sync start and end
// jobs on the master, the replica's load one on the replica, every start
// matched by an end (the process sizes its scheduler by them).
func TestBackgroundJobsAreReported(t *testing.T) {
	var mj, rj jobCount
	m := nodetest.StartWith(t, nodetest.Options{Job: mj.edge})
	nodetest.Write(t, m.Addr(), "k", 2000, 64)
	nodetest.MustDo(t, m.Addr(), "BGSAVE")
	nodetest.WaitFor(t, 10*time.Second, "BGSAVE done", func() (bool, string) {
		p := nodetest.Info(t, m.Addr(), "persistence")
		return p["rdb_bgsave_in_progress"] == "0" && p["rdb_last_bgsave_status"] == "ok", p["rdb_bgsave_in_progress"]
	})
	r := nodetest.StartWith(t, nodetest.Options{Job: rj.edge}, "--replicaof", "127.0.0.1 "+strconv.Itoa(m.Port))
	nodetest.WaitSynced(t, m.Addr(), r.Addr(), 10*time.Second)
	nodetest.WaitFor(t, 10*time.Second, "jobs ended", func() (bool, string) {
		ms, me := mj.get()
		rs, re := rj.get()
		return ms >= 2 && ms == me && rs >= 1 && rs == re,
			"master " + strconv.Itoa(ms) + "/" + strconv.Itoa(me) + " replica " + strconv.Itoa(rs) + "/" + strconv.Itoa(re)
	})
}

// TestLoadsAreReported: a replica loading its master's RDB and a DEBUG
// RELOAD each tell Options.Load when the load starts and ends (the
// process paces its collector by them), and nothing else does.
func TestLoadsAreReported(t *testing.T) {
	var ml, rl jobCount
	m := nodetest.StartWith(t, nodetest.Options{Load: ml.edge}, "--enable-debug-command", "yes")
	nodetest.Write(t, m.Addr(), "k", 2000, 64)
	r := nodetest.StartWith(t, nodetest.Options{Load: rl.edge}, "--replicaof", "127.0.0.1 "+strconv.Itoa(m.Port))
	nodetest.WaitSynced(t, m.Addr(), r.Addr(), 10*time.Second)
	nodetest.WaitFor(t, 10*time.Second, "replica load reported", func() (bool, string) {
		s, e := rl.get()
		return s == 1 && e == 1, strconv.Itoa(s) + "/" + strconv.Itoa(e)
	})
	if s, e := ml.get(); s != 0 || e != 0 {
		t.Fatalf("master reported %d/%d loads for a full sync it served", s, e)
	}
	nodetest.MustDo(t, m.Addr(), "DEBUG", "RELOAD")
	if s, e := ml.get(); s != 1 || e != 1 {
		t.Fatalf("DEBUG RELOAD reported %d/%d load edges, want 1/1", s, e)
	}
}
