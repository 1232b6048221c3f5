package topology

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/faultnet"
	"github.com/replscope/replscope/internal/redistest"
)

// watchUntil polls w until cond holds for a Graph, within limit, and
// returns that Graph with every event seen on the way.
func watchUntil(t *testing.T, w *Watcher, limit time.Duration, what string, cond func(*Graph) bool) (*Graph, []Event) {
	t.Helper()
	var evs []Event
	deadline := time.Now().Add(limit)
	for {
		u := w.Poll(t.Context())
		evs = append(evs, u.Events...)
		if cond(u.Graph) {
			return u.Graph, evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s:\n%s", limit, what, RenderText(u.Graph))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shape describes a graph independently of offsets and timing: each node
// as "run_id role ← master run_id".
func shape(g *Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		s := fmt.Sprintf("%s %s %s", n.Addr, n.RunID, n.Role)
		if l := g.Upstream(n.ID); l != nil {
			s += " <- " + g.Node(l.Master).Addr + " " + string(l.Health.State)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func allUp(n int) func(*Graph) bool {
	return func(g *Graph) bool {
		if len(g.Nodes) != n {
			return false
		}
		for _, l := range g.Links {
			if l.Health.State != LinkUp {
				return false
			}
		}
		for _, nd := range g.Nodes {
			if nd.Reach != ReachOK {
				return false
			}
		}
		return len(g.Links) == n-1
	}
}

func port(s *redistest.Server) string { return strconv.Itoa(s.Port) }

// TestRealRedisDiscoveryWithPassword: a star (M with R1, R2) and a chain
// (R1 → C1), all behind requirepass. Discovery from any single node finds
// the same graph; without the password every node is auth-failed.
func TestRealRedisDiscoveryWithPassword(t *testing.T) {
	pw := []string{"--requirepass", "s3cret", "--masterauth", "s3cret"}
	m := redistest.Start(t, pw...)
	m.Do(t, "SET", "k", "v")
	r1 := redistest.Start(t, append(pw, "--replicaof", "127.0.0.1", port(m))...)
	r2 := redistest.Start(t, append(pw, "--replicaof", "127.0.0.1", port(m))...)
	c1 := redistest.Start(t, append(pw, "--replicaof", "127.0.0.1", port(r1))...)

	var want []string
	for _, seed := range []*redistest.Server{m, r1, r2, c1} {
		w, err := NewWatcher(Config{Seeds: []string{seed.Addr}, Password: "s3cret"})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		g, _ := watchUntil(t, w, 15*time.Second, "4 nodes up from "+seed.Addr, allUp(4))
		got := shape(g)
		if want == nil {
			want = got
			eq(t, "keys on C1", mustNode(t, g, c1.Addr).Keys, int64(1))
			continue
		}
		eq(t, "graph from "+seed.Addr, got, want)
	}

	w, err := NewWatcher(Config{Seeds: []string{c1.Addr}, Password: "wrong-pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g := w.Poll(t.Context()).Graph
	c := mustNode(t, g, c1.Addr)
	eq(t, "reach", c.Reach, ReachAuthFailed)
	if strings.Contains(c.Error, "wrong-pw") {
		t.Errorf("password leaked: %q", c.Error)
	}
}

// TestRealRedisAlertsAndOperations: R2 follows M through a proxy. Cutting
// the proxy raises link-down on R2, healing clears it; operations move
// nodes; the guard refuses an attach to an empty master.
func TestRealRedisAlertsAndOperations(t *testing.T) {
	m := redistest.Start(t)
	for i := range 20 {
		m.Do(t, "SET", fmt.Sprint("key", i), "v")
	}
	p, err := faultnet.NewProxy(m.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, proxyPort, _ := strings.Cut(p.Addr(), ":")
	r1 := redistest.Start(t, "--replicaof", "127.0.0.1", port(m))
	r2 := redistest.Start(t, "--replicaof", "127.0.0.1", proxyPort)
	w, err := NewWatcher(Config{Seeds: []string{m.Addr}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g, _ := watchUntil(t, w, 15*time.Second, "star up", allUp(3))
	// R2 names M by the proxy: one node, two addresses.
	eq(t, "alias", mustNode(t, g, m.Addr).Aliases, []string{p.Addr()})
	r2ID := mustNode(t, g, r2.Addr).ID

	p.Cut()
	g, evs := watchUntil(t, w, 15*time.Second, "link-down on R2", func(g *Graph) bool { return g.HasAlert(r2ID, AlertLinkDown) })
	if !hasEvent(evs, EventAlertRaised, r2ID, AlertLinkDown) {
		t.Errorf("no alert-raised event: %v", kinds(evs))
	}
	eq(t, "link state", g.Upstream(r2ID).Health.State, LinkDown)
	p.Heal()
	_, evs = watchUntil(t, w, 15*time.Second, "link-down cleared", func(g *Graph) bool {
		return !g.HasAlert(r2ID, AlertLinkDown) && g.Upstream(r2ID).Health.State == LinkUp
	})
	if !hasEvent(evs, EventAlertCleared, r2ID, AlertLinkDown) || !hasEvent(evs, EventLinkUp, r2ID, "") {
		t.Errorf("no alert-cleared / link-up events: %v", kinds(evs))
	}

	op := w.Operator()
	ctx := t.Context()
	r1ID := mustNode(t, g, r1.Addr).ID
	out, err := op.KillLink(ctx, w.Latest(), r1ID)
	if err != nil || out.Reply != "1" {
		t.Fatalf("kill link: %v %+v", err, out)
	}
	watchUntil(t, w, 15*time.Second, "partial resync after the kill", func(g *Graph) bool {
		return g.ByAddr(m.Addr).Stats.SyncPartialOK >= 1 && g.Upstream(r1ID).Health.State == LinkUp
	})

	out, err = op.Detach(ctx, w.Latest(), r1ID, false)
	if err != nil {
		t.Fatalf("detach: %v", err)
	}
	g, _ = watchUntil(t, w, 15*time.Second, "R1 promoted", func(g *Graph) bool {
		n := g.Node(r1ID)
		return n.Role == RoleMaster && n.ReplID2 == g.ByAddr(m.Addr).ReplID
	})
	eq(t, "summary", strings.HasPrefix(out.Summary, r1.Addr+" is now a master"), true)

	// An empty server: attaching R1 (20 keys) below it is refused.
	empty := redistest.Start(t)
	w2, err := NewWatcher(Config{Seeds: []string{m.Addr, r1.Addr, empty.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	g2 := w2.Poll(ctx).Graph
	_, err = w2.Operator().Attach(ctx, g2, mustNode(t, g2, r1.Addr).ID, empty.Addr, false)
	var refused *RefusedError
	if !errors.As(err, &refused) || codes(refused.Verdict)[0] != "empty-master" {
		t.Fatalf("attach to an empty master: %v", err)
	}
	eq(t, "R1 untouched", strings.Contains(r1.Do(t, "ROLE").String(), "master"), true)

	// Back below M: a full resync that loses nothing (R1 took no writes).
	out, err = op.Attach(ctx, w.Latest(), r1ID, m.Addr, false)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	eq(t, "predicted", out.Verdict.Sync, SyncFull)
	// The cause is the replid R1 took when promoted, not the backlog
	// (which still holds R1's offset): Redis logs the same.
	eq(t, "cause", out.Verdict.Cause, CauseReplIDMismatch)
	watchUntil(t, w, 15*time.Second, "R1 back below M", func(g *Graph) bool {
		l := g.Upstream(r1ID)
		return l != nil && g.Node(l.Master).Addr == m.Addr && l.Health.State == LinkUp
	})
	if !strings.Contains(m.Log(), "Replication ID mismatch") {
		t.Errorf("Redis gave another reason for the full resync:\n%s", m.Log())
	}
}

func hasEvent(evs []Event, kind EventKind, id NodeID, alert AlertName) bool {
	for _, e := range evs {
		if e.Kind == kind && e.Node == id && e.Alert == alert {
			return true
		}
	}
	return false
}
