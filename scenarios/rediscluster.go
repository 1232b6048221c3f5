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
	return c.waitFor(ctx, 30*time.Second, "cluster_state:ok and one view of the cluster on every node", func() bool {
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
		// Every node must agree on the layout before a failover can win
		// its election. A master that has not yet had a ping from a
		// replica since CLUSTER REPLICATE refuses it its vote ("I don't
		// know its master"), and a replica that has not yet learnt its
		// master's config epoch asks with an older one, which every
		// master refuses ("slot 5461 epoch (3) > reqEpoch (1)") for as
		// long as that master is down.
		views := make([][]topology.ClusterPeer, 0, len(names))
		for _, n := range names {
			v, err := c.Do(ctx, n, "CLUSTER", "NODES")
			if err != nil {
				return false
			}
			peers, err := topology.ParseClusterNodes(string(v.Str), "127.0.0.1")
			if err != nil {
				return false
			}
			views = append(views, peers)
		}
		replicaOf := make(map[string]string, len(replicas))
		for i, r := range replicas {
			replicaOf[ids[r]] = ids[masters[i]]
		}
		return clusterAgrees(views, replicaOf)
	})
}

// clusterAgrees reports whether every node's CLUSTER NODES view lists
// the same nodes with the same config epochs, the masters' epochs
// distinct (collisions resolved), and each replica (replicaOf: replica
// id -> master id) under its master.
func clusterAgrees(views [][]topology.ClusterPeer, replicaOf map[string]string) bool {
	if len(views) == 0 {
		return false
	}
	epoch := map[string]int64{}
	for _, view := range views {
		if len(view) != len(views[0]) {
			return false
		}
		for _, p := range view {
			if e, ok := epoch[p.ID]; ok && e != p.Epoch {
				return false
			}
			epoch[p.ID] = p.Epoch
			if m, ok := replicaOf[p.ID]; ok && (!p.Has("slave") || p.MasterID != m) {
				return false
			}
		}
	}
	seen := map[int64]bool{}
	for id, e := range epoch {
		if _, ok := replicaOf[id]; ok {
			continue
		}
		if seen[e] {
			return false
		}
		seen[e] = true
	}
	return true
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
			if l := strings.ToLower(line); strings.Contains(l, "failover") || strings.Contains(l, "election") {
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
