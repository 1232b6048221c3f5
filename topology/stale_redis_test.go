package topology

import (
	"encoding/json"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

// TestHungReplicaDelaysNoOne freezes one replica of three real redis-server
// nodes (SIGSTOP: its kernel still accepts connections, nothing answers)
// and checks that the Watcher's other nodes keep refreshing at the
// interval — every update within two intervals of the last, their data
// read in the last two intervals, the master's offset and the live
// replica's moving with the writes — while the frozen node is marked stale
// (Graph.IsStale, a "stale" event, in JSON too), and fresh again after
// SIGCONT.
func TestHungReplicaDelaysNoOne(t *testing.T) {
	m := redistest.Start(t)
	r1 := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	r2 := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	const interval = 500 * time.Millisecond
	w, err := NewWatcher(Config{Seeds: []string{m.Addr}, Interval: interval, Timeout: 4 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	defer w.Close()
	next := func() Update {
		t.Helper()
		select {
		case u := <-w.Updates():
			return u
		case <-time.After(5 * time.Second):
			t.Fatal("no update for 5 s")
			return Update{}
		}
	}
	for g := next().Graph; !allUp(3)(g); g = next().Graph {
	}
	client := m.Client(t)
	write := func(i int) {
		t.Helper()
		if _, err := client.Do("SET", "k", strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}

	t.Cleanup(func() { r2.Signal(syscall.SIGCONT) }) // before the servers are stopped
	r2.Signal(syscall.SIGSTOP)
	stopped := time.Now()
	var staleAt time.Time
	var first, last *Graph
	lastAt := time.Now()
	for i := 0; time.Since(stopped) < 5*time.Second; i++ { // past a whole hung probe (4 s) and its failure
		write(i)
		u := next()
		if gap := time.Since(lastAt); gap > staleIntervals*interval && first != nil {
			t.Errorf("update %d came %s after the previous one (interval %s)", i, gap.Round(time.Millisecond), interval)
		}
		lastAt = time.Now()
		g := u.Graph
		for _, addr := range []string{m.Addr, r1.Addr} {
			n := g.ByAddr(addr)
			age, ok := g.DataAge(n)
			if n.Reach != ReachOK || !ok || age > staleIntervals*interval || g.IsStale(n) {
				t.Errorf("update %d: %s %s, data %s old, stale %v", i, addr, n.Reach, age, g.IsStale(n))
			}
		}
		n2 := g.ByAddr(r2.Addr)
		if g.IsStale(n2) && staleAt.IsZero() {
			staleAt = time.Now()
			if !hasEventAt(u.Events, EventStale, r2.Addr) {
				t.Errorf("no stale event for %s in %v", r2.Addr, u.Events)
			}
			if j := nodeJSONIn(t, g, r2.Addr); j["stale"] != true || j["data_age_s"] == nil {
				t.Errorf("JSON of the frozen node: %v", j)
			}
		}
		if !staleAt.IsZero() && !g.IsStale(n2) {
			t.Errorf("update %d: %s fresh again while frozen (%s, %s)", i, r2.Addr, n2.Reach, n2.Error)
		}
		if first == nil {
			first = g
		}
		last = g
	}
	if staleAt.IsZero() {
		t.Fatalf("%s never marked stale while frozen", r2.Addr)
	} else if d := staleAt.Sub(stopped); d > 2*staleIntervals*interval {
		t.Errorf("%s marked stale %s after SIGSTOP", r2.Addr, d.Round(time.Millisecond))
	}
	for _, addr := range []string{m.Addr, r1.Addr} {
		a, b := first.ByAddr(addr), last.ByAddr(addr)
		if !b.At.After(a.At) || b.Offset <= a.Offset {
			t.Errorf("%s did not move: read at %s → %s, offset %d → %d", addr, a.At.Format("15:04:05.000"),
				b.At.Format("15:04:05.000"), a.Offset, b.Offset)
		}
	}

	r2.Signal(syscall.SIGCONT)
	deadline := time.Now().Add(5 * time.Second)
	for fresh := false; !fresh; {
		u := next()
		n2 := u.Graph.ByAddr(r2.Addr)
		fresh = n2.Reach == ReachOK && !u.Graph.IsStale(n2)
		if fresh && !hasEventAt(u.Events, EventFresh, r2.Addr) {
			t.Errorf("no fresh event for %s in %v", r2.Addr, u.Events)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still stale 5 s after SIGCONT: %s %s", r2.Addr, n2.Reach, n2.Error)
		}
	}
}

func hasEventAt(evs []Event, kind EventKind, addr string) bool {
	for _, e := range evs {
		if e.Kind == kind && e.Addr == addr {
			return true
		}
	}
	return false
}

// nodeJSONIn returns the JSON object of the node at addr in g's JSON form.
func nodeJSONIn(t *testing.T, g *Graph, addr string) map[string]any {
	t.Helper()
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Nodes []map[string]any `json:"nodes"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	for _, n := range out.Nodes {
		if n["addr"] == addr {
			return n
		}
	}
	t.Fatalf("no node %s in %s", addr, b)
	return nil
}
