package metrics

import (
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/replscope/replscope/topology"
)

func fixed(g *topology.Graph) *Collector {
	return NewCollector(func() *topology.Graph { return g })
}

// expectSeries checks that each series has its value.
func expectSeries(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("missing %s", k)
		case g != v:
			t.Errorf("%s = %g, want %g", k, g, v)
		}
	}
	if t.Failed() {
		t.Logf("scraped:\n%s", dump(got))
	}
}

// expectAbsent checks that no series has one of these names and labels.
func expectAbsent(t *testing.T, got map[string]float64, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if v, ok := got[k]; ok {
			t.Errorf("%s = %g, want no such series", k, v)
		}
	}
}

const (
	linkR1 = `{master="127.0.0.1:7001",replica="127.0.0.1:7002"}`
	linkR2 = `{master="127.0.0.1:7001",replica="127.0.0.1:7003"}`
	nodeM  = `{node="127.0.0.1:7001"}`
	nodeR1 = `{node="127.0.0.1:7002"}`
	nodeU  = `{node="127.0.0.1:7005"}`
)

// TestCollectorPlainGroup exports what Assess computed for a master with
// a lagging replica, a replica whose link is down and an unreachable
// node: Redis's lag= (the ACK age) and the data lag are separate series.
func TestCollectorPlainGroup(t *testing.T) {
	got := scrape(t, fixed(plainGraph()))
	expectSeries(t, got, map[string]float64{
		"replscope_graph_timestamp_seconds{}":                                               float64(t0.Unix() + 1),
		"replscope_node_up" + nodeM:                                                         1,
		"replscope_node_up" + nodeU:                                                         0,
		`replscope_node_role{node="127.0.0.1:7001",role="master"}`:                          1,
		`replscope_node_role{master="127.0.0.1:7001",node="127.0.0.1:7002",role="replica"}`: 1,
		`replscope_node_role{node="127.0.0.1:7005",role="unknown"}`:                         1,
		"replscope_node_offset_bytes" + nodeM:                                               300_000,
		"replscope_node_offset_bytes" + nodeR1:                                              150_000,
		"replscope_node_keys" + nodeM:                                                       100,
		"replscope_node_sync_full_total" + nodeM:                                            2,
		"replscope_node_sync_partial_ok_total" + nodeM:                                      5,
		"replscope_node_sync_partial_err_total" + nodeM:                                     1,
		"replscope_node_backlog_active" + nodeM:                                             1,
		"replscope_node_backlog_size_bytes" + nodeM:                                         1 << 20,
		"replscope_node_backlog_first_byte_offset" + nodeM:                                  1,
		"replscope_node_backlog_histlen_bytes" + nodeM:                                      300_000,
		"replscope_node_write_rate_bytes_per_second" + nodeM:                                200_000,
		"replscope_node_backlog_needed_bytes" + nodeM:                                       200_000*60 + 299_500, // a minute of writes + the largest lag
		"replscope_node_data_age_seconds" + nodeM:                                           0,

		"replscope_link_up" + linkR1: 1,
		"replscope_link_up" + linkR2: 0,
		`replscope_link_state{master="127.0.0.1:7001",replica="127.0.0.1:7003",state="down"}`:                     1,
		"replscope_link_lag_bytes" + linkR1:                                                                       150_000,
		"replscope_link_lag_seconds" + linkR1:                                                                     0.75, // the master passed 150,000 a quarter into the second
		"replscope_link_ack_age_seconds" + linkR1:                                                                 1,    // lag=1 in slaveN
		"replscope_link_last_io_seconds" + linkR1:                                                                 0,
		"replscope_link_backlog_margin_bytes" + linkR1:                                                            1<<20 - 150_000,
		"replscope_link_partial_resync_possible" + linkR1:                                                         1,
		"replscope_link_output_buffer_bytes" + linkR1:                                                             4096,
		`replscope_link_output_buffer_limit_bytes{limit="hard",master="127.0.0.1:7001",replica="127.0.0.1:7002"}`: 256 << 20,
		`replscope_link_output_buffer_limit_bytes{limit="soft",master="127.0.0.1:7001",replica="127.0.0.1:7002"}`: 64 << 20,

		`replscope_alert{kind="link-down",node="127.0.0.1:7003",peer="127.0.0.1:7001",severity="critical"}`: 1,
		`replscope_alert{kind="unreachable",node="127.0.0.1:7005",severity="critical"}`:                     1,
		`replscope_alert{kind="backlog-too-small",node="127.0.0.1:7001",severity="warning"}`:                1,
	})
	expectAbsent(t, got,
		"replscope_node_offset_bytes"+nodeU, // unknown, not 0
		"replscope_node_keys"+nodeU,
		"replscope_node_data_age_seconds"+nodeU, // never answered
		"replscope_link_ack_age_seconds"+linkR2, // the master does not list it
		"replscope_link_last_io_seconds"+linkR2, // no master connection
		"replscope_link_output_buffer_bytes"+linkR2)
}

