package topology

import (
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node/status"
)

// Replies are what a remote probe read from one node, unparsed: the pure
// NodeFromReplies turns them into a Node.
type Replies struct {
	Role       resp.Value // ROLE
	Info       string     // INFO server persistence stats replication keyspace sentinel
	ClientList string     // CLIENT LIST TYPE replica ("" when not available)
	OutputCfg  resp.Value // CONFIG GET client-output-buffer-limit and repl-timeout, one name/value array (zero Value when not asked)
	// ClusterInfo and ClusterNodes are CLUSTER INFO and CLUSTER NODES
	// ("" when the node has no cluster support).
	ClusterInfo, ClusterNodes string
	// ClusterPrev is the node's previous cluster view (nil for none):
	// the lines of ClusterNodes that did not change are not parsed again.
	ClusterPrev *ClusterNode
	// ClusterShards is CLUSTER SHARDS (zero Value when not asked; an
	// error when refused), and ClusterTLS whether the watcher reaches the
	// nodes it names at their TLS ports.
	ClusterShards resp.Value
	ClusterTLS    bool
}

// NodeFromReplies builds a Node from one probe's replies. addr is the
// canonical address probed and at the time of the probe.
func NodeFromReplies(addr string, at time.Time, r Replies) *Node {
	inf := info.Parse(r.Info)
	n := &Node{
		ID: NodeID(addr), Addr: addr, Reach: ReachOK, At: at,
		RunID: inf.Str("run_id"), Version: inf.Str("redis_version"),
		Role: RoleUnknown, Keys: -1,
	}
	if n.RunID != "" {
		n.ID = NodeID(n.RunID)
	}
	n.Software = "redis"
	if inf.Has("replscope_version") {
		n.Software = "replscope"
	}
	roleName, linkState := parseRole(r.Role)
	switch {
	case roleName == "sentinel" || inf.Str("redis_mode") == "sentinel":
		n.Role, n.Software = RoleSentinel, "sentinel"
		n.Sentinel = sentinelMasters(inf)
		return n
	default:
		// INFO's role wins; ROLE decides when INFO lacks it.
		role := inf.Str("role")
		if role == "" {
			role = roleName
		}
		switch role {
		case "slave", "replica":
			n.Role = RoleReplica
		case "master":
			n.Role = RoleMaster
		}
	}
	fillReplication(n, inf)
	if n.Upstream != nil {
		n.Upstream.LinkState = linkState
	}
	if k, ok := inf.Keys(); ok {
		n.Keys = k
	}
	n.Loading = inf.Int("loading", 0) == 1
	n.LoadingPerc = inf.Float("loading_loaded_perc", 0)
	n.Stats = statsFromInfo(inf)
	applyClientList(n.Replicas, r.ClientList)
	n.Limits = parseOutputLimit(r.OutputCfg)
	n.Cluster = clusterFromReplies(addr, r.ClusterInfo, r.ClusterNodes, r.ClusterPrev)
	n.Cluster.addShards(addr, r.ClusterShards, r.ClusterTLS)
	return n
}

// fillReplication copies INFO replication into n.
func fillReplication(n *Node, inf info.Info) {
	n.ReplID = inf.Str("master_replid")
	n.ReplID2 = inf.Str("master_replid2")
	n.Offset = inf.Int("master_repl_offset", 0)
	n.SecondOffset = inf.Int("second_repl_offset", -1)
	n.Backlog = Backlog{
		Active:    inf.Int("repl_backlog_active", 0) == 1,
		Size:      inf.Int("repl_backlog_size", 0),
		FirstByte: inf.Int("repl_backlog_first_byte_offset", 0),
		HistLen:   inf.Int("repl_backlog_histlen", 0),
	}
	n.Replicas = replicaLines(inf)
	if n.Role != RoleReplica {
		return
	}
	port := inf.Int("master_port", 0)
	up := &Upstream{
		Host:             inf.Str("master_host"),
		Port:             int(port),
		LinkUp:           inf.Str("master_link_status") == "up",
		LastIO:           inf.Seconds("master_last_io_seconds_ago", -time.Second),
		DownFor:          inf.Seconds("master_link_down_since_seconds", 0),
		Offset:           inf.Int("slave_repl_offset", 0),
		ReadOffset:       inf.Int("slave_read_repl_offset", 0),
		Priority:         int(inf.Int("slave_priority", 100)),
		ReadOnly:         inf.Int("slave_read_only", 1) == 1,
		Announced:        inf.Int("replica_announced", 1) == 1,
		LastSyncDuration: time.Duration(inf.Int("last_successful_sync_duration_ms", -1)) * time.Millisecond,
	}
	up.Addr = JoinAddr(up.Host, strconv.FormatInt(port, 10))
	if inf.Int("master_sync_in_progress", 0) == 1 {
		up.Sync = &SyncProgress{
			TotalBytes: inf.Int("master_sync_total_bytes", -1),
			ReadBytes:  inf.Int("master_sync_read_bytes", 0),
			LastIO:     inf.Seconds("master_sync_last_io_seconds_ago", 0),
		}
	}
	n.Upstream = up
}

