package topology

import (
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/replscope/replscope/internal/resp"
)

// CLUSTER SHARDS (Redis 7.0+) answers one entry per master, each a map
// of "slots" (start/end integer pairs) and "nodes": the master and the
// replicas serving its slots, each a map of id, port and/or tls-port, ip,
// endpoint, hostname (when set), role (master or replica),
// replication-offset and health (Redis 7.0.15 src/cluster.c,
// clusterReplyShards). Under RESP2 every map is a flat array of keys and
// values; under RESP3 it is a map whose entries come in the same order.
// The probes speak RESP2, so the parser reads the flat form; an unknown
// key is skipped, so later versions' fields (shard-id, 7.2) do no harm.
//
// health is "fail" when the answering node flags that node failed, else
// "loading" for a replica whose replication offset is 0, else "online".
// A replica of an idle cluster (no write since it was created) has offset
// 0 too, so "loading" alone does not mean the replica is loading: only
// together with its INFO (loading:1, or a sync in progress).

// ShardsNode is one node of a CLUSTER SHARDS entry.
type ShardsNode struct {
	ID       string `json:"id"`
	Addr     string `json:"addr,omitempty"`     // ip:port, the plaintext port ("" when the node has none)
	TLSAddr  string `json:"tls_addr,omitempty"` // ip:tls-port, when the cluster runs tls-cluster
	Endpoint string `json:"endpoint,omitempty"` // the preferred endpoint (ip, hostname or "?")
	Hostname string `json:"hostname,omitempty"`
	Role     string `json:"role"` // master or replica
	Offset   int64  `json:"replication_offset"`
	Health   string `json:"health"` // online, fail or loading
}

// ShardsEntry is one shard of CLUSTER SHARDS: a master's slots and the
// nodes serving them.
type ShardsEntry struct {
	Slots []SlotRange  `json:"slots"`
	Nodes []ShardsNode `json:"nodes"`
}

// Master returns the entry's master node, or nil.
func (e ShardsEntry) Master() *ShardsNode {
	for i := range e.Nodes {
		if e.Nodes[i].Role == "master" {
			return &e.Nodes[i]
		}
	}
	return nil
}

// dialAddr is the address a watcher reaches the node at: its TLS port
// when the watcher speaks TLS, else its plaintext port; the other one
// when the node has only that.
func (n ShardsNode) dialAddr(useTLS bool) string {
	if useTLS && n.TLSAddr != "" || n.Addr == "" {
		return n.TLSAddr
	}
	return n.Addr
}

