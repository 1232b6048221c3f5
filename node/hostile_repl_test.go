package node_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
)

// fakeReplica is a hand-driven replica attached to a master with a disk
// (non-EOF) full resync.
type fakeReplica struct {
	t      testing.TB
	conn   net.Conn
	rd     *resp.Reader
	replid string
	offset int64
}

// attachFakeReplica connects to master, handshakes, asks for a full
// resync and reads the RDB: from then on the master streams to it.
func attachFakeReplica(t testing.TB, master string) *fakeReplica {
	t.Helper()
	conn, err := net.DialTimeout("tcp", master, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	f := &fakeReplica{t: t, conn: conn, rd: resp.NewReader(bufio.NewReaderSize(conn, 64<<10))}
	for _, cmd := range [][]string{{"REPLCONF", "listening-port", "1"}, {"REPLCONF", "capa", "psync2"}} {
		f.send(resp.AppendCommand(nil, cmd...))
		if line := f.line(); line != "+OK" {
			t.Fatalf("%v: %q", cmd, line)
		}
	}
	f.send(resp.AppendCommand(nil, "PSYNC", "?", "-1"))
	line := f.line()
	fields := strings.Fields(line)
	if len(fields) != 3 || fields[0] != "+FULLRESYNC" {
		t.Fatalf("PSYNC reply %q", line)
	}
	f.replid = fields[1]
	f.offset, _ = strconv.ParseInt(fields[2], 10, 64)
	bulk := f.line()
	size, err := strconv.Atoi(strings.TrimPrefix(bulk, "$"))
	if err != nil {
		t.Fatalf("RDB header %q", bulk)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.CopyN(io.Discard, f.rd.Buffered(), int64(size)); err != nil {
		t.Fatalf("reading the RDB: %v", err)
	}
	return f
}

func (f *fakeReplica) send(b []byte) {
	f.t.Helper()
	_ = f.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := f.conn.Write(b); err != nil {
		f.t.Fatalf("fake replica write %q: %v", b, err)
	}
}

// line reads the next non-empty line (masters send newlines while a
// replica waits).
func (f *fakeReplica) line() string {
	f.t.Helper()
	for {
		_ = f.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		l, err := f.rd.ReadLine()
		if err != nil {
			f.t.Fatalf("fake replica read: %v", err)
		}
		if len(l) > 0 {
			return string(l)
		}
	}
}

// replicationCases are bad PSYNC / SYNC / REPLCONF requests from a
// client, with redis-server 7.0.15's answers.
func replicationCases() []hostileCase {
	id := strings.Repeat("a", 40)
	notInt := "-ERR value is not an integer or out of range\r\n"
	return []hostileCase{
		// (PING pipelined behind PSYNC: see the regression cases)
		{name: "PSYNC offset not a number", in: []string{"PSYNC ? abc\r\n"}, want: notInt},
		{name: "PSYNC offset above int64", in: []string{"PSYNC " + id + " 99999999999999999999\r\n"}, want: notInt},
		{name: "PSYNC behind unread replies", in: []string{"PING\r\nPSYNC ? -1\r\n"},
			want: "+PONG\r\n-ERR SYNC and PSYNC are invalid with pending output\r\n", sync: true},
		{name: "REPLCONF odd argument count", in: []string{"REPLCONF listening-port\r\n"}, want: "-ERR syntax error\r\n", sync: true},
		{name: "REPLCONF unknown option", in: []string{"REPLCONF X 1\r\n"}, want: "-ERR Unrecognized REPLCONF option: X\r\n", sync: true},
		{name: "REPLCONF listening-port abc", in: []string{"REPLCONF listening-port abc\r\n"}, want: notInt, sync: true},
		{name: "REPLCONF listening-port huge", in: []string{"REPLCONF listening-port 99999999999999999999\r\n"}, want: notInt, sync: true},
		{name: "REPLCONF ip-address too long", in: []string{"REPLCONF ip-address " + strings.Repeat("x", 256) + "\r\n"},
			want: "-ERR REPLCONF ip-address provided by replica instance is too long: 256 bytes\r\n", sync: true},
		{name: "REPLCONF rdb-filter-only unknown", in: []string{"REPLCONF rdb-filter-only foo\r\n"},
			want: "-ERR Unsupported rdb-filter-only option: foo\r\n", sync: true},
		{name: "REPLCONF alone", in: []string{"REPLCONF\r\n"}, want: "+OK\r\n", sync: true},
		{name: "REPLCONF capa unknown", in: []string{"REPLCONF capa whatever\r\n"}, want: "+OK\r\n", sync: true},
		// ACK and GETACK get no reply: the PING's is the next one
		{name: "REPLCONF ACK from a client", in: []string{"REPLCONF ACK 5\r\n"}, sync: true},
		{name: "REPLCONF ACK abc from a client", in: []string{"REPLCONF ACK abc\r\n"}, sync: true},
		{name: "REPLCONF ACK huge from a client", in: []string{"REPLCONF ACK 99999999999999999999999\r\n"}, sync: true},
		{name: "REPLCONF ACK FACK from a client", in: []string{"REPLCONF ACK 1 FACK 2\r\n"}, sync: true},
		{name: "REPLCONF GETACK from a client", in: []string{"REPLCONF GETACK *\r\n"}, sync: true},
		{name: "REPLCONF GETACK without value", in: []string{"REPLCONF GETACK\r\n"}, want: "-ERR syntax error\r\n", sync: true},
	}
}

// fullResyncRequests are PSYNC requests a master can only answer with a
// full resync; the huge and negative offsets must not overflow into a
// +CONTINUE.
func fullResyncRequests(realID string) []string {
	id := strings.Repeat("0123456789", 4)
	return []string{
		"PSYNC " + id + " -5\r\n",
		"PSYNC ? -1 extra\r\n",
		"PSYNC " + realID + " 9223372036854775807\r\n",
		"PSYNC " + realID + " -9223372036854775808\r\n",
		"PSYNC " + realID + " 0\r\n",
		"PSYNC " + strings.ToUpper(realID) + " 1\r\n",
	}
}

// masterWithReplica starts a replscope master with a replscope replica
// attached and synced, and a canary key.
func masterWithReplica(t *testing.T, masterArgs ...string) (m, r *nodetest.Node) {
	t.Helper()
	m = nodetest.Start(t, masterArgs...)
	r = nodetest.Start(t)
	nodetest.MustDo(t, m.Addr(), "SET", "canary", "alive")
	nodetest.MustDo(t, r.Addr(), "REPLICAOF", "127.0.0.1", fmt.Sprint(m.Port))
	nodetest.WaitSynced(t, m.Addr(), r.Addr(), 10*time.Second)
	return m, r
}

// checkReplicaIntact writes to the master and checks that the replica
// follows and holds the same dataset.
func checkReplicaIntact(t *testing.T, m, r *nodetest.Node) {
	t.Helper()
	nodetest.MustDo(t, m.Addr(), "SET", "after-hostile", "1")
	nodetest.WaitSynced(t, m.Addr(), r.Addr(), 10*time.Second)
	md, mk := nodetest.Digest(t, m.Addr())
	rd, rk := nodetest.Digest(t, r.Addr())
	if md != rd || mk != rk {
		t.Fatalf("master %s (%d keys) and replica %s (%d keys) differ", md, mk, rd, rk)
	}
	checkServing(t, m.Addr())
}

// TestHostileReplicationCommands sends bad PSYNC / SYNC / REPLCONF
// requests to a master with a replica: each gets Redis's answer, the
// master keeps serving and its replica stays in sync.
func TestHostileReplicationCommands(t *testing.T) {
	m, r := masterWithReplica(t)
	t.Run("errors", func(t *testing.T) {
		for _, c := range replicationCases() {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				checkExchange(t, m.Addr(), c)
			})
		}
	})
	realID := nodetest.Info(t, m.Addr(), "replication")["master_replid"]
	for _, req := range fullResyncRequests(realID) {
		checkFullResync(t, m.Addr(), req)
	}
	nodetest.WaitFor(t, 10*time.Second, "the PSYNC connections dropped", func() (bool, string) {
		n := nodetest.Info(t, m.Addr(), "replication")["connected_slaves"]
		return n == "1", "connected_slaves=" + n
	})
	checkReplicaIntact(t, m, r)
}

