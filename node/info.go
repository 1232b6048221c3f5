package node

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/replscope/replscope/internal/human"
	"github.com/replscope/replscope/node/repl"
)

// INFO [section ...]
func cmdInfo(x *cmdCtx) {
	var sections []string
	for _, a := range x.args[1:] {
		sections = append(sections, strings.ToLower(string(a)))
	}
	x.verbatim(x.n.infoString(sections), "txt")
}

var defaultSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"}

// infoString renders INFO for the requested sections, in Redis's order
// and format (CRLF lines, a blank line between sections).
func (n *Node) infoString(req []string) string {
	want := map[string]bool{}
	if len(req) == 0 {
		req = []string{"default"}
	}
	for _, s := range req {
		switch s {
		case "default":
			for _, d := range defaultSections {
				want[d] = true
			}
		case "all", "everything":
			for _, d := range defaultSections {
				want[d] = true
			}
			want["commandstats"] = true
		default:
			want[s] = true
		}
	}
	var b strings.Builder
	add := func(name string, gen func(*strings.Builder)) {
		if !want[name] {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		gen(&b)
	}
	add("server", n.infoServer)
	add("clients", n.infoClients)
	add("memory", n.infoMemory)
	add("persistence", n.infoPersistence)
	add("stats", n.infoStats)
	add("replication", n.infoReplication)
	add("cpu", infoCPU)
	add("modules", func(b *strings.Builder) { b.WriteString("# Modules\r\n") })
	add("commandstats", n.infoCommandStats)
	add("errorstats", n.infoErrorStats)
	add("cluster", func(b *strings.Builder) { b.WriteString("# Cluster\r\ncluster_enabled:0\r\n") })
	add("keyspace", n.infoKeyspace)
	return b.String()
}

func line(b *strings.Builder, k string, v any) {
	b.WriteString(k)
	b.WriteByte(':')
	switch v := v.(type) {
	case string:
		b.WriteString(v)
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case bool:
		if v {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	default:
		fmt.Fprint(b, v)
	}
	b.WriteString("\r\n")
}

func (n *Node) infoServer(b *strings.Builder) {
	now := time.Now()
	up := int64(now.Sub(n.started).Seconds())
	exe, _ := os.Executable()
	cfgFile := ""
	if n.src != nil {
		cfgFile = n.src.File
	}
	b.WriteString("# Server\r\n")
	line(b, "redis_version", redisVersion)
	line(b, "redis_git_sha1", "00000000")
	line(b, "redis_git_dirty", 0)
	line(b, "redis_build_id", "0")
	line(b, "redis_mode", "standalone")
	line(b, "replscope_version", n.opts.Version)
	line(b, "os", runtime.GOOS+" "+runtime.GOARCH)
	line(b, "arch_bits", 64)
	line(b, "monotonic_clock", "POSIX clock_gettime")
	line(b, "multiplexing_api", "epoll")
	line(b, "atomicvar_api", "c11-builtin")
	line(b, "gcc_version", "0.0.0")
	line(b, "go_version", runtime.Version())
	line(b, "process_id", os.Getpid())
	line(b, "process_supervised", "no")
	line(b, "run_id", n.runID)
	line(b, "tcp_port", n.cfg.Port)
	line(b, "server_time_usec", now.UnixMicro())
	line(b, "uptime_in_seconds", up)
	line(b, "uptime_in_days", up/86400)
	line(b, "hz", n.cfg.Hz)
	line(b, "configured_hz", n.cfg.Hz)
	line(b, "lru_clock", (now.Unix())&(1<<24-1))
	line(b, "executable", exe)
	line(b, "config_file", cfgFile)
	line(b, "io_threads_active", 0)
}

func (n *Node) infoClients(b *strings.Builder) {
	normal := 0
	for _, c := range n.clients {
		if !c.is(flagReplica) && !c.is(flagMaster) {
			normal++
		}
	}
	b.WriteString("# Clients\r\n")
	line(b, "connected_clients", normal)
	line(b, "cluster_connections", 0)
	line(b, "maxclients", n.cfg.MaxClients)
	line(b, "client_recent_max_input_buffer", 0)
	line(b, "client_recent_max_output_buffer", 0)
	line(b, "blocked_clients", n.blocked)
	line(b, "tracking_clients", 0)
	line(b, "clients_in_timeout_table", n.keyWaits.timed)
}

// usedMemory is used_memory (memory.go).
func (n *Node) usedMemory() int64 { return n.memoryInUse().used }

func (n *Node) infoMemory(b *strings.Builder) {
	mem := n.memoryInUse()
	used, rss := mem.used, mem.rss()
	var backlogMem, replicaMem int64
	if b := n.repl.core.Backlog(); b != nil {
		backlogMem = b.Retained()
	}
	for _, p := range n.repl.core.Peers() {
		replicaMem += n.repl.core.Pending(p)
	}
	// As in Redis, the dataset is what is in use beyond the memory at
	// start-up and the buffers.
	overhead := n.memStartup + backlogMem + replicaMem
	b.WriteString("# Memory\r\n")
	line(b, "used_memory", used)
	line(b, "used_memory_human", human.Bytes(used))
	line(b, "used_memory_rss", rss)
	line(b, "used_memory_rss_human", human.Bytes(rss))
	line(b, "used_memory_peak", n.memPeak)
	line(b, "used_memory_peak_human", human.Bytes(n.memPeak))
	line(b, "used_memory_peak_perc", fmt.Sprintf("%.2f%%", float64(used)*100/float64(max(n.memPeak, 1))))
	line(b, "used_memory_overhead", overhead)
	line(b, "used_memory_startup", n.memStartup)
	line(b, "used_memory_dataset", max(used-overhead, 0))
	scripts, scriptBytes, luaMem := n.scriptMemoryLocked()
	// Scripts, in Redis 7.0.15's order (no functions: FUNCTION LOAD is
	// not served).
	const vmFunctions = 33792 // an empty functions VM, as Redis reports it
	line(b, "used_memory_lua", luaMem)
	line(b, "used_memory_vm_eval", luaMem)
	line(b, "used_memory_lua_human", human.Bytes(luaMem))
	line(b, "used_memory_scripts_eval", scriptBytes)
	line(b, "number_of_cached_scripts", scripts)
	line(b, "number_of_functions", 0)
	line(b, "number_of_libraries", 0)
	line(b, "used_memory_vm_functions", vmFunctions)
	line(b, "used_memory_vm_total", luaMem+vmFunctions)
	line(b, "used_memory_vm_total_human", human.Bytes(luaMem+vmFunctions))
	line(b, "used_memory_functions", 0)
	line(b, "used_memory_scripts", scriptBytes)
	line(b, "used_memory_scripts_human", human.Bytes(scriptBytes))
	line(b, "maxmemory", int64(n.cfg.Maxmemory))
	line(b, "maxmemory_human", human.Bytes(int64(n.cfg.Maxmemory)))
	line(b, "maxmemory_policy", n.cfg.MaxmemoryPolicy)
	line(b, "mem_fragmentation_ratio", fmt.Sprintf("%.2f", float64(rss)/float64(max(used, 1))))
	line(b, "mem_replication_backlog", backlogMem)
	line(b, "mem_total_replication_buffers", backlogMem)
	line(b, "mem_clients_slaves", replicaMem)
	line(b, "mem_clients_normal", 0)
	line(b, "mem_allocator", "go")
	line(b, "lazyfree_pending_objects", 0)
}

func (n *Node) infoPersistence(b *strings.Builder) {
	p := &n.persist
	cur := int64(-1)
	if p.bgsaveRunning {
		cur = (n.nowMs() - p.bgsaveStart) / 1000
	}
	status := "ok"
	if !p.lastBgsaveOK {
		status = "err"
	}
	b.WriteString("# Persistence\r\n")
	line(b, "loading", n.loading)
	line(b, "async_loading", 0)
	line(b, "current_cow_peak", 0)
	line(b, "current_cow_size", 0)
	line(b, "current_fork_perc", "0.00")
	line(b, "current_save_keys_processed", 0)
	line(b, "current_save_keys_total", 0)
	line(b, "rdb_changes_since_last_save", n.dirty)
	line(b, "rdb_bgsave_in_progress", p.bgsaveRunning)
	line(b, "rdb_last_save_time", p.lastSave)
	line(b, "rdb_last_bgsave_status", status)
	line(b, "rdb_last_bgsave_time_sec", p.lastBgsaveSecs)
	line(b, "rdb_current_bgsave_time_sec", cur)
	line(b, "rdb_saves", p.savesOK)
	line(b, "rdb_last_cow_size", 0)
	line(b, "rdb_last_load_keys_expired", p.loadedExpired)
	line(b, "rdb_last_load_keys_loaded", p.loadedKeys)
	line(b, "aof_enabled", 0)
	line(b, "aof_rewrite_in_progress", 0)
	line(b, "aof_rewrite_scheduled", 0)
	line(b, "aof_last_rewrite_time_sec", -1)
	line(b, "aof_current_rewrite_time_sec", -1)
	line(b, "aof_last_bgrewrite_status", "ok")
	line(b, "aof_rewrites", 0)
	line(b, "aof_last_write_status", "ok")
	line(b, "aof_last_cow_size", 0)
	line(b, "module_fork_in_progress", 0)
	line(b, "module_fork_last_cow_size", 0)
}

func (n *Node) infoStats(b *strings.Builder) {
	s := &n.stats
	rs := n.repl.core.Stats
	b.WriteString("# Stats\r\n")
	line(b, "total_connections_received", s.connections)
	line(b, "total_commands_processed", s.commands)
	line(b, "instantaneous_ops_per_sec", n.opsPerSecLocked())
	line(b, "total_net_input_bytes", n.netInput.Load())
	line(b, "total_net_output_bytes", n.netOutput.Load())
	line(b, "total_net_repl_input_bytes", rs.ReplInputBytes)
	line(b, "total_net_repl_output_bytes", rs.ReplOutputBytes)
	line(b, "instantaneous_input_kbps", "0.00")
	line(b, "instantaneous_output_kbps", "0.00")
	line(b, "instantaneous_input_repl_kbps", "0.00")
	line(b, "instantaneous_output_repl_kbps", "0.00")
	line(b, "rejected_connections", s.rejectedConns)
	line(b, "sync_full", rs.SyncFull)
	line(b, "sync_partial_ok", rs.SyncPartialOK)
	line(b, "sync_partial_err", rs.SyncPartialErr)
	line(b, "expired_keys", s.expiredKeys)
	line(b, "expired_stale_perc", "0.00")
	line(b, "expired_time_cap_reached_count", 0)
	line(b, "expire_cycle_cpu_milliseconds", 0)
	line(b, "evicted_keys", 0)
	line(b, "evicted_clients", 0)
	line(b, "total_eviction_exceeded_time", 0)
	line(b, "current_eviction_exceeded_time", 0)
	line(b, "keyspace_hits", s.keyspaceHits)
	line(b, "keyspace_misses", s.keyspaceMisses)
	line(b, "pubsub_channels", len(n.channels))
	line(b, "pubsub_patterns", len(n.patterns))
	line(b, "pubsubshard_channels", 0)
	line(b, "latest_fork_usec", 0)
	line(b, "total_forks", 0)
	line(b, "migrate_cached_sockets", 0)
	line(b, "slave_expires_tracked_keys", 0)
	line(b, "active_defrag_hits", 0)
	line(b, "active_defrag_misses", 0)
	line(b, "active_defrag_key_hits", 0)
	line(b, "active_defrag_key_misses", 0)
	line(b, "total_active_defrag_time", 0)
	line(b, "current_active_defrag_time", 0)
	line(b, "tracking_total_keys", 0)
	line(b, "tracking_total_items", 0)
	line(b, "tracking_total_prefixes", 0)
	line(b, "unexpected_error_replies", 0)
	line(b, "total_error_replies", s.errorReplies)
	line(b, "dump_payload_sanitizations", 0)
	line(b, "total_reads_processed", s.commands)
	line(b, "total_writes_processed", s.commands)
	line(b, "io_threaded_reads_processed", 0)
	line(b, "io_threaded_writes_processed", 0)
	line(b, "reply_buffer_shrinks", 0)
	line(b, "reply_buffer_expands", 0)
	line(b, "client_output_buffer_limit_disconnections", s.cobDisconnects+rs.COBDisconnects)
}

func (n *Node) infoReplication(b *strings.Builder) {
	core := n.repl.core
	r := core.Replica()
	h := core.History()
	now := n.nowMs()
	b.WriteString("# Replication\r\n")
	if r.Master == nil {
		line(b, "role", "master")
	} else {
		line(b, "role", "slave")
		slaveOff, readOff := int64(1), int64(1)
		if r.Connected || r.Cached {
			slaveOff, readOff = r.Reploff, r.ReadOff
		}
		lastIO := int64(-1)
		if r.Connected {
			lastIO = (now - r.LastIO) / 1000
		}
		line(b, "master_host", r.Master.Host)
		line(b, "master_port", r.Master.Port)
		if r.Link == repl.LinkConnected {
			line(b, "master_link_status", "up")
		} else {
			line(b, "master_link_status", "down")
		}
		line(b, "master_last_io_seconds_ago", lastIO)
		line(b, "master_sync_in_progress", r.Link == repl.LinkTransfer)
		line(b, "slave_read_repl_offset", readOff)
		line(b, "slave_repl_offset", slaveOff)
		if r.Link == repl.LinkTransfer {
			sp := r.Sync
			perc := 0.0
			if sp.Total > 0 {
				perc = float64(sp.Read) / float64(sp.Total) * 100
			}
			line(b, "master_sync_total_bytes", sp.Total)
			line(b, "master_sync_read_bytes", sp.Read)
			line(b, "master_sync_left_bytes", sp.Total-sp.Read)
			line(b, "master_sync_perc", fmt.Sprintf("%.2f", perc))
			line(b, "master_sync_last_io_seconds_ago", (now-sp.LastIO)/1000)
		}
		if r.Link != repl.LinkConnected {
			down := int64(-1)
			if r.DownSince != 0 {
				down = (now - r.DownSince) / 1000
			}
			line(b, "master_link_down_since_seconds", down)
		}
		line(b, "slave_priority", n.cfg.ReplicaPriority)
		line(b, "slave_read_only", n.cfg.ReplicaReadOnly)
		line(b, "replica_announced", n.cfg.ReplicaAnnounced)
		// Not in Redis 7.0: how long the last successful sync took (-1: none yet).
		line(b, "last_successful_sync_duration_ms", r.LastSyncMs)
	}
	peers := n.replicaPeersLocked()
	line(b, "connected_slaves", len(peers))
	if n.cfg.MinReplicasToWrite > 0 && n.cfg.MinReplicasMaxLag > 0 {
		line(b, "min_slaves_good_slaves", core.GoodReplicas(now))
	}
	for i, p := range peers {
		lag := int64(0)
		if p.State == repl.Online {
			lag = (now - p.AckTime) / 1000
		}
		fmt.Fprintf(b, "slave%d:ip=%s,port=%d,state=%s,offset=%d,lag=%d\r\n", i, p.ip(), p.conf.port, p.State, p.AckOff, lag)
	}
	w := core.Backlog().Window()
	line(b, "master_failover_state", "no-failover")
	line(b, "master_replid", h.ReplID)
	line(b, "master_replid2", h.ReplID2)
	line(b, "master_repl_offset", h.Offset)
	line(b, "second_repl_offset", h.SecondOffset)
	line(b, "repl_backlog_active", w.Active)
	line(b, "repl_backlog_size", n.cfg.ReplBacklogSize)
	line(b, "repl_backlog_first_byte_offset", w.First)
	line(b, "repl_backlog_histlen", w.Len)
}

func infoCPU(b *strings.Builder) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
	b.WriteString("# CPU\r\n")
	line(b, "used_cpu_sys", tv(ru.Stime))
	line(b, "used_cpu_user", tv(ru.Utime))
	line(b, "used_cpu_sys_children", "0.000000")
	line(b, "used_cpu_user_children", "0.000000")
}

func (n *Node) infoKeyspace(b *strings.Builder) {
	b.WriteString("# Keyspace\r\n")
	for i := 0; i < n.ks.Len(); i++ {
		db := n.ks.DB(i)
		if db.Len() == 0 {
			continue
		}
		fmt.Fprintf(b, "db%d:keys=%d,expires=%d,avg_ttl=0\r\n", i, db.Len(), db.Expires())
	}
}

// sortedClients returns the clients ordered by id.
func (n *Node) sortedClients() []*Client {
	out := make([]*Client, 0, len(n.clients))
	for _, c := range n.clients {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// killClient closes another client's connection (CLIENT KILL).
func (n *Node) killClient(c, by *Client) {
	if c == by {
		c.flags |= flagCloseASAP
		return
	}
	c.flags |= flagCloseASAP
	if c.is(flagMaster) {
		n.killMasterLinkLocked()
		return
	}
	if c.replica != nil {
		n.dropPeerLocked(c.replica, "killed by CLIENT KILL")
		return
	}
	c.killed.Store(true)
	if c.netConn != nil {
		_ = c.netConn.Close()
	}
}

// infoErrorStats lists error replies by their prefix, as Redis 7 does.
func (n *Node) infoErrorStats(b *strings.Builder) {
	b.WriteString("# Errorstats\r\n")
	names := make([]string, 0, len(n.stats.errorsByPrefix))
	for k := range n.stats.errorsByPrefix {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(b, "errorstat_%s:count=%d\r\n", k, n.stats.errorsByPrefix[k])
	}
}
