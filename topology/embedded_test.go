package topology

import (
	"context"
	"net"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/internal/simnet"
	"github.com/replscope/replscope/node"
)

// startNode starts an embedded node listening on ln (a free loopback port
// when nil), dialling with dial (real TCP when nil), closed when the test
// ends.
func startNode(t testing.TB, ln net.Listener, dial node.Dialer, args ...string) *node.Node {
	t.Helper()
	return nodetest.StartWith(t, nodetest.Options{Listener: ln, Dial: dial}, args...).Node
}

// do sends one command to addr over dial and fails the test on an error.
func do(t testing.TB, dial Dialer, addr string, args ...string) resp.Value {
	t.Helper()
	c, err := Connect(context.Background(), dial, addr, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.Do(args...)
	if err == nil {
		err = v.Err()
	}
	if err != nil {
		t.Fatalf("%s %v: %v", addr, args, err)
	}
	return v
}

func hostPort(addr string) (string, string) {
	h, p, _ := net.SplitHostPort(addr)
	return h, p
}

// TestEmbeddedNodes: three replscope nodes in this process. Watching them
// as embedded nodes and discovering them over RESP from one address give
// the same graph; the nodes' own events are merged; operations move them.
func TestEmbeddedNodes(t *testing.T) {
	m := startNode(t, nil, nil)
	a := startNode(t, nil, nil)
	b := startNode(t, nil, nil)
	dial := DefaultDialer()
	do(t, dial, m.Addr(), "SET", "k", "v")
	mh, mp := hostPort(m.Addr())
	do(t, dial, a.Addr(), "REPLICAOF", mh, mp)
	do(t, dial, b.Addr(), "REPLICAOF", mh, mp)

	emb, err := NewWatcher(Config{Embedded: []EmbeddedNode{m, a, b}})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	g, evs := watchUntil(t, emb, 15*time.Second, "embedded star up", allUp(3))
	for _, n := range g.Nodes {
		if !n.Embedded || n.Software != "replscope" {
			t.Errorf("%s: embedded %v software %q", n.Addr, n.Embedded, n.Software)
		}
	}
	fromNodes := 0
	for _, e := range evs {
		if e.Source == "node" {
			fromNodes++
		}
	}
	if fromNodes == 0 {
		t.Errorf("no event from the nodes' own feeds: %v", kinds(evs))
	}

	for _, seed := range []*node.Node{m, a, b} {
		remote, err := NewWatcher(Config{Seeds: []string{seed.Addr()}})
		if err != nil {
			t.Fatal(err)
		}
		defer remote.Close()
		g2, _ := watchUntil(t, remote, 15*time.Second, "star discovered over RESP from "+seed.Addr(), allUp(3))
		eq(t, "same graph from "+seed.Addr(), shape(g2), shape(g))
		eq(t, "keys", mustNode(t, g2, b.Addr()).Keys, int64(1))
	}

	// Detach B, then hang it below A: a chain.
	op := emb.Operator()
	bID := NodeID(b.RunID())
	if _, err := op.Detach(t.Context(), g, bID, false); err != nil {
		t.Fatal(err)
	}
	g, _ = watchUntil(t, emb, 15*time.Second, "B promoted", func(g *Graph) bool { return g.Node(bID).Role == RoleMaster })
	out, err := op.Attach(t.Context(), g, bID, a.Addr(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %s", out.Command, out.Summary)
	g, _ = watchUntil(t, emb, 15*time.Second, "B below A", func(g *Graph) bool {
		l := g.Upstream(bID)
		return l != nil && l.Master == NodeID(a.RunID()) && l.Health.State == LinkUp
	})
	var rows []string
	for _, r := range Layout(g) {
		rows = append(rows, r.Prefix+g.Node(r.ID).Addr)
	}
	eq(t, "chain", rows, []string{m.Addr(), "└─ " + a.Addr(), "   └─ " + b.Addr()})
}

// TestEmbeddedReplicaOfRealRedis: a replscope node following a real
// redis-server master appears below it.
func TestEmbeddedReplicaOfRealRedis(t *testing.T) {
	m := redistest.Start(t)
	m.Do(t, "SET", "k", "v")
	e := startNode(t, nil, nil, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	w, err := NewWatcher(Config{Seeds: []string{m.Addr}, Embedded: []EmbeddedNode{e}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g, _ := watchUntil(t, w, 15*time.Second, "replscope replica up", allUp(2))
	eq(t, "software", mustNode(t, g, m.Addr).Software, "redis")
	eq(t, "embedded", mustNode(t, g, e.Addr()).Embedded, true)
}

// TestEmbeddedLinkCutRaisesAndClearsAlerts runs embedded nodes and the
// watcher on a simulated network with fake time: cutting the replica off
// its master raises link-down, healing clears it.
func TestEmbeddedLinkCutRaisesAndClearsAlerts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := simnet.New()
		listen := func(host string) net.Listener {
			ln, err := nw.Listen(host + ":6379")
			if err != nil {
				t.Fatal(err)
			}
			return ln
		}
		// --port 6379: a simulated listener is no *net.TCPAddr, so the
		// node cannot learn its port from it.
		m := startNode(t, listen("m"), node.Dialer(nw.Dialer("m")), "--port", "6379")
		r := startNode(t, listen("r"), node.Dialer(nw.Dialer("r")), "--port", "6379", "--replicaof", "m", "6379")
		w, err := NewWatcher(Config{Embedded: []EmbeddedNode{m, r}, Dial: Dialer(nw.Dialer("watch"))})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		poll := func(what string, cond func(*Graph) bool) (*Graph, []Event) {
			var evs []Event
			for range 120 {
				u := w.Poll(t.Context())
				evs = append(evs, u.Events...)
				if cond(u.Graph) {
					return u.Graph, evs
				}
				time.Sleep(time.Second)
			}
			t.Fatalf("never: %s\n%s", what, RenderText(w.Latest()))
			return nil, nil
		}
		rID := NodeID(r.RunID())
		poll("link up", allUp(2))
		nw.Cut("m", "r")
		g, evs := poll("link-down", func(g *Graph) bool { return g.HasAlert(rID, AlertLinkDown) })
		if !hasEvent(evs, EventAlertRaised, rID, AlertLinkDown) {
			t.Errorf("events %v", kinds(evs))
		}
		t.Logf("cut:\n%s", RenderText(g))
		nw.Heal("m", "r")
		_, evs = poll("link-down cleared", func(g *Graph) bool {
			return !g.HasAlert(rID, AlertLinkDown) && g.Upstream(rID).Health.State == LinkUp
		})
		if !hasEvent(evs, EventAlertCleared, rID, AlertLinkDown) {
			t.Errorf("events %v", kinds(evs))
		}
	})
}