// TestHostileReplicationCommandsMatchRedis checks the table against
// redis-server.
func TestHostileReplicationCommandsMatchRedis(t *testing.T) {
	s := redistest.Start(t)
	for _, c := range replicationCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkExchange(t, s.Addr, c)
		})
	}
	realID := nodetest.Info(t, s.Addr, "replication")["master_replid"]
	for _, req := range fullResyncRequests(realID) {
		checkFullResync(t, s.Addr, req)
	}
}

// checkFullResync sends a PSYNC request that only a full resync answers.
func checkFullResync(t *testing.T, addr, req string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	line, err := resp.NewReader(conn).ReadLine()
	for err == nil && len(line) == 0 {
		line, err = resp.NewReader(conn).ReadLine()
	}
	if err != nil || !strings.HasPrefix(string(line), "+FULLRESYNC ") {
		t.Fatalf("%s %q: answered %q %v, want +FULLRESYNC", addr, req, line, err)
	}
}

// TestHostileReplicationCommandRegressions holds the cases that once
// differed from Redis's answers (a refused PSYNC/SYNC/WAIT answered twice,
// commands pipelined behind PSYNC taken for pending output): each names
// the fault it guards against.
func TestHostileReplicationCommandRegressions(t *testing.T) {
	cases := []struct {
		hostileCase
		bug string
	}{
		{hostileCase{name: "PSYNC one argument", in: []string{"PSYNC a\r\n"},
			want: "-ERR wrong number of arguments for 'psync' command\r\n", sync: true},
			"clientloop.go handle: a detaching command refused by precheck is dispatched again"},
		{hostileCase{name: "SYNC with an argument", in: []string{"SYNC x\r\n"},
			want: "-ERR wrong number of arguments for 'sync' command\r\n", sync: true},
			"clientloop.go handle: a detaching command refused by precheck is dispatched again"},
		{hostileCase{name: "SYNC in MULTI", in: []string{"MULTI\r\nSYNC\r\nEXEC\r\n"},
			want: "+OK\r\n-ERR Command not allowed inside a transaction\r\n-EXECABORT Transaction discarded because of previous errors.\r\n", sync: true},
			"clientloop.go handle: a detaching command refused by precheck is dispatched again"},
		{hostileCase{name: "WAIT one argument", in: []string{"WAIT 1\r\n"},
			want: "-ERR wrong number of arguments for 'wait' command\r\n", sync: true},
			"clientloop.go handle: a blocking command refused by precheck is dispatched again"},
		{hostileCase{name: "WAIT in MULTI", in: []string{"MULTI\r\nWAIT 0 0\r\nEXEC\r\n"},
			want: "+OK\r\n+QUEUED\r\n*1\r\n:0\r\n", sync: true},
			"clientloop.go handle: a blocking command queued by precheck is queued again"},
		{hostileCase{name: "PSYNC bad offset, PING pipelined", in: []string{"PSYNC ? abc\r\nPING\r\n"},
			want: "-ERR value is not an integer or out of range\r\n+PONG\r\n", sync: true},
			"repl_master.go serveReplica: commands pipelined after PSYNC count as pending output, and before the offset check"},
		{hostileCase{name: "REPLCONF ip-address 255 bytes", in: []string{"REPLCONF ip-address " + strings.Repeat("x", 255) + "\r\n"},
			want: "+OK\r\n", sync: true},
			"cmd_repl.go: Redis allows up to NET_HOST_STR_LEN-1 = 255 bytes, not 45"},
		{hostileCase{name: "REPLCONF rdb-only 2", in: []string{"REPLCONF rdb-only 2\r\n"},
			want: "-ERR value is out of range, value must between 0 and 1\r\n", sync: true},
			"cmd_repl.go: Redis's getRangeLongFromObjectOrReply text"},
		{hostileCase{name: "REPLCONF rdb-only abc", in: []string{"REPLCONF rdb-only abc\r\n"},
			want: "-ERR value is not an integer or out of range\r\n", sync: true},
			"cmd_repl.go: Redis's getRangeLongFromObjectOrReply text"},
	}
	m := nodetest.Start(t)
	nodetest.MustDo(t, m.Addr(), "SET", "canary", "alive")
	var rs *redistest.Server
	if redistest.Binary() != "" {
		rs = redistest.Start(t)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if rs != nil {
				checkExchange(t, rs.Addr, c.hostileCase)
			}
			got, closed, err := exchange(m.Addr(), c.hostileCase)
			checkServing(t, m.Addr())
			if err == nil && !closed && got == c.want+"+PONG\r\n" {
				return
			}
			t.Fatalf("answered %q (%v); %s", got, err, c.bug)
		})
	}
}

