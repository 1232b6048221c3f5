package topology

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/info"
)

// ClusterNode is one node's view of a Redis Cluster, read with CLUSTER
// INFO, CLUSTER NODES and (of one node a round) CLUSTER SHARDS: its own line (Myself), every line it knows
// (Peers, itself included) and its CLUSTER INFO counters. Nil on nodes
// that run without cluster support.
type ClusterNode struct {
	Myself ClusterPeer
	Peers  []ClusterPeer
	Info   ClusterInfo
	// Shards is the node's CLUSTER SHARDS (nil when it was not asked, or
	// refused: it is asked of one node a round, see shardsCmd).
	Shards []ShardsEntry
	// text is the CLUSTER NODES reply Peers were read from: the next
	// probe of the node parses only the lines that changed (reusePeers).
	text string
	// shardAddrs maps the cluster id of a node SHARDS names at another
	// address than its Peers line to the address to dial ("" for none);
	// shardsOnly are the addresses of the nodes SHARDS names that Peers
	// lacks (clusterMentioned).
	shardAddrs map[string]string
	shardsOnly []string
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

// ParseClusterNodes reads a CLUSTER NODES reply. host is the probed
// node's host, used for a line without an ip (a node that has not yet
// learnt its own address prints ":7001@17001"). A probe parses one such
// reply per node every round, so a 300-node cluster is 90,000 lines a
// round: the parser splits by hand and shares the common flag sets.
func ParseClusterNodes(text, host string) ([]ClusterPeer, error) {
	out := make([]ClusterPeer, 0, strings.Count(text, "\n")+1)
	var f [9]string
	for rest := text; rest != ""; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		nf, tail := 0, line
		for nf < len(f) {
			for tail != "" && tail[0] == ' ' {
				tail = tail[1:]
			}
			if tail == "" {
				break
			}
			j := strings.IndexByte(tail, ' ')
			if j < 0 || nf == len(f)-1 { // the last field; the slots kept whole
				f[nf], tail = tail, ""
			} else {
				f[nf], tail = tail[:j], tail[j+1:]
			}
			nf++
		}
		if nf < 8 {
			return nil, fmt.Errorf("CLUSTER NODES: short line %q", clip(line))
		}
		p := ClusterPeer{ID: f[0], LinkUp: f[7] == "connected", Flags: parseFlags(f[2])}
		if f[3] != "-" {
			p.MasterID = f[3]
		}
		p.Epoch, _ = strconv.ParseInt(f[6], 10, 64)
		if !p.Has("noaddr") {
			p.Addr = peerAddr(f[1], host)
		}
		for sl := range strings.FieldsSeq(f[8][:len(f[8])*(nf/9)]) {
			if r, ok := parseSlotRange(sl); ok {
				p.Slots = append(p.Slots, r)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// The flag sets nearly every line carries, shared
// (read-only) between parses.
var (
	flagsMaster       = []string{"master"}
	flagsSlave        = []string{"slave"}
	flagsMyselfMaster = []string{"myself", "master"}
	flagsMyselfSlave  = []string{"myself", "slave"}
)

// parseFlags splits a flags field; "fail?" becomes "pfail", "noflags"
// none. The result may be shared: never modify it in place.
func parseFlags(s string) []string {
	switch s {
	case "master":
		return flagsMaster
	case "slave":
		return flagsSlave
	case "myself,master":
		return flagsMyselfMaster
	case "myself,slave":
		return flagsMyselfSlave
	}
	var out []string
	for _, fl := range strings.Split(s, ",") {
		switch fl {
		case "fail?":
			out = append(out, "pfail")
		case "noflags", "":
		default:
			out = append(out, fl)
		}
	}
	return out
}

// peerAddr turns "ip:port@cport[,hostname]" into a canonical ip:port; ""
// when there is no port. A plain IPv4 address is canonical already.
func peerAddr(s, host string) string {
	s, _, _ = strings.Cut(s, ",")
	s, _, _ = strings.Cut(s, "@")
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return ""
	}
	h, port := s[:i], s[i+1:]
	if port == "0" || port == "" {
		return ""
	}
	if h == "" {
		h = host
	}
	if plainIPv4(h) {
		return s // canonical already: a substring, no copy
	}
	return JoinAddr(h, port)
}

// plainIPv4 reports whether h is dotted-quad digits with no leading zeros
// (what net.ParseIP(h).String() gives back unchanged).
func plainIPv4(h string) bool {
	dots, digits, val := 0, 0, 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c == '.':
			if digits == 0 {
				return false
			}
			dots, digits, val = dots+1, 0, 0
		case c >= '0' && c <= '9':
			if digits > 0 && val == 0 { // leading zero
				return false
			}
			digits, val = digits+1, val*10+int(c-'0')
			if val > 255 {
				return false
			}
		default:
			return false
		}
	}
	return dots == 3 && digits > 0
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
// commands answered an error, so the texts are empty). prev is the same
// node's previous view (nil for none): its unchanged lines are not parsed
// again.
func clusterFromReplies(addr, infoText, nodes string, prev *ClusterNode) *ClusterNode {
	if infoText == "" || nodes == "" {
		return nil
	}
	host, _, _ := net.SplitHostPort(addr)
	peers, err := reusePeers(nodes, host, prev)
	if err != nil {
		return nil
	}
	inf := info.Parse(infoText)
	c := &ClusterNode{Peers: peers, text: nodes, Info: ClusterInfo{
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

// clusterMentioned yields the addresses of the other cluster nodes a
// node knows, for discovery: nodes still in handshake or without an
// address cannot be dialled. A node that answered CLUSTER SHARDS names
// each node at the address SHARDS gives for it (its TLS port for a TLS
// watcher), and also the nodes SHARDS lists that its CLUSTER NODES,
// read a moment before, did not.
func (c *ClusterNode) clusterMentioned(yield func(string) bool) {
	if c == nil {
		return
	}
	for _, p := range c.Peers {
		if p.Addr == "" || p.Has("myself") || p.Has("handshake") {
			continue
		}
		a := p.Addr
		if c.shardAddrs != nil { // one node a round: every other skips the look-up
			if s, ok := c.shardAddrs[p.ID]; ok {
				if a = s; a == "" {
					continue
				}
			}
		}
		if !yield(a) {
			return
		}
	}
	for _, a := range c.shardsOnly {
		if !yield(a) {
			return
		}
	}
}
