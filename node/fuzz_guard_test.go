package node_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
)

// fuzzDenied are commands the command-path fuzzer must not send to its
// node: they stop it, change its configuration or role, wipe or block.
var fuzzDenied = map[string]bool{
	"shutdown": true, "debug": true, "config": true, "replicaof": true, "slaveof": true,
	"flushall": true, "flushdb": true, "save": true, "bgsave": true, "bgrewriteaof": true,
	"monitor": true, "subscribe": true, "psubscribe": true, "ssubscribe": true, "client": true,
	"wait": true, "blpop": true, "brpop": true, "brpoplpush": true, "blmove": true, "blmpop": true,
	"bzpopmin": true, "bzpopmax": true, "bzmpop": true, "xread": true, "xreadgroup": true,
	"failover": true, "cluster": true, "module": true, "acl": true, "swapdb": true,
	"script": true, "eval": true, "evalsha": true, "eval_ro": true, "evalsha_ro": true,
	"fcall": true, "fcall_ro": true, "function": true, "sync": false, "psync": false,
}

const fuzzCanary = "fuzz-canary-7f3a"

// FuzzCommandPath feeds arbitrary client bytes to the command path:
//   - through the input guard and redcon's reader in-process, whole, a
//     byte per read and seven bytes per read: no panic, and the commands,
//     error and refusal do not depend on how the bytes arrive; a valid
//     multibulk built from the input comes out as the same arguments;
//   - to a live node over loopback (unless a command in them is one of
//     fuzzDenied): the node answers or closes within a deadline, and
//     afterwards still answers PING with its canary key intact.
func FuzzCommandPath(f *testing.F) {
	for _, c := range protocolCases() {
		f.Add([]byte(strings.Join(c.in, "")))
	}
	for _, c := range replicationCases() {
		f.Add([]byte(strings.Join(c.in, "")))
	}
	for _, s := range []string{
		"PING\r\n", "SET k v\r\nGET k\r\n", "MULTI\r\nSET a 1\r\nEXEC\r\n",
		"PSYNC ? -1\r\n", "REPLCONF ACK 5\r\nPING\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
		"*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n", "ECHO \"\\x41\" 'b\\'c'\r\n",
	} {
		f.Add([]byte(s))
	}
	n := nodetest.Start(f)
	nodetest.MustDo(f, n.Addr(), "SET", fuzzCanary, "alive")
	health := nodetest.Dial(f, n.Addr())
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(data)()
		whole := node.GuardFeed([][]byte{data}, 0)
		for _, size := range readSizes(len(data)) {
			if got := node.GuardFeed([][]byte{data}, size); fmt.Sprint(got) != fmt.Sprint(whole) {
				t.Fatalf("reads of %d bytes: %v\nwhole: %v", size, clipAny(got), clipAny(whole))
			}
		}
		for _, c := range whole.Cmds {
			if len(c) == 0 {
				t.Fatal("an empty command came out of the guard")
			}
		}
		checkRoundTrip(t, data)
		if sendable(whole.Cmds) {
			sendToNode(t, n.Addr(), data)
			if v, err := health.Do("GET", fuzzCanary); err != nil || string(v.Str) != "alive" {
				t.Fatalf("after %q: GET canary = %v %s", clip(string(data)), err, v)
			}
		}
	})
}

// checkRoundTrip builds commands from data (NUL separates arguments, 0xff
// commands) and checks the guard hands them on unchanged.
func checkRoundTrip(t *testing.T, data []byte) {
	var want [][][]byte
	var wire []byte
	for _, cmd := range bytes.Split(data, []byte{0xff}) {
		args := bytes.Split(cmd, []byte{0})
		wire = resp.AppendCommandBytes(wire, args)
		want = append(want, args)
	}
	got := node.GuardFeed([][]byte{wire}, 5)
	if got.Refused || fmt.Sprintf("%q", got.Cmds) != fmt.Sprintf("%q", want) {
		t.Fatalf("round trip of %q: got %v, want %q", wire, clipAny(got), want)
	}
}

func sendable(cmds [][][]byte) bool {
	for _, c := range cmds {
		if fuzzDenied[strings.ToLower(string(c[0]))] {
			return false
		}
		for _, a := range c {
			if bytes.Contains(a, []byte(fuzzCanary)) {
				return false
			}
		}
	}
	return true
}

// sendToNode writes data, half-closes, and reads until the node closes.
func sendToNode(t *testing.T, addr string, data []byte) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(data); err != nil && !isClosed(err) {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	if _, err := io.Copy(io.Discard, conn); err != nil && !isClosed(err) {
		t.Fatalf("after %q the node did not close: %v", clip(string(data)), err)
	}
}
