package topology

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/resp"
)

// The captured world (testdata/redis-7.0.15, see its README): a master M
// with replicas R1 and R2, and C1 chained below R1; a master SM serving a
// slow full sync to SR; LONE pointing at a closed port; a Sentinel.
const (
	addrM    = "127.0.0.1:38197" // master-star
	addrR1   = "127.0.0.1:43867" // chain-middle (promoted after REPLICAOF NO ONE)
	addrR2   = "127.0.0.1:40187" // replica-up, replica-down
	addrC1   = "127.0.0.1:37949" // chain-tail
	addrSM   = "127.0.0.1:46167" // master-syncing
	addrSR   = "127.0.0.1:36707" // replica-syncing
	addrLone = "127.0.0.1:46103" // replica-refused
	addrSent = "127.0.0.1:38655" // sentinel
)

// t0 is the crafted clock of the pure tests.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// capture is one node's captured replies; with() edits INFO fields to
// craft states the live capture could not hold still.
type capture struct {
	name       string
	info       string
	role       resp.Value
	clientList string
	cob        resp.Value
	// A cluster node's CLUSTER INFO and NODES texts ("": CLUSTER is an
	// unknown command) and its CLUSTER SHARDS reply as raw RESP (""
	// answers SHARDS as Redis 6.2 does: an unknown subcommand).
	clusterInfo, clusterNodes, shards string
}

func loadCapture(t testing.TB, name string) capture {
	t.Helper()
	read := func(file string) string {
		b, err := os.ReadFile(filepath.Join(captureDir, file))
		if err != nil {
			if os.IsNotExist(err) {
				return ""
			}
			t.Fatal(err)
		}
		return string(b)
	}
	c := capture{name: name, info: read(name + ".info"), clientList: read(name + ".clientlist.txt")}
	if c.info == "" {
		t.Fatalf("no capture %s", name)
	}
	c.role = decodeRESP(t, read(name+".role.resp"))
	if s := read(name + ".cob.resp"); s != "" {
		c.cob = decodeRESP(t, s)
	}
	return c
}

func decodeRESP(t testing.TB, s string) resp.Value {
	t.Helper()
	v, err := resp.NewReader(strings.NewReader(s)).ReadValue()
	if err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

// addr is 127.0.0.1:tcp_port of the captured node.
func (c capture) addr() string {
	return JoinAddr("127.0.0.1", info.Parse(c.info).Str("tcp_port"))
}

// with returns c with INFO fields set (added when missing) or, for the
// value "-", removed.
func (c capture) with(kv ...string) capture {
	lines := strings.Split(c.info, "\r\n")
	for i := 0; i+1 < len(kv); i += 2 {
		key, val := kv[i], kv[i+1]
		found := false
		for j, l := range lines {
			if k, _, ok := strings.Cut(l, ":"); ok && k == key {
				found = true
				if val == "-" {
					lines = append(lines[:j], lines[j+1:]...)
				} else {
					lines[j] = key + ":" + val
				}
				break
			}
		}
		if !found && val != "-" {
			lines = append(lines, key+":"+val)
		}
	}
	c.info = strings.Join(lines, "\r\n")
	return c
}

// withClients replaces the CLIENT LIST text.
func (c capture) withClients(list string) capture {
	c.clientList = list
	return c
}

func (c capture) node(at time.Time) *Node {
	return NodeFromReplies(c.addr(), at, Replies{Role: c.role, Info: c.info, ClientList: c.clientList, OutputCfg: c.cob})
}

// world loads the captured star + chain.
type world struct {
	m, r1, r2, c1 capture
}

func loadWorld(t testing.TB) world {
	return world{
		m: loadCapture(t, "master-star"), r1: loadCapture(t, "chain-middle"),
		r2: loadCapture(t, "replica-up"), c1: loadCapture(t, "chain-tail"),
	}
}

// graphOf builds and assesses a Graph from captures at time at.
func graphOf(at time.Time, prev *Graph, th Thresholds, cs ...capture) *Graph {
	var probes []*Node
	for _, c := range cs {
		probes = append(probes, c.node(at))
	}
	g := Build(at, probes, prev, nil)
	Assess(prev, g, th)
	return g
}

func mustNode(t testing.TB, g *Graph, addr string) *Node {
	t.Helper()
	n := g.ByAddr(addr)
	if n == nil {
		t.Fatalf("no node at %s in\n%s", addr, RenderText(g))
	}
	return n
}

func mustLink(t testing.TB, g *Graph, master, replica string) *Link {
	t.Helper()
	m, r := mustNode(t, g, master), mustNode(t, g, replica)
	for _, l := range g.Links {
		if l.Master == m.ID && l.Replica == r.ID {
			return l
		}
	}
	t.Fatalf("no link %s → %s in\n%s", master, replica, RenderText(g))
	return nil
}

func alertNames(g *Graph, addr string) []string {
	n := g.ByAddr(addr)
	if n == nil {
		return nil
	}
	var out []string
	for _, a := range g.AlertsFor(n.ID) {
		out = append(out, string(a.Name))
	}
	return out
}

// eq fails the test when got != want (deep equality).
func eq[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
}

var errConnRefused = errors.New("dial 127.0.0.1:38197: connection refused")
