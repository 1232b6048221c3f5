package metrics

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/topology"
)

// serveWatch starts a Watcher over seeds and serves its metrics; both
// stop with the test. It returns the /metrics URL.
func serveWatch(t *testing.T, seeds ...string) string {
	t.Helper()
	w, err := topology.NewWatcher(topology.Config{Seeds: seeds, Interval: 300 * time.Millisecond, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	w.Start()
	s, err := Serve("127.0.0.1:0", w.Latest)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return "http://" + s.Addr() + "/metrics"
}

// TestRealSentinelGroupLabels watches a real Sentinel-managed group from
// its Sentinel: the master, the replica and their link carry the group's
// name; the Sentinel is a node of role sentinel.
func TestRealSentinelGroupLabels(t *testing.T) {
	redistest.RequireSentinel(t)
	m := redistest.Start(t)
	r := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	s := redistest.StartSentinel(t, []redistest.Monitor{{Name: "orders", Port: m.Port, Quorum: 1}})
	url := serveWatch(t, s.Addr)
	group := `sentinel_group="orders"`
	scrapeUntil(t, url, 20*time.Second, "the group's link labelled with its name", func(e exposition) bool {
		_, link := e.find("replscope_link_up", `master="`+m.Addr+`"`, `replica="`+r.Addr+`"`, group)
		_, node := e.find("replscope_node_offset_bytes", `node="`+r.Addr+`"`, group)
		_, sent := e.find("replscope_node_role", `node="`+s.Addr+`"`, `role="sentinel"`)
		return link && node && sent
	})
}

// TestRealClusterShardLabels watches a real three-shard Redis Cluster
// from one node: every link carries its shard's slot ranges, the same as
// its master's node series.
func TestRealClusterShardLabels(t *testing.T) {
	servers := redistest.StartCluster(t, 6, 1)
	url := serveWatch(t, servers[0].Addr)
	linkRE := regexp.MustCompile(`^replscope_link_up\{master="([^"]+)",replica="[^"]+",sentinel_group="",shard="(\d+-\d+)"\}$`)
	links := func(e exposition) [][]string {
		var out [][]string
		for k, v := range e {
			if m := linkRE.FindStringSubmatch(k); m != nil && v == 1 {
				out = append(out, m)
			}
		}
		return out
	}
	e := scrapeUntil(t, url, 20*time.Second, "three links up, each with its shard's slots", func(e exposition) bool {
		return len(links(e)) == 3
	})
	shards := map[string]bool{}
	for _, m := range links(e) {
		if _, ok := e.find("replscope_node_up", `node="`+m[1]+`"`, `shard="`+m[2]+`"`); !ok {
			t.Errorf("%s: its master has no replscope_node_up with shard %q", m[0], m[2])
		}
		shards[m[2]] = true
	}
	if len(shards) != 3 {
		t.Errorf("shards %v, want 3", shards)
	}
}
