package node

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/replscope/replscope/internal/tlsutil"
	"github.com/tidwall/redcon"
)

// serverTLSConfig builds the TLS configuration of the tls-port listener
// from tls-cert-file, tls-key-file, tls-ca-cert-file / tls-ca-cert-dir and
// tls-auth-clients (yes: a client certificate signed by the CA is
// required; optional: verified when given; no: not asked for).
func (n *Node) serverTLSConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(n.cfg.TLSCertFile, n.cfg.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: load tls-cert-file / tls-key-file: %w", err)
	}
	pool, err := n.caPool()
	if err != nil {
		return nil, err
	}
	c := &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	switch n.cfg.TLSAuthClients {
	case "no":
		c.ClientAuth = tls.NoClientCert
	case "optional":
		c.ClientAuth = tls.VerifyClientCertIfGiven
	default:
		c.ClientAuth = tls.RequireAndVerifyClientCert
	}
	if c.ClientAuth != tls.NoClientCert && pool == nil {
		return nil, errors.New("tls: tls-auth-clients needs tls-ca-cert-file or tls-ca-cert-dir")
	}
	return c, nil
}

// clientTLSConfig is what a replica uses to reach its master with
// tls-replication yes: its own certificate as the client certificate and
// the CA to verify the master.
func (n *Node) clientTLSConfig(host string) (*tls.Config, error) {
	pool, err := n.caPool()
	if err != nil {
		return nil, err
	}
	c := &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}
	if n.cfg.TLSCertFile != "" {
		cert, err := tls.LoadX509KeyPair(n.cfg.TLSCertFile, n.cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: load tls-cert-file / tls-key-file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// caPool reads tls-ca-cert-file and the certificates of tls-ca-cert-dir;
// nil when neither is set.
func (n *Node) caPool() (*x509.CertPool, error) {
	return tlsutil.CAPool(n.cfg.TLSCACertFile, n.cfg.TLSCACertDir)
}

// startTLS listens on tls-port with TLS and serves it with the same
// handlers as the plain port.
func (n *Node) startTLS() error {
	n.mu.Lock()
	port := n.cfg.TLSPort
	n.mu.Unlock()
	if port == 0 {
		return nil
	}
	conf, err := n.serverTLSConfig()
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(n.listenAddr())
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("listen tls-port %d: %w", port, err)
	}
	return n.serveTLS(tls.NewListener(ln, conf))
}

// serveTLS serves an already TLS-wrapped listener (tests use their own).
func (n *Node) serveTLS(ln net.Listener) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		_ = ln.Close()
		return ErrClosed
	}
	n.tlsSrv = redcon.NewServerNetwork("tcp", ln.Addr().String(), n.handle, n.accept, n.onClosed)
	n.tlsAddr = ln.Addr().String()
	n.tlsLn = ln
	srv := n.tlsSrv
	n.bg.Add(1)
	n.mu.Unlock()
	go func() {
		defer n.bg.Done()
		_ = srv.Serve(guardListener{Listener: ln, n: n})
	}()
	n.log.Noticef("Ready to accept connections tls")
	return nil
}

// TLSAddr returns the address of the TLS listener ("" without tls-port).
func (n *Node) TLSAddr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.tlsAddr
}

// wrapReplicationTLS wraps the replica's connection to its master in TLS
// when tls-replication is yes.
func (n *Node) wrapReplicationTLS(conn net.Conn, host string) (net.Conn, error) {
	n.mu.Lock()
	useTLS := n.cfg.TLSReplication
	n.mu.Unlock()
	if !useTLS {
		return conn, nil
	}
	conf, err := n.clientTLSConfig(host)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(conn, conf)
	return tc, nil
}
