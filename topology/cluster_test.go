package topology

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// clusterNodesText is a CLUSTER NODES reply of a 3×1 cluster as 7.0.15
// prints it (ids shortened to one letter repeated; the real ones are 40
// hex digits), with %s where a line's flags go.
const clusterNodesText = `aaaa 10.0.0.1:7001@17001 %s - 0 1700000000000 1 connected 0-5460
bbbb 10.0.0.2:7002@17002 %s - 0 1700000000000 2 connected 5461-10922
cccc 10.0.0.3:7003@17003 %s - 0 1700000000000 3 connected 10923-16383 [16000->-bbbb]
dddd 10.0.0.2:7004@17004 %s aaaa 0 1700000000000 1 connected
eeee 10.0.0.3:7005@17005 %s bbbb 0 1700000000000 2 connected
ffff 10.0.0.1:7006@17006 %s cccc 0 1700000000000 3 connected
`

var clusterAddrs = []string{"10.0.0.1:7001", "10.0.0.2:7002", "10.0.0.3:7003", "10.0.0.2:7004", "10.0.0.3:7005", "10.0.0.1:7006"}

// craftCluster builds probes of the six nodes; flags(i) gives line i's
// flags as every node sees them ("myself" is added on a node's own
// line); down lists nodes that do not answer; edit changes the text.
func craftCluster(flags func(i int) string, down map[int]bool, edit func(string) string) *Graph {
	at := time.Unix(1700000000, 0)
	var probes []*Node
	for me, addr := range clusterAddrs {
		if down[me] {
			probes = append(probes, failed(addr, at, fmt.Errorf("connection refused")))
			continue
		}
		args := make([]any, 6)
		for i := range args {
			f := flags(i)
			if i == me {
				f = "myself," + f
			}
			args[i] = f
		}
		text := fmt.Sprintf(clusterNodesText, args...)
		if edit != nil {
			text = edit(text)
		}
		n := &Node{ID: NodeID("run" + addr), RunID: "run" + addr, Addr: addr, Reach: ReachOK, At: at, Keys: 0,
			Role: RoleMaster, ReplID: fmt.Sprintf("%040d", me)}
		host, _, _ := strings.Cut(addr, ":")
		if me >= 3 {
			n.Role = RoleReplica
			m := clusterAddrs[me-3]
			n.Upstream = &Upstream{Addr: m, Port: portOf(m), LinkUp: true, Priority: 100}
			n.ReplID = fmt.Sprintf("%040d", me-3)
		}
		n.Cluster = clusterFromReplies(addr, "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_current_epoch:6\r\n", text, nil)
		_ = host
		probes = append(probes, n)
	}
	g := Build(at, probes, nil, clusterAddrs[:1])
	Assess(nil, g, Thresholds{})
	return g
}

func roleFlags(i int) string {
	if i < 3 {
		return "master"
	}
	return "slave"
}

func alertSet(g *Graph) []string {
	var out []string
	for _, a := range g.Alerts {
		out = append(out, string(a.Name)+" "+g.Node(a.Node).Addr)
	}
	return out
}