func statsFromInfo(inf info.Info) Stats {
	return Stats{
		SyncFull:        inf.Int("sync_full", 0),
		SyncPartialOK:   inf.Int("sync_partial_ok", 0),
		SyncPartialErr:  inf.Int("sync_partial_err", 0),
		ReplInputBytes:  inf.Int("total_net_repl_input_bytes", 0),
		ReplOutputBytes: inf.Int("total_net_repl_output_bytes", 0),
		InputReplKbps:   inf.Float("instantaneous_input_repl_kbps", 0),
		OutputReplKbps:  inf.Float("instantaneous_output_repl_kbps", 0),
		CobDisconnects:  inf.Int("client_output_buffer_limit_disconnections", 0),
		ExpiredKeys:     inf.Int("expired_keys", 0),
		Commands:        inf.Int("total_commands_processed", 0),
	}
}

// parseRole returns ROLE's first element ("master", "slave", "sentinel")
// and, for a replica, its link state (the fourth element).
func parseRole(v resp.Value) (role, state string) {
	if v.Kind != resp.Array || len(v.Elems) == 0 {
		return "", ""
	}
	role = string(v.Elems[0].Str)
	if role == "slave" && len(v.Elems) >= 4 {
		state = string(v.Elems[3].Str)
	}
	return role, state
}

// applyClientList copies each replica client's omem (CLIENT LIST TYPE
// replica) to the slaveN line with the same ip and listening port. CLIENT
// LIST shows the peer address, not the listening port, so lines are
// matched by IP and, when several replicas share an IP, in order; the
// connection id is kept only for a line alone at its IP (matched for sure).
func applyClientList(lines []ReplicaLine, list string) {
	if list == "" || len(lines) == 0 {
		return
	}
	used := make([]bool, len(lines))
	for _, row := range strings.Split(list, "\n") {
		kv := clientFields(strings.TrimSpace(row))
		omem, err := strconv.ParseInt(kv["omem"], 10, 64)
		if err != nil {
			continue
		}
		id, err := strconv.ParseInt(kv["id"], 10, 64)
		if err != nil {
			id = 0
		}
		ip := kv["addr"]
		if i := strings.LastIndexByte(ip, ':'); i >= 0 {
			ip = ip[:i]
		}
		ip = strings.Trim(ip, "[]")
		for i := range lines {
			if !used[i] && (lines[i].IP == ip || ip == "") {
				lines[i].Pending, used[i] = omem, true
				if sharing(lines, lines[i].IP) == 1 {
					lines[i].ConnID = id // matched for sure: the only replica at that IP
				}
				break
			}
		}
	}
}

// sharing counts the lines with this IP.
func sharing(lines []ReplicaLine, ip string) int {
	n := 0
	for _, l := range lines {
		if l.IP == ip {
			n++
		}
	}
	return n
}