// TestHostileFakeReplicaAcks attaches a fake replica that sends bogus
// ACKs to a master and asks WAIT 1 after each. A master takes the largest
// ACK a replica sent (Redis: "if (offset > c->repl_ack_off)
// c->repl_ack_off = offset") and ignores ACKs that are not integers, so a
// replica ACKing an offset beyond anything sent makes WAIT count it:
// Redis makes the same false claim, and replscope must claim no more than
// Redis. Garbage from the replica drops it (with no error written into
// its stream). Then a real replica attaches and syncs.
func TestHostileFakeReplicaAcks(t *testing.T) {
	want := []int64{0, 0, 0, 0, 1, 1, 1, 0}
	m := nodetest.Start(t)
	nodetest.MustDo(t, m.Addr(), "SET", "canary", "alive")
	got := fakeReplicaAcks(t, m.Addr())
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("WAIT answers %v, want %v (Redis's)", got, want)
	}
	r := nodetest.Start(t)
	nodetest.MustDo(t, r.Addr(), "REPLICAOF", "127.0.0.1", fmt.Sprint(m.Port))
	checkReplicaIntact(t, m, r)
}

// TestHostileFakeReplicaAcksRedis runs the same script against
// redis-server.
func TestHostileFakeReplicaAcksRedis(t *testing.T) {
	want := []int64{0, 0, 0, 0, 1, 1, 1, 0}
	s := redistest.Start(t)
	got := fakeReplicaAcks(t, s.Addr)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("redis-server WAIT answers %v, want %v", got, want)
	}
}

