// Package topology discovers, judges and operates a Redis replication
// graph: real redis-server and redis-sentinel nodes and replscope nodes
// alike. The dashboard, `replscope watch` and the scenario player read
// it.
//
// # Pieces
//
// The model is a Graph of Nodes and master→replica Links, read from each
// node's INFO (server, persistence, stats, replication, keyspace,
// sentinel), ROLE, CLIENT LIST TYPE replica and CONFIG GET
// client-output-buffer-limit (NodeFromReplies), or from an embedded
// node's Status() (NodeFromStatus). Everything between reading and
// showing is pure and deterministic:
//
//   - Build merges one round of probes into a Graph: the same run_id seen
//     at two addresses is one node (aliases); unreachable, auth-failing
//     and merely mentioned nodes are nodes too, with their Reach.
//   - Assess computes health from the previous Graph and the current one
//     and raises alerts.
//   - Diff lists what changed; Merge folds in embedded nodes' own events.
//   - Layout gives the tree to draw; CheckDetach and CheckAttach are the
//     promotion guard.
//
// I/O is at the edge: Remote probes one node over RESP (per-probe timeout,
// idle connection reuse, AUTH without ever echoing the password), Watcher
// runs rounds (discovery breadth-first from the seeds, bounded
// concurrency) and Operator changes replication.
//
// # Lag: bytes, time and ACK age
//
// Redis's slaveN "lag=" is the age of the replica's last REPLCONF ACK — a
// heartbeat, not how far behind the data is (redis/redis#2375). replscope
// reports three separate figures per link:
//
//   - LagBytes: master_repl_offset minus the replica's own slave_repl_offset
//     (LagFromReplica), or, when the replica cannot be read, minus the
//     ACKed offset in the slaveN line (LagFromAck, up to a second stale).
//   - LagTime: how old the replica's data is, looked up in the master's
//     recent offset samples (when was the master at the replica's
//     offset?), or lag/write rate when the samples do not reach back.
//   - AckAge (lag=) and LastIO (master_last_io_seconds_ago): heartbeats.
//
// # Backlog coverage and sizing
//
// Coverage answers per link: if the link dropped now, would the replica
// come back with a partial resync? Yes while its offset+1 is inside the
// master's backlog; Margin is how many more bytes the master may write
// before that stops being true (repl_backlog_size minus the lag, on a
// full backlog) and Window the same at the current write rate.
// BacklogAdvice turns this around per node: the write rate × an outage
// window (Thresholds.OutageWindow, default 60 s) + the largest current
// lag is the repl-backlog-size needed; Recommended adds 25 % headroom.
//
// # Promotion guard
//
// REPLICAOF NO ONE and REPLICAOF host port are refused, unless forced,
// when they would lose data: promoting a node that is empty, still
// syncing, of an unrelated history, behind a sibling, or marked
// replica-priority 0; attaching a node with data to an empty master, to
// an unrelated history, or to a master behind it; or making a cycle. See
// CheckDetach and CheckAttach for the reason codes. CheckAttach also
// predicts whether the replica will resync partially or fully.
//
// # Alerts
//
// Alert names are stable: scenario scripts check them ("expect b alert
// link-down"). Link alerts are raised on the replica, with the master as
// Peer.
//
//	name               on       when
//	unreachable        node     the node did not answer (dial error, timeout, not Redis)
//	auth-failed        node     NOAUTH / WRONGPASS / NOPERM with the credentials given
//	link-down          replica  master_link_status:down for Thresholds.LinkDownAfter (2 s),
//	                            or never up and not connecting; not during a full sync
//	lag-bytes          replica  LagBytes > Thresholds.LagBytes (1 MiB); below a stalled
//	                            upstream, the lag against the root master (Peer: the root)
//	lag-seconds        replica  LagTime > Thresholds.LagTime (10 s); likewise
//	heartbeat          replica  link up but last master I/O or last ACK older than
//	                            Thresholds.Heartbeat (30 s)
//	full-resync-loop   master   sync_full rose Thresholds.FullSyncLoop (3) times within
//	                            FullSyncWindow (10 min) beyond first attaches of new replicas
//	full-resync-loop   replica  the replica was seen entering a full sync that many times
//	output-buffer      replica  its pending output on the master (CLIENT LIST omem) reached
//	                            Thresholds.OutputBuffer (60 %) of the smaller of the hard
//	                            and soft client-output-buffer-limit replica (critical at 100 %)
//	backlog-too-small  node     a node with replicas whose repl-backlog-size does not hold
//	                            OutageWindow of writes; the message gives the size to set
//	replication-cycle  node     each node on a cycle of replica→master links
//	shared-replid      master   two or more masters report the same master_replid
//	master-reset       master   it came back with a new replid at a lower offset (a restart
//	                            without its RDB) and its replicas full-synced from it, or are
//	                            about to; names each replica's keys before and after. Held
//	                            for FullSyncWindow.
//	split-history      master   two reachable masters of one dataset: one's replid2 is the
//	                            other's replid (promoted from its history), or Sentinels
//	                            name both as master of one group
//	slots-uncovered    node     (cluster) slots no master claims; raised on the node whose
//	                            CLUSTER INFO the header shows
//	cluster-node-fail  node     (cluster) a peer flags the node fail (critical) or pfail
//	shard-no-replica   master   (cluster) a master with slots and no reachable replica
//	shard-one-host     master   (cluster) a shard's master and replicas share one host
//	master-no-slots    master   (cluster) a master without slots that has replicas
//
// An alert whose subject went away (the replica was dropped, a node
// stopped answering) is logged as alert-ended with the reason, not as
// cleared; a cleared alert says what holds now.
//
// # Events beyond the link states
//
// Diff compares each node with its last successful read, across outages
// and restarts at the same address: replid-changed (with the cause),
// offset-backwards, a full sync finished between two polls, sync counters
// (from zero after a restart, naming the replicas that synced), and
// replica-dropped on both ends of a link with its cause (see dropCause
// for what Redis 7.0.15 lets us tell).
//
// # Full-sync timelines
//
// The Watcher's FullSyncTracker (fullsync_tracker.go) cuts every full
// sync it sees into wait-bgsave, transfer, loading and catch-up, from INFO
// over polls (to within one polling interval) or, for embedded nodes,
// from their own events and last_successful_sync_duration_ms (exact).
// Node.FullSync is the sync in progress, Node.LastFullSync the last that
// ended; each end is logged once as full-sync-timeline.
//
// # Estimates
//
// Time estimates divide by the write rate only above 64 B/s (an idle
// master's PINGs would turn bytes into hours); a margin under a tenth of
// the backlog or Thresholds.MarginFloor of writes is Low; backlog advice
// uses the peak rate over the outage window.
package topology