// clientFields splits a CLIENT LIST row "id=3 addr=… omem=0 …".
func clientFields(row string) map[string]string {
	out := make(map[string]string, 32)
	for _, f := range strings.Fields(row) {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}

// parseOutputLimit reads the replica class from CONFIG GET
// client-output-buffer-limit: "normal 0 0 0 slave 268435456 67108864 60 …".
func parseOutputLimit(v resp.Value) Limits {
	if v.Kind != resp.Array || len(v.Elems) < 2 {
		return Limits{}
	}
	var cob string
	timeout := 0
	for i := 0; i+1 < len(v.Elems); i += 2 {
		switch string(v.Elems[i].Str) {
		case "client-output-buffer-limit":
			cob = string(v.Elems[i+1].Str)
		case "repl-timeout":
			timeout, _ = strconv.Atoi(string(v.Elems[i+1].Str))
		}
	}
	l := parseReplicaClass(cob)
	l.ReplTimeout = time.Duration(timeout) * time.Second
	return l
}

// parseReplicaClass reads the replica class of a client-output-buffer-limit value.
func parseReplicaClass(cob string) Limits {
	f := strings.Fields(cob)
	for i := 0; i+3 < len(f); i += 4 {
		if f[i] != "slave" && f[i] != "replica" {
			continue
		}
		hard, err1 := strconv.ParseInt(f[i+1], 10, 64)
		soft, err2 := strconv.ParseInt(f[i+2], 10, 64)
		secs, err3 := strconv.Atoi(f[i+3])
		if err1 != nil || err2 != nil || err3 != nil {
			return Limits{}
		}
		return Limits{Known: true, OutputHard: hard, OutputSoft: soft, OutputSoftSeconds: secs}
	}
	return Limits{}
}

// NodeFromStatus builds a Node from an embedded node's Status.
func NodeFromStatus(st status.Status, embedded bool) *Node {
	addr := CanonAddr(st.Addr)
	n := &Node{
		ID: NodeID(st.RunID), Addr: addr, RunID: st.RunID, Version: st.Version,
		Software: "replscope", Embedded: embedded, Reach: ReachOK, At: st.Time,
		Role: RoleMaster, Keys: st.Stats.Keys,
		ReplID: st.ReplID, ReplID2: st.ReplID2, Offset: st.Offset, SecondOffset: st.SecondOffset,
		Backlog: Backlog{Active: st.BacklogActive, Size: st.BacklogSize, FirstByte: st.BacklogFirstByte, HistLen: st.BacklogHistLen},
		Stats: Stats{
			SyncFull: st.Stats.SyncFull, SyncPartialOK: st.Stats.SyncPartialOK, SyncPartialErr: st.Stats.SyncPartialErr,
			ReplInputBytes: st.Stats.ReplInputBytes, ReplOutputBytes: st.Stats.ReplOutputBytes,
			CobDisconnects: st.Stats.CobDisconnects, ExpiredKeys: st.Stats.ExpiredKeys, Commands: st.Stats.Commands,
		},
		Limits: Limits{Known: true, OutputHard: st.OutputLimitHard, OutputSoft: st.OutputLimitSoft, OutputSoftSeconds: st.OutputLimitSecs,
			ReplTimeout: time.Duration(st.ReplTimeout) * time.Second},
	}
	if st.RunID == "" {
		n.ID = NodeID(addr)
	}
	for _, r := range st.Replicas {
		n.Replicas = append(n.Replicas, ReplicaLine{
			IP: r.IP, Port: r.Port, Addr: JoinAddr(r.IP, strconv.Itoa(r.Port)), State: r.State,
			AckOffset: r.AckOffset, AckAge: time.Duration(r.AckAgeMs) * time.Millisecond, Pending: r.Pending,
		})
	}
	if st.Role != "replica" {
		return n
	}
	n.Role = RoleReplica
	up := &Upstream{
		Host: st.MasterHost, Port: st.MasterPort, Addr: JoinAddr(st.MasterHost, strconv.Itoa(st.MasterPort)),
		LinkUp: st.LinkUp, LinkState: st.LinkState,
		LastIO:  time.Duration(st.MasterLastIO) * time.Second,
		DownFor: time.Duration(st.LinkDownSince) * time.Second,
		Offset:  st.ReplicaOffset, ReadOffset: st.ReplicaReadOffset,
		Priority: st.ReplicaPriority, ReadOnly: st.ReplicaReadOnly, Announced: true,
		LastSyncDuration: time.Duration(st.LastSyncDurationMs) * time.Millisecond,
	}
	if st.SyncInProgress {
		up.Sync = &SyncProgress{TotalBytes: st.SyncTotalBytes, ReadBytes: st.SyncReadBytes,
			LastIO: time.Duration(st.SyncLastIO) * time.Second}
	}
	n.Upstream = up
	return n
}
