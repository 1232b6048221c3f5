package topology

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/resp"
)

// SentinelMaster is one master as a Sentinel sees it (SENTINEL MASTERS,
// SENTINEL REPLICAS and SENTINEL SENTINELS for its name): what a probe of
// a Sentinel reads beyond INFO.
type SentinelMaster struct {
	Name          string
	Addr          string   // canonical ip:port
	Flags         []string // master, s_down, o_down, failover_in_progress, …
	Quorum        int
	Others        int   // num-other-sentinels
	ConfigEpoch   int64 // config-epoch: rises with every failover
	FailoverState string
	Replicas      []SentinelReplica
	Peers         []string // the other Sentinels' addresses
}

// SentinelReplica is one replica of a monitored master as a Sentinel
// sees it: what its promotion rules read.
type SentinelReplica struct {
	Addr     string   `json:"addr"`
	RunID    string   `json:"run_id,omitempty"`
	Flags    []string `json:"flags"`
	Priority int      `json:"priority"` // slave-priority (0 = never promoted)
	Offset   int64    `json:"offset"`   // slave-repl-offset
	LinkUp   bool     `json:"link_up"`  // master-link-status ok
}

// SentinelGroup is one Sentinel-managed group: a master name, the master
// the freshest Sentinel (highest config epoch) names, its replicas, and
// what Sentinel would do now.
type SentinelGroup struct {
	Name   string `json:"name"`
	Master string `json:"master"` // the address Sentinel names
	Quorum int    `json:"quorum"`
	// Sentinels are the addresses of the probed Sentinels that monitor
	// the name; Known is how many Sentinels those know of (themselves
	// included).
	Sentinels []string `json:"sentinels"`
	Known     int      `json:"known_sentinels"`
	// DownVotes is how many probed Sentinels flag the master s_down;
	// ODown is the objective verdict (quorum reached).
	DownVotes     int               `json:"down_votes"`
	ODown         bool              `json:"odown"`
	FailoverState string            `json:"failover_state,omitempty"`
	ConfigEpoch   int64             `json:"config_epoch"`
	Replicas      []SentinelReplica `json:"replicas"`
	// Pick is the replica Sentinel would promote now by its rules, ""
	// when none qualifies; PickWhy says why (or why none).
	Pick    string `json:"pick,omitempty"`
	PickWhy string `json:"pick_why"`
}

// Members returns the master's and the replicas' addresses.
func (s *SentinelGroup) Members() []string {
	out := []string{s.Master}
	for _, r := range s.Replicas {
		out = append(out, r.Addr)
	}
	return out
}

// SentinelPick applies Sentinel's replica selection (sentinelSelectSlave):
// replicas flagged s_down, o_down or disconnected and those with
// replica-priority 0 are skipped; of the rest, the lowest priority wins,
// then the highest replication offset, then the smallest run_id. It
// returns the chosen address ("" when none) and why.
func SentinelPick(reps []SentinelReplica) (string, string) {
	var ok []SentinelReplica
	var skipped []string
	for _, r := range reps {
		switch {
		case sentinelHasFlag(r.Flags, "s_down"), sentinelHasFlag(r.Flags, "o_down"), sentinelHasFlag(r.Flags, "disconnected"):
			skipped = append(skipped, r.Addr+" down")
		case r.Priority == 0:
			skipped = append(skipped, r.Addr+" priority 0")
		default:
			ok = append(ok, r)
		}
	}
	if len(ok) == 0 {
		why := "no replica qualifies"
		if len(skipped) > 0 {
			why += " (" + strings.Join(skipped, ", ") + ")"
		}
		return "", why
	}
	sort.SliceStable(ok, func(i, j int) bool {
		a, b := ok[i], ok[j]
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		if a.Offset != b.Offset {
			return a.Offset > b.Offset
		}
		return a.RunID < b.RunID
	})
	p := ok[0]
	why := fmt.Sprintf("priority %d, offset %d", p.Priority, p.Offset)
	if len(ok) > 1 {
		why += fmt.Sprintf(", best of %d candidates", len(ok))
	}
	if len(skipped) > 0 {
		why += "; skipped " + strings.Join(skipped, ", ")
	}
	return p.Addr, why
}

func sentinelHasFlag(flags []string, f string) bool { return slices.Contains(flags, f) }

// sentinelGroups gathers the groups the probed Sentinels of g monitor,
// by master name. The Sentinel with the highest config epoch names the
// master and the replicas; every Sentinel that flags the master s_down
// counts as a down vote.
func sentinelGroups(g *Graph) []SentinelGroup {
	byName := map[string]*SentinelGroup{}
	var names []string
	for _, n := range g.Nodes {
		if n.Reach != ReachOK || n.Role != RoleSentinel {
			continue
		}
		for _, m := range n.SentinelView {
			sg := byName[m.Name]
			if sg == nil {
				sg = &SentinelGroup{Name: m.Name, ConfigEpoch: -1}
				byName[m.Name] = sg
				names = append(names, m.Name)
			}
			sg.Sentinels = append(sg.Sentinels, n.Addr)
			if sentinelHasFlag(m.Flags, "s_down") {
				sg.DownVotes++
			}
			if sentinelHasFlag(m.Flags, "o_down") {
				sg.ODown = true
			}
			if m.FailoverState != "" && m.FailoverState != "none" {
				sg.FailoverState = m.FailoverState
			}
			if m.ConfigEpoch > sg.ConfigEpoch {
				sg.ConfigEpoch, sg.Master, sg.Quorum = m.ConfigEpoch, m.Addr, m.Quorum
				sg.Replicas = m.Replicas
			}
			sg.Known = max(sg.Known, m.Others+1)
		}
	}
	sort.Strings(names)
	out := make([]SentinelGroup, 0, len(names))
	for _, name := range names {
		sg := byName[name]
		sort.Strings(sg.Sentinels)
		sg.Pick, sg.PickWhy = SentinelPick(sg.Replicas)
		out = append(out, *sg)
	}
	return out
}

