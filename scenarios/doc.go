// Package scenarios plays scripted replication stories over a cluster of
// real nodes on loopback: embedded replscope nodes and, where a script asks
// for them, real redis-server processes.
//
// # Pieces
//
//   - Cluster owns the nodes: it starts them (each in its own temporary
//     directory, on a free port or from a base port), puts a fault-injecting
//     link layer under every replica's link to its master (a faultnet.Dialer
//     for embedded nodes, a faultnet.Proxy for redis-server), and carries out
//     the operations scripts and the demo need: ReplicaOf, Promote, Cut,
//     Heal, Pause, Resume, Kill, Restart, Config, Write, Set, WaitAcked
//     and a background Load (LoadSwitch for the demo's `w` key). State
//     and Dataset read nodes back. Close stops everything it started.
//   - Watch reads the Cluster with a topology.Watcher (the Cluster is its
//     Fleet: members are read each round, so nodes may come, go and
//     restart), which turns it into Graphs round after round (assessed,
//     diffed, with the embedded nodes' and the Sentinels' own events): the
//     alerts `expect <node> alert` checks, and the Feed the dashboard draws.
//   - Player runs a parsed script (package scenarios/script) one step at a
//     time and reports each step's Result; RunHeadless prints one line per
//     step and a summary; Show paces a Player for the dashboard (pause,
//     next step, speed).
//   - The built-in scenarios (builtin/*.scn) are embedded in the binary:
//     Builtins lists them, Open finds one by name or reads a file.
//
// # Semantics the scripts rely on
//
// Nodes start with settings that keep stories quick: no save points,
// repl-diskless-sync-delay 0, repl-ping-replica-period 1, repl-timeout 5.
// A script changes them with `config`.
//
// `write a 100` sets keys a:1 … a:100 (each node counts its own keys across
// steps, so the next write on a starts at a:101) to values of the given size
// made of 'x'. `set a k v 3s` is SET k v PX 3000. Both go through one
// connection per node that stays open between steps, the one `wait acked
// a 2` runs WAIT 2 on: WAIT counts the replicas that acknowledged its own
// connection's last write. The step fails ("expected 2 replicas to
// acknowledge …, saw 1") when WAIT returns fewer, and stops the script as
// a wait that times out does. Kill and restart close that connection.
// `load a on` overwrites keys a:load:0 … a:load:9999 in a cycle, so a long
// load keeps memory bounded.
//
// `kill a` is a crash that loses the disk: the process stops at once
// without saving and its RDB file is removed, so `restart a` afterwards
// starts it empty. `restart a` on a running node is a clean restart: SHUTDOWN
// SAVE, then start again from that RDB (with its replication ID and offset,
// so replicas can continue partially). A restarted node keeps the settings
// the script gave it and the master it followed, as if CONFIG REWRITE had
// run before it stopped. Both return once the node's replicas report their
// link down (but paused and cut ones), so that a `wait synced` right after
// waits for their resync, never for a link that has not noticed yet.
//
// `cut b` cuts b's link to its master and refuses reconnections until
// `heal b`, whichever master b follows meanwhile. `pause b` holds the bytes
// of b's link in both directions until `resume b` instead, as a stalled
// replica would: b keeps its connection and serves reads, takes in no
// stream and sends no ACK, and its master's output buffer for it grows.
// The kernel buffers of embedded nodes' sockets are fixed (256 KB each
// way) rather than autotuned, so a paused link absorbs about 1 MB at most
// whatever the host: past that every byte written lands in the master's
// output buffer, and a story can count on the output-buffer limit. A
// master drops a replica silent for repl-timeout seconds (5 by default
// here), so a story that pauses a link for long raises it on the master.
//
// `wait synced b` holds when b's link to the master the scenario gave it is
// up and b's offset has reached the offset its master had just before (so
// it also ends under a write load). `expect b sync full|partial` is how b's
// last sync went: Status() for an embedded node; for a redis-server, the
// last of the two lines Redis logs for it ("Full resync from master" /
// "Successful partial resynchronization"), which, unlike the master's
// sync_full and sync_partial_ok counters, tells replicas of one master
// apart. `expect consistent` compares digests of every database read with
// SCAN, TYPE, PTTL and the type's read command, so it works on real Redis
// too. `expect b keys 1` is DBSIZE, which, as in Redis, counts the keys
// past their TTL that a replica holds until its master's DEL (reads on
// the replica treat them as missing). `expect b alert NAME` asks the Watcher for a round now and looks
// for the alert topology.Assess raised on b (ScenarioThresholds: a link is
// down after 1 s); the Player has the Watcher read the cluster after every
// step, so alert history (full resyncs seen, replicas seen) does not depend
// on when periodic rounds fall.
//
// # Deterministic stories
//
// The built-in scenarios run in CI under the race detector on loaded
// machines, so no story may hang on a race between a writer and a replica:
// an expect about a replica follows a wait (`wait synced`, `wait acked`)
// or a cut or pause that keeps the bytes away; `sleep` only lets time pass
// for a condition measured in time (a link down for a second, a TTL, a
// write rate). A story that must outrun a replica pauses it instead.
package scenarios
