package scenarios

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/redisproc"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/topology"
)

// clusterArgs put a redis-server in cluster mode, with a node timeout
// short enough for a scenario (a failure is detected within ~2 s).
var clusterArgs = []string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
	"--cluster-node-timeout", "2000"}

// freePortFor is a free port for m; a cluster node also needs its bus
// port (port + 10000) to exist and be free.
func freePortFor(m *member) (int, error) {
	if !m.clustered {
		return redisproc.FreePort()
	}
	return redisproc.FreeClusterPort()
}

// AddRedisCluster starts names as redis-server processes in cluster mode
// and joins them as one Redis Cluster: the first half are masters with
// the 16384 slots split evenly, the second half replicas of the first in
// order (with six nodes: d follows a, e follows b, f follows c). It
// returns when every node reports cluster_state:ok and every replica's
// link is up.
func (c *Cluster) AddRedisCluster(ctx context.Context, names []string) error {
	if len(names) < 2 || len(names)%2 != 0 {
		return fmt.Errorf("a cluster needs an even number of nodes (masters, then one replica each), got %d", len(names))
	}
	for _, n := range names {
		if err := c.add(n, Redis, true); err != nil {
			return err
		}
	}
	masters, replicas := names[:len(names)/2], names[len(names)/2:]
	per := 16384 / len(masters)
	for i, m := range masters {
		hi := (i+1)*per - 1
		if i == len(masters)-1 {
			hi = 16383
		}
		if err := c.must(ctx, m, "CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(i*per), strconv.Itoa(hi)); err != nil {
			return err
		}
	}
	for _, n := range names[1:] {
		if err := c.must(ctx, n, "CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(c.port(names[0]))); err != nil {
			return err
		}
	}
	ids := map[string]string{}
	for _, n := range names {
		v, err := c.Do(ctx, n, "CLUSTER", "MYID")
		if err != nil {
			return err
		}
		ids[n] = string(v.Str)
	}
	for i, r := range replicas {
		if err := c.waitFor(ctx, 20*time.Second, r+" knows "+masters[i], func() bool {
			v, err := c.Do(ctx, r, "CLUSTER", "NODES")
			return err == nil && strings.Contains(string(v.Str), ids[masters[i]])
		}); err != nil {
			return err
		}
		if err := c.must(ctx, r, "CLUSTER", "REPLICATE", ids[masters[i]]); err != nil {
			return err
		}
	}
	return c.waitFor(ctx, 30*time.Second, "cluster_state:ok on every node", func() bool {
		for _, n := range names {
			info, err := c.Do(ctx, n, "CLUSTER", "INFO")
			if err != nil || !strings.Contains(string(info.Str), "cluster_state:ok") ||
				!strings.Contains(string(info.Str), "cluster_known_nodes:"+strconv.Itoa(len(names))+"\r\n") {
				return false
			}
		}
		for _, r := range replicas {
			v, err := c.Do(ctx, r, "INFO", "replication")
			if err != nil || !strings.Contains(string(v.Str), "master_link_status:up") {
				return false
			}
		}
		// Every node must know each replica's master: a master that
		// does not yet (it has not had a ping from the replica since
		// CLUSTER REPLICATE) refuses it its vote, "I don't know its
		// master", and a failover right after the setup loses its
		// election.
		for _, n := range names {
			v, err := c.Do(ctx, n, "CLUSTER", "NODES")
			if err != nil {
				return false
			}
			for i, r := range replicas {
				if !replicaKnown(string(v.Str), ids[r], ids[masters[i]]) {
					return false
				}
			}
		}
		return true
	})
}

// replicaKnown reports whether a CLUSTER NODES reply shows the node id
// as a replica of master.
func replicaKnown(nodes, id, master string) bool {
	peers, err := topology.ParseClusterNodes(nodes, "127.0.0.1")
	if err != nil {
		return false
	}
	for _, p := range peers {
		if p.ID == id {
			return p.Has("slave") && p.MasterID == master
		}
	}
	return false
}

// ClusterFailover sends CLUSTER FAILOVER [FORCE|TAKEOVER] to the replica
// name and waits until it reports itself master. A failover that Redis
// abandons (its manual failover timeout is 5 s; a forced one right after
// the master died can lose its election) is asked again, three times in
// all.
func (c *Cluster) ClusterFailover(ctx context.Context, name, mode string) error {
	args := []string{"CLUSTER", "FAILOVER"}
	if mode != "" {
		args = append(args, strings.ToUpper(mode))
	}
	isMaster := func() bool {
		v, err := c.Do(ctx, name, "ROLE")
		return err == nil && v.Kind == resp.Array && len(v.Elems) > 0 && string(v.Elems[0].Str) == "master"
	}
	for attempt := 0; attempt < 3; attempt++ {
		if err := c.must(ctx, name, args...); err != nil {
			return err
		}
		if c.waitFor(ctx, 7*time.Second, name+" master", isMaster) == nil {
			return nil
		}
	}
	return fmt.Errorf("%s: %s accepted three times but it is not a master after 21 s%s", name, strings.Join(args, " "), c.electionLog())
}

// electionLog gathers the lines about failover elections from every
// running redis-server's log (who asked, who voted or refused and why),
// to follow an error about a failover that did not happen.
func (c *Cluster) electionLog() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, name := range c.order {
		m := c.members[name]
		if m == nil || m.proc == nil {
			continue
		}
		for _, line := range strings.Split(m.proc.Log(), "\n") {
			if strings.Contains(line, "ailover") || strings.Contains(line, "election") {
				b.WriteString("\n  " + name + ": " + line)
			}
		}
	}
	return b.String()
}

// port is the member's port (0 when unknown).
func (c *Cluster) port(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.members[name]; m != nil {
		return m.port
	}
	return 0
}

// waitFor polls cond until it holds, ctx ends or limit passes.
func (c *Cluster) waitFor(ctx context.Context, limit time.Duration, what string, cond func() bool) error {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("no %s after %s", what, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond): // polling interval
		}
	}
	return nil
}
