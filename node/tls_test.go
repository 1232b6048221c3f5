package node_test

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// tlsClient dials a TLS port with the test certificate (or none).
func tlsClient(t *testing.T, f nodetest.TLSFiles, addr string, withCert bool) (*resp.Client, error) {
	t.Helper()
	pem, err := os.ReadFile(f.CA)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conf := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	if withCert {
		cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			t.Fatal(err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	conn, err := tls.Dial("tcp", addr, conf)
	if err != nil {
		return nil, err
	}
	if err := conn.Handshake(); err != nil {
		conn.Close()
		return nil, err
	}
	c := resp.NewClient(conn, 5*time.Second)
	t.Cleanup(func() { c.Close() })
	return c, nil
}

// TestTLSClients: the tls-port serves TLS clients (redis-cli --tls
// included) and, with tls-auth-clients yes, refuses clients without a
// certificate.
func TestTLSClients(t *testing.T) {
	f := nodetest.GenerateTLS(t)
	tlsPort := redistest.FreePort(t)
	n := nodetest.Start(t, f.Args(tlsPort)...)
	addr := "127.0.0.1:" + strconv.Itoa(tlsPort)
	c, err := tlsClient(t, f, addr, true)
	if err != nil {
		t.Fatalf("TLS client with a certificate: %v", err)
	}
	if v, err := c.Do("SET", "k", "over tls"); err != nil || string(v.Str) != "OK" {
		t.Fatalf("SET over TLS: %v %q", err, v.Str)
	}
	if v := nodetest.MustDo(t, n.Addr(), "GET", "k"); string(v.Str) != "over tls" {
		t.Fatalf("plain port sees %q", v.Str)
	}
	if c2, err := tlsClient(t, f, addr, false); err == nil {
		// TLS 1.3 reports a missing client certificate at the first read
		if _, err := c2.Do("PING"); err == nil {
			t.Fatal("a client without a certificate was served with tls-auth-clients yes")
		}
	}
	if _, err := exec.LookPath("redis-cli"); err == nil {
		out, err := exec.Command("redis-cli", "-p", strconv.Itoa(tlsPort), "--tls", "--cacert", f.CA,
			"--cert", f.Cert, "--key", f.Key, "GET", "k").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "over tls" {
			t.Fatalf("redis-cli --tls GET k: %v %q", err, out)
		}
	}
}

// TestTLSReplication replicates over TLS (tls-replication yes) between
// replscope and redis-server in both directions.
func TestTLSReplication(t *testing.T) {
	redistest.Require(t)
	f := nodetest.GenerateTLS(t)
	for _, pair := range pairings {
		t.Run(pair[0]+"-to-"+pair[1], func(t *testing.T) {
			mtls := redistest.FreePort(t)
			margs := append(f.Args(mtls), "--tls-replication", "yes")
			m := startServer(t, pair[0], margs...)
			rtls := redistest.FreePort(t)
			r := startServer(t, pair[1], append(f.Args(rtls), "--tls-replication", "yes")...)
			nodetest.MustDo(t, m.addr, "SET", "secret", "over tls")
			// the replica reaches its master's TLS port
			nodetest.MustDo(t, r.addr, "REPLICAOF", "127.0.0.1", strconv.Itoa(mtls))
			nodetest.WaitSynced(t, m.addr, r.addr, 20*time.Second)
			if v := nodetest.MustDo(t, r.addr, "GET", "secret"); string(v.Str) != "over tls" {
				t.Fatalf("replica GET secret = %q", v.Str)
			}
			// the master lists the replica with its TLS port
			line := nodetest.Info(t, m.addr, "replication")["slave0"]
			if !strings.Contains(line, "port="+strconv.Itoa(rtls)) {
				t.Fatalf("slave0 = %q, want the replica's tls-port %d", line, rtls)
			}
		})
	}
}
