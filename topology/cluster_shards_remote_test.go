package topology

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/resp"
)

// fakeClusterSpec is one node of a fake cluster: its cluster id, address,
// role and slots (masters) or master (replicas).
type fakeClusterSpec struct {
	id, addr, master string
	slots            SlotRange
}

// fakeClusterCaptures gives each node of specs a capture answering INFO
// (cluster_enabled:1), ROLE and CLUSTER INFO / NODES as Redis does, and
// CLUSTER SHARDS with shards[i] (raw RESP; "" refuses as Redis 6.2 does).
func fakeClusterCaptures(specs []fakeClusterSpec, shards []string) []capture {
	out := make([]capture, len(specs))
	for i, me := range specs {
		var nodes strings.Builder
		for _, s := range specs {
			flags, master, slots := "master", "-", " "+s.slots.String()
			if s.master != "" {
				flags, master, slots = "slave", s.master, ""
			}
			if s.id == me.id {
				flags = "myself," + flags
			}
			fmt.Fprintf(&nodes, "%s %s@16379 %s %s 0 1700000000000 1 connected%s\n", s.id, s.addr, flags, master, slots)
		}
		_, port, _ := strings.Cut(me.addr, ":")
		// Every node's INFO and ROLE say master: the replication side of a
		// cluster replica plays no part here.
		out[i] = capture{
			name: me.addr,
			info: "# Server\r\nredis_version:7.0.15\r\nrun_id:" + strings.Repeat(me.id[:1], 40) + "\r\ntcp_port:" + port +
				"\r\n# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_replid:" + strings.Repeat("0", 40) +
				"\r\nmaster_repl_offset:0\r\n# Cluster\r\ncluster_enabled:1\r\n",
			role:         resp.Value{Kind: resp.Array, Elems: []resp.Value{{Kind: resp.BulkString, Str: []byte("master")}, {Kind: resp.Integer}, {Kind: resp.Array}}},
			clusterInfo:  "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:3\r\ncluster_size:2\r\ncluster_current_epoch:1\r\n",
			clusterNodes: nodes.String(),
			shards:       shards[i],
		}
	}
	return out
}

// shardsReplyOf renders the CLUSTER SHARDS reply (RESP2) of specs, as
// Redis 7.0.15 writes it.
func shardsReplyOf(specs []fakeClusterSpec) string {
	bulk := func(s string) resp.Value { return resp.Value{Kind: resp.BulkString, Str: []byte(s)} }
	num := func(n int64) resp.Value { return resp.Value{Kind: resp.Integer, Int: n} }
	arr := func(vs ...resp.Value) resp.Value { return resp.Value{Kind: resp.Array, Elems: vs} }
	var top []resp.Value
	for _, m := range specs {
		if m.master != "" {
			continue
		}
		var nodes []resp.Value
		for _, s := range specs {
			if s.id != m.id && s.master != m.id {
				continue
			}
			host, port, _ := strings.Cut(s.addr, ":")
			var p int64
			fmt.Sscan(port, &p)
			role := "master"
			if s.master != "" {
				role = "replica"
			}
			nodes = append(nodes, arr(bulk("id"), bulk(s.id), bulk("port"), num(p), bulk("ip"), bulk(host), bulk("endpoint"), bulk(host),
				bulk("role"), bulk(role), bulk("replication-offset"), num(100), bulk("health"), bulk("online")))
		}
		top = append(top, arr(bulk("slots"), arr(num(int64(m.slots.Lo)), num(int64(m.slots.Hi))), bulk("nodes"), arr(nodes...)))
	}
	return string(encode(arr(top...)))
}

func countCmd(s *fakeServer, cmd string) int {
	n := 0
	for _, c := range s.commands() {
		if strings.EqualFold(c, cmd) {
			n++
		}
	}
	return n
}

