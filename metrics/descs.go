package metrics

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// The label sets. Node metrics name the node; link metrics the master and
// the replica; both say the cluster shard and Sentinel group when known.
var (
	nodeLabels  = []string{"node", "shard", "sentinel_group"}
	linkLabels  = []string{"master", "replica", "shard", "sentinel_group"}
	alertLabels = []string{"kind", "node", "peer", "severity"}
)

// descs are the metrics a Collector exports, one field per metric. The
// README's Metrics section lists the same names with their meanings.
type descs struct {
	graphTime *prometheus.Desc

	nodeUp, nodeRole, nodeDataAge, nodeOffset, nodeKeys, nodeLoading *prometheus.Desc
	syncFull, syncPartialOK, syncPartialErr                          *prometheus.Desc
	backlogActive, backlogSize, backlogFirstByte, backlogHistLen     *prometheus.Desc
	writeRate, backlogNeeded                                         *prometheus.Desc

	linkUp, linkState, lagBytes, lagSeconds, ackAge, lastIO *prometheus.Desc
	margin, window, partial, outBuf, outBufLimit            *prometheus.Desc

	alert *prometheus.Desc

	// fullSyncDuration is issue 15 item 4's metric; see collectFullSyncs.
	fullSyncDuration *prometheus.Desc
}

// all lists every desc, for Describe.
func (d *descs) all() []*prometheus.Desc {
	return []*prometheus.Desc{
		d.graphTime,
		d.nodeUp, d.nodeRole, d.nodeDataAge, d.nodeOffset, d.nodeKeys, d.nodeLoading,
		d.syncFull, d.syncPartialOK, d.syncPartialErr,
		d.backlogActive, d.backlogSize, d.backlogFirstByte, d.backlogHistLen,
		d.writeRate, d.backlogNeeded,
		d.linkUp, d.linkState, d.lagBytes, d.lagSeconds, d.ackAge, d.lastIO,
		d.margin, d.window, d.partial, d.outBuf, d.outBufLimit,
		d.alert, d.fullSyncDuration,
	}
}

func newDescs() *descs {
	node := func(name, help string, extra ...string) *prometheus.Desc {
		return prometheus.NewDesc("replscope_node_"+name, help, slices.Concat(nodeLabels, extra), nil)
	}
	link := func(name, help string, extra ...string) *prometheus.Desc {
		return prometheus.NewDesc("replscope_link_"+name, help, slices.Concat(linkLabels, extra), nil)
	}
	return &descs{
		graphTime: prometheus.NewDesc("replscope_graph_timestamp_seconds",
			"When the observation round of the exported graph started (Unix time): time() minus it is how old the data is.", nil, nil),

		nodeUp: node("up", "1 when replscope read the node's state this round; 0 when it was unreachable, refused authentication, did not answer like Redis, or was not probed."),
		nodeRole: node("role", "1 for the node's current role (master, replica, sentinel, unknown); master is the address of its master (\"\" on masters).",
			"role", "master"),
		nodeDataAge: node("data_age_seconds", "How old the node's data is at the graph's time: time since it last answered."),
		nodeOffset:  node("offset_bytes", "master_repl_offset: bytes of replication stream the node holds (its position in its history)."),
		nodeKeys:    node("keys", "Keys in all databases (INFO keyspace)."),
		nodeLoading: node("loading", "1 while the node loads a dataset (after a full sync or at start-up)."),
		syncFull: prometheus.NewDesc("replscope_node_sync_full_total",
			"sync_full: full resyncs this node served as a master.", nodeLabels, nil),
		syncPartialOK: prometheus.NewDesc("replscope_node_sync_partial_ok_total",
			"sync_partial_ok: partial resyncs (PSYNC +CONTINUE) this node accepted.", nodeLabels, nil),
		syncPartialErr: prometheus.NewDesc("replscope_node_sync_partial_err_total",
			"sync_partial_err: partial resyncs this node refused (the replica then fully resynced).", nodeLabels, nil),
		backlogActive:    node("backlog_active", "repl_backlog_active: 1 when the node keeps a replication backlog."),
		backlogSize:      node("backlog_size_bytes", "repl_backlog_size: the backlog's configured capacity."),
		backlogFirstByte: node("backlog_first_byte_offset", "repl_backlog_first_byte_offset: the oldest stream offset the backlog holds."),
		backlogHistLen:   node("backlog_histlen_bytes", "repl_backlog_histlen: bytes of stream the backlog holds."),
		writeRate:        node("write_rate_bytes_per_second", "Growth of the node's replication offset between the last two rounds (bytes/s)."),
		backlogNeeded: node("backlog_needed_bytes",
			"Backlog size that survives the --outage-window at the peak write rate plus the largest replica lag (replscope's sizing advice)."),

		linkUp: link("up", "1 when the link is up (the replica says so, or the master lists it online); 0 when down, connecting, syncing or unknown."),
		linkState: link("state", "1 for the link's current state: up, syncing, connecting, down or unknown.",
			"state"),
		lagBytes: link("lag_bytes", "Bytes of stream the replica has not applied yet: the master's offset minus the replica's (its own report, else its last ACK)."),
		lagSeconds: link("lag_seconds",
			"How old the replica's data is: time since the master was at the replica's offset (poll-interval resolution). Not Redis's lag=."),
		ackAge: link("ack_age_seconds",
			"Age of the replica's last REPLCONF ACK as its master sees it: Redis's lag= field, a heartbeat, not how far behind the data is."),
		lastIO: link("last_io_seconds",
			"Age of the last byte the replica received from its master (master_last_io_seconds_ago)."),
		margin: link("backlog_margin_bytes",
			"Bytes the master can still write before the replica's next byte may leave the backlog; negative when it has (the replica needs a full resync)."),
		window: link("backlog_window_seconds",
			"backlog_margin_bytes at the master's write rate: the longest outage after which the replica still partially resyncs."),
		partial: link("partial_resync_possible",
			"1 when the replica, reconnecting now, would get a partial resync (same history, next byte in the backlog); 0 when a full one."),
		outBuf: link("output_buffer_bytes",
			"The replica's unsent output on its master (CLIENT LIST omem)."),
		outBufLimit: link("output_buffer_limit_bytes",
			"The master's client-output-buffer-limit replica: limit=\"hard\" drops the replica at once, limit=\"soft\" after soft-seconds over it.",
			"limit"),

		alert: prometheus.NewDesc("replscope_alert",
			"1 for each alert replscope raises: kind is the alert's name (link-down, lag-bytes, split-history, …), node the address it is raised on, peer the other end (the master of a link alert).",
			alertLabels, nil),

		fullSyncDuration: prometheus.NewDesc("replscope_full_sync_duration_seconds",
			"Duration of the replica's last completed full sync, per phase (total, wait_bgsave, transfer, load, catch_up).",
			slices.Concat(linkLabels, []string{"phase"}), nil),
	}
}