// SentinelGroupOf returns the Sentinel-managed group node id belongs to
// (as the master or a replica Sentinel names), or nil.
func (g *Graph) SentinelGroupOf(id NodeID) *SentinelGroup {
	n := g.Node(id)
	if n == nil || n.Role == RoleSentinel {
		return nil
	}
	for i := range g.Sentinels {
		sg := &g.Sentinels[i]
		for _, a := range sg.Members() {
			if a == n.Addr || slices.Contains(n.Aliases, a) {
				return sg
			}
		}
	}
	return nil
}

// sentinelPeers lists the other Sentinels a Sentinel knows: discovery
// probes them too, so every Sentinel's opinion counts.
func (n *Node) sentinelPeers() []string {
	var out []string
	for _, m := range n.SentinelView {
		for _, p := range m.Peers {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// fieldMap turns one SENTINEL MASTERS/REPLICAS/SENTINELS entry (a flat
// name/value array) into a map.
func sentinelFields(v resp.Value) map[string]string {
	m := make(map[string]string, len(v.Elems)/2)
	for i := 0; i+1 < len(v.Elems); i += 2 {
		m[string(v.Elems[i].Str)] = string(v.Elems[i+1].Str)
	}
	return m
}

func sentinelAddr(f map[string]string) string { return CanonAddr(f["ip"] + ":" + f["port"]) }

func sentinelInt(s string) int           { n, _ := strconv.Atoi(s); return n }
func sentinelInt64(s string) int64       { n, _ := strconv.ParseInt(s, 10, 64); return n }
func sentinelFlagList(s string) []string { return strings.Split(s, ",") }

// parseSentinelMaster reads one SENTINEL MASTERS entry.
func parseSentinelMaster(v resp.Value) SentinelMaster {
	f := sentinelFields(v)
	return SentinelMaster{Name: f["name"], Addr: sentinelAddr(f), Flags: sentinelFlagList(f["flags"]),
		Quorum: sentinelInt(f["quorum"]), Others: sentinelInt(f["num-other-sentinels"]),
		ConfigEpoch: sentinelInt64(f["config-epoch"]), FailoverState: f["failover-state"]}
}

// parseSentinelReplicas reads SENTINEL REPLICAS <name>.
func parseSentinelReplicas(v resp.Value) []SentinelReplica {
	var out []SentinelReplica
	for _, e := range v.Elems {
		f := sentinelFields(e)
		out = append(out, SentinelReplica{Addr: sentinelAddr(f), RunID: f["runid"], Flags: sentinelFlagList(f["flags"]),
			Priority: sentinelInt(f["slave-priority"]), Offset: sentinelInt64(f["slave-repl-offset"]),
			LinkUp: f["master-link-status"] == "ok"})
	}
	sort.Slice(out, func(i, j int) bool { return addrLess(out[i].Addr, out[j].Addr) })
	return out
}

// parseSentinelPeers reads SENTINEL SENTINELS <name>.
func parseSentinelPeers(v resp.Value) []string {
	var out []string
	for _, e := range v.Elems {
		out = append(out, sentinelAddr(sentinelFields(e)))
	}
	return out
}

// readSentinelView asks a Sentinel what it knows of each master it
// monitors: SENTINEL MASTERS, then SENTINEL REPLICAS and SENTINEL
// SENTINELS for every name in one pipeline (two round trips in all).
func readSentinelView(c *resp.Client) ([]SentinelMaster, error) {
	v, err := c.Do("SENTINEL", "MASTERS")
	if err != nil {
		return nil, fmt.Errorf("SENTINEL MASTERS: %w", err)
	}
	if v.Kind != resp.Array {
		return nil, nil // a restricted Sentinel: INFO's view stands
	}
	var ms []SentinelMaster
	var buf []byte
	for _, e := range v.Elems {
		m := parseSentinelMaster(e)
		ms = append(ms, m)
		buf = resp.AppendCommand(buf, "SENTINEL", "REPLICAS", m.Name)
		buf = resp.AppendCommand(buf, "SENTINEL", "SENTINELS", m.Name)
	}
	if len(ms) == 0 {
		return nil, nil
	}
	if err := c.WriteRaw(buf); err != nil {
		return nil, err
	}
	for i := range ms {
		reps, err := c.Receive()
		if err != nil {
			return nil, fmt.Errorf("SENTINEL REPLICAS %s: %w", ms[i].Name, err)
		}
		peers, err := c.Receive()
		if err != nil {
			return nil, fmt.Errorf("SENTINEL SENTINELS %s: %w", ms[i].Name, err)
		}
		ms[i].Replicas = parseSentinelReplicas(reps)
		ms[i].Peers = parseSentinelPeers(peers)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	return ms, nil
}

// Summary is the group in one line, as `watch` prints it: name, master,
// quorum, down votes, any failover under way and the expected pick.
func (s *SentinelGroup) Summary() string {
	known := max(s.Known, len(s.Sentinels))
	line := fmt.Sprintf("sentinel group %s: master %s · quorum %d · %d of %d Sentinel(s) see it down",
		s.Name, s.Master, s.Quorum, s.DownVotes, known)
	if s.ODown {
		line += " · odown"
	}
	if s.FailoverState != "" {
		line += " · failover " + s.FailoverState
	}
	if s.Pick != "" {
		return line + " · would promote " + s.Pick + " (" + s.PickWhy + ")"
	}
	return line + " · would promote none: " + s.PickWhy
}
