package node_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node/rdb"
)

// fakeMaster is a hand-driven master: the test reads what the replica
// sends and writes the bytes it wants the replica to see.
type fakeMaster struct {
	t     *testing.T
	ln    net.Listener
	conns chan net.Conn
}

func newFakeMaster(t *testing.T) *fakeMaster {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fm := &fakeMaster{t: t, ln: ln, conns: make(chan net.Conn, 8)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fm.conns <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for {
			select {
			case c := <-fm.conns:
				c.Close()
			default:
				return
			}
		}
	})
	return fm
}

func (fm *fakeMaster) port() string { return fmt.Sprint(fm.ln.Addr().(*net.TCPAddr).Port) }

// session is one replica connection to the fake master.
type session struct {
	t  *testing.T
	c  net.Conn
	rd *resp.Reader
}

// accept waits for the replica's next connection and answers its
// handshake up to PSYNC, which it returns.
func (fm *fakeMaster) accept() *session {
	fm.t.Helper()
	var c net.Conn
	select {
	case c = <-fm.conns:
	case <-time.After(10 * time.Second):
		fm.t.Fatal("the replica did not connect")
	}
	fm.t.Cleanup(func() { c.Close() })
	s := &session{t: fm.t, c: c, rd: resp.NewReader(bufio.NewReader(c))}
	return s
}

func (s *session) expect(prefix string) []string {
	s.t.Helper()
	_ = s.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	v, err := s.rd.ReadValue()
	if err != nil {
		s.t.Fatalf("reading %s from the replica: %v", prefix, err)
	}
	var args []string
	for _, e := range v.Elems {
		args = append(args, string(e.Str))
	}
	if !strings.HasPrefix(strings.ToUpper(strings.Join(args, " ")), prefix) {
		s.t.Fatalf("replica sent %q, want %s…", args, prefix)
	}
	return args
}

func (s *session) send(b []byte) {
	s.t.Helper()
	if _, err := s.c.Write(b); err != nil {
		s.t.Fatalf("write to replica: %v", err)
	}
}

// handshake plays a Redis 7 master's side up to the PSYNC request.
func (s *session) handshake() []string {
	s.expect("PING")
	s.send([]byte("+PONG\r\n"))
	s.expect("REPLCONF LISTENING-PORT")
	s.expect("REPLCONF CAPA EOF CAPA PSYNC2")
	s.send([]byte("+OK\r\n+OK\r\n"))
	return s.expect("PSYNC")
}

func rdbWith(t *testing.T, keys map[string]string) []byte {
	var buf bytes.Buffer
	enc := rdb.NewEncoder(&buf, rdb.EncoderOptions{})
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(enc.Header())
	must(enc.SelectDB(0, uint64(len(keys)), 0))
	for k, v := range keys {
		must(enc.WriteEntry(&rdb.Entry{Key: []byte(k), Type: rdb.TypeString, Str: []byte(v), ExpireAt: -1}))
	}
	must(enc.End())
	return buf.Bytes()
}

const fakeID = "abcdefabcdefabcdefabcdefabcdefabcdefabcd"

// TestReplicaKeepsDataWhenSyncFails plays masters that die mid-transfer or
// send a corrupt RDB: the replica keeps serving its old dataset, and only a
// verified RDB replaces it. Then it checks the offset rules of the stream:
// the ACK answering GETACK reports the offset before the GETACK.
func TestReplicaKeepsDataWhenSyncFails(t *testing.T) {
	r := nodetest.Start(t)
	nodetest.MustDo(t, r.Addr(), "SET", "old", "1")
	fm := newFakeMaster(t)
	nodetest.MustDo(t, r.Addr(), "REPLICAOF", "127.0.0.1", fm.port())
	const mark = "0123456789012345678901234567890123456789"
	good := rdbWith(t, map[string]string{"new": "2"})

	// 1. the master dies in the middle of the RDB
	s := fm.accept()
	s.handshake()
	s.send([]byte("+FULLRESYNC " + fakeID + " 100\r\n$EOF:" + mark + "\r\n"))
	s.send(good[:len(good)/2])
	s.c.Close()
	s = fm.accept() // the replica tries again
	if v := nodetest.MustDo(t, r.Addr(), "GET", "old"); string(v.Str) != "1" {
		t.Fatalf("after a truncated transfer GET old = %q: the old dataset must stay", v.Str)
	}

	// 2. a complete transfer of an RDB whose checksum is wrong
	s.handshake()
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 0xff
	s.send([]byte("+FULLRESYNC " + fakeID + " 100\r\n$" + fmt.Sprint(len(bad)) + "\r\n"))
	s.send(bad)
	s = fm.accept()
	if v := nodetest.MustDo(t, r.Addr(), "GET", "old"); string(v.Str) != "1" {
		t.Fatalf("after a corrupt RDB GET old = %q: the old dataset must stay", v.Str)
	}

	// 3. a good transfer in the EOF form, then the stream
	s.handshake()
	s.send([]byte("\n\n+FULLRESYNC " + fakeID + " 100\r\n$EOF:" + mark + "\r\n"))
	s.send(good)
	s.send([]byte(mark))
	// after loading, a replica ACKs at once; the stream starts after it
	if ack := s.expect("REPLCONF ACK"); ack[2] != "100" {
		t.Fatalf("first ACK = %q, want offset 100", ack)
	}
	if v := nodetest.MustDo(t, r.Addr(), "GET", "new"); string(v.Str) != "2" {
		t.Fatalf("GET new = %q after the sync", v.Str)
	}
	if v := nodetest.Do(t, r.Addr(), "GET", "old"); !v.Null {
		t.Fatalf("GET old = %q: a full sync replaces the dataset", v.Str)
	}
	ping := resp.AppendCommand(nil, "ping")                      // 14 bytes
	getack := resp.AppendCommand(nil, "REPLCONF", "GETACK", "*") // 37 bytes
	s.send(append(append([]byte(nil), ping...), getack...))
	if ack := s.expect("REPLCONF ACK"); ack[2] != "114" {
		t.Fatalf("ACK for GETACK = %q, want 114 (the offset before the GETACK)", ack)
	}
	s.send(resp.AppendCommand(nil, "SET", "streamed", "3"))
	nodetest.WaitFor(t, 5*time.Second, "streamed write applied", func() (bool, string) {
		v := nodetest.Do(t, r.Addr(), "GET", "streamed")
		return string(v.Str) == "3", v.String()
	})
	info := nodetest.Info(t, r.Addr(), "replication")
	want := fmt.Sprint(100 + len(ping) + len(getack) + len(resp.AppendCommand(nil, "SET", "streamed", "3")))
	if info["slave_repl_offset"] != want || info["master_replid"] != fakeID {
		t.Fatalf("replica offset %s replid %s, want %s and %s", info["slave_repl_offset"], info["master_replid"], want, fakeID)
	}
}