func TestClusterShardsAndAlerts(t *testing.T) {
	g := craftCluster(roleFlags, nil, nil)
	if len(g.Cluster.Shards) != 3 || len(g.Cluster.Uncovered) != 0 {
		t.Fatalf("shards %+v uncovered %v", g.Cluster.Shards, g.Cluster.Uncovered)
	}
	s := g.Cluster.Shards[2]
	eq(t, "shard 3 slots (importing entry skipped)", FormatSlots(s.Slots), "10923-16383")
	eq(t, "shard 3 replica", g.Node(s.Replicas[0]).Addr, "10.0.0.1:7006")
	eq(t, "healthy cluster on three hosts", alertSet(g), []string(nil))

	tests := []struct {
		name  string
		flags func(i int) string
		down  map[int]bool
		edit  func(string) string
		want  []string
	}{
		{name: "slots not covered", edit: func(s string) string {
			return strings.Replace(s, "connected 5461-10922", "connected 5461-9000", 1)
		}, want: []string{"slots-uncovered 10.0.0.1:7001"}},
		{name: "replica failed", flags: func(i int) string {
			if i == 3 {
				return "slave,fail"
			}
			return roleFlags(i)
		}, down: map[int]bool{3: true}, want: []string{"shard-no-replica 10.0.0.1:7001", "cluster-node-fail 10.0.0.2:7004", "unreachable 10.0.0.2:7004"}},
		{name: "pfail", flags: func(i int) string {
			if i == 4 {
				return "slave,fail?"
			}
			return roleFlags(i)
		}, want: []string{"cluster-node-fail 10.0.0.3:7005"}},
		{name: "one host", edit: func(s string) string {
			return strings.Replace(s, "10.0.0.2:7004", "10.0.0.1:7004", 1)
		}, want: []string{"shard-one-host 10.0.0.1:7001"}},
		{name: "master without slots has replicas", edit: func(s string) string {
			s = strings.Replace(s, "connected 0-5460", "connected", 1)
			return strings.Replace(s, "connected 5461-10922", "connected 0-10922", 1)
		}, want: []string{"master-no-slots 10.0.0.1:7001"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.flags
			if f == nil {
				f = roleFlags
			}
			g := craftCluster(f, tc.down, tc.edit)
			got := map[string]bool{}
			for _, a := range alertSet(g) {
				got[a] = true
			}
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("missing %q in %v", w, alertSet(g))
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("alerts %v, want %v", alertSet(g), tc.want)
			}
		})
	}
}

func TestClusterJSONAndDiscovery(t *testing.T) {
	g := craftCluster(roleFlags, nil, nil)
	n := g.ByAddr("10.0.0.1:7001")
	eq(t, "mentions", len(n.Mentions()), 5)
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Cluster struct {
			State  string
			Shards []struct {
				ID         string
				SlotsText  string `json:"slots_text"`
				MasterAddr string `json:"master_addr"`
				Replicas   []string
			}
		}
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	eq(t, "state", out.Cluster.State, "ok")
	eq(t, "shards", len(out.Cluster.Shards), 3)
	eq(t, "shard 1", out.Cluster.Shards[0].SlotsText+" "+out.Cluster.Shards[0].MasterAddr, "0-5460 10.0.0.1:7001")
	eq(t, "shard 1 replicas", out.Cluster.Shards[0].Replicas, []string{"run10.0.0.2:7004"})
}

// TestSplitHistory: a replica detached by hand (its replid2 is its old
// master's replid) while the old master still answers: two masters of
// one dataset take writes.
func TestSplitHistory(t *testing.T) {
	at := time.Unix(1700000000, 0)
	old := &Node{ID: "m", RunID: "m", Addr: "127.0.0.1:7001", Reach: ReachOK, At: at, Role: RoleMaster,
		ReplID: strings.Repeat("a", 40), ReplID2: strings.Repeat("0", 40)}
	promoted := &Node{ID: "r", RunID: "r", Addr: "127.0.0.1:7002", Reach: ReachOK, At: at, Role: RoleMaster,
		ReplID: strings.Repeat("b", 40), ReplID2: strings.Repeat("a", 40)}
	g := Build(at, []*Node{old, promoted}, nil, nil)
	Assess(nil, g, Thresholds{})
	eq(t, "alerts", alertSet(g), []string{"split-history 127.0.0.1:7001", "split-history 127.0.0.1:7002"})
	if !strings.Contains(g.Alerts[0].Message, "two masters of one dataset take writes") {
		t.Errorf("message %q", g.Alerts[0].Message)
	}

	// The old master follows the new one: one master, no alert.
	demoted := *old
	demoted.Role = RoleReplica
	demoted.ReplID = promoted.ReplID
	demoted.Upstream = &Upstream{Addr: promoted.Addr, Port: 7002, LinkUp: true}
	g = Build(at, []*Node{&demoted, promoted}, nil, nil)
	Assess(nil, g, Thresholds{})
	eq(t, "alerts after demotion", alertSet(g), []string(nil))

	// Two Sentinels name different masters for one group.
	a := &Node{ID: "x", RunID: "x", Addr: "127.0.0.1:7101", Reach: ReachOK, At: at, Role: RoleMaster, ReplID: strings.Repeat("c", 40)}
	b := &Node{ID: "y", RunID: "y", Addr: "127.0.0.1:7102", Reach: ReachOK, At: at, Role: RoleMaster, ReplID: strings.Repeat("d", 40)}
	s1 := &Node{ID: "s1", RunID: "s1", Addr: "127.0.0.1:26379", Reach: ReachOK, At: at, Role: RoleSentinel,
		Sentinel: []MonitoredMaster{{Name: "mymaster", Addr: a.Addr}}}
	s2 := &Node{ID: "s2", RunID: "s2", Addr: "127.0.0.1:26380", Reach: ReachOK, At: at, Role: RoleSentinel,
		Sentinel: []MonitoredMaster{{Name: "mymaster", Addr: b.Addr}}}
	g = Build(at, []*Node{a, b, s1, s2}, nil, nil)
	Assess(nil, g, Thresholds{})
	eq(t, "sentinel split", alertSet(g), []string{"split-history 127.0.0.1:7101", "split-history 127.0.0.1:7102"})
}

