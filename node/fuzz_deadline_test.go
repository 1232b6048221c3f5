package node_test

import (
	"context"
	"math/rand"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// commandDeadline is how long one command may take before
// FuzzCommandDeadline calls the node frozen.
const commandDeadline = 5 * time.Second

// FuzzCommandDeadline sends one well-formed command built from the input
// (arguments separated by NUL; the seeds are every command of the
// randomized differential's table with its generator's arguments, and
// edge integers in each argument position) to a live node: the node must
// answer (or close the connection) within commandDeadline, and then still
// answer PING on another connection with its canary key intact. Commands
// in fuzzDenied and the freezing shapes in knownDifferences are not sent.
func FuzzCommandDeadline(f *testing.F) {
	g := &gen{r: rand.New(rand.NewSource(1))}
	for _, fam := range families {
		for _, c := range fam.cmds {
			for i := 0; i < 3; i++ {
				f.Add([]byte(strings.Join(append([]string{c.name}, c.args(g)...), "\x00")))
			}
			args := c.args(g)
			for pos := range args {
				for _, e := range []string{"9223372036854775807", "-9223372036854775808", "2147483648", ""} {
					a := append([]string{c.name}, args...)
					a[pos+1] = e
					f.Add([]byte(strings.Join(a, "\x00")))
				}
			}
		}
	}
	addr := startFreezable(f, 10*time.Second).Addr() // read once: Addr takes the node's lock
	health, err := resp.Dial(context.Background(), addr, commandDeadline)
	if err != nil {
		f.Fatal(err)
	}
	defer health.Close()
	if v, err := health.Do("SET", fuzzCanary, "alive"); err != nil || v.Kind == resp.Error {
		f.Fatalf("SET canary: %v %s", err, v)
	}
	var frozen atomic.Value // the command after which the node stopped answering
	f.Fuzz(func(t *testing.T, data []byte) {
		if last, ok := frozen.Load().(string); ok {
			t.Skipf("the node froze after %s (reported above)", last)
		}
		args := strings.Split(string(data), "\x00")
		if !deadlineSendable(args) {
			t.Skip("denied or a known freeze")
		}
		failed := true
		defer func() {
			if failed {
				frozen.Store(quoteArgs(args))
			}
		}()
		c, err := resp.Dial(context.Background(), addr, commandDeadline)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		if err := c.Send(args...); err != nil && !isClosed(err) {
			t.Fatalf("send %s: %v", quoteArgs(args), err)
		}
		if _, err := c.Reader().ReadRaw(); err != nil && !isClosed(err) {
			t.Fatalf("%s: no reply within %s: %v", quoteArgs(args), commandDeadline, err)
		}
		if v, err := health.Do("GET", fuzzCanary); err != nil || string(v.Str) != "alive" {
			t.Fatalf("after %s: GET canary = %v %s", quoteArgs(args), err, v)
		}
		failed = false
	})
}

// deadlineSendable reports whether FuzzCommandDeadline may send args:
// not a command that stops, reconfigures, wipes or blocks the node
// (fuzzDenied, and the replication handshake), nothing touching the
// canary, and no freezing shape listed in knownDifferences.
func deadlineSendable(args []string) bool {
	name := strings.ToLower(args[0])
	if fuzzDenied[name] || name == "sync" || name == "psync" || name == "replconf" || name == "quit" {
		return false
	}
	for _, a := range args {
		if strings.Contains(a, fuzzCanary) {
			return false
		}
	}
	if k := matchKnown(args, false); k != nil && k.freezes {
		return false
	}
	return !growsHuge(name, args)
}

// growsHuge reports a bit command whose offset would build a string of
// hundreds of MB (valid up to 512 MB): no freeze, but a later BITPOS or
// BITCOUNT scanning it under -race runs past the deadline on a loaded
// machine.
func growsHuge(name string, args []string) bool {
	if name != "setbit" && name != "bitfield" {
		return false
	}
	for _, a := range args[1:] {
		a = strings.TrimPrefix(a, "#")
		if n, err := strconv.ParseInt(a, 10, 64); err == nil && n >= 1<<24 {
			return true
		}
	}
	return false
}
