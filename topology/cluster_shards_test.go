package topology

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/resp"
)

func readCaptured(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(captureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestParseClusterShardsCaptured reads CLUSTER SHARDS of a real 3 × 1
// cluster (redis-server 7.0.15) and checks it against CLUSTER NODES of
// the same node at the same moment: the same ids, addresses, roles and
// slots. In the first capture the node still saw one replica as a master
// without slots (gossip had not caught up): a shard of its own with no
// slots. After a replica was killed and flagged fail, its health is
// "fail"; replicas at replication offset 0 are "loading" (Redis's rule,
// even on an idle cluster).
func TestParseClusterShardsCaptured(t *testing.T) {
	for _, tc := range []struct {
		name   string
		health map[string]int // health → how many nodes
	}{
		{"cluster-shards-ok", map[string]int{"online": 4, "loading": 2}},
		{"cluster-shards-fail", map[string]int{"online": 3, "loading": 2, "fail": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := decodeRESP(t, readCaptured(t, tc.name+".resp"))
			addr := readCaptured(t, tc.name+".addr")
			host := strings.Split(addr, ":")[0]
			shards, err := parseClusterShards(v, host)
			if err != nil {
				t.Fatal(err)
			}
			peers, err := ParseClusterNodes(readCaptured(t, tc.name+".nodes.txt"), host)
			if err != nil {
				t.Fatal(err)
			}
			masters := 0
			for _, p := range peers {
				if p.IsMaster() {
					masters++
				}
			}
			if len(shards) != masters {
				t.Fatalf("%d shards, %d masters", len(shards), masters)
			}
			health := map[string]int{}
			seen := 0
			for _, e := range shards {
				m := e.Master()
				if m == nil {
					t.Fatalf("shard %+v: no master", e)
				}
				for _, n := range e.Nodes {
					health[n.Health]++
					i := slices.IndexFunc(peers, func(p ClusterPeer) bool { return p.ID == n.ID })
					if i < 0 {
						t.Fatalf("node %s not in CLUSTER NODES", n.ID)
					}
					p := peers[i]
					seen++
					if p.Addr != n.Addr || n.TLSAddr != "" || n.Endpoint != host {
						t.Errorf("node %s: addr %q tls %q endpoint %q, CLUSTER NODES says %q", n.ID, n.Addr, n.TLSAddr, n.Endpoint, p.Addr)
					}
					if p.IsMaster() != (n.Role == "master") {
						t.Errorf("node %s: role %s, flags %v", n.ID, n.Role, p.Flags)
					}
					if n.Role == "replica" && p.MasterID != m.ID {
						t.Errorf("replica %s of %s in the shard of %s", n.ID, p.MasterID, m.ID)
					}
					if p.Has("fail") != (n.Health == "fail") {
						t.Errorf("node %s: health %s, flags %v", n.ID, n.Health, p.Flags)
					}
					if n.Role == "master" && !slices.Equal(p.Slots, e.Slots) {
						t.Errorf("master %s: slots %v, CLUSTER NODES %v", n.ID, e.Slots, p.Slots)
					}
				}
			}
			if seen != len(peers) {
				t.Errorf("%d nodes in SHARDS, %d in NODES", seen, len(peers))
			}
			for h, want := range tc.health {
				if health[h] != want {
					t.Errorf("health %v, want %v", health, tc.health)
				}
			}
		})
	}
}

// TestParseClusterShardsShapes covers what the captures do not: a
// tls-cluster node (port is the plaintext one, tls-port the TLS one), a
// TLS-only node, a hostname, a node with no ip yet, a master without
// slots, unknown keys (7.2's shard-id) and malformed replies.
func TestParseClusterShardsShapes(t *testing.T) {
	node := func(kv ...string) string {
		var b strings.Builder
		b.WriteString("*" + strconv.Itoa(len(kv)) + "\r\n")
		for i, s := range kv {
			if i%2 == 1 && strings.HasPrefix(s, ":") {
				b.WriteString(s + "\r\n")
				continue
			}
			b.WriteString("$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n")
		}
		return b.String()
	}
	shard := func(slots string, nodes ...string) string {
		return "*4\r\n$5\r\nslots\r\n" + slots + "$5\r\nnodes\r\n*" + strconv.Itoa(len(nodes)) + "\r\n" + strings.Join(nodes, "")
	}
	id := strings.Repeat("a", 40)
	for _, tc := range []struct {
		name, reply string
		want        []ShardsEntry
		err         bool
	}{
		{"tls-cluster", "*1\r\n" + shard("*2\r\n:0\r\n:16383\r\n",
			node("id", id, "port", ":6379", "tls-port", ":6380", "ip", "10.0.0.1", "endpoint", "node1.example", "hostname", "node1.example",
				"role", "master", "replication-offset", ":42", "health", "online")),
			[]ShardsEntry{{Slots: []SlotRange{{0, 16383}}, Nodes: []ShardsNode{{ID: id, Addr: "10.0.0.1:6379", TLSAddr: "10.0.0.1:6380",
				Endpoint: "node1.example", Hostname: "node1.example", Role: "master", Offset: 42, Health: "online"}}}}, false},
		{"tls only, no ip yet, 7.2 shard-id", "*1\r\n*6\r\n$2\r\nid\r\n$40\r\n" + strings.Repeat("b", 40) + "\r\n" + "$5\r\nslots\r\n*0\r\n$5\r\nnodes\r\n*1\r\n" +
			node("id", id, "tls-port", ":7000", "ip", "", "endpoint", "", "role", "master", "replication-offset", ":0", "health", "fail"),
			[]ShardsEntry{{Nodes: []ShardsNode{{ID: id, TLSAddr: "127.0.0.1:7000", Role: "master", Health: "fail"}}}}, false},
		{"empty", "*0\r\n", []ShardsEntry{}, false},
		{"error", "-ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.\r\n", nil, true},
		{"odd map", "*1\r\n*3\r\n$5\r\nslots\r\n*0\r\n$5\r\nnodes\r\n", nil, true},
		{"slots not integers", "*1\r\n" + shard("*2\r\n$1\r\n0\r\n$1\r\n5\r\n"), nil, true},
		{"node without id", "*1\r\n" + shard("*0\r\n", node("port", ":1", "role", "master")), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseClusterShards(decodeRESP(t, tc.reply), "127.0.0.1")
			if (err != nil) != tc.err {
				t.Fatalf("err %v, want error %v", err, tc.err)
			}
			if !tc.err && !shardsEqual(got, tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func shardsEqual(a, b []ShardsEntry) bool {
	return slices.EqualFunc(a, b, func(x, y ShardsEntry) bool {
		return slices.Equal(x.Slots, y.Slots) && slices.Equal(x.Nodes, y.Nodes)
	})
}

// capturedSeed is the seed of a captured cluster as a probe would read
// it: its CLUSTER NODES and, asked of it, CLUSTER SHARDS.
func capturedSeed(t *testing.T, name string, useTLS bool) *Node {
	t.Helper()
	addr := readCaptured(t, name+".addr")
	n := &Node{ID: "seed", RunID: "seed", Addr: addr, Reach: ReachOK, Role: RoleMaster, At: t0, Keys: 0}
	n.Cluster = clusterFromReplies(addr, "cluster_state:ok\r\ncluster_current_epoch:3\r\n", readCaptured(t, name+".nodes.txt"), nil)
	n.Cluster.addShards(addr, decodeRESP(t, readCaptured(t, name+".resp")), useTLS)
	return n
}

// TestClusterShardsView: the seed of the captured cluster answered
// SHARDS and no other node was probed yet. Its shards are SHARDS's (the
// slotless master of the first capture a shard of its own); the replica
// SHARDS reports "fail" is flagged fail; each member carries SHARDS's
// health and offset; discovery names the nodes SHARDS names.
func TestClusterShardsView(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shards int
		fail   int
	}{{"cluster-shards-ok", 4, 0}, {"cluster-shards-fail", 3, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			seed := capturedSeed(t, tc.name, false)
			g := Build(t0, []*Node{seed}, nil, []string{seed.Addr})
			cs := g.Cluster
			eq(t, "shards from", cs.ShardsFrom, seed.ID)
			eq(t, "shards", len(cs.Shards), tc.shards)
			eq(t, "members", len(cs.Members), 6)
			fails := 0
			for _, m := range cs.Members {
				if m.Health == "" {
					t.Errorf("member %s has no SHARDS health", m.Addr)
				}
				if m.Has("fail") != (m.Health == "fail") {
					t.Errorf("member %s: health %s flags %v", m.Addr, m.Health, m.Flags)
				}
				if m.Has("fail") {
					fails++
				}
			}
			eq(t, "failed members", fails, tc.fail)
			eq(t, "mentioned", len(seed.Mentions()), 5)
		})
	}
}

// TestClusterShardsMentionsDialAddr: SHARDS of a tls-cluster gives each
// node's plaintext port and tls-port (CLUSTER NODES only the TLS one): a
// TLS watcher dials the TLS port, a plain one the plaintext port; a node
// SHARDS names and CLUSTER NODES did not yet is dialled too; a node
// CLUSTER NODES flags noaddr is not, whatever SHARDS says.
func TestClusterShardsMentionsDialAddr(t *testing.T) {
	id := func(c byte) string { return strings.Repeat(string(c), 40) }
	nodes := id('a') + " 10.0.0.1:6380@16380 myself,master - 0 0 1 connected 0-8191\n" +
		id('b') + " 10.0.0.2:6380@16380 master - 0 0 2 connected 8192-16383\n" +
		id('d') + " :0@0 slave,noaddr " + id('b') + " 0 0 2 disconnected\n"
	bulk := func(s string) resp.Value { return resp.Value{Kind: resp.BulkString, Str: []byte(s)} }
	num := func(n int64) resp.Value { return resp.Value{Kind: resp.Integer, Int: n} }
	arr := func(vs ...resp.Value) resp.Value { return resp.Value{Kind: resp.Array, Elems: vs} }
	node := func(i, ip, role string) resp.Value {
		return arr(bulk("id"), bulk(i), bulk("port"), num(6379), bulk("tls-port"), num(6380), bulk("ip"), bulk(ip), bulk("endpoint"), bulk(ip),
			bulk("role"), bulk(role), bulk("replication-offset"), num(7), bulk("health"), bulk("online"))
	}
	reply := arr(
		arr(bulk("slots"), arr(num(0), num(8191)), bulk("nodes"), arr(node(id('a'), "10.0.0.1", "master"), node(id('c'), "10.0.0.3", "replica"))),
		arr(bulk("slots"), arr(num(8192), num(16383)), bulk("nodes"), arr(node(id('b'), "10.0.0.2", "master"), node(id('d'), "", "replica"))))
	for _, tc := range []struct {
		tls  bool
		want []string
	}{
		{false, []string{"10.0.0.2:6379", "10.0.0.3:6379"}},
		{true, []string{"10.0.0.2:6380", "10.0.0.3:6380"}},
	} {
		c := clusterFromReplies("10.0.0.1:6380", "cluster_state:ok\r\n", nodes, nil)
		c.addShards("10.0.0.1:6380", reply, tc.tls)
		got := slices.Collect(c.clusterMentioned)
		if !slices.Equal(got, tc.want) {
			t.Errorf("tls %v: mentioned %v, want %v", tc.tls, got, tc.want)
		}
	}
}
