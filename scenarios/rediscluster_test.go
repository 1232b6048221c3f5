package scenarios

import (
	"testing"

	"github.com/replscope/replscope/topology"
)

// TestClusterAgrees reads CLUSTER NODES replies in redis-server 7.0's
// format, one per node: the cluster is ready for a failover only when
// every view shows each replica under its master and the same config
// epochs, the masters' all different.
func TestClusterAgrees(t *testing.T) {
	const (
		m1 = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"
		m2 = "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f"
		r1 = "07c37dfeb235213a872192d90877d0cd55635b91"
	)
	master := func(id string, epoch, lo, hi string) string {
		return id + " 127.0.0.1:30001@31001 master - 0 1426238316232 " + epoch + " connected " + lo + "-" + hi + "\n"
	}
	replica := func(of, epoch string) string {
		return r1 + " 127.0.0.1:30004@31004 slave " + of + " 0 1426238317239 " + epoch + " connected\n"
	}
	good := master(m1, "1", "0", "8191") + master(m2, "2", "8192", "16383") + replica(m1, "1")
	cases := []struct {
		name  string
		views []string
		want  bool
	}{
		{"agreed", []string{good, good, good}, true},
		{"a master does not know the replica's master", []string{good, master(m1, "1", "0", "8191") + master(m2, "2", "8192", "16383") + r1 + " 127.0.0.1:30004@31004 slave - 0 1 1 connected\n", good}, false},
		{"the replica is still a master somewhere", []string{good, master(m1, "1", "0", "8191") + master(m2, "2", "8192", "16383") + r1 + " 127.0.0.1:30004@31004 master - 0 1 0 connected\n", good}, false},
		{"the replica has an old epoch of its master", []string{good, good, master(m1, "0", "0", "8191") + master(m2, "2", "8192", "16383") + replica(m1, "0")}, false},
		{"masters' epochs collide", []string{master(m1, "1", "0", "8191") + master(m2, "1", "8192", "16383") + replica(m1, "1")}, false},
		{"a node not seen everywhere", []string{good, master(m1, "1", "0", "8191") + master(m2, "2", "8192", "16383")}, false},
		{"no views", nil, false},
	}
	for _, c := range cases {
		var views [][]topology.ClusterPeer
		for _, v := range c.views {
			peers, err := topology.ParseClusterNodes(v, "127.0.0.1")
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			views = append(views, peers)
		}
		if got := clusterAgrees(views, map[string]string{r1: m1}); got != c.want {
			t.Errorf("%s: clusterAgrees = %v, want %v", c.name, got, c.want)
		}
	}
}
