package topology

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/replscope/replscope/internal/tlsutil"
)

// TLSOptions are redis-cli's TLS flags: --cacert, --cacert-dir, --cert,
// --key, --sni and --insecure.
type TLSOptions struct {
	CACert    string // PEM file of the CA(s) that sign the nodes' certificates
	CACertDir string // a directory of such files
	Cert, Key string // client certificate and key (tls-auth-clients yes)
	SNI       string // server name sent and verified; default the host dialled
	Insecure  bool   // do not verify the nodes' certificates
}

// ClientConfig builds the client side of TLS from o. Without a CA the
// system's roots verify the nodes, as redis-cli does.
func (o TLSOptions) ClientConfig() (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: o.SNI, InsecureSkipVerify: o.Insecure} //nolint:gosec // --insecure asks for it
	pool, err := tlsutil.CAPool(o.CACert, o.CACertDir)
	if err != nil {
		return nil, err
	}
	c.RootCAs = pool
	if (o.Cert == "") != (o.Key == "") {
		return nil, errors.New("tls: --cert and --key go together")
	}
	if o.Cert != "" {
		cert, err := tls.LoadX509KeyPair(o.Cert, o.Key)
		if err != nil {
			return nil, fmt.Errorf("tls: load --cert / --key: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// TLSDialer wraps every connection of base in TLS with conf and completes
// the handshake within the dial's context, so that a wrong CA or a node
// that does not speak TLS fails the dial with the reason, never later and
// never by hanging. Without conf.ServerName the host of addr (the node's
// own address, before any address map) is verified.
func TLSDialer(base Dialer, conf *tls.Config) Dialer {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		raw, err := base(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c := conf.Clone()
		if c.ServerName == "" {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				host = addr
			}
			c.ServerName = host
		}
		tc := tls.Client(raw, c)
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			if ctx.Err() != nil {
				return nil, fmt.Errorf("TLS handshake: %w", ctx.Err())
			}
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		return tc, nil
	}
}

// AddrMap rewrites node addresses before they are dialled: the address a
// node is known by (announced, listed by its master, given by a Sentinel)
// → the address that reaches it from here (a NAT'd port, a container's
// published port). Keys and values are canonical (CanonAddr).
type AddrMap map[string]string

// ParseMapping parses one --map value, "FROM=TO" with both host:port.
func ParseMapping(s string) (from, to string, err error) {
	f, t, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("%w: --map %q: want FROM=TO, e.g. 10.0.0.5:6379=127.0.0.1:16379", ErrBadAddress, s)
	}
	for _, a := range []string{f, t} {
		if _, _, err := net.SplitHostPort(strings.TrimSpace(a)); err != nil {
			return "", "", fmt.Errorf("%w: --map %q: %q is not host:port", ErrBadAddress, s, a)
		}
	}
	return CanonAddr(f), CanonAddr(t), nil
}

// Add parses a --map value into m.
func (m AddrMap) Add(s string) error {
	from, to, err := ParseMapping(s)
	if err != nil {
		return err
	}
	m[from] = to
	return nil
}

// Target returns where addr is dialled.
func (m AddrMap) Target(addr string) string {
	if to, ok := m[CanonAddr(addr)]; ok {
		return to
	}
	return addr
}

// MapDialer dials m.Target(addr) instead of addr. An address of the map
// is never dialled itself.
func MapDialer(base Dialer, m AddrMap) Dialer {
	if len(m) == 0 {
		return base
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return base(ctx, network, m.Target(addr))
	}
}
