package topology

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/redistest"
)

// TestRealRedisClusterShards: on a real 3 × 1 cluster (redis-server
// 7.0.15) seeded with one node, the watcher finds all six nodes, groups
// the shards with CLUSTER SHARDS, and asks SHARDS of the seed alone, once
// a round (INFO commandstats: cmdstat_cluster|shards), while every node
// is still asked CLUSTER NODES.
func TestRealRedisClusterShards(t *testing.T) {
	servers := redistest.StartCluster(t, 6, 1)
	seed := servers[0]
	w, err := NewWatcher(Config{Seeds: []string{seed.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g, _ := watchUntil(t, w, 15*time.Second, "6 cluster nodes grouped by SHARDS", func(g *Graph) bool {
		return clusterOK(6)(g) && g.Cluster.ShardsFrom != ""
	})
	if n := g.Node(g.Cluster.ShardsFrom); n == nil || n.Addr != seed.Addr {
		t.Fatalf("shards from %q, want the seed %s", g.Cluster.ShardsFrom, seed.Addr)
	}
	for _, m := range g.Cluster.Members {
		if m.Health == "" {
			t.Errorf("member %s has no SHARDS health", m.Addr)
		}
	}
	const more = 3
	calls := func(s *redistest.Server, cmd string) int64 {
		// cmdstat_cluster|shards:calls=3,usec=…; absent when never called.
		stat := info.Parse(string(s.Do(t, "INFO", "commandstats").Str)).Str("cmdstat_" + cmd)
		v, _, _ := strings.Cut(strings.TrimPrefix(stat, "calls="), ",")
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	before := calls(seed, "cluster|shards")
	for range more {
		w.Poll(t.Context())
	}
	if got := calls(seed, "cluster|shards") - before; got != more {
		t.Errorf("seed asked CLUSTER SHARDS %d times in %d rounds, want %d", got, more, more)
	}
	for _, s := range servers[1:] {
		if n := calls(s, "cluster|shards"); n != 0 {
			t.Errorf("%s asked CLUSTER SHARDS %d times: only the seed should be", s.Addr, n)
		}
		if n := calls(s, "cluster|nodes"); n == 0 {
			t.Errorf("%s never asked CLUSTER NODES", s.Addr)
		}
	}
}
