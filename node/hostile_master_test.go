package node_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

const eofMark = "0123456789012345678901234567890123456789"

// syncFromFake starts a replica (with extra config), gives it an old key,
// points it at a fake master and completes a full sync in the EOF form
// with the dataset {synced: 1}, up to the replica's first ACK. The stream
// offset is then 100.
func syncFromFake(t *testing.T, extra ...string) (*nodetest.Node, *fakeMaster, *session) {
	t.Helper()
	r := nodetest.Start(t, extra...)
	fm := newFakeMaster(t)
	nodetest.MustDo(t, r.Addr(), "REPLICAOF", "127.0.0.1", fm.port())
	s := fm.accept()
	s.handshake()
	s.send([]byte("+FULLRESYNC " + fakeID + " 100\r\n$EOF:" + eofMark + "\r\n"))
	s.send(rdbWith(t, map[string]string{"synced": "1"}))
	s.send([]byte(eofMark))
	if ack := s.expect("REPLCONF ACK"); ack[2] != "100" {
		t.Fatalf("first ACK = %q", ack)
	}
	return r, fm, s
}

// checkKeys checks the replica's dataset, key by key ("" = absent).
func checkKeys(t *testing.T, addr string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got := nodetest.Do(t, addr, "GET", k)
		if v == "" && !got.Null || v != "" && string(got.Str) != v {
			t.Errorf("GET %s = %s, want %q", k, got, v)
		}
	}
	if v := nodetest.Do(t, addr, "PING"); string(v.Str) != "PONG" {
		t.Errorf("PING = %s", v)
	}
}

// TestHostileMasterStream sends garbage in the replication stream after a
// successful sync. The replica applies what came before it (as Redis
// applies a query buffer command by command), drops the link without
// applying anything after it, keeps its data and reconnects.
func TestHostileMasterStream(t *testing.T) {
	setGood := string(resp.AppendCommand(nil, "SET", "good", "1"))
	setBad := string(resp.AppendCommand(nil, "SET", "after", "1"))
	cases := []struct {
		name    string
		extra   []string
		garbage string
	}{
		{name: "binary garbage", garbage: "\xff\xfe\x00\x01garbage"},
		{name: "inline command", garbage: "SET inline 1\r\n"},
		{name: "bad count", garbage: "*abc\r\n"},
		{name: "count 2^31", garbage: "*2147483648\r\n"},
		{name: "count with plus", garbage: "*+1\r\n$4\r\nPING\r\n"},
		{name: "negative bulk", garbage: "*1\r\n$-1\r\n"},
		{name: "expected $", garbage: "*2\r\n$3\r\nGET\r\n:1\r\n"},
		{name: "bulk not ended by CRLF", garbage: "*1\r\n$4\r\nPINGxx"},
		{name: "bulk above proto-max-bulk-len", extra: []string{"--proto-max-bulk-len", "1mb"},
			garbage: "*3\r\n$3\r\nSET\r\n$5\r\nhuge1\r\n$2000000\r\n"},
		{name: "error reply in the stream", garbage: "-ERR Protocol error: invalid multibulk length\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, fm, s := syncFromFake(t, c.extra...)
			s.send([]byte(setGood + c.garbage + setBad))
			s2 := fm.accept() // the replica dropped the link and came back
			psync := s2.handshake()
			checkKeys(t, r.Addr(), map[string]string{"synced": "1", "good": "1", "after": "", "inline": "", "huge1": ""})
			if psync[1] == "?" {
				return
			}
			// Redis discards its cached master after a protocol error
			// from its master (freeClient skips replicationCacheMaster
			// for CLIENT_PROTOCOL_ERROR) and asks for a full resync.
			t.Fatalf("after garbage in the stream the replica asks %q; Redis asks PSYNC ? -1", psync)
		})
	}
}

// TestHostileMasterStreamCut closes the link in the middle of a command:
// the half command is not applied, the one before it is, and the replica
// continues from the first byte it lacks.
func TestHostileMasterStreamCut(t *testing.T) {
	r, fm, s := syncFromFake(t)
	setGood := resp.AppendCommand(nil, "SET", "good", "1")
	half := resp.AppendCommand(nil, "SET", "half", "1")
	s.send(append(append([]byte(nil), setGood...), half[:len(half)/2]...))
	nodetest.WaitFor(t, 5*time.Second, "SET good applied", func() (bool, string) {
		v := nodetest.Do(t, r.Addr(), "GET", "good")
		return string(v.Str) == "1", v.String()
	})
	s.c.Close()
	psync := fm.accept().handshake()
	checkKeys(t, r.Addr(), map[string]string{"synced": "1", "good": "1", "half": ""})
	if want := fmt.Sprint(100 + len(setGood) + 1); psync[1] != fakeID || psync[2] != want {
		t.Fatalf("PSYNC after a cut = %q, want %s %s", psync, fakeID, want)
	}
}

