package config

import (
	"errors"
	"strings"
)

// directives is the table: one row per directive, canonical name first,
// then its alias. Defaults, ranges, flags and error texts follow Redis
// 7.0.15 (src/config.c static_configs). The directives replscope acts on
// come first; ignoredDirectives lists the ones it only stores.
var directives = append(ownDirectives(), ignoredDirectives()...)

func ownDirectives() []*directive {
	return []*directive{
		// Network and clients.
		numDir("port", "", 0, intRange(0, 65535), 6379, func(c *Config) *int { return &c.Port }),
		numDir("hash-max-listpack-entries", "hash-max-ziplist-entries", 0, uintRange(0, longMax), 512, func(c *Config) *int64 { return &c.HashMaxListpackEntries }),
		numDir("hash-max-listpack-value", "hash-max-ziplist-value", 0, umemRange(0, longMax), 64, func(c *Config) *int64 { return &c.HashMaxListpackValue }),
		numDir("set-max-intset-entries", "", 0, uintRange(0, longMax), 512, func(c *Config) *int64 { return &c.SetMaxIntsetEntries }),
		numDir("zset-max-listpack-entries", "zset-max-ziplist-entries", 0, uintRange(0, longMax), 128, func(c *Config) *int64 { return &c.ZsetMaxListpackEntries }),
		numDir("zset-max-listpack-value", "zset-max-ziplist-value", 0, umemRange(0, longMax), 64, func(c *Config) *int64 { return &c.ZsetMaxListpackValue }),
		numDir("stream-node-max-bytes", "", 0, umemRange(0, longMax), 4096, func(c *Config) *int64 { return &c.StreamNodeMaxBytes }),
		numDir("busy-reply-threshold", "lua-time-limit", 0, intRange(0, longMax), 5000, func(c *Config) *int64 { return &c.BusyReplyThreshold }),
		numDir("stream-node-max-entries", "", 0, intRange(0, llongMax), 100, func(c *Config) *int64 { return &c.StreamNodeMaxEntries }),
		bindDir(),
		boolDir("protected-mode", "", 0, true, func(c *Config) *bool { return &c.ProtectedMode }, nil),
		strDir("requirepass", "", sensitive|nullEmpty, "", func(c *Config) *string { return &c.RequirePass }, nil),
		numDir("maxclients", "", 0, uintRange(1, uintMax), 10000, func(c *Config) *int { return &c.MaxClients }),
		numDir("timeout", "", 0, intRange(0, intMax), 0, func(c *Config) *int { return &c.Timeout }),
		numDir("tcp-keepalive", "", 0, intRange(0, intMax), 300, func(c *Config) *int { return &c.TCPKeepalive }),
		numDir("tcp-backlog", "", immutable|ignored, intRange(0, intMax), 511, func(c *Config) *int { return &c.TCPBacklog }),
		strDir("unixsocket", "", immutable|nullEmpty, "", func(c *Config) *string { return &c.UnixSocket }, refuseUnixSocket),
		numDir("proto-max-bulk-len", "", 0, memRange(1024*1024, longMax), 512*1024*1024, func(c *Config) *int64 { return &c.ProtoMaxBulkLen }),
		numDir("client-query-buffer-limit", "", 0, umemRange(1024*1024, longMax), 1024*1024*1024, func(c *Config) *int64 { return &c.ClientQueryBufferLimit }),
		outputBufferLimitDir(),
		numDir("io-threads", "", immutable, intRange(1, 128), 1, func(c *Config) *int { return &c.IOThreads }),

		// Persistence.
		dirDir(),
		strDir("dbfilename", "", protected, "dump.rdb", func(c *Config) *string { return &c.DBFilename }, checkDBFilename),
		saveDir(),
		boolDir("rdbcompression", "", 0, true, func(c *Config) *bool { return &c.RDBCompression }, nil),
		boolDir("rdbchecksum", "", immutable, true, func(c *Config) *bool { return &c.RDBChecksum }, nil),
		boolDir("stop-writes-on-bgsave-error", "", 0, true, func(c *Config) *bool { return &c.StopWritesOnBgsaveError }, nil),
		boolDir("appendonly", "", 0, false, func(c *Config) *bool { return &c.AppendOnly },
			refuseYes("appendonly yes is not supported by replscope (RDB persistence only)")),

		// Replication.
		replicaOfDir(),
		strDir("masterauth", "", sensitive|nullEmpty, "", func(c *Config) *string { return &c.MasterAuth }, nil),
		strDir("masteruser", "", sensitive|nullEmpty, "", func(c *Config) *string { return &c.MasterUser }, nil),
		withApply(numDir("repl-backlog-size", "", 0, memRange(1, llongMax), 1024*1024, func(c *Config) *int64 { return &c.ReplBacklogSize }),
			func(c *Config) { c.ReplBacklogSize = c.EffectiveBacklogSize() }),
		numDir("repl-backlog-ttl", "", 0, intRange(0, longMax), 3600, func(c *Config) *int64 { return &c.ReplBacklogTTL }),
		numDir("repl-timeout", "", 0, intRange(1, intMax), 60, func(c *Config) *int { return &c.ReplTimeout }),
		numDir("shutdown-timeout", "", 0, intRange(0, intMax), 10, func(c *Config) *int { return &c.ShutdownTimeout }),
		numDir("repl-ping-replica-period", "repl-ping-slave-period", 0, intRange(1, intMax), 10, func(c *Config) *int { return &c.ReplPingReplicaPeriod }),
		boolDir("repl-diskless-sync", "", 0, true, func(c *Config) *bool { return &c.ReplDisklessSync }, nil),
		numDir("repl-diskless-sync-delay", "", 0, intRange(0, intMax), 5, func(c *Config) *int { return &c.ReplDisklessSyncDelay }),
		numDir("repl-diskless-sync-max-replicas", "", 0, intRange(0, intMax), 0, func(c *Config) *int { return &c.ReplDisklessSyncMaxReplicas }),
		enumDir("repl-diskless-load", "", 0, enumWords("disabled", "on-empty-db", "swapdb"), "disabled", func(c *Config) *string { return &c.ReplDisklessLoad }),
		boolDir("repl-disable-tcp-nodelay", "", 0, false, func(c *Config) *bool { return &c.ReplDisableTCPNodelay }, nil),
		boolDir("replica-read-only", "slave-read-only", 0, true, func(c *Config) *bool { return &c.ReplicaReadOnly }, nil),
		boolDir("replica-serve-stale-data", "slave-serve-stale-data", 0, true, func(c *Config) *bool { return &c.ReplicaServeStaleData }, nil),
		numDir("replica-priority", "slave-priority", 0, intRange(0, intMax), 100, func(c *Config) *int { return &c.ReplicaPriority }),
		strDir("replica-announce-ip", "slave-announce-ip", nullEmpty, "", func(c *Config) *string { return &c.ReplicaAnnounceIP }, nil),
		numDir("replica-announce-port", "slave-announce-port", 0, intRange(0, 65535), 0, func(c *Config) *int { return &c.ReplicaAnnouncePort }),
		boolDir("replica-announced", "", 0, true, func(c *Config) *bool { return &c.ReplicaAnnounced }, nil),
		boolDir("replica-lazy-flush", "slave-lazy-flush", 0, false, func(c *Config) *bool { return &c.ReplicaLazyFlush }, nil),
		boolDir("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, true, func(c *Config) *bool { return &c.ReplicaIgnoreMaxmemory }, nil),
		numDir("min-replicas-to-write", "min-slaves-to-write", 0, intRange(0, intMax), 0, func(c *Config) *int { return &c.MinReplicasToWrite }),
		numDir("min-replicas-max-lag", "min-slaves-max-lag", 0, intRange(0, intMax), 10, func(c *Config) *int { return &c.MinReplicasMaxLag }),

		// Keyspace and server.
		numDir("databases", "", immutable, intRange(1, intMax), 16, func(c *Config) *int { return &c.Databases }),
		withApply(numDir("hz", "", 0, intRange(0, intMax), 10, func(c *Config) *int { return &c.Hz }), clampHz),
		numDir("maxmemory", "", ignored, umemRange(0, ullMax), 0, func(c *Config) *uint64 { return &c.Maxmemory }),
		enumDir("maxmemory-policy", "", ignored, enumWords("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
			"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"), "noeviction", func(c *Config) *string { return &c.MaxmemoryPolicy }),
		boolDir("lazyfree-lazy-expire", "", 0, false, func(c *Config) *bool { return &c.LazyfreeLazyExpire }, nil),
		enumDir("enable-debug-command", "", immutable, protectedActions, "no", func(c *Config) *string { return &c.EnableDebugCommand }),
		enumDir("enable-protected-configs", "", immutable, protectedActions, "no", func(c *Config) *string { return &c.EnableProtectedConfigs }),
		enumDir("loglevel", "", 0, enumWords("debug", "verbose", "notice", "warning"), "notice", func(c *Config) *string { return &c.LogLevel }),
		strDir("logfile", "", immutable, "", func(c *Config) *string { return &c.LogFile }, nil),
		boolDir("daemonize", "", immutable, false, func(c *Config) *bool { return &c.Daemonize },
			refuseYes("daemonize yes is not supported by replscope (run it in the foreground)")),
		strDir("pidfile", "", immutable|nullEmpty, "", func(c *Config) *string { return &c.PidFile }, nil),
		enumDir("supervised", "", immutable|ignored, []enumItem{{"upstart", 3}, {"systemd", 2}, {"auto", 1}, {"no", 0}}, "no",
			func(c *Config) *string { return &c.Supervised }),

		// TLS (reserved: stored and reported only for now).
		numDir("tls-port", "", 0, intRange(0, 65535), 0, func(c *Config) *int { return &c.TLSPort }),
		strDir("tls-cert-file", "", nullEmpty, "", func(c *Config) *string { return &c.TLSCertFile }, nil),
		strDir("tls-key-file", "", nullEmpty, "", func(c *Config) *string { return &c.TLSKeyFile }, nil),
		strDir("tls-ca-cert-file", "", nullEmpty, "", func(c *Config) *string { return &c.TLSCACertFile }, nil),
		strDir("tls-ca-cert-dir", "", nullEmpty, "", func(c *Config) *string { return &c.TLSCACertDir }, nil),
		enumDir("tls-auth-clients", "", 0, []enumItem{{"no", 0}, {"yes", 1}, {"optional", 2}}, "yes", func(c *Config) *string { return &c.TLSAuthClients }),
		boolDir("tls-replication", "", 0, false, func(c *Config) *bool { return &c.TLSReplication }, nil),
	}
}

// protectedActions are the words of enable-debug-command and friends.
var protectedActions = []enumItem{{"no", 0}, {"yes", 1}, {"local", 2}}

// withApply sets the function a CONFIG SET runs after changing d.
func withApply(d *directive, apply func(*Config)) *directive {
	d.apply = apply
	return d
}

// clampHz keeps hz within 1..500, as Redis does after loading and after
// CONFIG SET (the value is a hint, so it is capped, not refused).
func clampHz(c *Config) { c.Hz = min(max(c.Hz, 1), 500) }

// refuseYes makes a yes/no directive refuse "yes" with msg.
func refuseYes(msg string) func(bool) error {
	return func(v bool) error {
		if v {
			return errors.New(msg)
		}
		return nil
	}
}

func refuseUnixSocket(v string) error {
	if v != "" {
		return errors.New("unixsocket is not supported by replscope (TCP only)")
	}
	return nil
}

func checkDBFilename(v string) error {
	if !isBaseName(v) {
		return errors.New("dbfilename can't be a path, just a filename")
	}
	return nil
}

// isBaseName is Redis's pathIsBaseName: no '/' and no '\\'.
func isBaseName(v string) bool { return !strings.ContainsAny(v, "/\\") }
