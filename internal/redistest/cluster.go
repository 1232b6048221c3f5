package redistest

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redisproc"
)

// StartCluster starts n redis-server processes in cluster mode (each in
// its own directory, on a free port, node timeout 2 s), joins them with
// `redis-cli --cluster create … --cluster-replicas replicas --cluster-yes`
// and waits until every node reports cluster_state:ok and every replica's
// link is up. It skips the test when redis-server or redis-cli is missing.
func StartCluster(t testing.TB, n, replicas int) []*Server {
	t.Helper()
	bin := Require(t)
	cli := requireBinary(t, "redis-cli", "the Redis Cluster test", "redis-tools")
	servers := make([]*Server, n)
	args := []string{"--cluster", "create"}
	for i := range servers {
		servers[i] = StartIn(t, bin, t.TempDir(), clusterPort(t),
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		args = append(args, servers[i].Addr)
	}
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	out, err := exec.Command(cli, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	WaitCluster(t, servers, 20*time.Second)
	return servers
}

// WaitCluster waits until every running server reports cluster_state:ok
// and knows every server (cluster_known_nodes), and every replica among them has master_link_status:up.
func WaitCluster(t testing.TB, servers []*Server, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok := true
		for _, s := range servers {
			select {
			case <-s.Done():
				continue
			default:
			}
			info := string(s.Do(t, "CLUSTER", "INFO").Str)
			repl := string(s.Do(t, "INFO", "replication").Str)
			if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(len(servers))+"\r\n") ||
				(strings.Contains(repl, "role:slave") && !strings.Contains(repl, "master_link_status:up")) {
				ok = false
				break
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster not ok within %s", limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// clusterPort returns a free port whose cluster bus port (port + 10000)
// exists and was free a moment ago.
func clusterPort(t testing.TB) int {
	t.Helper()
	p, err := redisproc.FreeClusterPort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