// fakeReplicaAcks runs the bogus-ACK script and returns WAIT's answers.
func fakeReplicaAcks(t *testing.T, master string) []int64 {
	f := attachFakeReplica(t, master)
	c := nodetest.Dial(t, master)
	var answers []int64
	wait := func() {
		t.Helper()
		v, err := c.Do("WAIT", "1", "400")
		if err != nil || v.Kind != resp.Integer {
			t.Fatalf("WAIT: %v %s", err, v)
		}
		answers = append(answers, v.Int)
	}
	ack := func(off string) { f.send(resp.AppendCommand(nil, "REPLCONF", "ACK", off)) }
	if v, err := c.Do("SET", "w", "1"); err != nil || v.Kind == resp.Error {
		t.Fatalf("SET: %v %s", err, v)
	}
	wait()     // the fake replica never ACKed
	ack("abc") // not a number: ignored
	wait()     //
	ack("-5")  // below what it had
	wait()     //
	ack("99999999999999999999999")
	wait()                            // above int64: ignored
	ack(strconv.FormatInt(1<<62, 10)) // far beyond the master's offset
	wait()                            // counted, as Redis does
	if v, err := c.Do("SET", "w", "2"); err != nil || v.Kind == resp.Error {
		t.Fatalf("SET: %v %s", err, v)
	}
	wait()   // the largest ACK stays
	ack("1") // lower: the largest stays
	wait()
	f.send([]byte("*abc\r\n")) // garbage: the master drops the replica
	_ = f.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	rest, err := io.ReadAll(f.conn)
	if err != nil && !isClosed(err) {
		t.Fatalf("fake replica after garbage: %v", err)
	}
	if strings.Contains(string(rest), "-ERR") {
		t.Errorf("the master wrote an error into the replication stream: %q", clip(string(rest)))
	}
	nodetest.WaitFor(t, 10*time.Second, "the fake replica dropped", func() (bool, string) {
		n := nodetest.Info(t, master, "replication")["connected_slaves"]
		return n == "0", "connected_slaves=" + n
	})
	wait()
	return answers
}

