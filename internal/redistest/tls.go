package redistest

import (
	"crypto/tls"
	"strconv"
	"testing"
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
