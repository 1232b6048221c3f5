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
//     Heal, Pause, Resume, Kill, Restart, Config, Write, Set and a
//     background Load (LoadSwitch for the demo's `w` key). State and
//     Dataset read nodes back. Close stops everything it started.
//   - Observer turns the Cluster into topology Graphs, round after round
//     (assessed, diffed, with the embedded nodes' own events): the alerts
//     `expect <node> alert` checks, and the Feed the dashboard draws.
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
// made of 'x'. `load a on` overwrites keys a:load:0 … a:load:9999 in a
// cycle, so a long load keeps memory bounded.
//
// `kill a` is a crash that loses the disk: the process stops at once
// without saving and its RDB file is removed, so `restart a` afterwards
// starts it empty. `restart a` on a running node is a clean restart: SHUTDOWN
// SAVE, then start again from that RDB (with its replication ID and offset,
// so replicas can continue partially). A restarted node keeps the settings
// the script gave it and the master it followed, as if CONFIG REWRITE had
// run before it stopped.
//
// `cut b` cuts b's link to its master and refuses reconnections until
// `heal b`, whichever master b follows meanwhile. Pause (no script verb
// yet) holds the bytes of b's link in both directions instead, as a stalled
// replica would.
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
// too. `expect b alert NAME` asks the Observer for a round now and looks
// for the alert topology.Assess raised on b (ScenarioThresholds: a link is
// down after 1 s); the Player has the Observer read the cluster after every
// step, so alert history (full resyncs seen, replicas seen) does not depend
// on when periodic rounds fall.
package scenarios
