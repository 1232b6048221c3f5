package redisproc

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// TestReady follows what redis-server answers PING while it starts: only
// -LOADING (and other errors) mean "not yet".
func TestReady(t *testing.T) {
	for _, tc := range []struct {
		reply resp.Value
		want  bool
	}{
		{resp.Value{Kind: resp.SimpleString, Str: []byte("PONG")}, true},
		{resp.Value{Kind: resp.Error, Str: []byte("NOAUTH Authentication required.")}, true},
		{resp.Value{Kind: resp.Error, Str: []byte("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.")}, true},
		{resp.Value{Kind: resp.Error, Str: []byte("LOADING Redis is loading the dataset in memory")}, false},
		{resp.Value{Kind: resp.Error, Str: []byte("ERR unknown command")}, false},
	} {
		if got := Ready(tc.reply); got != tc.want {
			t.Errorf("Ready(%s) = %v, want %v", tc.reply, got, tc.want)
		}
	}
}

// TestFreeClusterPort checks that the bus port (port + 10000) exists.
func TestFreeClusterPort(t *testing.T) {
	p, err := FreeClusterPort()
	if err != nil {
		t.Fatal(err)
	}
	if p+10000 > 65535 {
		t.Fatalf("port %d has no cluster bus port", p)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
	if err != nil {
		t.Fatalf("bus port of %d: %v", p, err)
	}
	ln.Close()
}

// TestMasterDownReplicaIsReady starts a real replica with
// replica-serve-stale-data no whose master is not there: it answers PING
// with -MASTERDOWN, and that is ready (a scenario restarting such a
// replica used to wait 10 s for it and fail).
func TestMasterDownReplicaIsReady(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed: skipping the launcher test (apt-get install redis-server)")
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dead, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := StartServer(bin, dir, port, "--bind", "127.0.0.1", "--save", "", "--dir", dir,
		"--replica-serve-stale-data", "no", "--replicaof", "127.0.0.1", strconv.Itoa(dead))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Kill(); err != nil {
			t.Error(err)
		}
	})
	if err := p.WaitReady(nil, 10*time.Second); err != nil {
		t.Fatalf("%v%s", err, p.LogTail())
	}
	c, err := Dial(p.Addr, nil, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := c.Do("PING"); err != nil || v.Kind != resp.Error || !strings.HasPrefix(string(v.Str), "MASTERDOWN") {
		t.Errorf("PING = %v %s, want -MASTERDOWN", err, v)
	}
	if err := p.Kill(); err != nil || !p.Exited() {
		t.Errorf("Kill: %v, exited %v", err, p.Exited())
	}
}

// TestFreePortBelowEphemeralRange: ports come from below the range the
// kernel gives outgoing connections, and one process never gets the same
// port twice.
func TestFreePortBelowEphemeralRange(t *testing.T) {
	lo := ephemeralLow()
	seen := map[int]bool{}
	for range 50 {
		p, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if p < portFloor || p >= lo {
			t.Fatalf("port %d outside %d..%d", p, portFloor, lo-1)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
	base, err := FreePorts(4)
	if err != nil {
		t.Fatal(err)
	}
	for p := base; p < base+4; p++ {
		if seen[p] || p >= lo {
			t.Fatalf("run %d..%d: port %d reused or in the ephemeral range", base, base+3, p)
		}
	}
}

// TestFreeClusterPortKeepsItsBusPort: the bus port of a cluster port is
// never handed out afterwards, to a cluster node or to anything else.
func TestFreeClusterPortKeepsItsBusPort(t *testing.T) {
	buses := map[int]bool{}
	for range 20 {
		p, err := FreeClusterPort()
		if err != nil {
			t.Fatal(err)
		}
		if buses[p] {
			t.Fatalf("port %d was handed out as a cluster port after being a bus port", p)
		}
		buses[p+busOffset] = true
		given.Lock()
		kept := given.ports[p+busOffset]
		given.Unlock()
		if !kept {
			t.Fatalf("bus port %d of cluster port %d is not marked given", p+busOffset, p)
		}
	}
	for range 200 {
		p, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		if buses[p] {
			t.Fatalf("FreePort handed out %d, a cluster node's bus port", p)
		}
	}
}
