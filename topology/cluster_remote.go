package topology

import (
	"strings"

	"github.com/replscope/replscope/internal/resp"
)

// clusterCmds read a cluster node's view. They are sent only to nodes
// whose INFO says cluster_enabled:1: on any other node they would answer
// an error, and operators watch error counters (errorstat_ERR,
// total_error_replies).
var clusterCmds = [][]string{{"CLUSTER", "INFO"}, {"CLUSTER", "NODES"}}

func (r *Remote) knownClustered(addr string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clustered[addr]
}

// readCluster fills rep's cluster replies: from the pipeline's last two
// replies when they were asked (asked), else, when INFO says the node is
// in cluster mode (its first probe, or it restarted with cluster support),
// with a second round trip on the same connection. It remembers the
// answer for the next probe.
func (r *Remote) readCluster(c *resp.Client, addr string, rep *Replies, replies []resp.Value, asked bool) error {
	enabled := strings.Contains(rep.Info, "cluster_enabled:1")
	r.mu.Lock()
	r.clustered[addr] = enabled
	r.mu.Unlock()
	if !enabled {
		return nil
	}
	tail := replies[max(len(replies)-len(clusterCmds), 0):]
	if !asked {
		var buf []byte
		for _, cmd := range clusterCmds {
			buf = resp.AppendCommand(buf, cmd...)
		}
		if err := c.WriteRaw(buf); err != nil {
			return err
		}
		tail = make([]resp.Value, len(clusterCmds))
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
