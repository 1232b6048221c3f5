package node

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/replscope/replscope/internal/human"
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
	now := n.clock.Now()
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
	if n.repl.backlog != nil {
		backlogMem = n.repl.backlog.Retained()
	}
	for _, p := range n.repl.replicas {
		replicaMem += n.replicaPending(p)
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
	b.WriteString("# Stats\r\n")
	line(b, "total_connections_received", s.connections)
	line(b, "total_commands_processed", s.commands)
	line(b, "instantaneous_ops_per_sec", n.opsPerSec())
	line(b, "total_net_input_bytes", n.netInput.Load())
	line(b, "total_net_output_bytes", n.netOutput.Load())
	line(b, "total_net_repl_input_bytes", s.replInputBytes)
	line(b, "total_net_repl_output_bytes", s.replOutputBytes)
	line(b, "instantaneous_input_kbps", "0.00")
	line(b, "instantaneous_output_kbps", "0.00")
	line(b, "instantaneous_input_repl_kbps", "0.00")
	line(b, "instantaneous_output_repl_kbps", "0.00")
	line(b, "rejected_connections", s.rejectedConns)
	line(b, "sync_full", s.syncFull)
	line(b, "sync_partial_ok", s.syncPartialOK)
	line(b, "sync_partial_err", s.syncPartialErr)
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
	line(b, "client_output_buffer_limit_disconnections", s.cobDisconnects)
}

func (n *Node) infoReplication(b *strings.Builder) {
	r := &n.repl
	now := n.nowMs()
	b.WriteString("# Replication\r\n")
	if r.master == nil {
		line(b, "role", "master")
	} else {
		line(b, "role", "slave")
		slaveOff, readOff := int64(1), int64(1)
		if r.conn != nil || r.cached != nil {
			slaveOff, readOff = r.reploff, r.readOff
		}
		lastIO := int64(-1)
		if r.conn != nil {
			lastIO = (now - r.lastIO) / 1000
		}
		line(b, "master_host", r.master.Host)
		line(b, "master_port", r.master.Port)
		if r.state == linkConnected {
			line(b, "master_link_status", "up")
		} else {
			line(b, "master_link_status", "down")
		}
		line(b, "master_last_io_seconds_ago", lastIO)
		line(b, "master_sync_in_progress", r.state == linkTransfer)
		line(b, "slave_read_repl_offset", readOff)
		line(b, "slave_repl_offset", slaveOff)
		if r.state == linkTransfer {
			sp := r.sync
			perc := 0.0
			if sp.total > 0 {
				perc = float64(sp.read) / float64(sp.total) * 100
			}
			line(b, "master_sync_total_bytes", sp.total)
			line(b, "master_sync_read_bytes", sp.read)
			line(b, "master_sync_left_bytes", sp.total-sp.read)
			line(b, "master_sync_perc", fmt.Sprintf("%.2f", perc))
			line(b, "master_sync_last_io_seconds_ago", (now-sp.lastIO)/1000)
		}
		if r.state != linkConnected {
			down := int64(-1)
			if r.downSince != 0 {
				down = (now - r.downSince) / 1000
			}
			line(b, "master_link_down_since_seconds", down)
		}
		line(b, "slave_priority", n.cfg.ReplicaPriority)
		line(b, "slave_read_only", n.cfg.ReplicaReadOnly)
		line(b, "replica_announced", n.cfg.ReplicaAnnounced)
		// Not in Redis 7.0: how long the last successful sync took (-1: none yet).
		line(b, "last_successful_sync_duration_ms", r.lastSyncMs)
	}
	line(b, "connected_slaves", len(r.replicas))
	if n.cfg.MinReplicasToWrite > 0 && n.cfg.MinReplicasMaxLag > 0 {
		line(b, "min_slaves_good_slaves", n.goodReplicas())
	}
	for i, p := range r.replicas {
		lag := int64(0)
		if p.state == peerOnline {
			lag = (now - p.ackTime) / 1000
		}
		fmt.Fprintf(b, "slave%d:ip=%s,port=%d,state=%s,offset=%d,lag=%d\r\n", i, p.ip(), p.conf.port, p.state, p.ackOff, lag)
	}
	first, hist := int64(0), int64(0)
	if r.backlog != nil {
		first, hist = r.backlog.FirstByte(), r.backlog.HistLen()
	}
	line(b, "master_failover_state", "no-failover")
	line(b, "master_replid", r.hist.ReplID)
	line(b, "master_replid2", r.hist.ReplID2)
	line(b, "master_repl_offset", r.hist.Offset)
	line(b, "second_repl_offset", r.hist.SecondOffset)
	line(b, "repl_backlog_active", r.backlog != nil)
	line(b, "repl_backlog_size", n.cfg.ReplBacklogSize)
	line(b, "repl_backlog_first_byte_offset", first)
	line(b, "repl_backlog_histlen", hist)
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
		n.killMasterLink()
		return
	}
	if c.replica != nil {
		n.dropPeer(c.replica, "killed by CLIENT KILL")
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