// TestHostileMaxClients opens connections up to maxclients: the next one
// gets Redis's error and is closed, the older ones keep working, and a
// slot freed is usable again.
func TestHostileMaxClients(t *testing.T) {
	n := nodetest.Start(t, "--maxclients", "5")
	checkMaxClients(t, n.Addr(), 5)
}

// TestHostileMaxClientsRedis runs the same check against redis-server.
func TestHostileMaxClientsRedis(t *testing.T) {
	s := redistest.Start(t, "--maxclients", "5")
	checkMaxClients(t, s.Addr, 5)
}

func checkMaxClients(t *testing.T, addr string, max int) {
	t.Helper()
	var conns []*resp.Client
	for i := 0; i < max; i++ {
		c := nodetest.Dial(t, addr)
		if v, err := c.Do("PING"); err != nil || string(v.Str) != "PONG" {
			t.Fatalf("client %d: PING = %v %s", i+1, err, v)
		}
		conns = append(conns, c)
	}
	refused := func() bool {
		t.Helper()
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write([]byte("PING\r\n"))
		line, err := resp.NewReader(c).ReadLine()
		if err != nil {
			t.Fatalf("client %d: %v", max+1, err)
		}
		if string(line) == "+PONG" {
			return false
		}
		if string(line) != "-ERR max number of clients reached" {
			t.Fatalf("client %d got %q", max+1, line)
		}
		if _, err := c.Read(make([]byte, 1)); !isClosed(err) {
			t.Fatalf("client %d: not closed after the refusal: %v", max+1, err)
		}
		return true
	}
	if !refused() {
		t.Fatalf("client %d was accepted", max+1)
	}
	for i, c := range conns {
		if v, err := c.Do("PING"); err != nil || string(v.Str) != "PONG" {
			t.Fatalf("client %d after the refusal: PING = %v %s", i+1, err, v)
		}
	}
	v, err := conns[1].Do("INFO", "stats")
	if err != nil || info.Parse(string(v.Str)).Int("rejected_connections", 0) != 1 {
		t.Errorf("INFO stats after one refusal: %v rejected_connections=%s", err, info.Parse(string(v.Str)).Str("rejected_connections"))
	}
	conns[0].Close()
	nodetest.WaitFor(t, 5*time.Second, "a freed slot", func() (bool, string) {
		return !refused(), "still refused"
	})
}

// TestHostileSlowReplicaDropped attaches a fake replica that stops
// reading, then writes ~20 MB to the master, overwriting a few keys so
// that the dataset stays small. The replica output buffer limit
// ("replica 1mb 512kb 1") must drop it: the master's live heap (after a
// GC, read through INFO's used_memory, the Go heap of this test process)
// grows by less than 8 MB, where keeping the unread stream would need
// 20 MB; a real replica stays in sync. A control run without the limit
// shows the growth the limit prevents.
func TestHostileSlowReplicaDropped(t *testing.T) {
	const total = 20 << 20
	t.Run("limited", func(t *testing.T) {
		m, r := masterWithReplica(t, "--client-output-buffer-limit", "replica 1mb 512kb 1", "--repl-backlog-size", "1mb")
		base, peak, dropped := slowReplicaLoad(t, m.Addr(), total)
		t.Logf("live heap: %d KB before, peak %d KB (+%d KB) while writing %d MB", base>>10, peak>>10, (peak-base)>>10, total>>20)
		if !dropped {
			t.Fatal("the slow replica was not dropped")
		}
		if peak-base > 8<<20 {
			t.Fatalf("live heap grew by %d KB", (peak-base)>>10)
		}
		if v := nodetest.Info(t, m.Addr(), "stats")["client_output_buffer_limit_disconnections"]; v == "0" {
			t.Errorf("client_output_buffer_limit_disconnections = %s", v)
		}
		checkReplicaIntact(t, m, r)
	})
	t.Run("control without limit", func(t *testing.T) {
		m, _ := masterWithReplica(t, "--client-output-buffer-limit", "replica 0 0 0", "--repl-backlog-size", "1mb")
		base, peak, dropped := slowReplicaLoad(t, m.Addr(), total)
		t.Logf("live heap: %d KB before, peak %d KB (+%d KB)", base>>10, peak>>10, (peak-base)>>10)
		if dropped || peak-base < 8<<20 {
			t.Fatalf("without a limit the slow replica should stay and hold the stream (dropped %v, +%d KB)", dropped, (peak-base)>>10)
		}
	})
}