// TestClusterShardsFallback: a seed that refuses CLUSTER SHARDS (Redis
// 6.2's unknown subcommand, or an ACL without cluster|shards) is asked it
// once, never again; discovery goes on through its CLUSTER NODES, and the
// first other node that answers SHARDS is the one node asked it every
// round from then on. When every node refuses, the shards are grouped
// from CLUSTER NODES as before and each node was asked once, until one
// restarts (a new run_id: upgraded to 7.0) and answers it.
func TestClusterShardsFallback(t *testing.T) {
	const rounds = 4
	specs := []fakeClusterSpec{
		{id: "a" + strings.Repeat("0", 39), addr: "10.0.0.1:6379", slots: SlotRange{0, 8191}},
		{id: "b" + strings.Repeat("0", 39), addr: "10.0.0.2:6379", slots: SlotRange{8192, 16383}},
		{id: "c" + strings.Repeat("0", 39), addr: "10.0.0.3:6379", master: "b" + strings.Repeat("0", 39)},
	}
	reply := shardsReplyOf(specs)
	for _, tc := range []struct {
		name         string
		seed         string // how the seed answers SHARDS
		othersRefuse bool
	}{
		{"6.2 unknown subcommand", "", false},
		{"ACL denied", "-NOPERM this user has no permissions to run the 'cluster|shards' command\r\n", false},
		{"every node refuses", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			others := reply
			if tc.othersRefuse {
				others = ""
			}
			f := newFakeNet(t)
			caps := fakeClusterCaptures(specs, []string{tc.seed, others, others})
			srv := make([]*fakeServer, len(specs))
			for i, s := range specs {
				srv[i] = f.serve(s.addr, caps[i])
			}
			w := newTestWatcher(t, f, Config{Seeds: []string{specs[0].addr}})
			var g *Graph
			for range rounds {
				g = w.Poll(t.Context()).Graph
			}
			if len(g.Nodes) != 3 || g.Cluster == nil || len(g.Cluster.Shards) != 2 {
				t.Fatalf("want 3 nodes in 2 shards:\n%s", RenderText(g))
			}
			if s := g.Cluster.Shards[1]; len(s.Replicas) != 1 || g.Node(s.Replicas[0]).Addr != specs[2].addr {
				t.Errorf("shard of b: %+v", s)
			}
			eq(t, "SHARDS asked of the seed", countCmd(srv[0], "CLUSTER SHARDS"), 1)
			nb, nc := countCmd(srv[1], "CLUSTER SHARDS"), countCmd(srv[2], "CLUSTER SHARDS")
			if tc.othersRefuse {
				eq(t, "SHARDS asked of b", nb, 1)
				eq(t, "SHARDS asked of c", nc, 1)
				eq(t, "shards from", g.Cluster.ShardsFrom, NodeID(""))
				// A rolling upgrade restarts the seed as 7.0 (a new
				// run_id): it is asked again, and keeps the role.
				srv[0].set(func(s *fakeServer) {
					s.c.shards = reply
					s.c.info = strings.Replace(s.c.info, "run_id:"+strings.Repeat("a", 40), "run_id:"+strings.Repeat("e", 40), 1)
				})
				for range 3 {
					g = w.Poll(t.Context()).Graph
				}
				eq(t, "SHARDS asked of the upgraded seed", countCmd(srv[0], "CLUSTER SHARDS"), 1+2)
				if from := g.Node(g.Cluster.ShardsFrom); from == nil || from.Addr != specs[0].addr {
					t.Errorf("shards from %q, want the upgraded seed", g.Cluster.ShardsFrom)
				}
				return
			}
			// b and c are probed at the same time on the first round:
			// either may take the role, then keeps it.
			if nb+nc != rounds || (nb != 0 && nc != 0) {
				t.Errorf("SHARDS asked %d times of b and %d of c in %d rounds: want every round of one of them", nb, nc, rounds)
			}
			from := g.Node(g.Cluster.ShardsFrom)
			if from == nil || !slices.Contains([]string{specs[1].addr, specs[2].addr}, from.Addr) {
				t.Errorf("shards from %q", g.Cluster.ShardsFrom)
			}
			for _, m := range g.Cluster.Members {
				eq(t, "health of "+m.Addr, m.Health, "online")
			}
		})
	}
}
