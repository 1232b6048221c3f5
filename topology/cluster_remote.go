package topology

import (
	"strings"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/resp"
)

// clusterCmds read a cluster node's view. They are sent only to nodes
// whose INFO says cluster_enabled:1: on any other node they would answer
// an error, and operators watch error counters (errorstat_ERR,
// total_error_replies).
var clusterCmds = [][]string{{"CLUSTER", "INFO"}, {"CLUSTER", "NODES"}}

// shardsCmd lists the cluster's shards and every node's address (Redis
// 7.0+). It is asked of one cluster node only (Remote.shardsFrom): one
// node's SHARDS names every node, so asking the other 299 of a 300-node
// cluster would add nothing but their replies' parsing. CLUSTER NODES
// stays in every node's pipeline for the flags, epochs and bus links
// SHARDS does not give.
var shardsCmd = []string{"CLUSTER", "SHARDS"}

// claimShards reports whether the probe of addr, a cluster node, asks
// CLUSTER SHARDS: when addr is the node SHARDS is asked of, or when there
// is none yet and addr never refused it. The first cluster node probed
// (the seed, or the first reachable one) keeps the role until its probe
// fails or it refuses SHARDS.
func (r *Remote) claimShards(addr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, refused := r.shardsRefused[addr]; refused {
		return false
	}
	if r.shardsFrom == "" {
		r.shardsFrom = addr
	}
	return r.shardsFrom == addr
}

// shardsAnswered records how addr, running runID, answered CLUSTER
// SHARDS: an error (unknown subcommand before 7.0, or an ACL without the
// right) is remembered, so SHARDS is not asked of addr again and another
// node may take the role.
func (r *Remote) shardsAnswered(addr, runID string, v resp.Value) {
	if v.Kind != resp.Error {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shardsRefused == nil {
		r.shardsRefused = map[string]string{}
	}
	r.shardsRefused[addr] = runID
	if r.shardsFrom == addr {
		r.shardsFrom = ""
	}
}

// forgiveShards forgets that addr refused CLUSTER SHARDS when it now runs
// another process (runID): a rolling upgrade to 7.0 restarts each node.
func (r *Remote) forgiveShards(addr, runID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if was, ok := r.shardsRefused[addr]; ok && was != runID {
		delete(r.shardsRefused, addr)
	}
}

// releaseShards gives up addr's role of answering SHARDS (its probe
// failed, or it is forgotten): the next cluster node probed takes it.
func (r *Remote) releaseShards(addr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shardsFrom == addr {
		r.shardsFrom = ""
	}
}

func (r *Remote) knownClustered(addr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clustered[addr]
}

// clusterAsk is what a probe asks of a cluster node: CLUSTER INFO and
// NODES, and CLUSTER SHARDS when shards is set.
func clusterAsk(shards bool) [][]string {
	if !shards {
		return clusterCmds
	}
	return append(clusterCmds[:len(clusterCmds):len(clusterCmds)], shardsCmd)
}

// readCluster fills rep's cluster replies: from the pipeline's last
// replies when they were asked (asked: CLUSTER INFO, NODES and, with
// shards, SHARDS), else, when INFO says the node is in cluster mode (its
// first probe, or it restarted with cluster support), with a second
// round trip on the same connection. It remembers the answers for the
// next probe.
func (r *Remote) readCluster(c *resp.Client, addr string, rep *Replies, replies []resp.Value, asked, shards bool) error {
	enabled := strings.Contains(rep.Info, "cluster_enabled:1")
	r.mu.Lock()
	r.clustered[addr] = enabled
	r.mu.Unlock()
	if !enabled {
		if shards {
			r.releaseShards(addr)
		}
		return nil
	}
	var tail []resp.Value
	if asked {
		tail = replies[max(len(replies)-len(clusterAsk(shards)), 0):]
	} else {
		shards = r.claimShards(addr)
		cmds := clusterAsk(shards)
		var buf []byte
		for _, cmd := range cmds {
			buf = resp.AppendCommand(buf, cmd...)
		}
		if err := c.WriteRaw(buf); err != nil {
			return err
		}
		tail = make([]resp.Value, len(cmds))
		for i := range tail {
			v, err := c.Receive()
			if err != nil {
				return err
			}
			tail[i] = v
		}
	}
	if tail[0].Kind == resp.BulkString && tail[1].Kind == resp.BulkString {
		rep.ClusterInfo, rep.ClusterNodes = string(tail[0].Str), string(tail[1].Str)
	}
	if shards {
		rep.ClusterShards = tail[2]
		r.shardsAnswered(addr, info.Parse(rep.Info).Str("run_id"), tail[2])
	}
	return nil
}

func (r *Remote) lastView(addr string) *ClusterNode {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.views[addr]
}

// rememberView keeps the cluster view just read for addr (forgets it when
// the node answered without one).
func (r *Remote) rememberView(addr string, c *ClusterNode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c == nil {
		delete(r.views, addr)
		return
	}
	if r.views == nil {
		r.views = map[string]*ClusterNode{}
	}
	r.views[addr] = c
}
