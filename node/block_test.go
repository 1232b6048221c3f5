package node_test

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// waitBlocked waits until INFO clients reports n blocked clients.
func waitBlocked(t testing.TB, addr string, n int64) {
	t.Helper()
	nodetest.WaitFor(t, 10*time.Second, fmt.Sprintf("%d blocked clients", n), func() (bool, string) {
		info := nodetest.Info(t, addr, "clients")
		return nodetest.Int(info, "blocked_clients") == n, info["blocked_clients"]
	})
}

func send(t testing.TB, c *resp.Client, args ...string) {
	t.Helper()
	if err := c.Send(args...); err != nil {
		t.Fatal(err)
	}
}

func receive(t testing.TB, c *resp.Client) resp.Value {
	t.Helper()
	v, err := c.Receive()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBlockedPopsServedFIFO checks Redis's fairness rule: clients blocked
// on a key are served in the order they blocked, one element each, by a
// single push; a command pipelined behind a blocking one runs after it.
func TestBlockedPopsServedFIFO(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	const k = 8
	cs := make([]*resp.Client, k)
	for i := range cs {
		cs[i] = nodetest.Dial(t, addr)
		send(t, cs[i], "BLPOP", "q", "0")
		waitBlocked(t, addr, int64(i+1))
	}
	last := cs[k-1]
	send(t, last, "PING") // pipelined behind its BLPOP
	args := []string{"RPUSH", "q"}
	for i := 0; i < k; i++ {
		args = append(args, strconv.Itoa(i))
	}
	nodetest.MustDo(t, addr, args...)
	for i, c := range cs {
		v := receive(t, c)
		if len(v.Elems) != 2 || string(v.Elems[1].Str) != strconv.Itoa(i) {
			t.Fatalf("client %d got %s, want [q %d]", i, v, i)
		}
	}
	if v := receive(t, last); string(v.Str) != "PONG" {
		t.Fatalf("pipelined PING: %s", v)
	}
	waitBlocked(t, addr, 0)
	if v := nodetest.MustDo(t, addr, "EXISTS", "q"); v.Int != 0 {
		t.Fatalf("q still exists")
	}
}

// TestBlockedPopsConcurrent runs consumers blocked in BRPOP/BLMOVE/BZPOPMIN
// against concurrent producers: every element is delivered exactly once
// (run it with -race).
func TestBlockedPopsConcurrent(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	const consumers, each = 6, 20
	got := make(chan string, consumers*each)
	var wg sync.WaitGroup
	for i := 0; i < consumers; i++ {
		c := nodetest.Dial(t, addr)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < each; j++ {
				var v resp.Value
				var err error
				switch i % 3 {
				case 0:
					v, err = c.Do("BRPOP", "l", "10")
				case 1:
					v, err = c.Do("BLMOVE", "l", "moved"+strconv.Itoa(i), "LEFT", "RIGHT", "10")
				default:
					v, err = c.Do("BZPOPMIN", "z", "10")
				}
				if err != nil || v.Null || v.Kind == resp.Error {
					got <- fmt.Sprintf("error: %v %s", err, v)
					return
				}
				if v.Kind == resp.BulkString { // BLMOVE
					got <- string(v.Str)
				} else { // [key, element] or [key, member, score]
					got <- string(v.Elems[1].Str)
				}
			}
		}(i)
	}
	p := nodetest.Dial(t, addr)
	for j := 0; j < consumers/3*2*each; j++ {
		if _, err := p.Do("LPUSH", "l", "l"+strconv.Itoa(j)); err != nil {
			t.Fatal(err)
		}
	}
	for j := 0; j < consumers/3*each; j++ {
		if _, err := p.Do("ZADD", "z", strconv.Itoa(j), "z"+strconv.Itoa(j)); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(got)
	seen := map[string]bool{}
	for s := range got {
		if strings.HasPrefix(s, "error") || seen[s] {
			t.Fatalf("%q (seen before: %v)", s, seen[s])
		}
		seen[s] = true
	}
	if len(seen) != consumers*each {
		t.Fatalf("%d elements delivered, want %d", len(seen), consumers*each)
	}
	waitBlocked(t, addr, 0)
}

// TestBlockedPopTimeout: a timeout answers a null array (for BLMOVE too)
// no sooner than asked; clients_in_timeout_table counts timed waits.
func TestBlockedPopTimeout(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	c := nodetest.Dial(t, addr)
	for _, cmd := range [][]string{{"BLPOP", "k", "0.05"}, {"BLMOVE", "k", "d", "LEFT", "LEFT", "0.05"}, {"BZMPOP", "0.05", "1", "k", "MIN"}} {
		start := time.Now()
		v, err := c.Do(cmd...)
		if err != nil {
			t.Fatal(err)
		}
		if v.Kind != resp.Array || !v.Null {
			t.Fatalf("%v: %s, want a null array", cmd, v)
		}
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Fatalf("%v answered after %s", cmd, d)
		}
	}
	send(t, c, "BLPOP", "k", "100")
	waitBlocked(t, addr, 1)
	if info := nodetest.Info(t, addr, "clients"); info["clients_in_timeout_table"] != "1" {
		t.Fatalf("clients_in_timeout_table %q", info["clients_in_timeout_table"])
	}
	id := nodetest.MustDo(t, addr, "CLIENT", "LIST")
	if !strings.Contains(string(id.Str), "flags=b ") || !strings.Contains(string(id.Str), "cmd=blpop") {
		t.Fatalf("CLIENT LIST shows no blocked client: %s", id.Str)
	}
	c.Close()
	waitBlocked(t, addr, 0)
	if info := nodetest.Info(t, addr, "clients"); info["clients_in_timeout_table"] != "0" {
		t.Fatalf("clients_in_timeout_table %q after the client left", info["clients_in_timeout_table"])
	}
}

