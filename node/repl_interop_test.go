package node_test

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/faultnet"
	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
)

// server is either side of a pairing: a real redis-server or an embedded
// replscope node (whose link to its master goes through a fault-injecting
// dialer).
type server struct {
	name   string
	addr   string
	port   int
	redis  *redistest.Server
	node   *nodetest.Node
	dialer *faultnet.Dialer
}

func startServer(t *testing.T, kind string, args ...string) server {
	t.Helper()
	if kind == "redis" {
		s := redistest.Start(t, args...)
		return server{name: "redis-server", addr: s.Addr, port: s.Port, redis: s}
	}
	d := &faultnet.Dialer{}
	n := nodetest.StartWith(t, nodetest.Options{Dial: d.Dial}, args...)
	return server{name: "replscope", addr: n.Addr(), port: n.Port, node: n, dialer: d}
}

// withLinkDown holds the replica's link to its master down while fn runs:
// a replscope replica's dialer is cut; a redis-server replica is stopped
// (SIGSTOP) and its connection killed on the master, since Redis would
// reconnect at once otherwise.
func withLinkDown(t *testing.T, master, replica server, fn func()) {
	t.Helper()
	if replica.dialer != nil {
		replica.dialer.Cut()
		nodetest.WaitFor(t, 10*time.Second, "link down", func() (bool, string) {
			st := nodetest.Info(t, replica.addr, "replication")["master_link_status"]
			return st == "down", st
		})
		fn()
		replica.dialer.Heal()
		return
	}
	replica.redis.Signal(syscall.SIGSTOP)
	nodetest.MustDo(t, master.addr, "CLIENT", "KILL", "TYPE", "replica")
	nodetest.WaitFor(t, 10*time.Second, "replica detached", func() (bool, string) {
		n := nodetest.Info(t, master.addr, "replication")["connected_slaves"]
		return n == "0", "connected_slaves=" + n
	})
	fn()
	replica.redis.Signal(syscall.SIGCONT)
}

func replicaOf(t *testing.T, replica, master server) {
	t.Helper()
	nodetest.MustDo(t, replica.addr, "REPLICAOF", "127.0.0.1", strconv.Itoa(master.port))
}

func sameData(t *testing.T, a, b server) {
	t.Helper()
	da, na := nodetest.Digest(t, a.addr)
	db, nb := nodetest.Digest(t, b.addr)
	if da != db || na != nb {
		t.Fatalf("datasets differ: %s has %d keys (%s), %s has %d keys (%s)", a.name, na, da, b.name, nb, db)
	}
	if na == 0 {
		t.Fatalf("empty datasets: the test wrote nothing")
	}
}

func stat(t *testing.T, s server, field string) int64 {
	t.Helper()
	return nodetest.Int(nodetest.Info(t, s.addr, "stats"), field)
}

// TestFullSyncPairings replicates a mixed dataset between every pairing
// of redis-server and replscope, in both RDB transfer forms (diskless
// $EOF: and disk $<len>), then streams commands, and checks data equality
// and the sync counters.
func TestFullSyncPairings(t *testing.T) {
	redistest.Require(t)
	for _, pair := range [][2]string{{"redis", "replscope"}, {"replscope", "redis"}, {"replscope", "replscope"}} {
		for _, diskless := range []string{"yes", "no"} {
			name := fmt.Sprintf("%s-to-%s/diskless=%s", pair[0], pair[1], diskless)
			t.Run(name, func(t *testing.T) {
				m := startServer(t, pair[0], "--repl-diskless-sync", diskless)
				nodetest.Populate(t, m.addr, "k", 1)
				r := startServer(t, pair[1])
				nodetest.MustDo(t, r.addr, "SET", "stale", "old data to be replaced")
				replicaOf(t, r, m)
				nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
				sameData(t, m, r)
				if got := stat(t, m, "sync_full"); got != 1 {
					t.Fatalf("%s sync_full = %d, want 1", m.name, got)
				}
				// the command stream after the sync
				nodetest.MustDo(t, m.addr, "SET", "after", "sync")
				nodetest.MustDo(t, m.addr, "INCRBYFLOAT", "fl", "1.5")
				nodetest.MustDo(t, m.addr, "EXPIRE", "after", "1000")
				nodetest.MustDo(t, m.addr, "SELECT", "0") // harmless
				nodetest.Write(t, m.addr, "stream:", 200, 50)
				nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
				sameData(t, m, r)
				if v := nodetest.Do(t, r.addr, "SET", "x", "y"); string(v.Str) != "READONLY You can't write against a read only replica." {
					t.Fatalf("write on replica: %q", v.Str)
				}
			})
		}
	}
}

