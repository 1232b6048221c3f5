package topology

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
)

// tlsServerArgs are the redis.conf arguments of a TLS-only test node.
func tlsServerArgs(f nodetest.TLSFiles) []string {
	return []string{"--tls-cert-file", f.Cert, "--tls-key-file", f.Key, "--tls-ca-cert-file", f.CA,
		"--tls-auth-clients", "optional", "--tls-replication", "yes"}
}

// clientTLS is the client side for f's nodes, built the way
// `watch --tls --cacert` builds it.
func clientTLS(t *testing.T, f nodetest.TLSFiles) *tls.Config {
	t.Helper()
	c, err := TLSOptions{CACert: f.CA}.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startTLSPair starts a TLS-only master and a TLS-only replica of it
// (real redis-server).
func startTLSPair(t *testing.T, f nodetest.TLSFiles) (m, r *redistest.Server) {
	t.Helper()
	conf := clientTLS(t, f)
	m = redistest.StartTLS(t, conf, tlsServerArgs(f)...)
	r = redistest.StartTLS(t, conf, append(tlsServerArgs(f), "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))...)
	return m, r
}

// pollUntil polls w until ok accepts the graph, failing after limit.
func pollUntil(t *testing.T, w *Watcher, limit time.Duration, what string, ok func(*Graph) bool) *Graph {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		g := w.Poll(context.Background()).Graph
		if ok(g) {
			return g
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last graph:\n%s", what, limit, RenderText(g))
		}
		time.Sleep(50 * time.Millisecond) // poll interval, not a settle wait
	}
}

// linkedPair reports whether g holds master m with replica r reachable
// and linked.
func linkedPair(g *Graph, master, replica string) bool {
	m, r := g.ByAddr(master), g.ByAddr(replica)
	if m == nil || r == nil || m.Reach != ReachOK || r.Reach != ReachOK {
		return false
	}
	l := g.Upstream(r.ID)
	return l != nil && l.Master == m.ID && r.Upstream != nil && r.Upstream.LinkUp
}

// TestWatchTLSOnlyFleet: real redis-server nodes with only a TLS port.
// `--tls --cacert` discovers the replica from the master (TLS applies to
// discovered nodes); a CA that did not sign them gives each node a clear
// certificate error within the probe timeout; an ACL user with a password
// works through Config.User (--user) and through rediss://user:pass@.
func TestWatchTLSOnlyFleet(t *testing.T) {
	redistest.Require(t)
	files := nodetest.GenerateTLS(t)
	m, r := startTLSPair(t, files)

	t.Run("cacert discovers master and replica", func(t *testing.T) {
		w, err := NewWatcher(Config{Seeds: []string{m.Addr}, TLS: clientTLS(t, files), Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		g := pollUntil(t, w, 10*time.Second, "master + replica over TLS", func(g *Graph) bool { return linkedPair(g, m.Addr, r.Addr) })
		if len(g.Nodes) != 2 {
			t.Fatalf("want 2 nodes, got:\n%s", RenderText(g))
		}
		// Operations dial like the probes: TLS too.
		if out, err := w.Operator().KillLink(context.Background(), g, g.ByAddr(r.Addr).ID); err != nil || out.Reply != "1" {
			t.Fatalf("kill-link over TLS: %v %+v", err, out)
		}
	})

	t.Run("cacert-dir, insecure", func(t *testing.T) {
		other := nodetest.GenerateTLS(t)
		for name, o := range map[string]TLSOptions{
			"cacert-dir": {CACertDir: files.Dir}, // ca.crt and node.crt; node.key holds no certificate
			"insecure":   {CACert: other.CA, Insecure: true},
		} {
			conf, err := o.ClientConfig()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			w, err := NewWatcher(Config{Seeds: []string{m.Addr}, TLS: conf, Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			pollUntil(t, w, 10*time.Second, name, func(g *Graph) bool { return linkedPair(g, m.Addr, r.Addr) })
			w.Close()
		}
	})

	t.Run("plain connection to a TLS port fails clearly", func(t *testing.T) {
		w, err := NewWatcher(Config{Seeds: []string{m.Addr}, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		start := time.Now()
		n := w.Poll(context.Background()).Graph.ByAddr(m.Addr)
		if n == nil || n.Reach == ReachOK || !strings.Contains(n.Error, "a TLS port? (--tls)") {
			t.Fatalf("a plain probe of a TLS port: want a TLS hint, got %+v", n)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("poll took %s", d)
		}
	})

	t.Run("wrong CA is a per-node error, not a hang", func(t *testing.T) {
		other := nodetest.GenerateTLS(t) // a CA that signed nothing of this fleet
		w, err := NewWatcher(Config{Seeds: []string{m.Addr, r.Addr}, TLS: clientTLS(t, other), Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		start := time.Now()
		g := w.Poll(context.Background()).Graph
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("poll with a wrong CA took %s", d)
		}
		for _, a := range []string{m.Addr, r.Addr} {
			n := g.ByAddr(a)
			if n == nil || n.Reach != ReachUnreachable || !strings.Contains(n.Error, "certificate signed by unknown authority") {
				t.Fatalf("%s: want a certificate error, got %+v\n%s", a, n, RenderText(g))
			}
		}
		if txt := RenderText(g); !strings.Contains(txt, "TLS handshake") {
			t.Fatalf("the text does not name the TLS handshake:\n%s", txt)
		}
	})

	// An ACL user that may read but not CONFIG or CLIENT, on both nodes.
	for _, s := range []*redistest.Server{m, r} {
		if v := s.Do(t, "ACL", "SETUSER", "watcher", "on", ">s3cret", "~*", "&*", "+@all", "-@dangerous", "+info", "+role"); v.Err() != nil {
			t.Fatalf("ACL SETUSER on %s: %v", s.Addr, v.Err())
		}
	}
	aclChecks := func(t *testing.T, g *Graph, addrs ...string) {
		t.Helper()
		for _, a := range addrs {
			n := g.ByAddr(a)
			if n == nil || n.Reach != ReachOK {
				t.Fatalf("%s not read as the ACL user: %+v", a, n)
			}
			// -@dangerous takes CONFIG and CLIENT LIST from the user:
			// proof the probe ran as watcher, and the node is still shown.
			if !slices.Contains(n.Refused, "CONFIG") || !slices.Contains(n.Refused, "CLIENT") {
				t.Fatalf("%s: Refused = %v, want CONFIG and CLIENT (NOPERM for watcher)", a, n.Refused)
			}
		}
	}

	t.Run("acl user via --user", func(t *testing.T) {
		w, err := NewWatcher(Config{Seeds: []string{m.Addr}, User: "watcher", Password: "s3cret",
			TLS: clientTLS(t, files), Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		g := pollUntil(t, w, 10*time.Second, "master + replica as watcher", func(g *Graph) bool { return linkedPair(g, m.Addr, r.Addr) })
		aclChecks(t, g, m.Addr, r.Addr)
	})

	t.Run("acl user via rediss://user:pass@", func(t *testing.T) {
		// No Config.TLS: rediss:// turns TLS on; the CA comes from a
		// TLS config only when given, so give the CA the same way.
		w, err := NewWatcher(Config{Seeds: []string{"rediss://watcher:s3cret@" + m.Addr}, TLS: clientTLS(t, files), Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		g := pollUntil(t, w, 10*time.Second, "master as watcher", func(g *Graph) bool { return linkedPair(g, m.Addr, r.Addr) })
		aclChecks(t, g, m.Addr) // the replica, without credentials of its own, is read as default
		if n := g.ByAddr(r.Addr); len(n.Refused) != 0 {
			t.Fatalf("replica read as default refused %v", n.Refused)
		}
	})

	t.Run("acl user with a wrong password", func(t *testing.T) {
		w, err := NewWatcher(Config{Seeds: []string{"rediss://watcher:nope@" + m.Addr}, TLS: clientTLS(t, files), Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		n := w.Poll(context.Background()).Graph.ByAddr(m.Addr)
		if n == nil || n.Reach != ReachAuthFailed || strings.Contains(n.Error, "nope") {
			t.Fatalf("want auth-failed without the password, got %+v", n)
		}
	})
}

// TestTLSClientCertAndMappedNames: a node with tls-auth-clients yes
// needs --cert/--key; a TLS replica announcing 10.0.0.5:6379 behind a map
// is verified by the name it is known by — its certificate names only
// 127.0.0.1, so that fails clearly — and --sni names what to verify.
func TestTLSClientCertAndMappedNames(t *testing.T) {
	redistest.Require(t)
	files := nodetest.GenerateTLS(t)
	launcher := clientTLS(t, files)
	launcher.Certificates = mustKeyPair(t, files)
	args := []string{"--tls-cert-file", files.Cert, "--tls-key-file", files.Key, "--tls-ca-cert-file", files.CA,
		"--tls-auth-clients", "yes", "--tls-replication", "yes"}
	m := redistest.StartTLS(t, launcher, args...)
	r := redistest.StartTLS(t, launcher, append(args, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port),
		"--replica-announce-ip", "10.0.0.5", "--replica-announce-port", "6379")...)
	am := AddrMap{}
	if err := am.Add("10.0.0.5:6379=" + r.Addr); err != nil {
		t.Fatal(err)
	}
	watch := func(o TLSOptions) *Watcher {
		t.Helper()
		conf, err := o.ClientConfig()
		if err != nil {
			t.Fatal(err)
		}
		guard := &loopbackOnly{}
		w, err := NewWatcher(Config{Seeds: []string{m.Addr}, TLS: conf, Map: am, Dial: guard.dial, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			w.Close()
			guard.mu.Lock()
			defer guard.mu.Unlock()
			if len(guard.foreign) > 0 {
				t.Errorf("dialled non-loopback addresses: %v", guard.foreign)
			}
		})
		return w
	}

	n := watch(TLSOptions{CACert: files.CA}).Poll(context.Background()).Graph.ByAddr(m.Addr)
	if n == nil || n.Reach == ReachOK {
		t.Fatalf("read without a client certificate from a tls-auth-clients yes node: %+v", n)
	}

	withCert := TLSOptions{CACert: files.CA, Cert: files.Cert, Key: files.Key}
	g := pollUntil(t, watch(withCert), 10*time.Second, "the mapped replica fails verification", func(g *Graph) bool {
		rn := g.ByAddr("10.0.0.5:6379")
		return g.ByAddr(m.Addr).Reach == ReachOK && rn != nil && strings.Contains(rn.Error, "10.0.0.5")
	})
	if rn := g.ByAddr("10.0.0.5:6379"); !strings.Contains(rn.Error, "certificate is valid for 127.0.0.1, not 10.0.0.5") {
		t.Fatalf("want a name mismatch, got %q", rn.Error)
	}

	withCert.SNI = "127.0.0.1"
	pollUntil(t, watch(withCert), 10*time.Second, "the mapped replica with --sni", func(g *Graph) bool {
		return linkedPair(g, m.Addr, "10.0.0.5:6379")
	})
}

func mustKeyPair(t *testing.T, f nodetest.TLSFiles) []tls.Certificate {
	t.Helper()
	c, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	return []tls.Certificate{c}
}

// TestRedissSeedTurnsTLSOn: a rediss:// seed alone makes every dial TLS.
// With the system's roots the test CA is unknown, so the handshake — not
// a plain RESP exchange — is what fails.
func TestRedissSeedTurnsTLSOn(t *testing.T) {
	redistest.Require(t)
	files := nodetest.GenerateTLS(t)
	m := redistest.StartTLS(t, clientTLS(t, files), tlsServerArgs(files)...)
	w, err := NewWatcher(Config{Seeds: []string{"rediss://" + m.Addr}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	n := w.Poll(context.Background()).Graph.ByAddr(m.Addr)
	if n == nil || !strings.Contains(n.Error, "TLS handshake") || !strings.Contains(n.Error, "certificate") {
		t.Fatalf("want a TLS certificate error, got %+v", n)
	}
}

// loopbackOnly is a dialer that refuses — and records — any dial to a
// non-loopback address: a mapped address must never be dialled.
type loopbackOnly struct {
	mu      sync.Mutex
	foreign []string
}

func (l *loopbackOnly) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		l.mu.Lock()
		l.foreign = append(l.foreign, addr)
		l.mu.Unlock()
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError("test: non-loopback dial refused")}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// TestAddrMapReachesAnnouncedReplica: a real replica announces
// 10.0.0.5:6379 (replica-announce-ip/port), as behind NAT or in a
// container; with the map 10.0.0.5:6379=127.0.0.1:PORT the Watcher reads
// it through the loopback port, shows it under the address the fleet
// knows, and never dials 10.x.
func TestAddrMapReachesAnnouncedReplica(t *testing.T) {
	m := redistest.Start(t)
	r := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port),
		"--replica-announce-ip", "10.0.0.5", "--replica-announce-port", "6379")
	guard := &loopbackOnly{}
	am := AddrMap{}
	if err := am.Add("10.0.0.5:6379=" + r.Addr); err != nil {
		t.Fatal(err)
	}
	w, err := NewWatcher(Config{Seeds: []string{m.Addr}, Dial: guard.dial, Map: am, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g := pollUntil(t, w, 10*time.Second, "replica through the map", func(g *Graph) bool {
		return linkedPair(g, m.Addr, "10.0.0.5:6379")
	})
	rid := info.Parse(string(r.Do(t, "INFO", "server").Str)).Str("run_id")
	if n := g.ByAddr("10.0.0.5:6379"); n.RunID != rid {
		t.Fatalf("10.0.0.5:6379 is run %s, want the replica's %s", n.RunID, rid)
	}
	guard.mu.Lock()
	defer guard.mu.Unlock()
	if len(guard.foreign) > 0 {
		t.Fatalf("dialled non-loopback addresses: %v", guard.foreign)
	}
}

// TestRestrictedNodeShown: a real master with CONFIG and CLIENT renamed
// away (rename-command X "", as managed services do) is shown from INFO,
// with its replica, and what those commands tell is "unknown (… refused)"
// — on the round that asked CONFIG and on the next, which did not. The
// replica has REPLICAOF renamed away: detach is not sent to it, even
// forced.
func TestRestrictedNodeShown(t *testing.T) {
	m := redistest.Start(t, "--rename-command", "CONFIG", "", "--rename-command", "CLIENT", "")
	r := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port), "--rename-command", "REPLICAOF", "")
	w, err := NewWatcher(Config{Seeds: []string{m.Addr}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var g *Graph
	for round := range 2 {
		g = pollUntil(t, w, 10*time.Second, "restricted master and its replica", func(g *Graph) bool { return linkedPair(g, m.Addr, r.Addr) })
		n := g.ByAddr(m.Addr)
		if !slices.Equal(n.Refused, []string{"CLIENT", "CONFIG"}) {
			t.Fatalf("round %d: Refused = %v", round, n.Refused)
		}
		if n.Limits.Known || n.Unknown("CONFIG") != "unknown (CONFIG refused)" {
			t.Fatalf("round %d: limits %+v, Unknown %q", round, n.Limits, n.Unknown("CONFIG"))
		}
		txt := RenderText(g)
		for _, want := range []string{"unknown (CONFIG refused)", "unknown (CLIENT refused)", "attach/detach: not offered (REPLICAOF refused)"} {
			if !strings.Contains(txt, want) {
				t.Fatalf("round %d: text lacks %q:\n%s", round, want, txt)
			}
		}
		if rn := g.ByAddr(r.Addr); !slices.Equal(rn.Refused, []string{"REPLICAOF"}) {
			t.Fatalf("round %d: replica refused %v, want REPLICAOF", round, rn.Refused)
		}
	}
	rn := g.ByAddr(r.Addr)
	if _, err := w.Operator().Detach(context.Background(), g, rn.ID, true); !errors.Is(err, ErrNotOffered) {
		t.Fatalf("detach of a node without REPLICAOF: %v, want ErrNotOffered", err)
	}
	if role := info.Parse(string(r.Do(t, "INFO", "replication").Str)).Str("role"); role != "slave" {
		t.Fatalf("replica's role is %q after a refused detach", role)
	}
}