// TestOutputBufferDropNamesTheLimit: the replica-dropped event of a
// replica dropped at its output-buffer limit says which limit fired (the
// dashboard shows it on the master's side of the link).
func TestOutputBufferDropNamesTheLimit(t *testing.T) {
	for _, tc := range []struct{ limit, want string }{
		{"replica 1mb 0 0", "output buffer hard limit: omem "},
		{"replica 0 256kb 1", "output buffer soft limit: omem "},
	} {
		t.Run(tc.limit, func(t *testing.T) {
			m, _ := masterWithReplica(t, "--client-output-buffer-limit", tc.limit)
			m.Events() // drop the attach events
			slowReplicaLoad(t, m.Addr(), 8<<20)
			var reasons []string
			nodetest.WaitFor(t, 10*time.Second, "the slow replica dropped at its limit", func() (bool, string) {
				evs, _ := m.Events()
				for _, e := range evs {
					if e.Kind == node.EventReplicaDropped {
						reasons = append(reasons, e.Reason)
						if strings.HasPrefix(e.Reason, tc.want) {
							return true, ""
						}
					}
				}
				return false, fmt.Sprintf("replica-dropped reasons %q, want one starting %q", reasons, tc.want)
			})
		})
	}
}

// slowReplicaLoad attaches a fake replica that reads nothing after the
// RDB, writes total bytes of SETs and samples the live heap; dropped
// reports whether the master dropped the fake replica.
func slowReplicaLoad(t *testing.T, master string, total int) (base, peak int64, dropped bool) {
	f := attachFakeReplica(t, master)
	if tc, ok := f.conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096)
	}
	live := func() int64 {
		runtime.GC()
		return nodetest.Int(nodetest.Info(t, master, "memory"), "used_memory")
	}
	base = live()
	peak = base
	c := nodetest.Dial(t, master)
	val := strings.Repeat("v", 1024)
	const batch = 512
	var buf []byte
	for sent := 0; sent < total; {
		buf = buf[:0]
		for i := 0; i < batch; i++ {
			buf = resp.AppendCommand(buf, "SET", "k"+strconv.Itoa(i%64), val)
		}
		if err := c.WriteRaw(buf); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < batch; i++ {
			if v, err := c.Receive(); err != nil || v.Kind == resp.Error {
				t.Fatalf("SET: %v %s", err, v)
			}
		}
		sent += len(buf)
		if sent%(2<<20) < len(buf) {
			peak = max(peak, live())
		}
	}
	peak = max(peak, live())
	n := nodetest.Info(t, master, "replication")["connected_slaves"]
	return base, peak, n == "1"
}

// TestHostileFakeReplicaCommand has a replica send commands that get a
// reply. Redis 7 drops such a replica ("Replica generated a reply to
// command ..., disconnecting it"): nothing may be written into a
// replication stream but the stream.
func TestHostileFakeReplicaCommand(t *testing.T) {
	for _, cmd := range []string{"PING\r\n", "REPLCONF ACK\r\n", "SET fromreplica 1\r\n"} {
		t.Run(strings.TrimSpace(cmd), func(t *testing.T) {
			if redistest.Binary() != "" {
				s := redistest.Start(t)
				if !replicaDroppedAfter(t, s.Addr, cmd) {
					t.Fatalf("redis-server kept a replica that sent %q", cmd)
				}
			}
			m, r := masterWithReplica(t)
			dropped := replicaDroppedAfter(t, m.Addr(), cmd)
			checkKeys(t, m.Addr(), map[string]string{"fromreplica": ""})
			checkReplicaIntact(t, m, r)
			if !dropped {
				t.Fatalf("the master keeps a replica that sent %q; Redis drops it (repl_master.go replicaReader)", cmd)
			}
		})
	}
}

