package topology

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

// passwordedSentinelFleet starts a master and a replica with requirepass
// datapw and a redis-sentinel with its own requirepass sentpw (it reaches
// the data nodes with sentinel auth-pass), as managed fleets run them.
func passwordedSentinelFleet(t *testing.T) (m, r *redistest.Server, s *redistest.Sentinel) {
	t.Helper()
	redistest.RequireSentinel(t)
	m = redistest.Start(t, "--requirepass", "datapw", "--masterauth", "datapw")
	r = redistest.Start(t, "--requirepass", "datapw", "--masterauth", "datapw",
		"--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	s = redistest.StartSentinel(t, []redistest.Monitor{{Port: m.Port, Quorum: 1, DownAfter: 2 * time.Second}},
		"sentinel auth-pass mymaster datapw", "requirepass sentpw")
	return m, r, s
}

// TestSentinelPassword watches a real Sentinel that has a requirepass of
// its own (sentpw) over data nodes with another (datapw): with
// SentinelPassword the Sentinel, given as a seed or found from the
// master's hello channel, is probed with it, its group is known, and its
// events arrive (a +set from SENTINEL SET); with --password alone the
// Sentinel says auth failed and the data nodes are still read.
func TestSentinelPassword(t *testing.T) {
	m, r, s := passwordedSentinelFleet(t)
	groupKnown := func(g *Graph) bool {
		sn := g.ByAddr(s.Addr)
		return sn != nil && sn.Reach == ReachOK && len(g.Sentinels) == 1 && g.Sentinels[0].Master == m.Addr &&
			len(g.Sentinels[0].Replicas) == 1 && g.Sentinels[0].Replicas[0].Addr == r.Addr
	}
	poll := func(w *Watcher, what string, ok func(*Graph) bool) *Graph {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			g := w.Poll(t.Context()).Graph
			if ok(g) {
				return g
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 20 s:\n%s", what, RenderText(g))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	t.Run("without it", func(t *testing.T) {
		w, err := NewWatcher(Config{Seeds: []string{s.Addr, m.Addr}, Password: "datapw", Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		poll(w, "the Sentinel refusing datapw, the data nodes read", func(g *Graph) bool {
			sn, mn := g.ByAddr(s.Addr), g.ByAddr(m.Addr)
			return sn != nil && sn.Reach == ReachAuthFailed && mn != nil && mn.Reach == ReachOK && g.ByAddr(r.Addr) != nil &&
				g.ByAddr(r.Addr).Reach == ReachOK
		})
	})

	t.Run("seeded", func(t *testing.T) {
		w, err := NewWatcher(Config{Seeds: []string{s.Addr}, Password: "datapw", SentinelPassword: "sentpw",
			Interval: 200 * time.Millisecond, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		w.Start()
		defer w.Close()
		deadline := time.Now().Add(30 * time.Second)
		known, set := false, false
		var lastSet time.Time
		for !set {
			select {
			case u := <-w.Updates():
				known = known || groupKnown(u.Graph)
				if known && time.Since(lastSet) > time.Second {
					// a Sentinel event, from a connection with sentpw
					// (again until the subscriber, started once the
					// Sentinel was probed, has seen one)
					lastSet = time.Now()
					c, err := Connect(t.Context(), DefaultDialer(), s.Addr, Credentials{Password: "sentpw"})
					if err != nil {
						t.Fatal(err)
					}
					if v, err := c.Do("SENTINEL", "SET", "mymaster", "down-after-milliseconds", "2500"); err != nil || string(v.Str) != "OK" {
						t.Fatalf("SENTINEL SET: %v %q", err, v.Str)
					}
					c.Close()
				}
				for _, e := range u.Events {
					if e.Kind == EventSentinel && strings.Contains(e.Detail, "+set") {
						set = true
					}
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no update for 10 s")
			}
			if time.Now().After(deadline) {
				t.Fatalf("group known %v, +set event seen %v within 30 s", known, set)
			}
		}
	})

	t.Run("found from the master", func(t *testing.T) {
		w, err := NewWatcher(Config{Seeds: []string{m.Addr}, Password: "datapw", SentinelPassword: "sentpw", Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		g := poll(w, "master and replica", func(g *Graph) bool { return len(g.Nodes) == 2 })
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if !w.FindSentinels(ctx, g) {
			t.Fatal("no Sentinel found from the master")
		}
		if !w.auth.isSentinel(s.Addr) {
			t.Error("a Sentinel found from a hello message is not known as one")
		}
		poll(w, "the group", groupKnown)
	})
}
