package topology

import (
	"errors"
	"strings"
	"testing"
)

func TestCanonAddr(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:6379":   "127.0.0.1:6379",
		"localhost:7000":   "127.0.0.1:7000",
		"LocalHost":        "127.0.0.1:6379",
		"Redis.Example:1":  "redis.example:1",
		"[::1]:7000":       "[::1]:7000",
		"::1":              "[::1]:6379",
		" 10.0.0.1:7001  ": "10.0.0.1:7001",
	} {
		eq(t, in, CanonAddr(in), want)
	}
	eq(t, "port order", addrLess("127.0.0.1:7002", "127.0.0.1:10000"), true)
}

func TestParseSeed(t *testing.T) {
	for _, tc := range []struct {
		in    string
		addr  string
		creds *Credentials
	}{
		{"127.0.0.1:7001", "127.0.0.1:7001", nil},
		{"alice:s3cr@t@h:7001", "h:7001", &Credentials{User: "alice", Password: "s3cr@t"}},
		{":pw@h:1", "h:1", &Credentials{Password: "pw"}},
		{"pw@h:1", "h:1", &Credentials{Password: "pw"}},
		{"redis://u:p@localhost:9/", "127.0.0.1:9", &Credentials{User: "u", Password: "p"}},
		{"7963", "127.0.0.1:7963", nil}, // a bare port is a local node, not host "7963"
		{":pw@7001", "127.0.0.1:7001", &Credentials{Password: "pw"}},
		{":7001", "127.0.0.1:7001", nil},
	} {
		s, err := ParseSeed(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		eq(t, tc.in+" addr", s.Addr, tc.addr)
		eq(t, tc.in+" creds", s.Creds, tc.creds)
	}
	if _, err := ParseSeed("99999"); !errors.Is(err, ErrBadAddress) {
		t.Errorf("bare port out of range: %v", err)
	}
	_, err := ParseSeed("u:topsecret@h:99999")
	if !errors.Is(err, ErrBadAddress) || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("bad port: %v", err)
	}
	eq(t, "stringer hides the password", Credentials{User: "u", Password: "topsecret"}.String(), "user u password ***")
}

func TestRedactRemovesPassword(t *testing.T) {
	msg := "ERR unknown command 'AUTH', with args beginning with: 'hunter2' "
	got := redact(msg, Credentials{Password: "hunter2"})
	if strings.Contains(got, "hunter2") {
		t.Errorf("not redacted: %q", got)
	}
}