// TestClusterFailoverPlans: CLUSTER FAILOVER to a replica, FORCE when its
// master is flagged fail (and does not answer), TAKEOVER only when asked;
// never on a master; CLUSTER REPLICATE only to a master, with its node id.
func TestClusterFailoverPlans(t *testing.T) {
	g := craftCluster(roleFlags, nil, nil)
	r := g.ByAddr("10.0.0.2:7004") // replica of 10.0.0.1:7001
	p, err := ClusterFailoverOp(g, r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "coordinated", p.Command()+" → "+p.Target, "CLUSTER FAILOVER → 10.0.0.2:7004")
	p, _ = ClusterFailoverPlan(g, r.ID, true)
	eq(t, "takeover", p.Command(), "CLUSTER FAILOVER TAKEOVER")
	if _, err := ClusterFailoverOp(g, "10.0.0.1:7001"); err == nil || !strings.Contains(err.Error(), "is a master") {
		t.Errorf("failover on a master: %v", err)
	}

	down := craftCluster(func(i int) string {
		if i == 0 {
			return "master,fail"
		}
		return roleFlags(i)
	}, map[int]bool{0: true}, nil)
	p, err = ClusterFailoverOp(down, "10.0.0.2:7004")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "forced", p.Command(), "CLUSTER FAILOVER FORCE")
	if !strings.Contains(p.Why, "which is down") {
		t.Errorf("why %q", p.Why)
	}

	p, err = ClusterReplicatePlan(g, r.ID, "10.0.0.2:7002")
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "replicate", p.Command(), "CLUSTER REPLICATE bbbb")
	if _, err := ClusterReplicatePlan(g, r.ID, "10.0.0.3:7005"); err == nil {
		t.Error("CLUSTER REPLICATE planned towards a replica")
	}
}

// TestClusterForestOrder: shards are drawn by their first slot, each
// master with its replica nested and its slots in the note.
func TestClusterForestOrder(t *testing.T) {
	g := craftCluster(roleFlags, nil, func(s string) string {
		s = strings.Replace(s, "connected 0-5460", "connected 10923-16383", 1)
		return strings.Replace(s, "connected 10923-16383 [16000->-bbbb]", "connected 0-5460", 1)
	})
	var got []string
	for _, r := range Layout(g) {
		got = append(got, r.Prefix+g.Node(r.ID).Addr+" "+r.Note)
	}
	eq(t, "forest", got, []string{
		"10.0.0.3:7003 slots 0-5460 · epoch 3",
		"└─ 10.0.0.1:7006 ",
		"10.0.0.2:7002 slots 5461-10922 · epoch 2",
		"└─ 10.0.0.3:7005 ",
		"10.0.0.1:7001 slots 10923-16383 · epoch 1",
		"└─ 10.0.0.2:7004 ",
	})
}