// replicaDroppedAfter attaches a fake replica, has it send b, and reports
// whether the master dropped it.
func replicaDroppedAfter(t *testing.T, master, b string) bool {
	t.Helper()
	slaves := nodetest.Int(nodetest.Info(t, master, "replication"), "connected_slaves")
	f := attachFakeReplica(t, master)
	f.send([]byte(b))
	// the master closes the connection or keeps it open: read until EOF
	// or a quiet second
	_ = f.conn.SetReadDeadline(time.Now().Add(time.Second))
	_, err := io.Copy(io.Discard, f.conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	nodetest.WaitFor(t, 5*time.Second, "the replica gone from INFO", func() (bool, string) {
		n := nodetest.Int(nodetest.Info(t, master, "replication"), "connected_slaves")
		return n == slaves, fmt.Sprint("connected_slaves=", n)
	})
	return true
}

// TestHostileWaitThenDisconnect has clients send a WAIT that can never be
// satisfied (5 replicas, no timeout) and hang up. Redis frees a blocked
// client when it disconnects; the node must too, or such clients pile up
// until maxclients locks everyone out.
func TestHostileWaitThenDisconnect(t *testing.T) {
	servers := map[string]string{"replscope": nodetest.Start(t, "--maxclients", "3").Addr()}
	if redistest.Binary() != "" {
		servers["redis-server"] = redistest.Start(t, "--maxclients", "3").Addr
	}
	for name, addr := range servers {
		t.Run(name, func(t *testing.T) {
			for i := 0; i < 5; i++ {
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				// the command's bytes reach the server before the FIN: it
				// runs WAIT before it can see the hang-up
				_, _ = conn.Write([]byte("WAIT 5 0\r\n"))
				conn.Close()
			}
			var last string
			ok := false
			deadline := time.Now().Add(5 * time.Second)
			for !ok && time.Now().Before(deadline) {
				last, ok = pingRaw(addr)
				if !ok {
					time.Sleep(20 * time.Millisecond)
				}
			}
			if !ok {
				if name == "replscope" {
					t.Fatalf("clients that hung up during WAIT are never freed: a new client gets %q", last)
				}
				t.Fatalf("a new client gets %q", last)
			}
		})
	}
}

// TestHostileRepliesBeforeBlocking pipelines PING and a WAIT that times
// out after 2 s: Redis writes +PONG at once, before the client blocks.
func TestHostileRepliesBeforeBlocking(t *testing.T) {
	servers := map[string]string{"replscope": nodetest.Start(t).Addr()}
	if redistest.Binary() != "" {
		servers["redis-server"] = redistest.Start(t).Addr
	}
	for name, addr := range servers {
		t.Run(name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_, _ = conn.Write([]byte("PING\r\nWAIT 5 2000\r\n"))
			_ = conn.SetReadDeadline(time.Now().Add(time.Second))
			line, err := resp.NewReader(conn).ReadLine()
			if err == nil && string(line) == "+PONG" {
				return
			}
			if name == "replscope" {
				t.Fatalf("PING's reply waits for the WAIT behind it (%q %v)", line, err)
			}
			t.Fatalf("%q %v", line, err)
		})
	}
}

// pingRaw sends PING on a new connection and returns the first line.
func pingRaw(addr string) (string, bool) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err.Error(), false
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = conn.Write([]byte("PING\r\n"))
	line, err := resp.NewReader(conn).ReadLine()
	if err != nil {
		return err.Error(), false
	}
	return string(line), string(line) == "+PONG"
}