// TestBlockedPopEnds: a hang-up, CLIENT KILL and CLIENT UNBLOCK end a
// wait; a client that left is not served and leaves no goroutine behind.
func TestBlockedPopEnds(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	base := runtime.NumGoroutine()

	c := nodetest.Dial(t, addr)
	send(t, c, "BLPOP", "k", "0")
	waitBlocked(t, addr, 1)
	c.Close()
	waitBlocked(t, addr, 0)
	nodetest.MustDo(t, addr, "RPUSH", "k", "kept")
	if v := nodetest.MustDo(t, addr, "LLEN", "k"); v.Int != 1 {
		t.Fatalf("a client that hung up was served: LLEN %d", v.Int)
	}
	nodetest.MustDo(t, addr, "DEL", "k")

	c = nodetest.Dial(t, addr)
	myID, err := c.Do("CLIENT", "ID")
	if err != nil {
		t.Fatal(err)
	}
	send(t, c, "BZPOPMIN", "z", "0")
	waitBlocked(t, addr, 1)
	if v := nodetest.MustDo(t, addr, "CLIENT", "UNBLOCK", strconv.FormatInt(myID.Int, 10)); v.Int != 1 {
		t.Fatalf("CLIENT UNBLOCK: %s", v)
	}
	if v := receive(t, c); !v.Null {
		t.Fatalf("unblocked as a timeout: %s", v)
	}
	send(t, c, "BLMPOP", "0", "1", "k", "LEFT")
	waitBlocked(t, addr, 1)
	nodetest.MustDo(t, addr, "CLIENT", "UNBLOCK", strconv.FormatInt(myID.Int, 10), "ERROR")
	if v := receive(t, c); v.Kind != resp.Error || string(v.Str) != "UNBLOCKED client unblocked via CLIENT UNBLOCK" {
		t.Fatalf("unblocked with an error: %s", v)
	}
	if v := nodetest.MustDo(t, addr, "CLIENT", "UNBLOCK", strconv.FormatInt(myID.Int, 10)); v.Int != 0 {
		t.Fatalf("CLIENT UNBLOCK of a client not blocked: %s", v)
	}
	send(t, c, "BLPOP", "k", "0")
	waitBlocked(t, addr, 1)
	nodetest.MustDo(t, addr, "CLIENT", "KILL", "ID", strconv.FormatInt(myID.Int, 10))
	waitBlocked(t, addr, 0)
	if _, err := c.Receive(); err == nil {
		t.Fatal("a killed client got a reply")
	}
	nodetest.WaitFor(t, 10*time.Second, "goroutines to end", func() (bool, string) {
		g := runtime.NumGoroutine()
		return g <= base, fmt.Sprintf("%d goroutines, %d before", g, base)
	})
}