// TestHostileMasterRDB plays masters whose full sync is broken: the
// replica must refuse it before touching its dataset, and try again.
func TestHostileMasterRDB(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	good := rdbWith(t, map[string]string{"new": "2"})
	v13 := append([]byte("REDIS0013"), good[9:]...)
	cases := []struct {
		name  string
		reply string // what follows the handshake
		close bool   // the master closes after reply
	}{
		{name: "EOF marker around random bytes", reply: "+FULLRESYNC " + fakeID + " 100\r\n$EOF:" + eofMark + "\r\n" + string(random) + eofMark},
		{name: "random bytes with a length", reply: "+FULLRESYNC " + fakeID + " 100\r\n$4096\r\n" + string(random)},
		{name: "RDB version 13, EOF form", reply: "+FULLRESYNC " + fakeID + " 100\r\n$EOF:" + eofMark + "\r\n" + string(v13) + eofMark},
		{name: "RDB version 13, length form", reply: "+FULLRESYNC " + fakeID + " 100\r\n$" + fmt.Sprint(len(v13)) + "\r\n" + string(v13)},
		{name: "truncated RDB, length form", reply: "+FULLRESYNC " + fakeID + " 100\r\n$" + fmt.Sprint(len(good)) + "\r\n" + string(good[:len(good)-10]), close: true},
		{name: "RDB length not a number", reply: "+FULLRESYNC " + fakeID + " 100\r\n$abc\r\n"},
		{name: "negative RDB length", reply: "+FULLRESYNC " + fakeID + " 100\r\n$-1\r\n"},
		{name: "huge RDB length then close", reply: "+FULLRESYNC " + fakeID + " 100\r\n$999999999999999\r\n" + string(good), close: true},
		{name: "no bulk after FULLRESYNC", reply: "+FULLRESYNC " + fakeID + " 100\r\n+OK\r\n"},
		{name: "FULLRESYNC offset not a number", reply: "+FULLRESYNC " + fakeID + " abc\r\n$" + fmt.Sprint(len(good)) + "\r\n" + string(good)},
		{name: "FULLRESYNC without offset", reply: "+FULLRESYNC " + fakeID + "\r\n"},
		{name: "unknown PSYNC reply", reply: "+WHATEVER\r\n"},
		{name: "error PSYNC reply", reply: "-ERR no\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := nodetest.Start(t)
			nodetest.MustDo(t, r.Addr(), "SET", "old", "1")
			fm := newFakeMaster(t)
			nodetest.MustDo(t, r.Addr(), "REPLICAOF", "127.0.0.1", fm.port())
			s := fm.accept()
			s.handshake()
			s.send([]byte(c.reply))
			if c.close {
				s.c.Close()
			}
			fm.accept().handshake() // refused: the replica tries again
			checkKeys(t, r.Addr(), map[string]string{"old": "1", "new": ""})
			info := nodetest.Info(t, r.Addr(), "replication")
			if info["master_replid"] == fakeID || info["master_link_status"] == "up" {
				t.Fatalf("after a refused sync: replid %s link %s", info["master_replid"], info["master_link_status"])
			}
		})
	}
}

// TestHostileContinueWithoutCachedMaster answers +CONTINUE to a replica
// that asked PSYNC ? -1: it has no history to continue, so it must not
// take the master's ID and offset as if it had.
func TestHostileContinueWithoutCachedMaster(t *testing.T) {
	fm := newFakeMaster(t)
	r := nodetest.Start(t, "--replicaof", "127.0.0.1 "+fm.port())
	s := fm.accept()
	psync := s.handshake()
	if psync[1] != "?" {
		t.Fatalf("a replica started with --replicaof asked %q", psync)
	}
	s.send([]byte("+CONTINUE " + fakeID + "\r\n"))
	s.send(resp.AppendCommand(nil, "SET", "streamed", "1"))
	select {
	case c := <-fm.conns:
		c.Close() // refused and reconnected: what Redis should do
		return
	case <-time.After(2 * time.Second):
	}
	info := nodetest.Info(t, r.Addr(), "replication")
	if info["master_replid"] == fakeID {
		t.Fatalf("+CONTINUE to PSYNC ? -1 accepted: replid %s offset %s link %s",
			info["master_replid"], info["slave_repl_offset"], info["master_link_status"])
	}
}

// TestHostileMasterStreamRedisReplica shows what a real Redis 7.0.15
// replica does with garbage in its master's stream: it applies the
// commands before it, drops the link, forgets its cached master and asks
// for a full resync.
func TestHostileMasterStreamRedisReplica(t *testing.T) {
	r := redistest.Start(t)
	fm := newFakeMaster(t)
	r.Do(t, "REPLICAOF", "127.0.0.1", fm.port())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("redis log:\n%s", r.Log())
		}
	})
	s := fm.accept()
	s.handshake()
	for i, garbage := range []string{"\xff\xfegarbage\r\n", "SET inline 1\r\n", "*abc\r\n"} {
		s.send([]byte("+FULLRESYNC " + fakeID + " 100\r\n$EOF:" + eofMark + "\r\n"))
		s.send(rdbWith(t, map[string]string{"synced": "1"}))
		s.send([]byte(eofMark))
		skipNewlines(t, s)
		s.expect("REPLCONF ACK")
		key := fmt.Sprint("good", i)
		s.send([]byte(string(resp.AppendCommand(nil, "SET", key, "1")) + garbage))
		s = fm.accept()
		psync := s.handshake()
		if psync[1] != "?" || psync[2] != "-1" {
			t.Fatalf("garbage %q: redis-server asked %q after it", garbage, psync)
		}
		if v := r.Do(t, "GET", key); string(v.Str) != "1" {
			t.Fatalf("garbage %q: GET %s = %s: the command before it was not applied", garbage, key, v)
		}
	}
}

// skipNewlines drops the bare newlines a loading replica sends to keep
// its master from timing it out.
func skipNewlines(t *testing.T, s *session) {
	t.Helper()
	br := s.rd.Buffered()
	for {
		_ = s.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, err := br.Peek(1)
		if err != nil {
			t.Fatalf("reading from the replica: %v", err)
		}
		if b[0] != '\n' {
			return
		}
		_, _ = br.ReadByte()
	}
}