// TestChains builds mixed chains and checks that the whole chain shares
// one replication ID and offset space (a replica forwards what it applied
// verbatim).
func TestChains(t *testing.T) {
	redistest.Require(t)
	for _, kinds := range [][3]string{{"replscope", "redis", "replscope"}, {"redis", "replscope", "redis"}, {"replscope", "replscope", "replscope"}} {
		t.Run(kinds[0]+"-"+kinds[1]+"-"+kinds[2], func(t *testing.T) {
			a := startServer(t, kinds[0])
			b := startServer(t, kinds[1])
			c := startServer(t, kinds[2])
			nodetest.Populate(t, a.addr, "k", 1)
			replicaOf(t, b, a)
			nodetest.WaitSynced(t, a.addr, b.addr, 20*time.Second)
			replicaOf(t, c, b)
			nodetest.WaitSynced(t, b.addr, c.addr, 20*time.Second)
			nodetest.Write(t, a.addr, "chain:", 300, 20)
			nodetest.WaitSynced(t, a.addr, b.addr, 20*time.Second)
			nodetest.WaitSynced(t, b.addr, c.addr, 20*time.Second)
			sameData(t, a, c)
			ia, ic := nodetest.Info(t, a.addr, "replication"), nodetest.Info(t, c.addr, "replication")
			if ia["master_replid"] != ic["master_replid"] || ia["master_repl_offset"] != ic["master_repl_offset"] {
				t.Fatalf("chain does not share replid/offset: head %s@%s, tail %s@%s",
					ia["master_replid"], ia["master_repl_offset"], ic["master_replid"], ic["master_repl_offset"])
			}
		})
	}
}

var pairings = [][2]string{{"redis", "replscope"}, {"replscope", "redis"}, {"replscope", "replscope"}}

// TestPartialResyncAfterLinkDrop drops the link, writes, and restores it:
// the replica must continue from the backlog (+CONTINUE), not full-sync.
func TestPartialResyncAfterLinkDrop(t *testing.T) {
	redistest.Require(t)
	for _, pair := range pairings {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			m := startServer(t, pair[0])
			r := startServer(t, pair[1])
			nodetest.Populate(t, m.addr, "k", 1)
			replicaOf(t, r, m)
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			withLinkDown(t, m, r, func() {
				nodetest.Write(t, m.addr, "gap:", 500, 100)
			})
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			sameData(t, m, r)
			if got := stat(t, m, "sync_full"); got != 1 {
				t.Fatalf("%s sync_full = %d after the link drop, want 1 (no new full sync)", m.name, got)
			}
			if got := stat(t, m, "sync_partial_ok"); got != 1 {
				t.Fatalf("%s sync_partial_ok = %d, want 1", m.name, got)
			}
		})
	}
}

// TestBacklogOverflowFallsBackToFullSync writes more than the backlog
// holds while the link is down: the replica's PSYNC fails and it full-syncs.
func TestBacklogOverflowFallsBackToFullSync(t *testing.T) {
	redistest.Require(t)
	for _, pair := range pairings {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			m := startServer(t, pair[0], "--repl-backlog-size", "16kb")
			r := startServer(t, pair[1])
			nodetest.Write(t, m.addr, "base:", 100, 10)
			replicaOf(t, r, m)
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			// A replica that was a master first asks with its own history,
			// which already counts as a failed partial resync on Redis.
			errBefore := stat(t, m, "sync_partial_err")
			withLinkDown(t, m, r, func() {
				nodetest.Write(t, m.addr, "gap:", 400, 100) // ~60 KB of stream > 16 KB
			})
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			sameData(t, m, r)
			if got := stat(t, m, "sync_full"); got != 2 {
				t.Fatalf("%s sync_full = %d, want 2 (the backlog overflowed)", m.name, got)
			}
			if got := stat(t, m, "sync_partial_err") - errBefore; got != 1 {
				t.Fatalf("%s sync_partial_err rose by %d, want 1", m.name, got)
			}
		})
	}
}

