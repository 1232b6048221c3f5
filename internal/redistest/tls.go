package redistest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// StartTLS starts a TLS-only redis-server: no plain port (--port 0), TLS
// on a free port, set up by tlsArgs ("--tls-cert-file", …; the
// --tls-port is added here). client is how the launcher itself connects
// (readiness, Client, Do): a CA to verify the server, and a certificate
// when the server asks for one. Addr is the TLS address.
func StartTLS(t testing.TB, client *tls.Config, tlsArgs ...string) *Server {
	t.Helper()
	bin := Require(t)
	port := FreePort(t)
	extra := append([]string{"--port", "0", "--tls-port", strconv.Itoa(port)}, tlsArgs...)
	return startIn(t, bin, t.TempDir(), port, client, extra...)
}

// dial connects to the server, over TLS when it was started with StartTLS.
func (s *Server) dial(timeout time.Duration) (*resp.Client, error) {
	if s.tls == nil {
		return resp.Dial(context.Background(), s.Addr, timeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	d := tls.Dialer{Config: s.tls}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return nil, fmt.Errorf("tls dial %s: %w", s.Addr, err)
	}
	return resp.NewClient(conn.(net.Conn), timeout), nil
}
