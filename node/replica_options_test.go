package node_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
)

// TestStaleDataAndAnnounce: replica-serve-stale-data no answers
// -MASTERDOWN while the link is down; replica-announce-ip/port and
// replica-priority show on the master and in INFO as Redis shows them;
// CLIENT LIST flags the replica (S) and master (M) connections.
func TestStaleDataAndAnnounce(t *testing.T) {
	m := nodetest.Start(t)
	r := nodetest.Start(t, "--replica-serve-stale-data", "no", "--replica-announce-ip", "10.1.2.3",
		"--replica-announce-port", "7777", "--replica-priority", "42")
	nodetest.MustDo(t, m.Addr(), "SET", "k", "v")
	nodetest.MustDo(t, r.Addr(), "REPLICAOF", "127.0.0.1", "1") // nobody listens there
	v := nodetest.Do(t, r.Addr(), "GET", "k")
	if string(v.Str) != "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." {
		t.Fatalf("GET on a stale replica: %q", v.Str)
	}
	if v := nodetest.Do(t, r.Addr(), "INFO", "replication"); !strings.Contains(string(v.Str), "slave_priority:42") {
		t.Fatalf("INFO must still answer on a stale replica and show slave_priority:42:\n%s", v.Str)
	}
	nodetest.MustDo(t, r.Addr(), "REPLICAOF", "127.0.0.1", strconv.Itoa(m.Port))
	nodetest.WaitSynced(t, m.Addr(), r.Addr(), 20*time.Second)
	if v := nodetest.MustDo(t, r.Addr(), "GET", "k"); string(v.Str) != "v" {
		t.Fatalf("GET once synced: %q", v.Str)
	}
	line := nodetest.Info(t, m.Addr(), "replication")["slave0"]
	if !strings.HasPrefix(line, "ip=10.1.2.3,port=7777,state=online,") {
		t.Fatalf("slave0 = %q, want the announced ip and port", line)
	}
	role := nodetest.MustDo(t, m.Addr(), "ROLE")
	if len(role.Elems) != 3 || len(role.Elems[2].Elems) != 1 || string(role.Elems[2].Elems[0].Elems[0].Str) != "10.1.2.3" ||
		string(role.Elems[2].Elems[0].Elems[1].Str) != "7777" {
		t.Fatalf("ROLE on the master: %v", role)
	}
	if list := string(nodetest.MustDo(t, m.Addr(), "CLIENT", "LIST", "TYPE", "replica").Str); !strings.Contains(list, "flags=S") {
		t.Fatalf("CLIENT LIST TYPE replica on the master: %q", list)
	}
	if list := string(nodetest.MustDo(t, r.Addr(), "CLIENT", "LIST", "TYPE", "master").Str); !strings.Contains(list, "flags=M") {
		t.Fatalf("CLIENT LIST TYPE master on the replica: %q", list)
	}
}

// TestStaleDataMatchesRedis compares the stale-replica refusal with a
// real redis-server configured the same way.
func TestStaleDataMatchesRedis(t *testing.T) {
	rs := redistest.Start(t, "--replica-serve-stale-data", "no", "--replicaof", "127.0.0.1", "1")
	n := nodetest.Start(t, "--replica-serve-stale-data", "no", "--replicaof", "127.0.0.1", "1")
	for _, args := range [][]string{{"GET", "k"}, {"PING"}, {"ECHO", "x"}, {"DBSIZE"}} {
		want := nodetest.Do(t, rs.Addr, args...)
		got := nodetest.Do(t, n.Addr(), args...)
		if want.Kind != got.Kind || string(want.Str) != string(got.Str) {
			t.Errorf("%v on a stale replica: redis %q, replscope %q", args, want.Str, got.Str)
		}
	}
}

// TestBlockedClients: a client waiting in WAIT counts in INFO
// blocked_clients until it returns.
func TestBlockedClients(t *testing.T) {
	m := nodetest.Start(t)
	c := nodetest.Dial(t, m.Addr())
	if err := c.Send("WAIT", "1", "0"); err != nil { // no replica: waits forever
		t.Fatal(err)
	}
	nodetest.WaitFor(t, 5*time.Second, "a blocked client", func() (bool, string) {
		v := nodetest.Info(t, m.Addr(), "clients")["blocked_clients"]
		return v == "1", "blocked_clients=" + v
	})
	c.Close()
	nodetest.WaitFor(t, 5*time.Second, "the client let go", func() (bool, string) {
		v := nodetest.Info(t, m.Addr(), "clients")["blocked_clients"]
		return v == "0", "blocked_clients=" + v
	})
}