// TestFailoverPartialResync promotes a replica and re-points its sibling
// and the old master at it: with PSYNC2 all of them continue partially.
func TestFailoverPartialResync(t *testing.T) {
	redistest.Require(t)
	for _, kinds := range [][3]string{{"replscope", "replscope", "replscope"}, {"redis", "replscope", "redis"}, {"replscope", "redis", "replscope"}} {
		t.Run(kinds[0]+"-"+kinds[1]+"-"+kinds[2], func(t *testing.T) {
			a := startServer(t, kinds[0])
			b := startServer(t, kinds[1])
			c := startServer(t, kinds[2])
			nodetest.Populate(t, a.addr, "k", 1)
			replicaOf(t, b, a)
			replicaOf(t, c, a)
			nodetest.WaitSynced(t, a.addr, b.addr, 20*time.Second)
			nodetest.WaitSynced(t, a.addr, c.addr, 20*time.Second)
			nodetest.Write(t, a.addr, "before:", 100, 20)
			nodetest.WaitSynced(t, a.addr, b.addr, 20*time.Second)
			nodetest.WaitSynced(t, a.addr, c.addr, 20*time.Second)

			nodetest.MustDo(t, b.addr, "REPLICAOF", "NO", "ONE")
			ib := nodetest.Info(t, b.addr, "replication")
			if ib["role"] != "master" || ib["master_replid2"] == "0000000000000000000000000000000000000000" {
				t.Fatalf("promoted node: role=%s replid2=%s", ib["role"], ib["master_replid2"])
			}
			replicaOf(t, c, b)
			replicaOf(t, a, b)
			nodetest.Write(t, b.addr, "after:", 100, 20)
			nodetest.WaitSynced(t, b.addr, c.addr, 20*time.Second)
			nodetest.WaitSynced(t, b.addr, a.addr, 20*time.Second)
			sameData(t, b, c)
			sameData(t, b, a)
			if full, ok := stat(t, b, "sync_full"), stat(t, b, "sync_partial_ok"); full != 0 || ok != 2 {
				t.Fatalf("promoted %s: sync_full=%d sync_partial_ok=%d, want 0 and 2", b.name, full, ok)
			}
		})
	}
}

// TestRepointToUnrelatedMasterFullSyncs points a replica at a master of
// another history: its data is replaced by a full sync.
func TestRepointToUnrelatedMasterFullSyncs(t *testing.T) {
	redistest.Require(t)
	for _, pair := range pairings {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			m1 := startServer(t, pair[0])
			m2 := startServer(t, pair[0])
			r := startServer(t, pair[1])
			nodetest.Write(t, m1.addr, "one:", 50, 10)
			nodetest.Write(t, m2.addr, "two:", 70, 10)
			replicaOf(t, r, m1)
			nodetest.WaitSynced(t, m1.addr, r.addr, 20*time.Second)
			replicaOf(t, r, m2)
			nodetest.WaitSynced(t, m2.addr, r.addr, 20*time.Second)
			sameData(t, m2, r)
			if got := stat(t, m2, "sync_full"); got != 1 {
				t.Fatalf("sync_full on the new master = %d, want 1", got)
			}
		})
	}
}

// restart stops a server with SHUTDOWN SAVE and starts it again on the
// same port and directory, with args (e.g. its replicaof line).
func restart(t *testing.T, s server, args ...string) server {
	t.Helper()
	if s.redis != nil {
		c := s.redis.Client(t)
		_ = c.Send("SHUTDOWN", "SAVE")
		<-s.redis.Done()
		ns := redistest.StartIn(t, redistest.Require(t), s.redis.Dir, s.port, args...)
		return server{name: s.name, addr: ns.Addr, port: ns.Port, redis: ns}
	}
	nodetest.MustDo(t, s.addr, "CONFIG", "GET", "dir") // the node answers before we stop it
	c := nodetest.Dial(t, s.addr)
	_ = c.Send("SHUTDOWN", "SAVE")
	<-s.node.Done()
	_ = s.node.Close()
	d := &faultnet.Dialer{}
	n := nodetest.StartWith(t, nodetest.Options{Dir: s.node.Dir, Port: s.port, Dial: d.Dial}, append(append([]string(nil), s.node.Args...), args...)...)
	return server{name: s.name, addr: n.Addr(), port: n.Port, node: n, dialer: d}
}