// TestCollectorDropsVanishedNodes: the collector reads the graph at each
// scrape, so a node gone from the graph leaves no series behind.
func TestCollectorDropsVanishedNodes(t *testing.T) {
	g := plainGraph()
	c := NewCollector(func() *topology.Graph { return g })
	if got := scrape(t, c); got["replscope_link_up"+linkR2] != 0 || got["replscope_node_up"+nodeU] != 0 {
		t.Fatalf("fixture:\n%s", dump(got))
	}
	at := t0.Add(2 * time.Second)
	g = assessed([]*topology.Node{
		master(addrM, "run-m", at, 300_000, line(addrR1, 300_000, 0, 0)),
		replica(addrR1, "run-r1", addrM, at, 300_000, 0),
	})
	got := scrape(t, c)
	for k := range got {
		for _, gone := range []string{addrR2, addrU} {
			if containsLabel(k, gone) {
				t.Errorf("series of a vanished node: %s", k)
			}
		}
	}
	expectSeries(t, got, map[string]float64{"replscope_link_lag_bytes" + linkR1: 0})
}

func containsLabel(series, addr string) bool {
	return len(series) > 0 && (contains(series, `"`+addr+`"`))
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestCollectorBeforeFirstRound exports nothing, and fails nothing, while
// the watcher has no graph.
func TestCollectorBeforeFirstRound(t *testing.T) {
	if got := scrape(t, fixed(nil)); len(got) != 0 {
		t.Errorf("series before the first round:\n%s", dump(got))
	}
}

// TestCollectorClusterShards labels each node and link with its shard's
// slot ranges.
func TestCollectorClusterShards(t *testing.T) {
	got := scrape(t, fixed(clusterGraph()))
	expectSeries(t, got, map[string]float64{
		`replscope_node_up{node="127.0.0.1:7001",shard="0-8191"}`:                                              1,
		`replscope_node_up{node="127.0.0.1:7003",shard="0-8191"}`:                                              1,
		`replscope_node_up{node="127.0.0.1:7004",shard="8192-16383"}`:                                          1,
		`replscope_node_role{master="127.0.0.1:7002",node="127.0.0.1:7004",role="replica",shard="8192-16383"}`: 1,
		`replscope_link_up{master="127.0.0.1:7001",replica="127.0.0.1:7003",shard="0-8191"}`:                   1,
		`replscope_link_lag_bytes{master="127.0.0.1:7002",replica="127.0.0.1:7004",shard="8192-16383"}`:        0,
		`replscope_alert{kind="shard-one-host",node="127.0.0.1:7001",severity="warning"}`:                      1,
	})
}

// TestCollectorSentinelGroup labels the monitored master, its replica
// and their link with the Sentinel group's name; the Sentinel itself is a
// node with role sentinel and no replication series.
func TestCollectorSentinelGroup(t *testing.T) {
	got := scrape(t, fixed(sentinelGraph()))
	expectSeries(t, got, map[string]float64{
		`replscope_node_up{node="127.0.0.1:7001",sentinel_group="mymaster"}`:                                          1,
		`replscope_node_role{master="127.0.0.1:7001",node="127.0.0.1:7002",role="replica",sentinel_group="mymaster"}`: 1,
		`replscope_link_up{master="127.0.0.1:7001",replica="127.0.0.1:7002",sentinel_group="mymaster"}`:               1,
		`replscope_node_role{node="127.0.0.1:26379",role="sentinel"}`:                                                 1,
	})
	expectAbsent(t, got, `replscope_node_offset_bytes{node="127.0.0.1:26379"}`)
}

// TestCollectorDuplicateLinks: two links between the same addresses (a
// stale slaveN line beside the replica's own report, after a restart gave
// one address a new ID) export one series, and the scrape does not fail.
func TestCollectorDuplicateLinks(t *testing.T) {
	g := plainGraph()
	dup := *g.Links[0]
	dup.Health.LagBytes = 1
	g.Links = append(g.Links, &dup)
	got := scrape(t, fixed(g))
	expectSeries(t, got, map[string]float64{"replscope_link_lag_bytes" + linkR1: 150_000})
}

// TestDescribeCoversCollect: every metric Collect sends was announced by
// Describe (the pedantic registry fails the scrape otherwise) and Describe
// announces each name once.
func TestDescribeCoversCollect(t *testing.T) {
	for name, g := range map[string]*topology.Graph{"plain": plainGraph(), "cluster": clusterGraph(), "sentinel": sentinelGraph()} {
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(fixed(g))
		if _, err := reg.Gather(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	names := described()
	if len(names) != len(newDescs().all()) {
		t.Errorf("%d names for %d descriptions: a name is described twice", len(names), len(newDescs().all()))
	}
	if l := names["replscope_link_ack_age_seconds"]; !slices.Equal(l, []string{"master", "replica", "shard", "sentinel_group"}) {
		t.Errorf("replscope_link_ack_age_seconds labels %q", l)
	}
	if _, ok := names["replscope_full_sync_duration_seconds"]; !ok {
		t.Errorf("described: %v", names)
	}
}