// TestBlockedPopReplicaOf: turning a master into a replica answers its
// blocked clients -UNBLOCKED and closes them, as Redis's
// disconnectAllBlockedClients does.
func TestBlockedPopReplicaOf(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	c := nodetest.Dial(t, addr)
	send(t, c, "BLPOP", "k", "0")
	waitBlocked(t, addr, 1)
	nodetest.MustDo(t, addr, "REPLICAOF", "127.0.0.1", "1")
	t.Cleanup(func() { nodetest.Do(t, addr, "REPLICAOF", "NO", "ONE") })
	v := receive(t, c)
	if v.Kind != resp.Error || !strings.HasPrefix(string(v.Str), "UNBLOCKED force unblock from blocking operation") {
		t.Fatalf("reply %s", v)
	}
	if _, err := c.Receive(); err == nil {
		t.Fatal("the connection stayed open")
	}
	waitBlocked(t, addr, 0)
}

// TestBlockedPopClose: closing the node ends its blocked clients' waits.
func TestBlockedPopClose(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	c := nodetest.Dial(t, addr)
	send(t, c, "BRPOPLPUSH", "k", "d", "0")
	waitBlocked(t, addr, 1)
	done := make(chan error, 1)
	go func() { done <- n.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs with a blocked client")
	}
}

// TestBlockedWait: WAIT counts as a blocked client like the pops: CLIENT
// UNBLOCK answers it with the acknowledgements so far (or -UNBLOCKED),
// and a change of master answers -UNBLOCKED and closes it, as in Redis.
func TestBlockedWait(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	c := nodetest.Dial(t, addr)
	id, err := c.Do("CLIENT", "ID")
	if err != nil {
		t.Fatal(err)
	}
	ids := strconv.FormatInt(id.Int, 10)
	send(t, c, "WAIT", "1", "100000")
	waitBlocked(t, addr, 1)
	info := nodetest.Info(t, addr, "clients")
	if info["clients_in_timeout_table"] != "1" {
		t.Fatalf("clients_in_timeout_table %q", info["clients_in_timeout_table"])
	}
	if v := nodetest.MustDo(t, addr, "CLIENT", "UNBLOCK", ids, "TIMEOUT"); v.Int != 1 {
		t.Fatalf("CLIENT UNBLOCK: %s", v)
	}
	if v := receive(t, c); v.Kind != resp.Integer || v.Int != 0 {
		t.Fatalf("WAIT unblocked: %s, want :0", v)
	}
	send(t, c, "WAIT", "1", "0")
	waitBlocked(t, addr, 1)
	nodetest.MustDo(t, addr, "CLIENT", "UNBLOCK", ids, "ERROR")
	if v := receive(t, c); v.Kind != resp.Error || string(v.Str) != "UNBLOCKED client unblocked via CLIENT UNBLOCK" {
		t.Fatalf("WAIT unblocked with an error: %s", v)
	}
	send(t, c, "WAIT", "1", "0")
	waitBlocked(t, addr, 1)
	nodetest.MustDo(t, addr, "REPLICAOF", "127.0.0.1", "1")
	t.Cleanup(func() { nodetest.Do(t, addr, "REPLICAOF", "NO", "ONE") })
	if v := receive(t, c); v.Kind != resp.Error || !strings.HasPrefix(string(v.Str), "UNBLOCKED force unblock") {
		t.Fatalf("WAIT on a master turned replica: %s", v)
	}
	if _, err := c.Receive(); err == nil {
		t.Fatal("the connection stayed open")
	}
	waitBlocked(t, addr, 0)
}

// TestBlockedPopOnWritableReplica: as in Redis 7.0, a writable replica
// serves its own blocked clients from its master's stream (a key the
// master creates is ready there too), and the pop stays local: the
// replica diverges from its master and replicates nothing of it.
func TestBlockedPopOnWritableReplica(t *testing.T) {
	m := nodetest.Start(t)
	r := nodetest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port), "--replica-read-only", "no")
	nodetest.WaitSynced(t, m.Addr(), r.Addr(), 10*time.Second)
	c := nodetest.Dial(t, r.Addr())
	send(t, c, "BLPOP", "rk", "0")
	waitBlocked(t, r.Addr(), 1)
	nodetest.MustDo(t, m.Addr(), "RPUSH", "rk", "v1", "v2")
	v := receive(t, c)
	if len(v.Elems) != 2 || string(v.Elems[1].Str) != "v1" {
		t.Fatalf("replica's blocked client got %s", v)
	}
	nodetest.WaitSynced(t, m.Addr(), r.Addr(), 10*time.Second)
	if got := nodetest.MustDo(t, r.Addr(), "LLEN", "rk"); got.Int != 1 {
		t.Fatalf("replica LLEN %d, want 1", got.Int)
	}
	if got := nodetest.MustDo(t, m.Addr(), "LLEN", "rk"); got.Int != 2 {
		t.Fatalf("master LLEN %d, want 2", got.Int)
	}
}