// TestRestartPartialResync restarts a replica and then a master from their
// RDB files (SHUTDOWN SAVE): the repl-id / repl-offset aux fields let both
// continue partially.
func TestRestartPartialResync(t *testing.T) {
	redistest.Require(t)
	for _, pair := range pairings {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			m := startServer(t, pair[0])
			r := startServer(t, pair[1])
			nodetest.Populate(t, m.addr, "k", 1)
			replicaOf(t, r, m)
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)

			// the replica restarts (still configured as a replica) and continues
			r = restart(t, r, "--replicaof", "127.0.0.1", strconv.Itoa(m.port))
			nodetest.Write(t, m.addr, "while-restarted:", 50, 10)
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			sameData(t, m, r)
			if full := stat(t, m, "sync_full"); full != 1 {
				t.Fatalf("after the replica restart %s sync_full = %d, want 1", m.name, full)
			}

			// the master restarts and its replica continues
			m = restart(t, m)
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			nodetest.Write(t, m.addr, "after-master-restart:", 50, 10)
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			sameData(t, m, r)
			if full, ok := stat(t, m, "sync_full"), stat(t, m, "sync_partial_ok"); full != 0 || ok != 1 {
				t.Fatalf("restarted %s: sync_full=%d sync_partial_ok=%d, want 0 and 1", m.name, full, ok)
			}
		})
	}
}

// TestAuth checks masterauth: a wrong password keeps the link down,
// setting the right one brings it up.
func TestAuth(t *testing.T) {
	redistest.Require(t)
	for _, pair := range pairings {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			m := startServer(t, pair[0], "--requirepass", "s3cret")
			r := startServer(t, pair[1], "--masterauth", "wrong")
			c := nodetest.Dial(t, m.addr)
			if v, _ := c.Do("SET", "k", "v"); string(v.Str) != "NOAUTH Authentication required." {
				t.Fatalf("unauthenticated write: %q", v.Str)
			}
			c.Do("AUTH", "s3cret")
			c.Do("SET", "k", "v")
			replicaOf(t, r, m)
			time.Sleep(1500 * time.Millisecond) // two connection attempts
			if st := nodetest.Info(t, r.addr, "replication")["master_link_status"]; st != "down" {
				t.Fatalf("link with a wrong masterauth is %s", st)
			}
			nodetest.MustDo(t, r.addr, "CONFIG", "SET", "masterauth", "s3cret")
			nodetest.WaitFor(t, 10*time.Second, "link up", func() (bool, string) {
				st := nodetest.Info(t, r.addr, "replication")["master_link_status"]
				return st == "up", st
			})
			if v := nodetest.MustDo(t, r.addr, "GET", "k"); string(v.Str) != "v" {
				t.Fatalf("replica GET k = %q", v.Str)
			}
		})
	}
}

// TestReplicaExpiry: a replica hides a logically expired key from clients
// but deletes it only when its master's DEL arrives.
func TestReplicaExpiry(t *testing.T) {
	redistest.Require(t)
	for _, pair := range pairings {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			m := startServer(t, pair[0], "--enable-debug-command", "yes")
			r := startServer(t, pair[1])
			replicaOf(t, r, m)
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			nodetest.MustDo(t, m.addr, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
			nodetest.MustDo(t, m.addr, "SET", "ephemeral", "v", "PX", "200")
			nodetest.MustDo(t, m.addr, "SET", "durable", "v")
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			nodetest.WaitFor(t, 5*time.Second, "key expired on the replica", func() (bool, string) {
				v := nodetest.Do(t, r.addr, "GET", "ephemeral")
				return v.Null, v.String()
			})
			if n := nodetest.Do(t, r.addr, "DBSIZE").Int; n != 2 {
				t.Fatalf("replica DBSIZE = %d before the master's DEL, want 2 (logical expiry only)", n)
			}
			if v := nodetest.Do(t, r.addr, "EXISTS", "ephemeral"); v.Int != 0 {
				t.Fatalf("replica EXISTS of an expired key = %d", v.Int)
			}
			nodetest.Do(t, m.addr, "GET", "ephemeral") // the master expires it lazily and replicates DEL
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			if n := nodetest.Do(t, r.addr, "DBSIZE").Int; n != 1 {
				t.Fatalf("replica DBSIZE = %d after the master's DEL, want 1", n)
			}
		})
	}
}

