package tui

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/topology"
)

// TestSentinelKeysOnRealGroup drives the dashboard over a real
// Sentinel-managed group (redis-server master, two replicas, one
// redis-sentinel): the details show the group; `d` on a managed replica
// warns that Sentinel will undo it and needs `y` twice (cancelled at the
// second); `f` + `y` asks SENTINEL FAILOVER and Sentinel's
// get-master-addr-by-name moves to the expected pick; Sentinel's events
// reach the log with the Sentinel as the actor.
func TestSentinelKeysOnRealGroup(t *testing.T) {
	redistest.RequireSentinel(t)
	m := redistest.Start(t)
	r1 := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	s := redistest.StartSentinel(t, []redistest.Monitor{{Port: m.Port, Quorum: 1, DownAfter: 2 * time.Second}})
	until := func(what string, limit time.Duration, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(limit); !ok(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s", what, limit)
			}
		}
	}
	until("Sentinel connected to both replicas", 20*time.Second, func() bool {
		reps := s.Instances(t, "replicas", "mymaster")
		for _, r := range reps {
			if strings.Contains(r["flags"], "disconnected") || r["runid"] == "" {
				return false
			}
		}
		return len(reps) == 2
	})

	w, err := topology.NewWatcher(topology.Config{Seeds: []string{s.Addr}, Interval: 300 * time.Millisecond, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &rig{m: New(ctx, Options{Feed: w, Operator: w.Operator(), Title: "replscope test"})}
	r.m.Update(tea.WindowSizeMsg{Width: 140, Height: 45})
	next := func() {
		t.Helper()
		select {
		case u := <-w.Updates():
			r.m.Update(updateMsg{u})
		case <-time.After(10 * time.Second):
			t.Fatal("no update for 10 s")
		}
	}
	next()
	until("the replica in the tree", 10*time.Second, func() bool {
		next()
		g := r.m.st.graph
		return g.ByAddr(r1.Addr) != nil && len(g.Sentinels) == 1 && g.Sentinels[0].Pick != ""
	})
	r.keys(append([]string{"/"}, append(strings.Split(strconv.Itoa(r1.Port), ""), "enter")...)...)
	if r.selected() != r1.Addr {
		t.Fatalf("selected %s, want %s", r.selected(), r1.Addr)
	}
	if sc := r.screen(); !strings.Contains(sc, "mymaster") || !strings.Contains(sc, "quorum 1") {
		t.Errorf("details do not show the group:\n%s", sc)
	}

	r.keys("d")
	if sc := r.screen(); r.m.mode != modeConfirm || !strings.Contains(sc, "Sentinel manages this node") ||
		!strings.Contains(sc, "resyncs fully") {
		t.Fatalf("d on a managed replica: no warning:\n%s", sc)
	}
	if cmd := r.keys("y"); cmd != nil || r.m.mode != modeConfirm || !strings.Contains(r.screen(), "y again") {
		t.Fatalf("one y ran the detach on a managed node:\n%s", r.screen())
	}
	r.keys("n")
	if r.m.mode != modeNormal || r1.Do(t, "ROLE").Elems[0].String() != "slave" {
		t.Fatal("n at the second prompt did not cancel")
	}

	r.keys("f")
	sc := r.screen()
	if r.m.mode != modeConfirm || !strings.Contains(sc, "SENTINEL FAILOVER mymaster") || !strings.Contains(sc, "expected to promote") {
		t.Fatalf("f: no SENTINEL FAILOVER prompt:\n%s", sc)
	}
	pick := r.m.prompt.op.Plan.Pick
	msg := r.run(t, r.keys("y"))
	if d, ok := msg.(opDoneMsg); !ok || d.err != nil {
		t.Fatalf("failover: %+v", msg)
	}
	until("get-master-addr-by-name moves", 30*time.Second, func() bool { return s.MasterAddr(t, "mymaster") != m.Addr })
	if got := s.MasterAddr(t, "mymaster"); got != pick {
		t.Errorf("Sentinel promoted %s; the prompt expected %s", got, pick)
	}
	logged := func(sub string) bool {
		for _, e := range r.m.log.entries {
			if strings.Contains(e.kind+" "+e.addr+" "+e.text, sub) {
				return true
			}
		}
		return false
	}
	until("Sentinel events in the log", 30*time.Second, func() bool {
		next()
		return logged("+switch-master") && logged("by Sentinel "+s.Addr)
	})
	for _, e := range r.m.log.entries {
		if strings.HasPrefix(e.kind, "sentinel") && e.addr != s.Addr {
			t.Errorf("Sentinel event logged with actor %q, want %s", e.addr, s.Addr)
		}
	}
}
