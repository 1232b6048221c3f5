package topology

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// DefaultPort is the port assumed for an address given without one.
const DefaultPort = 6379

// CanonAddr returns addr in the form replscope uses to match nodes:
// "host:port" with a lower-case host, "localhost" as 127.0.0.1, IPv6 in
// its shortest form and brackets, and port 6379 when none is given. It does
// no DNS lookups: a node reached under two names is merged by run_id.
func CanonAddr(addr string) string {
	addr = strings.TrimSpace(addr)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		// No port (or a bare IPv6 address).
		host, port = strings.Trim(addr, "[]"), strconv.Itoa(DefaultPort)
	}
	return JoinAddr(host, port)
}

// JoinAddr canonicalizes a host and a port into "host:port".
func JoinAddr(host, port string) string {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" || host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	return net.JoinHostPort(host, port)
}

// addrLess orders addresses by host, then numerically by port, so
// 127.0.0.1:7002 sorts before 127.0.0.1:10000.
func addrLess(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || ha != hb {
		if ha != hb {
			return ha < hb
		}
		return a < b
	}
	na, _ := strconv.Atoi(pa)
	nb, _ := strconv.Atoi(pb)
	if na != nb {
		return na < nb
	}
	return a < b
}

// portOf returns the port of a canonical address, 0 when it has none.
func portOf(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// Credentials authenticate a connection: AUTH password, or AUTH user
// password when User is set. String never shows the password.
type Credentials struct {
	User     string
	Password string
}

// String describes the credentials without the password.
func (c Credentials) String() string {
	switch {
	case c.Password == "" && c.User == "":
		return "no credentials"
	case c.User == "":
		return "password ***"
	default:
		return "user " + c.User + " password ***"
	}
}

// authArgs returns the AUTH command for c, or nil when there is nothing to
// send.
func (c Credentials) authArgs() []string {
	switch {
	case c.Password == "":
		return nil
	case c.User == "":
		return []string{"AUTH", c.Password}
	default:
		return []string{"AUTH", c.User, c.Password}
	}
}

// Seed is an address to start discovery from, with its own credentials
// when the command line gave some.
type Seed struct {
	Addr  string       // canonical host:port
	Creds *Credentials // nil: use the default credentials
	TLS   bool         // given as rediss://: the fleet speaks TLS
}

// ErrBadAddress reports a seed address that cannot be parsed.
var ErrBadAddress = errors.New("bad address")

// ParseSeed parses "[redis://|rediss://][user:pass@]host[:port]"; rediss://
// sets TLS. ":pass@" gives a
// password for the default user; a bare "pass@" is taken as a password too.
// A bare port ("7001", like redis-cli's -p) means 127.0.0.1 at that port.
// The error never repeats the credentials.
func ParseSeed(s string) (Seed, error) {
	s = strings.TrimSpace(s)
	var useTLS bool
	if rest, ok := strings.CutPrefix(s, "rediss://"); ok {
		s, useTLS = rest, true
	}
	s = strings.TrimPrefix(s, "redis://")
	var creds *Credentials
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		user, pass, ok := strings.Cut(s[:i], ":")
		if !ok {
			user, pass = "", user
		}
		creds = &Credentials{User: user, Password: pass}
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, "/")
	if s == "" {
		return Seed{}, fmt.Errorf("%w: empty host", ErrBadAddress)
	}
	if isPort(s) {
		s = net.JoinHostPort("127.0.0.1", s)
	}
	addr := CanonAddr(s)
	if _, p, err := net.SplitHostPort(addr); err != nil {
		return Seed{}, fmt.Errorf("%w: %q", ErrBadAddress, s)
	} else if n, err := strconv.Atoi(p); err != nil || n <= 0 || n > 65535 {
		return Seed{}, fmt.Errorf("%w: %q: port must be 1-65535", ErrBadAddress, s)
	}
	return Seed{Addr: addr, Creds: creds, TLS: useTLS}, nil
}

// isPort reports whether s is only decimal digits: a port, since no host
// name is all digits.
func isPort(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Auth maps addresses to credentials: per-address ones from the seeds,
// else the default. Its methods never print a password.
type Auth struct {
	Default Credentials
	PerAddr map[string]Credentials // canonical address → credentials
	// Sentinel, when set (WithSentinel), are the credentials of the
	// addresses known to be Sentinels (see sentinel_auth.go).
	Sentinel *Credentials
	book     *sentinelBook
	fleet    *fleetCreds // a Watcher's Fleet members' (fleet.go)
}

// For returns the credentials to use for addr: its own, else a Fleet
// member's, else the Sentinel ones for a known Sentinel, else the
// default.
func (a Auth) For(addr string) Credentials {
	if c, ok := a.own(addr); ok {
		return c
	}
	if a.Sentinel != nil && a.isSentinel(addr) {
		return *a.Sentinel
	}
	return a.Default
}

// own returns the credentials given for addr itself (in PerAddr or by a
// Fleet).
func (a Auth) own(addr string) (Credentials, bool) {
	if c, ok := a.PerAddr[addr]; ok {
		return c, true
	}
	return a.fleet.get(addr)
}
