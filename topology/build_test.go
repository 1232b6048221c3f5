package topology

import (
	"strings"
	"testing"
)

func TestBuildStarAndChain(t *testing.T) {
	w := loadWorld(t)
	// Probe order must not matter.
	a := graphOf(t0, nil, Thresholds{}, w.m, w.r1, w.r2, w.c1)
	b := graphOf(t0, nil, Thresholds{}, w.c1, w.r2, w.r1, w.m)
	if RenderText(a) != RenderText(b) {
		t.Fatalf("order dependent:\n%s\nvs\n%s", RenderText(a), RenderText(b))
	}
	eq(t, "nodes", len(a.Nodes), 4)
	eq(t, "links", len(a.Links), 3)
	for _, l := range a.Links {
		if !l.FromMaster || !l.FromReplica {
			t.Errorf("link %s→%s: from master %v, from replica %v", l.Master, l.Replica, l.FromMaster, l.FromReplica)
		}
	}
	var rows []string
	for _, r := range Layout(a) {
		rows = append(rows, r.Prefix+a.Node(r.ID).Addr)
	}
	eq(t, "layout", rows, []string{
		addrM,
		"├─ " + addrR2,
		"└─ " + addrR1,
		"   └─ " + addrC1,
	})
}

func TestBuildMergesAliasesByRunID(t *testing.T) {
	w := loadWorld(t)
	m := w.m.node(t0)
	alias := w.m.node(t0)
	alias.Addr = "127.0.0.2:38197" // the same server reached through another address
	// R2 names its master by the alias.
	r2 := w.r2.with("master_host", "127.0.0.2").node(t0)
	g := Build(t0, []*Node{alias, r2, m}, nil, []string{"127.0.0.2:38197"})
	eq(t, "nodes (R1 mentioned, unprobed)", len(g.Nodes), 3)
	n := g.ByAddr(addrM)
	eq(t, "seed wins", n.Addr, "127.0.0.2:38197")
	eq(t, "aliases", n.Aliases, []string{addrM})
	l := mustLink(t, g, addrM, addrR2)
	eq(t, "both sides", l.FromMaster && l.FromReplica, true)

	// Next round the alias is not probed (the watcher skips it) and the
	// primary stays the same.
	g2 := Build(t0, []*Node{w.m.node(t0), r2}, g, nil)
	eq(t, "primary kept", g2.Node(n.ID).Addr, addrM)
	eq(t, "alias remembered", g2.ByAddr("127.0.0.2:38197").ID, n.ID)
}

func TestBuildUnreachableKeepsIdentity(t *testing.T) {
	w := loadWorld(t)
	g1 := graphOf(t0, nil, Thresholds{}, w.m, w.r1, w.r2, w.c1)
	dead := failed(addrM, t0, errConnRefused)
	g2 := Build(t0, []*Node{dead, w.r1.node(t0), w.r2.node(t0), w.c1.node(t0)}, g1, nil)
	m := g2.ByAddr(addrM)
	eq(t, "id kept", m.ID, g1.ByAddr(addrM).ID)
	eq(t, "reach", m.Reach, ReachUnreachable)
	eq(t, "replicas still hang below it", mustLink(t, g2, addrM, addrR2).FromReplica, true)
	eq(t, "error", m.Error, errConnRefused.Error())
}

func TestBuildMentionedNodesAreShown(t *testing.T) {
	lone := loadCapture(t, "replica-refused")
	g := graphOf(t0, nil, Thresholds{}, lone)
	m := mustNode(t, g, "127.0.0.1:35455")
	eq(t, "reach", m.Reach, ReachUnprobed)
	eq(t, "link", mustLink(t, g, "127.0.0.1:35455", addrLone).FromReplica, true)
	// A replica that announced no port is still a node.
	mc := loadCapture(t, "master-star").with("slave1", "ip=10.1.1.1,port=0,state=online,offset=50,lag=0")
	g = graphOf(t0, nil, Thresholds{}, mc)
	n := mustNode(t, g, "10.1.1.1:0")
	if !strings.Contains(n.Error, "listening port") {
		t.Errorf("error %q", n.Error)
	}
}

func TestLayoutCycleAndSentinel(t *testing.T) {
	w := loadWorld(t)
	// R1 and C1 follow each other: a cycle; the sentinel sits apart.
	r1 := w.r1.with("master_port", "37949")
	g := graphOf(t0, nil, Thresholds{}, r1, w.c1, loadCapture(t, "sentinel"))
	var rows []string
	for _, r := range Layout(g) {
		s := r.Prefix + g.Node(r.ID).Addr
		if r.Back {
			s += " (back)"
		}
		if r.Note != "" {
			s += " [" + r.Note + "]"
		}
		rows = append(rows, s)
	}
	eq(t, "rows", rows, []string{
		"127.0.0.1:50645",
		addrC1 + " [cycle]",
		"└─ " + addrR1,
		"   └─ " + addrC1 + " (back) [cycle]",
		addrSent + " [sentinel: mymaster 127.0.0.1:50645 (ok)]",
	})
	eq(t, "cycle alerts", alertNames(g, addrR1), []string{"replication-cycle"})
	eq(t, "cycle alerts", alertNames(g, addrC1), []string{"replication-cycle"})
}
