package topology

import (
	"fmt"
	"net"
	"strings"
)

// The Redis Cluster alerts (raised only when the graph is a cluster).
const (
	AlertSlotsUncovered AlertName = "slots-uncovered"   // slots no master claims: cluster_state fail
	AlertClusterFail    AlertName = "cluster-node-fail" // a node flagged fail (critical) or pfail (warning)
	AlertNoReplica      AlertName = "shard-no-replica"  // a master with slots and no reachable replica
	AlertOneHost        AlertName = "shard-one-host"    // a shard's master and replicas all on one host
	AlertEmptyMaster    AlertName = "master-no-slots"   // a master without slots that has replicas
)

// clusterAlerts raises the cluster alerts of g.
func clusterAlerts(g *Graph, add func(Alert)) {
	cs := g.Cluster
	if cs == nil {
		return
	}
	if len(cs.Uncovered) > 0 {
		add(Alert{Name: AlertSlotsUncovered, Node: cs.From, Severity: Critical,
			Message: fmt.Sprintf("%d slots not covered by any master (%s): cluster_state %s",
				CountSlots(cs.Uncovered), clipSlots(cs.Uncovered), cs.Info.State),
			Value: float64(CountSlots(cs.Uncovered))})
	}
	for _, m := range cs.Members {
		if m.Node == "" {
			continue
		}
		switch {
		case m.Has("fail"):
			add(Alert{Name: AlertClusterFail, Node: m.Node, Severity: Critical,
				Message: fmt.Sprintf("%s is flagged fail by the cluster (%s)", m.Addr, roleWord(m.ClusterPeer))})
		case m.Has("pfail"):
			add(Alert{Name: AlertClusterFail, Node: m.Node, Severity: Warning,
				Message: fmt.Sprintf("%s is flagged pfail (not answering pings) by a peer", m.Addr)})
		}
	}
	for _, s := range cs.Shards {
		shardAlerts(g, s, add)
	}
}

func shardAlerts(g *Graph, s Shard, add func(Alert)) {
	if s.Master == "" {
		return
	}
	reachable := 0
	hosts := map[string]bool{hostOf(s.MasterAddr): true}
	for _, r := range s.Replicas {
		n, m := g.Node(r), g.ClusterMemberOf(r)
		if n != nil && n.Reach == ReachOK && (m == nil || !m.Has("fail")) {
			reachable++
		}
		switch {
		case m != nil && m.Addr != "":
			hosts[hostOf(m.Addr)] = true // the address the cluster uses
		case n != nil:
			hosts[hostOf(n.Addr)] = true
		}
	}
	switch {
	case len(s.Slots) > 0 && reachable == 0:
		msg := fmt.Sprintf("master %s (slots %s) has no reachable replica: losing it loses the slots", s.MasterAddr, clipSlots(s.Slots))
		if len(s.Replicas) == 0 {
			msg = fmt.Sprintf("master %s (slots %s) has no replica: losing it loses the slots", s.MasterAddr, clipSlots(s.Slots))
		}
		add(Alert{Name: AlertNoReplica, Node: s.Master, Severity: Warning, Message: msg})
	case len(s.Slots) == 0 && len(s.Replicas) > 0:
		add(Alert{Name: AlertEmptyMaster, Node: s.Master, Severity: Warning,
			Message: fmt.Sprintf("master %s serves no slots but has %d replica(s)", s.MasterAddr, len(s.Replicas))})
	}
	if len(s.Replicas) > 0 && len(hosts) == 1 {
		add(Alert{Name: AlertOneHost, Node: s.Master, Severity: Warning,
			Message: fmt.Sprintf("shard %s: master and %d replica(s) all on host %s: one host failure loses the shard",
				clipSlots(s.Slots), len(s.Replicas), hostOf(s.MasterAddr))})
	}
}

func roleWord(p ClusterPeer) string {
	if p.IsMaster() {
		return "master"
	}
	return "replica"
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

// clipSlots renders at most four ranges, then "…".
func clipSlots(rs []SlotRange) string {
	if len(rs) <= 4 {
		return FormatSlots(rs)
	}
	return FormatSlots(rs[:4]) + ",…"
}

// splitHistoryAlerts raises split-history on two reachable masters of one
// dataset: one was promoted from the other's history (its replid2 is the
// other's replid), or Sentinels name both as the master of one group.
// Both take writes that the other will never see.
func splitHistoryAlerts(g *Graph, add func(Alert)) {
	byReplID := map[string]*Node{}
	for _, n := range g.Nodes {
		if n.Reach == ReachOK && n.Role == RoleMaster && n.ReplID != "" {
			byReplID[n.ReplID] = n
		}
	}
	pair := func(a, b *Node, why string) {
		msg := fmt.Sprintf("two masters of one dataset take writes: %s and %s (%s)", a.Addr, b.Addr, why)
		add(Alert{Name: AlertSplitHistory, Node: a.ID, Peer: b.ID, Severity: Critical, Message: msg})
		add(Alert{Name: AlertSplitHistory, Node: b.ID, Peer: a.ID, Severity: Critical, Message: msg})
	}
	seen := map[[2]NodeID]bool{}
	for _, n := range g.Nodes {
		if n.Reach != ReachOK || n.Role != RoleMaster || n.ReplID2 == "" || strings.Trim(n.ReplID2, "0") == "" {
			continue
		}
		if old := byReplID[n.ReplID2]; old != nil && old != n {
			seen[[2]NodeID{n.ID, old.ID}], seen[[2]NodeID{old.ID, n.ID}] = true, true
			pair(old, n, fmt.Sprintf("%s was promoted from %s's history: its replid2 is %s", n.Addr, old.Addr, shortID(n.ReplID2)))
		}
	}
	named := map[string][]*Node{} // Sentinel group → masters named for it
	for _, s := range g.Nodes {
		for _, m := range s.Sentinel {
			n := g.ByAddr(m.Addr)
			if n == nil || n.Reach != ReachOK || n.Role != RoleMaster || containsNode(named[m.Name], n) {
				continue
			}
			named[m.Name] = append(named[m.Name], n)
		}
	}
	for name, ns := range named {
		for i := 1; i < len(ns); i++ {
			if !seen[[2]NodeID{ns[0].ID, ns[i].ID}] {
				seen[[2]NodeID{ns[0].ID, ns[i].ID}], seen[[2]NodeID{ns[i].ID, ns[0].ID}] = true, true
				pair(ns[0], ns[i], fmt.Sprintf("Sentinels name both as master of %q", name))
			}
		}
	}
}

func containsNode(ns []*Node, n *Node) bool {
	for _, x := range ns {
		if x == n {
			return true
		}
	}
	return false
}