// TestWaitAndMinReplicas checks WAIT's count and timeout and the
// min-replicas-to-write refusal.
func TestWaitAndMinReplicas(t *testing.T) {
	redistest.Require(t)
	for _, kind := range []string{"redis", "replscope"} {
		t.Run(kind, func(t *testing.T) {
			m := startServer(t, "replscope", "--min-replicas-to-write", "1", "--min-replicas-max-lag", "10")
			if v := nodetest.Do(t, m.addr, "SET", "k", "v"); string(v.Str) != "NOREPLICAS Not enough good replicas to write." {
				t.Fatalf("write without replicas: %q", v.Str)
			}
			r1 := startServer(t, kind)
			r2 := startServer(t, kind)
			replicaOf(t, r1, m)
			replicaOf(t, r2, m)
			nodetest.WaitFor(t, 10*time.Second, "good replicas", func() (bool, string) {
				i := nodetest.Info(t, m.addr, "replication")
				return i["min_slaves_good_slaves"] == "2", "min_slaves_good_slaves=" + i["min_slaves_good_slaves"]
			})
			c := nodetest.Dial(t, m.addr)
			if v, err := c.Do("SET", "k", "v"); err != nil || string(v.Str) != "OK" {
				t.Fatalf("SET with replicas: %v %q", err, v.Str)
			}
			if v, err := c.Do("WAIT", "2", "5000"); err != nil || v.Int != 2 {
				t.Fatalf("WAIT 2 5000 = %v %v", v, err)
			}
			start := time.Now()
			if v, err := c.Do("WAIT", "3", "300"); err != nil || v.Int != 2 {
				t.Fatalf("WAIT 3 300 = %v %v", v, err)
			}
			if d := time.Since(start); d < 250*time.Millisecond {
				t.Fatalf("WAIT 3 300 returned after %s: it must wait for the timeout", d)
			}
			if v := nodetest.Do(t, r1.addr, "WAIT", "1", "10"); v.Kind != 0 && !strings.HasPrefix(string(v.Str), "ERR WAIT cannot be used with replica instances") {
				t.Fatalf("WAIT on a replica: %q", v.Str)
			}
		})
	}
}

// TestSlowReplicaDropped stalls a replica's link (a paused proxy between
// them) while the master writes far more than the replica output-buffer
// limit: the master must drop the replica instead of buffering without
// bound, and the replica must resync once its link moves again.
func TestSlowReplicaDropped(t *testing.T) {
	redistest.Require(t)
	for _, pair := range pairings {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			m := startServer(t, pair[0], "--client-output-buffer-limit", "replica 512kb 256kb 1")
			r := startServer(t, pair[1])
			proxy, err := faultnet.NewProxy(m.addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { proxy.Close() })
			_, pport, _ := strings.Cut(proxy.Addr(), ":")
			nodetest.MustDo(t, r.addr, "REPLICAOF", "127.0.0.1", pport)
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			proxy.Pause()
			nodetest.Write(t, m.addr, "flood:", 16000, 1000) // 16 MB of stream, socket buffers included
			nodetest.WaitFor(t, 20*time.Second, "the slow replica dropped", func() (bool, string) {
				n := nodetest.Info(t, m.addr, "replication")["connected_slaves"]
				return n == "0", "connected_slaves=" + n
			})
			if m.node != nil {
				if got := stat(t, m, "client_output_buffer_limit_disconnections"); got < 1 {
					t.Fatalf("output buffer disconnections = %d", got)
				}
				if mem := nodetest.Int(nodetest.Info(t, m.addr, "memory"), "mem_clients_slaves"); mem != 0 {
					t.Fatalf("mem_clients_slaves = %d after the drop", mem)
				}
			}
			proxy.Resume()
			nodetest.WaitSynced(t, m.addr, r.addr, 30*time.Second)
			sameData(t, m, r)
		})
	}
}

// TestIntermediateWithoutMasterRefusesSync: a replica whose own master
// link is down answers PSYNC from below with -NOMASTERLINK.
func TestIntermediateWithoutMasterRefusesSync(t *testing.T) {
	mid := nodetest.Start(t)
	fm := newFakeMaster(t)
	nodetest.MustDo(t, mid.Addr(), "REPLICAOF", "127.0.0.1", fm.port())
	c := nodetest.Dial(t, mid.Addr())
	v, err := c.Do("PSYNC", "?", "-1")
	if err != nil || string(v.Str) != "NOMASTERLINK Can't SYNC while not connected with my master" {
		t.Fatalf("PSYNC on a replica without its master: %v %q", err, v.Str)
	}
}
