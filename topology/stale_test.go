package topology

import (
	"testing"
	"time"
)

// TestStaleness checks the pure rules: a node's data age is the time
// since it last answered; it is stale past StaleAfter, never when the
// graph does not say (StaleAfter 0) or the node never answered; the
// events mark the turns both ways.
func TestStaleness(t *testing.T) {
	at := t0
	node := func(addr string, reach Reach, read, lastOK time.Duration) *Node {
		n := &Node{ID: NodeID(addr), Addr: addr, Reach: reach, At: at.Add(-read)}
		if lastOK >= 0 {
			n.LastOK = at.Add(-lastOK)
		}
		return n
	}
	g := &Graph{At: at, StaleAfter: 2 * time.Second, Nodes: []*Node{
		node("fresh:1", ReachOK, 0, -1),                    // answered this round
		node("slow:1", ReachOK, 1500*time.Millisecond, -1), // last round's answer
		node("hung:1", ReachOK, 3*time.Second, -1),         // probe in flight for 3 s
		node("down:1", ReachUnreachable, 0, 5*time.Second), // stopped answering 5 s ago
		node("never:1", ReachUnreachable, 0, -1),           // never answered
		node("pending:1", ReachUnprobed, 0, -1),            // first probe running
		node("again:1", ReachOK, 0, 0),                     // answered now, LastOK set
	}}
	for _, tc := range []struct {
		addr  string
		stale bool
		age   time.Duration
		known bool
	}{
		{"fresh:1", false, 0, true},
		{"slow:1", false, 1500 * time.Millisecond, true},
		{"hung:1", true, 3 * time.Second, true},
		{"down:1", true, 5 * time.Second, true},
		{"never:1", false, 0, false},
		{"pending:1", false, 0, false},
		{"again:1", false, 0, true},
	} {
		n := g.ByAddr(tc.addr)
		age, known := g.DataAge(n)
		eq(t, tc.addr+" age", age, tc.age)
		eq(t, tc.addr+" known", known, tc.known)
		eq(t, tc.addr+" stale", g.IsStale(n), tc.stale)
	}
	nodes, oldest := g.Stale()
	eq(t, "stale nodes", len(nodes), 2)
	eq(t, "oldest", oldest, 5*time.Second)
	eq(t, "no StaleAfter, nothing stale", (&Graph{At: at, Nodes: g.Nodes}).IsStale(g.ByAddr("down:1")), false)

	// hung:1 answers again, slow:1 stops: one fresh and one stale event.
	next := &Graph{At: at.Add(time.Second), StaleAfter: 2 * time.Second, Nodes: []*Node{
		{ID: "hung:1", Addr: "hung:1", Reach: ReachOK, At: at.Add(time.Second)},
		{ID: "slow:1", Addr: "slow:1", Reach: ReachUnreachable, At: at.Add(time.Second), LastOK: at.Add(-1500 * time.Millisecond)},
	}}
	evs := StaleEvents(g, next)
	if len(evs) != 2 || evs[0].Kind != EventFresh || evs[0].Addr != "hung:1" || evs[1].Kind != EventStale || evs[1].Addr != "slow:1" {
		t.Errorf("events %+v", evs)
	}
}
