package topology

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// ClusterNode is one node's view of a Redis Cluster, read with CLUSTER
// INFO and CLUSTER NODES: its own line (Myself), every line it knows
// (Peers, itself included) and its CLUSTER INFO counters. Nil on nodes
// that run without cluster support.
type ClusterNode struct {
	Myself ClusterPeer
	Peers  []ClusterPeer
	Info   ClusterInfo
}

// ClusterPeer is one line of CLUSTER NODES:
//
//	<id> <ip:port@cport[,hostname]> <flags> <master-id|-> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>...
type ClusterPeer struct {
	ID       string      `json:"id"`
	Addr     string      `json:"addr,omitempty"` // canonical ip:port; "" when the node has no address (noaddr, handshake)
	Flags    []string    `json:"flags"`          // myself, master, slave, fail?, fail, handshake, noaddr, nofailover, … ("fail?" is kept as "pfail")
	MasterID string      `json:"master_id,omitempty"`
	Epoch    int64       `json:"config_epoch"`
	LinkUp   bool        `json:"link_up"` // link-state connected
	Slots    []SlotRange `json:"slots,omitempty"`
}

// IsMaster reports whether the line's flags say master.
func (p ClusterPeer) IsMaster() bool { return slices.Contains(p.Flags, "master") }

// Has reports whether the line carries a flag.
func (p ClusterPeer) Has(flag string) bool { return slices.Contains(p.Flags, flag) }

// ClusterInfo is what CLUSTER INFO says.
type ClusterInfo struct {
	State         string `json:"state"` // cluster_state: ok or fail
	SlotsAssigned int    `json:"slots_assigned"`
	SlotsOK       int    `json:"slots_ok"`
	SlotsPFail    int    `json:"slots_pfail"`
	SlotsFail     int    `json:"slots_fail"`
	KnownNodes    int    `json:"known_nodes"`
	Size          int    `json:"size"` // masters serving at least one slot
	CurrentEpoch  int64  `json:"current_epoch"`
}

// SlotRange is a range of hash slots, both ends included.
type SlotRange struct {
	Lo int `json:"lo"`
	Hi int `json:"hi"`
}

// ClusterSlots is the number of hash slots of a Redis Cluster.
const ClusterSlots = 16384

// String renders the range compactly: "0-5460", or "7" for one slot.
func (r SlotRange) String() string {
	if r.Lo == r.Hi {
		return strconv.Itoa(r.Lo)
	}
	return fmt.Sprintf("%d-%d", r.Lo, r.Hi)
}

// FormatSlots renders ranges as "0-5460,5462" ("-" when there are none).
func FormatSlots(rs []SlotRange) string {
	if len(rs) == 0 {
		return "-"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// CountSlots returns how many slots the ranges hold.
func CountSlots(rs []SlotRange) int {
	n := 0
	for _, r := range rs {
		n += r.Hi - r.Lo + 1
	}
	return n
}

// parseClusterNodes reads a CLUSTER NODES reply. host is the probed
// node's host, used for a line without an ip (a node that has not yet
// learnt its own address prints ":7001@17001").
func parseClusterNodes(text, host string) ([]ClusterPeer, error) {
	var out []ClusterPeer
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 8 {
			return nil, fmt.Errorf("CLUSTER NODES: short line %q", clip(line))
		}
		p := ClusterPeer{ID: f[0], LinkUp: f[7] == "connected"}
		for _, fl := range strings.Split(f[2], ",") {
			if fl == "fail?" {
				fl = "pfail"
			}
			if fl != "noflags" {
				p.Flags = append(p.Flags, fl)
			}
		}
		if f[3] != "-" {
			p.MasterID = f[3]
		}
		p.Epoch, _ = strconv.ParseInt(f[6], 10, 64)
		p.Addr = peerAddr(f[1], host)
		if p.Has("noaddr") {
			p.Addr = ""
		}
		for _, s := range f[8:] {
			if r, ok := parseSlotRange(s); ok {
				p.Slots = append(p.Slots, r)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// peerAddr turns "ip:port@cport[,hostname]" into a canonical ip:port; ""
// when there is no port.
func peerAddr(s, host string) string {
	s, _, _ = strings.Cut(s, ",")
	s, _, _ = strings.Cut(s, "@")
	h, port, err := net.SplitHostPort(s)
	if err != nil || port == "0" || port == "" {
		return ""
	}
	if h == "" {
		h = host
	}
	return CanonAddr(net.JoinHostPort(h, port))
}

// parseSlotRange reads "0-5460" or "7"; migrating/importing entries
// ("[93->-id]") are not ranges the node serves.
func parseSlotRange(s string) (SlotRange, bool) {
	if strings.HasPrefix(s, "[") {
		return SlotRange{}, false
	}
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(lo)
	if err != nil {
		return SlotRange{}, false
	}
	b := a
	if isRange {
		if b, err = strconv.Atoi(hi); err != nil {
			return SlotRange{}, false
		}
	}
	return SlotRange{a, b}, true
}

// clusterFromReplies builds a node's cluster view from the CLUSTER INFO
// and CLUSTER NODES texts; nil when the node has no cluster support (the
// commands answered an error, so the texts are empty).
func clusterFromReplies(addr, info, nodes string) *ClusterNode {
	if info == "" || nodes == "" {
		return nil
	}
	host, _, _ := net.SplitHostPort(addr)
	peers, err := parseClusterNodes(nodes, host)
	if err != nil {
		return nil
	}
	inf := ParseInfo(info)
	c := &ClusterNode{Peers: peers, Info: ClusterInfo{
		State:         inf.Str("cluster_state"),
		SlotsAssigned: int(inf.Int("cluster_slots_assigned", 0)),
		SlotsOK:       int(inf.Int("cluster_slots_ok", 0)),
		SlotsPFail:    int(inf.Int("cluster_slots_pfail", 0)),
		SlotsFail:     int(inf.Int("cluster_slots_fail", 0)),
		KnownNodes:    int(inf.Int("cluster_known_nodes", 0)),
		Size:          int(inf.Int("cluster_size", 0)),
		CurrentEpoch:  inf.Int("cluster_current_epoch", 0),
	}}
	for _, p := range peers {
		if p.Has("myself") {
			c.Myself = p
			if c.Myself.Addr == "" {
				c.Myself.Addr = addr
			}
		}
	}
	return c
}

// clusterMentions are the addresses of the other cluster nodes a node
// knows, for discovery: nodes still in handshake or without an address
// cannot be dialled.
func (c *ClusterNode) clusterMentions() []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, p := range c.Peers {
		if p.Addr == "" || p.Has("myself") || p.Has("handshake") {
			continue
		}
		out = append(out, p.Addr)
	}
	return out
}
