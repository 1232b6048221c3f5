// Package metrics exports a replication topology as Prometheus metrics.
//
// A Collector reads the latest topology.Graph at scrape time (a Watcher's
// Latest) and turns what topology already computed — reach, offsets,
// backlog, byte and time lag, ACK age, backlog coverage, output buffers,
// alerts — into constant metrics. Nothing is recomputed here and nothing
// is remembered between scrapes: a node or link that left the graph
// leaves the next scrape, with no stale series.
//
// Labels name nodes by address: node metrics carry node, link metrics
// master and replica. Both carry shard (a Redis Cluster shard's slot
// ranges, "0-5460", when the graph is a cluster) and sentinel_group (the
// name a Sentinel monitors the node's group under); each is "" when
// unknown.
//
// Redis's lag= field in a master's slaveN line is the age of the
// replica's last REPLCONF ACK, a heartbeat: it is exported as
// replscope_link_ack_age_seconds. replscope_link_lag_bytes and
// replscope_link_lag_seconds are how far behind the replica's data is
// (bytes of stream not yet applied, and how old the oldest of them is).
//
// Server serves the metrics over HTTP at /metrics and stops with its
// owner (Close waits for its goroutine).
package metrics
