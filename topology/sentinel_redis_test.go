package topology

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

// sentinelFleet starts a real master, two replicas and one redis-sentinel
// monitoring them as "mymaster" (quorum 1), and waits until the Sentinel
// has found both replicas
// connected.
func sentinelFleet(t *testing.T) (m, r1, r2 *redistest.Server, s *redistest.Sentinel) {
	t.Helper()
	redistest.RequireSentinel(t)
	m = redistest.Start(t)
	r1 = redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	r2 = redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	s = redistest.StartSentinel(t, []redistest.Monitor{{Port: m.Port, Quorum: 1, DownAfter: 2 * time.Second}})
	deadline := time.Now().Add(20 * time.Second)
	connected := func() bool {
		reps := s.Instances(t, "replicas", "mymaster")
		for _, r := range reps {
			if strings.Contains(r["flags"], "disconnected") || r["runid"] == "" {
				return false
			}
		}
		return len(reps) == 2
	}
	for !connected() {
		if time.Now().After(deadline) {
			t.Fatal("the Sentinel did not connect to both replicas within 20 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return m, r1, r2, s
}

// TestSentinelGroupFailover watches a real Sentinel-managed group from
// its Sentinel: the group's facts (name, quorum, master, replicas, the
// replica Sentinel would pick), `f`'s plan (SENTINEL FAILOVER to the
// Sentinel), the managed-node warning, the failover moving the master
// (get-master-addr-by-name changes to the expected pick), and Sentinel's
// events in the Watcher's events with the role change attributed.
func TestSentinelGroupFailover(t *testing.T) {
	m, r1, _, s := sentinelFleet(t)
	w, err := NewWatcher(Config{Seeds: []string{s.Addr}, Interval: 300 * time.Millisecond, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	defer w.Close()
	var events []Event
	next := func() *Graph {
		t.Helper()
		select {
		case u := <-w.Updates():
			events = append(events, u.Events...)
			return u.Graph
		case <-time.After(10 * time.Second):
			t.Fatal("no update for 10 s")
			return nil
		}
	}
	var g *Graph
	deadline := time.Now().Add(20 * time.Second)
	for g = next(); len(g.Sentinels) != 1 || len(g.Sentinels[0].Replicas) != 2 || g.ByAddr(r1.Addr) == nil; g = next() {
		if time.Now().After(deadline) {
			t.Fatalf("no Sentinel group with 2 replicas within 20 s: %+v", g.Sentinels)
		}
	}
	sg := g.Sentinels[0]
	if sg.Name != "mymaster" || sg.Master != m.Addr || sg.Quorum != 1 || sg.Known != 1 || sg.DownVotes != 0 || sg.Pick == "" {
		t.Fatalf("group = %+v", sg)
	}
	if got := g.SentinelGroupOf(g.ByAddr(r1.Addr).ID); got == nil || got.Name != "mymaster" {
		t.Fatalf("SentinelGroupOf(r1) = %v", got)
	}
	if ManagedWarning(g, g.ByAddr(r1.Addr).ID) == "" {
		t.Fatal("no managed warning on a managed replica")
	}
	plan, err := FailoverOp(g, r1.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Kind != "sentinel" || plan.Target != s.Addr || plan.Command != "SENTINEL FAILOVER mymaster" || plan.Pick != sg.Pick {
		t.Fatalf("plan = %+v", plan)
	}
	out, err := w.Operator().Failover(context.Background(), g, plan, !plan.Verdict.Allowed)
	if err != nil {
		t.Fatalf("failover: %v (%+v)", err, out)
	}
	deadline = time.Now().Add(30 * time.Second)
	for s.MasterAddr(t, "mymaster") == m.Addr {
		if time.Now().After(deadline) {
			t.Fatal("get-master-addr-by-name still names the old master after 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := s.MasterAddr(t, "mymaster"); got != plan.Pick {
		t.Errorf("Sentinel promoted %s, expected pick was %s (%s)", got, plan.Pick, plan.PickWhy)
	}
	has := func(kind EventKind, sub string) bool {
		for _, e := range events {
			if e.Kind == kind && strings.Contains(e.Detail, sub) {
				return true
			}
		}
		return false
	}
	deadline = time.Now().Add(30 * time.Second)
	for !has(EventSentinel, "+switch-master mymaster") || !has(EventRoleChanged, "by Sentinel "+s.Addr) {
		if time.Now().After(deadline) {
			t.Fatalf("missing Sentinel events after 30 s: %+v", events)
		}
		g = next()
	}
	for _, e := range events {
		if e.Kind == EventSentinel && e.Addr != s.Addr {
			t.Errorf("Sentinel event with actor %q, want %s", e.Addr, s.Addr)
		}
	}
	if sg := g.Sentinels[0]; sg.Master != plan.Pick {
		t.Errorf("group master = %s after the failover, want %s", sg.Master, plan.Pick)
	}
}

// TestSentinelFoundFromClientList seeds the Watcher with the master only:
// the Sentinel's sentinel-<id>-cmd/-pubsub connections in the master's
// CLIENT LIST lead to its hello channel, which names the Sentinel, which
// is then probed and its group known.
func TestSentinelFoundFromClientList(t *testing.T) {
	m, _, _, s := sentinelFleet(t)
	w, err := NewWatcher(Config{Seeds: []string{m.Addr}, Interval: 300 * time.Millisecond, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	defer w.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case u := <-w.Updates():
			if g := u.Graph; len(g.Sentinels) == 1 && g.ByAddr(s.Addr) != nil {
				if sg := g.Sentinels[0]; sg.Name != "mymaster" || sg.Master != m.Addr || sg.Sentinels[0] != s.Addr {
					t.Fatalf("group = %+v", sg)
				}
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no update for 10 s")
		}
		if time.Now().After(deadline) {
			t.Fatal("the Sentinel was not found from the master within 20 s")
		}
	}
}

// TestSentinelClientIDs reads Sentinel connections out of CLIENT LIST.
func TestSentinelClientIDs(t *testing.T) {
	list := "id=3 addr=127.0.0.1:5 laddr=127.0.0.1:6379 fd=8 name=sentinel-1a2b3c4d-cmd age=1\n" +
		"id=4 addr=127.0.0.1:6 laddr=127.0.0.1:6379 fd=9 name=sentinel-1a2b3c4d-pubsub age=1\n" +
		"id=5 addr=127.0.0.1:7 laddr=127.0.0.1:6379 fd=10 name= age=1\n"
	if got := sentinelClientIDs(list); len(got) != 1 || got[0] != "1a2b3c4d" {
		t.Fatalf("ids = %v", got)
	}
	a, id, ok := parseHello("127.0.0.1,26379,1a2b3c4d5e,0,mymaster,127.0.0.1,6379,0")
	if !ok || a != "127.0.0.1:26379" || id != "1a2b3c4d5e" {
		t.Fatalf("hello = %s %s %v", a, id, ok)
	}
}

// TestSentinelDownVotes runs three real Sentinels (quorum 2) over a master
// whose replicas all have replica-priority 0, seeds the Watcher with one
// Sentinel (the other two are found from its SENTINEL SENTINELS), then
// freezes the master: the
// group counts the Sentinels that see it down, reaches odown, and has no
// pick (Sentinel cannot fail over), so `f` is refused by the guard.
func TestSentinelDownVotes(t *testing.T) {
	redistest.RequireSentinel(t)
	m := redistest.Start(t)
	redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port), "--replica-priority", "0")
	mon := []redistest.Monitor{{Port: m.Port, Quorum: 2, DownAfter: time.Second}}
	s1 := redistest.StartSentinel(t, mon)
	redistest.StartSentinel(t, mon)
	redistest.StartSentinel(t, mon)
	w, err := NewWatcher(Config{Seeds: []string{s1.Addr}, Interval: 300 * time.Millisecond, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	poll := func(what string, limit time.Duration, ok func(*Graph) bool) *Graph {
		t.Helper()
		for deadline := time.Now().Add(limit); ; time.Sleep(200 * time.Millisecond) {
			g := w.Poll(context.Background()).Graph
			if ok(g) {
				return g
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s: %+v", what, limit, g.Sentinels)
			}
		}
	}
	poll("three Sentinels that know each other", 20*time.Second, func(g *Graph) bool {
		return len(g.Sentinels) == 1 && g.Sentinels[0].Known == 3 && len(g.Sentinels[0].Sentinels) == 3 &&
			len(g.Sentinels[0].Replicas) == 1
	})
	t.Cleanup(func() { m.Signal(syscall.SIGCONT) })
	m.Signal(syscall.SIGSTOP)
	g := poll("odown with every vote", 20*time.Second, func(g *Graph) bool {
		return len(g.Sentinels) == 1 && g.Sentinels[0].ODown && g.Sentinels[0].DownVotes == 3
	})
	sg := g.Sentinels[0]
	if sg.Pick != "" || !strings.Contains(sg.PickWhy, "priority 0") {
		t.Errorf("pick %q (%s), want none for priority 0", sg.Pick, sg.PickWhy)
	}
	if !strings.Contains(sg.Summary(), "3 of 3 Sentinel(s) see it down · odown") {
		t.Errorf("summary %q", sg.Summary())
	}
	var replica string
	for _, n := range g.Nodes {
		if n.Role == RoleReplica {
			replica = n.Addr
		}
	}
	p, err := FailoverOp(g, replica)
	if err != nil {
		t.Fatal(err)
	}
	if p.Verdict.Allowed || len(p.Verdict.Reasons) == 0 || p.Verdict.Reasons[0].Code != "no-candidate" {
		t.Errorf("verdict %+v, want no-candidate", p.Verdict)
	}
}

// TestSentinelFoundFromReplica: Sentinels connect to replicas too, so a
// replica's CLIENT LIST and hello channel find the Sentinel when the
// master cannot be asked (here: the graph has it unreachable).
func TestSentinelFoundFromReplica(t *testing.T) {
	m, r1, _, s := sentinelFleet(t)
	w, err := NewWatcher(Config{Seeds: []string{r1.Addr}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g := w.Poll(t.Context()).Graph
	cp := Graph{At: g.At, Links: g.Links} // a fresh index: the copied nodes
	for _, n := range g.Nodes {
		c := *n
		if c.Addr == m.Addr {
			c.Reach, c.Error = ReachUnreachable, "cut by the test"
		}
		cp.Nodes = append(cp.Nodes, &c)
	}
	if len(cp.Sentinels) != 0 {
		t.Fatalf("a Sentinel group is known before the search: %+v", cp.Sentinels)
	}
	if len(cp.Nodes) != 3 {
		t.Fatalf("want master and two replicas, got:\n%s", RenderText(&cp))
	}
	if !w.FindSentinels(t.Context(), &cp) {
		t.Fatal("no Sentinel found from the replicas")
	}
	if got := w.sev.discovered(); !slices.Contains(got, s.Addr) {
		t.Fatalf("found %v, want %s", got, s.Addr)
	}
	g = w.Poll(t.Context()).Graph
	if len(g.Sentinels) != 1 || g.Sentinels[0].Sentinels[0] != s.Addr {
		t.Fatalf("the next poll does not know the group: %+v", g.Sentinels)
	}
}
