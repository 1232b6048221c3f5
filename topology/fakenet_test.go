package topology

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/internal/simnet"
)

// fakeNet serves captured replies on a simulated network: enough of a
// Redis node for the prober and the operator (ROLE, INFO, CLIENT, CONFIG
// GET, AUTH, REPLICAOF), with a password and a "stall" mode that accepts
// and never answers.
type fakeNet struct {
	t   testing.TB
	net *simnet.Network

	mu      sync.Mutex
	servers map[string]*fakeServer
	tcpAddr map[string]string // synthetic address → real loopback listener
	wg      sync.WaitGroup
	lns     []net.Listener
	conns   []net.Conn
}

type fakeServer struct {
	mu       sync.Mutex
	c        capture
	password string
	stall    bool
	down     bool // accept and close at once
	log      [][]string
	accepted int
}

func newFakeNet(t testing.TB) *fakeNet {
	f := &fakeNet{t: t, net: simnet.New(), servers: map[string]*fakeServer{}}
	t.Cleanup(f.close)
	return f
}

func (f *fakeNet) dialer() Dialer { return Dialer(f.net.Dialer("10.99.0.1")) }

// serve listens on addr and answers with c's replies.
func (f *fakeNet) serve(addr string, c capture) *fakeServer {
	f.t.Helper()
	ln, err := f.net.Listen(addr)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.serveOn(ln, addr, c)
}

// serveTCP serves c on a real loopback port, reached through tcpDialer
// under the synthetic address addr.
func (f *fakeNet) serveTCP(addr string, c capture) *fakeServer {
	f.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	if f.tcpAddr == nil {
		f.tcpAddr = map[string]string{}
	}
	f.tcpAddr[addr] = ln.Addr().String()
	f.mu.Unlock()
	return f.serveOn(ln, addr, c)
}

// tcpDialer dials the loopback listener standing for a synthetic address.
func (f *fakeNet) tcpDialer() Dialer {
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		f.mu.Lock()
		real, ok := f.tcpAddr[addr]
		f.mu.Unlock()
		if !ok {
			real = "127.0.0.1:1"
		}
		return d.DialContext(ctx, network, real)
	}
}

func (f *fakeNet) serveOn(ln net.Listener, addr string, c capture) *fakeServer {
	s := &fakeServer{c: c}
	f.mu.Lock()
	f.servers[addr] = s
	f.lns = append(f.lns, ln)
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, conn)
			f.mu.Unlock()
			s.mu.Lock()
			s.accepted++
			s.mu.Unlock()
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				s.handle(conn)
			}()
		}
	}()
	return s
}

func (f *fakeNet) close() {
	f.mu.Lock()
	for _, l := range f.lns {
		_ = l.Close()
	}
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (s *fakeServer) set(fn func(s *fakeServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *fakeServer) commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.log {
		out = append(out, strings.Join(c, " "))
	}
	return out
}

func (s *fakeServer) handle(conn net.Conn) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		_ = conn.Close()
		return
	}
	br := bufio.NewReader(conn)
	r := resp.NewReader(br)
	bw := bufio.NewWriter(conn)
	authed := false
	for {
		if br.Buffered() == 0 {
			if err := bw.Flush(); err != nil { // replies to a pipeline go out together, as Redis does
				return
			}
		}
		v, err := r.ReadValue()
		if err != nil {
			return
		}
		args := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			args[i] = string(e.Str)
		}
		s.mu.Lock()
		s.log = append(s.log, args)
		stall, pw, c, down := s.stall, s.password, s.c, s.down
		s.mu.Unlock()
		if down {
			_ = conn.Close()
			return
		}
		if stall {
			continue
		}
		reply, ok := fakeReply(args, c, pw, &authed)
		if !ok {
			return
		}
		if _, err := bw.Write(reply); err != nil {
			return
		}
	}
}

// fakeReply answers one command like Redis 7.0 would.
func fakeReply(args []string, c capture, pw string, authed *bool) ([]byte, bool) {
	if len(args) == 0 {
		return nil, false
	}
	cmd := strings.ToUpper(args[0])
	if cmd == "AUTH" {
		given := args[len(args)-1]
		switch {
		case pw == "":
			return []byte("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"), true
		case given == pw:
			*authed = true
			return []byte("+OK\r\n"), true
		default:
			return []byte("-WRONGPASS invalid username-password pair or user is disabled.\r\n"), true
		}
	}
	if pw != "" && !*authed {
		return []byte("-NOAUTH Authentication required.\r\n"), true
	}
	bulk := func(s string) []byte { return fmt.Appendf(nil, "$%d\r\n%s\r\n", len(s), s) }
	switch cmd {
	case "ROLE":
		return encode(c.role), true
	case "INFO":
		return bulk(c.info), true
	case "CLIENT":
		if strings.EqualFold(args[1], "KILL") {
			return []byte(":1\r\n"), true
		}
		return bulk(c.clientList), true
	case "CONFIG":
		if c.cob.Kind == 0 {
			return []byte("-ERR unknown command 'CONFIG'\r\n"), true
		}
		if len(args) > 2 && args[2] == "repl-timeout" {
			return []byte("*2\r\n$12\r\nrepl-timeout\r\n$2\r\n60\r\n"), true
		}
		return encode(c.cob), true
	case "CLUSTER":
		if c.clusterNodes != "" {
			return fakeCluster(args, c, bulk), true
		}
	case "REPLICAOF", "SLAVEOF":
		return []byte("+OK\r\n"), true
	}
	return fmt.Appendf(nil, "-ERR unknown command '%s'\r\n", args[0]), true
}

// fakeCluster answers CLUSTER INFO, NODES and SHARDS from c.
func fakeCluster(args []string, c capture, bulk func(string) []byte) []byte {
	sub := ""
	if len(args) > 1 {
		sub = strings.ToUpper(args[1])
	}
	switch {
	case sub == "INFO":
		return bulk(c.clusterInfo)
	case sub == "NODES":
		return bulk(c.clusterNodes)
	case sub == "SHARDS" && c.shards != "":
		return []byte(c.shards)
	}
	// Redis 6.2's answer to a subcommand it does not know.
	return fmt.Appendf(nil, "-ERR Unknown subcommand or wrong number of arguments for '%s'. Try CLUSTER HELP.\r\n", args[len(args)-1])
}
