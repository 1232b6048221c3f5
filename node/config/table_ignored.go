package config

import "errors"

// ignoredDirectives are the Redis 7.0 directives replscope accepts with
// Redis's validation and defaults, stores, reports and rewrites, but does
// not act on. Redis's hidden debugging configs (rdb-key-save-delay,
// key-load-delay, watchdog-period, use-exit-on-panic,
// loading-process-events-interval-bytes) are not included.
func ignoredDirectives() []*directive {
	return []*directive{
		xenum("acl-pubsub-default", "", 0, []enumItem{{"allchannels", 1}, {"resetchannels", 0}}, "resetchannels"),
		xstr("aclfile", "", immutable, "", nil),
		xnum("acllog-max-len", "", 0, intRange(0, longMax), 128),
		xnum("active-defrag-cycle-max", "", 0, intRange(1, 99), 25),
		xnum("active-defrag-cycle-min", "", 0, intRange(1, 99), 1),
		xnum("active-defrag-ignore-bytes", "", 0, umemRange(1, llongMax), 100<<20),
		xnum("active-defrag-max-scan-fields", "", 0, intRange(1, longMax), 1000),
		xnum("active-defrag-threshold-lower", "", 0, intRange(0, 1000), 10),
		xnum("active-defrag-threshold-upper", "", 0, intRange(0, 1000), 100),
		xnum("active-expire-effort", "", 0, intRange(1, 10), 1),
		xbool("activedefrag", "", 0, false),
		xbool("activerehashing", "", 0, true),
		xbool("always-show-logo", "", immutable, false),
		xbool("aof-disable-auto-gc", "", 0, false),
		xbool("aof-load-truncated", "", 0, true),
		xbool("aof-rewrite-incremental-fsync", "", 0, true),
		xbool("aof-timestamp-enabled", "", 0, false),
		xbool("aof-use-rdb-preamble", "", 0, true),
		xstr("aof_rewrite_cpulist", "", immutable|nullEmpty, "", nil),
		xstr("appenddirname", "", immutable, "appendonlydir", checkBaseName("appenddirname", "dirname")),
		xstr("appendfilename", "", immutable, "appendonly.aof", checkBaseName("appendfilename", "filename")),
		xenum("appendfsync", "", 0, enumWords("everysec", "always", "no"), "everysec"),
		xnum("auto-aof-rewrite-min-size", "", 0, memRange(0, llongMax), 64<<20),
		xnum("auto-aof-rewrite-percentage", "", 0, intRange(0, intMax), 100),
		xstr("bgsave_cpulist", "", immutable|nullEmpty, "", nil),
		xstr("bind-source-addr", "", nullEmpty, "", nil),
		xstr("bio_cpulist", "", immutable|nullEmpty, "", nil),
		xbool("cluster-allow-pubsubshard-when-down", "", 0, true),
		xbool("cluster-allow-reads-when-down", "", 0, false),
		xbool("cluster-allow-replica-migration", "", 0, true),
		xnum("cluster-announce-bus-port", "", 0, intRange(0, 65535), 0),
		xstr("cluster-announce-hostname", "", nullEmpty, "", checkHostname),
		xstr("cluster-announce-ip", "", nullEmpty, "", nil),
		xnum("cluster-announce-port", "", 0, intRange(0, 65535), 0),
		xnum("cluster-announce-tls-port", "", 0, intRange(0, 65535), 0),
		xstr("cluster-config-file", "", immutable, "nodes.conf", nil),
		boolDir("cluster-enabled", "", immutable|ignored, false, nil,
			refuseYes("cluster-enabled yes is not supported by replscope")),
		xnum("cluster-link-sendbuf-limit", "", 0, umemRange(0, ullMax), 0),
		xnum("cluster-migration-barrier", "", 0, intRange(0, intMax), 1),
		xnum("cluster-node-timeout", "", 0, intRange(0, llongMax), 15000),
		xnum("cluster-port", "", immutable, intRange(0, 65535), 0),
		xenum("cluster-preferred-endpoint-type", "", 0, enumWords("ip", "hostname", "unknown-endpoint"), "ip"),
		xbool("cluster-replica-no-failover", "cluster-slave-no-failover", 0, false),
		xnum("cluster-replica-validity-factor", "cluster-slave-validity-factor", 0, intRange(0, intMax), 10),
		xbool("cluster-require-full-coverage", "", 0, true),
		xbool("crash-log-enabled", "", 0, true),
		xbool("crash-memcheck-enabled", "", 0, true),
		xbool("disable-thp", "", immutable, true),
		xbool("dynamic-hz", "", 0, true),
		xenum("enable-module-command", "", immutable, protectedActions, "no"),
		xnum("hll-sparse-max-bytes", "", 0, umemRange(0, longMax), 3000),
		xstr("ignore-warnings", "", 0, "", nil),
		xbool("io-threads-do-reads", "", immutable, false),
		xbool("jemalloc-bg-thread", "", 0, true),
		xnum("latency-monitor-threshold", "", 0, intRange(0, llongMax), 0),
		xbool("latency-tracking", "", 0, true),
		percentilesDir(),
		xbool("lazyfree-lazy-eviction", "", 0, false),
		xbool("lazyfree-lazy-server-del", "", 0, false),
		xbool("lazyfree-lazy-user-del", "", 0, false),
		xbool("lazyfree-lazy-user-flush", "", 0, false),
		xnum("lfu-decay-time", "", 0, intRange(0, intMax), 1),
		xnum("lfu-log-factor", "", 0, intRange(0, intMax), 10),
		xnum("list-compress-depth", "", 0, intRange(0, intMax), 0),
		xnum("list-max-listpack-size", "list-max-ziplist-size", 0, intRange(intMin, intMax), -2),
		xnum("maxmemory-clients", "", 0, numSpec{min: -100, max: longMax, memory: true, percent: true}, 0),
		xnum("maxmemory-eviction-tenacity", "", 0, intRange(0, 100), 10),
		xnum("maxmemory-samples", "", 0, intRange(1, intMax), 5),
		xbool("no-appendfsync-on-rewrite", "", 0, false),
		notifyDir(),
		xenum("oom-score-adj", "", 0, []enumItem{{"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}}, "no"),
		oomValuesDir(),
		xstr("proc-title-template", "", 0, "{title} {listen-addr} {server-mode}", checkProcTitle),
		xenum("propagation-error-behavior", "", 0, enumWords("ignore", "panic", "panic-on-replicas"), "ignore"),
		xbool("rdb-del-sync-files", "", 0, false),
		xbool("rdb-save-incremental-fsync", "", 0, true),
		xbool("replica-ignore-disk-write-errors", "", 0, false),
		xenum("sanitize-dump-payload", "", 0, enumWords("no", "yes", "clients"), "no"),
		xstr("server_cpulist", "", immutable|nullEmpty, "", nil),
		xbool("set-proc-title", "", immutable, true),
		shutdownOnSigDir("shutdown-on-sigint"),
		shutdownOnSigDir("shutdown-on-sigterm"),
		xnum("slowlog-log-slower-than", "", 0, intRange(-1, llongMax), 10000),
		xnum("slowlog-max-len", "", 0, intRange(0, longMax), 128),
		xnum("socket-mark-id", "", immutable, uintRange(0, uintMax), 0),
		xbool("syslog-enabled", "", immutable, false),
		xenum("syslog-facility", "", immutable, []enumItem{{"user", 8}, {"local0", 128}, {"local1", 136}, {"local2", 144},
			{"local3", 152}, {"local4", 160}, {"local5", 168}, {"local6", 176}, {"local7", 184}}, "local0"),
		xstr("syslog-ident", "", immutable, "redis", nil),
		xstr("tls-ciphers", "", nullEmpty, "", nil),
		xstr("tls-ciphersuites", "", nullEmpty, "", nil),
		xstr("tls-client-cert-file", "", nullEmpty, "", nil),
		xstr("tls-client-key-file", "", nullEmpty, "", nil),
		xstr("tls-client-key-file-pass", "", nullEmpty, "", nil),
		xbool("tls-cluster", "", 0, false),
		xstr("tls-dh-params-file", "", nullEmpty, "", nil),
		xstr("tls-key-file-pass", "", nullEmpty, "", nil),
		xbool("tls-prefer-server-ciphers", "", 0, false),
		xstr("tls-protocols", "", nullEmpty, "", nil),
		xnum("tls-session-cache-size", "", 0, intRange(0, intMax), 20*1024),
		xnum("tls-session-cache-timeout", "", 0, intRange(0, intMax), 300),
		xbool("tls-session-caching", "", 0, true),
		xnum("tracking-table-max-keys", "", 0, uintRange(0, longMax), 1000000),
		xnum("unixsocketperm", "", immutable, numSpec{min: 0, max: 0o777, unsigned: true, octal: true}, 0),
	}
}

// deprecatedDirectives are accepted in a config file and silently
// dropped, with the argument count Redis allows (the whole line).
var deprecatedDirectives = map[string]int{
	"list-max-ziplist-entries": 2,
	"list-max-ziplist-value":   2,
	"lua-replicate-commands":   2,
}

func checkBaseName(name, what string) func(string) error {
	return func(v string) error {
		if v == "" {
			return errors.New(name + " can't be empty")
		}
		if !isBaseName(v) {
			return errors.New(name + " can't be a path, just a " + what)
		}
		return nil
	}
}

func checkHostname(v string) error {
	if len(v) >= 256 {
		return errors.New("Hostnames must be less than 256 characters")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return errors.New("Hostnames may only contain alphanumeric characters, hyphens or dots")
		}
	}
	return nil
}