// parseClusterShards reads a CLUSTER SHARDS reply. host is the probed
// node's host, used for a node without an ip (a node that has not yet
// learnt its own address). It reads one reply a round (of one node, 300
// entries on a 300-node cluster), so the usual values are not copied.
func parseClusterShards(v resp.Value, host string) ([]ShardsEntry, error) {
	if v.Kind != resp.Array || v.Null {
		return nil, fmt.Errorf("CLUSTER SHARDS: not an array: %q", clip(v.String()))
	}
	out := make([]ShardsEntry, 0, len(v.Elems))
	for _, sv := range v.Elems {
		e, err := parseShardsEntry(sv, host)
		if err != nil {
			return nil, fmt.Errorf("CLUSTER SHARDS: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

func parseShardsEntry(v resp.Value, host string) (ShardsEntry, error) {
	var e ShardsEntry
	if err := isMap(v); err != nil {
		return e, err
	}
	for i := 0; i < len(v.Elems); i += 2 {
		val := v.Elems[i+1]
		switch string(v.Elems[i].Str) {
		case "slots":
			if err := readSlotPairs(val, &e.Slots); err != nil {
				return e, fmt.Errorf("slots: %w", err)
			}
		case "nodes":
			if val.Kind != resp.Array {
				return e, errors.New("nodes: not an array")
			}
			e.Nodes = make([]ShardsNode, 0, len(val.Elems))
			for _, nv := range val.Elems {
				n, err := parseShardsNode(nv, host)
				if err != nil {
					return e, fmt.Errorf("nodes: %w", err)
				}
				e.Nodes = append(e.Nodes, n)
			}
		}
	}
	return e, nil
}

func parseShardsNode(v resp.Value, host string) (ShardsNode, error) {
	var n ShardsNode
	if err := isMap(v); err != nil {
		return n, err
	}
	var ip, endpoint []byte
	var port, tlsPort int64
	for i := 0; i < len(v.Elems); i += 2 {
		val := v.Elems[i+1]
		switch string(v.Elems[i].Str) {
		case "id":
			n.ID = string(val.Str)
		case "port":
			port = val.Int
		case "tls-port":
			tlsPort = val.Int
		case "ip":
			ip = val.Str
		case "endpoint":
			endpoint = val.Str
		case "hostname":
			n.Hostname = string(val.Str)
		case "role":
			n.Role = common(val.Str)
		case "replication-offset":
			n.Offset = val.Int
		case "health":
			n.Health = common(val.Str)
		}
	}
	if n.ID == "" {
		return n, errors.New("a node without an id")
	}
	h := string(ip)
	if h == "" {
		h = host
	}
	if string(endpoint) == h {
		n.Endpoint = h
	} else {
		n.Endpoint = string(endpoint)
	}
	if h != "" {
		if port > 0 {
			n.Addr = JoinAddr(h, strconv.FormatInt(port, 10))
		}
		if tlsPort > 0 {
			n.TLSAddr = JoinAddr(h, strconv.FormatInt(tlsPort, 10))
		}
	}
	return n, nil
}

// common returns the role and health values without a copy.
func common(b []byte) string {
	switch string(b) {
	case "master":
		return "master"
	case "replica":
		return "replica"
	case "online":
		return "online"
	case "fail":
		return "fail"
	case "loading":
		return "loading"
	}
	return string(b)
}

// isMap checks that v is a map sent as a flat RESP2 array of keys and
// values.
func isMap(v resp.Value) error {
	if v.Kind != resp.Array || len(v.Elems)%2 != 0 {
		return fmt.Errorf("not a map: %q", clip(v.String()))
	}
	return nil
}

// readSlotPairs reads slots as start/end integer pairs.
func readSlotPairs(v resp.Value, out *[]SlotRange) error {
	if v.Kind != resp.Array || len(v.Elems)%2 != 0 {
		return fmt.Errorf("not pairs of integers")
	}
	for i := 0; i < len(v.Elems); i += 2 {
		lo, hi := v.Elems[i], v.Elems[i+1]
		if lo.Kind != resp.Integer || hi.Kind != resp.Integer {
			return fmt.Errorf("not pairs of integers")
		}
		*out = append(*out, SlotRange{int(lo.Int), int(hi.Int)})
	}
	return nil
}

// addShards reads the node's CLUSTER SHARDS reply into c (nothing when it
// was not asked, refused or unreadable) and works out the address each
// node it names is dialled at: the TLS port for a TLS watcher (useTLS).
// Only the addresses that differ from CLUSTER NODES's are kept. A node
// CLUSTER NODES flags noaddr or handshake has no address to dial,
// whatever SHARDS says (SHARDS prints an empty ip for it, which the
// parser took for the probed host's).
func (c *ClusterNode) addShards(addr string, v resp.Value, useTLS bool) {
	if c == nil || v.Kind != resp.Array {
		return
	}
	host, _, _ := net.SplitHostPort(addr)
	shards, err := parseClusterShards(v, host)
	if err != nil {
		return
	}
	c.Shards = shards
	known := make(map[string]int, len(c.Peers))
	for i := range c.Peers {
		known[c.Peers[i].ID] = i
	}
	for _, e := range shards {
		for _, n := range e.Nodes {
			if n.ID == c.Myself.ID {
				continue
			}
			a := n.dialAddr(useTLS)
			i, ok := known[n.ID]
			if !ok {
				if a != "" {
					c.shardsOnly = append(c.shardsOnly, a)
				}
				continue
			}
			p := &c.Peers[i]
			if p.Has("noaddr") || p.Has("handshake") {
				a = ""
			}
			if a == p.Addr { // the usual case: nothing to note
				continue
			}
			if c.shardAddrs == nil {
				c.shardAddrs = map[string]string{}
			}
			c.shardAddrs[n.ID] = a
		}
	}
}
