package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/topology"
)

// TestWatchTLSFlags runs `watch ADDR --tls --cacert F --once` against a
// TLS-only real master and replica: both are in the tree. The same
// without --cacert fails on the certificate (exit 3: unreachable), and
// TLS flags without --tls are a usage error.
func TestWatchTLSFlags(t *testing.T) {
	redistest.Require(t)
	f := nodetest.GenerateTLS(t)
	conf, err := topology.TLSOptions{CACert: f.CA}.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--tls-cert-file", f.Cert, "--tls-key-file", f.Key, "--tls-ca-cert-file", f.CA,
		"--tls-auth-clients", "optional", "--tls-replication", "yes"}
	m := redistest.StartTLS(t, conf, args...)
	r := redistest.StartTLS(t, conf, append(args, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))...)
	var out, errOut bytes.Buffer
	for range 100 { // the replica links within a few rounds
		out.Reset()
		errOut.Reset()
		if code := watchMain([]string{m.Addr, "--tls", "--cacert", f.CA, "--once"}, &out, &errOut); code == 0 &&
			strings.Contains(out.String(), r.Addr+"  replica") && strings.Contains(out.String(), "link up") {
			break
		}
	}
	if !strings.Contains(out.String(), m.Addr+"  master") || !strings.Contains(out.String(), r.Addr+"  replica") {
		t.Fatalf("want master and replica, got:\n%s\nstderr: %s", out.String(), errOut.String())
	}

	out.Reset()
	code := watchMain([]string{"rediss://" + m.Addr, "--once"}, &out, &errOut)
	if code != 3 || !strings.Contains(out.String(), "certificate signed by unknown authority") {
		t.Fatalf("rediss:// without the CA: exit %d, want 3 and a certificate error:\n%s", code, out.String())
	}

	errOut.Reset()
	if code := watchMain([]string{m.Addr, "--cacert", f.CA, "--once"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "need --tls") {
		t.Fatalf("--cacert without --tls: exit %d, stderr %q", code, errOut.String())
	}
}

// TestParseWatchMap: --map is repeatable and canonical; a malformed one
// is a usage error that shows the expected form.
func TestParseWatchMap(t *testing.T) {
	var errOut bytes.Buffer
	o, err := parseWatch([]string{"7001", "--map", "10.0.0.5:6379=localhost:16379", "--map", "10.0.0.6:6379=127.0.0.1:16380"}, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if o.addrMap.Target("10.0.0.5:6379") != "127.0.0.1:16379" || o.addrMap.Target("10.0.0.6:6379") != "127.0.0.1:16380" {
		t.Fatalf("map = %v", o.addrMap)
	}
	if _, err := parseWatch([]string{"7001", "--map", "10.0.0.5"}, &errOut); err == nil || !strings.Contains(err.Error(), "FROM=TO") {
		t.Fatalf("malformed --map: %v", err)
	}
}
