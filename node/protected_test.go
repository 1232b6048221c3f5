package node

import (
	"net"
	"testing"

	"github.com/replscope/replscope/node/config"
)

// TestProtectedMode applies Redis 7.0's rule (clientAcceptHandler): with
// protected mode on and no password, only loopback clients are accepted.
func TestProtectedMode(t *testing.T) {
	remote := &net.TCPAddr{IP: net.ParseIP("10.0.0.7"), Port: 5555}
	local := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 5555}
	local6 := &net.TCPAddr{IP: net.ParseIP("::1"), Port: 5555}
	cases := []struct {
		name    string
		mutate  func(c *config.Config)
		addr    net.Addr
		refused bool
	}{
		{"remote client, defaults", func(c *config.Config) {}, remote, true},
		{"loopback client, defaults", func(c *config.Config) {}, local, false},
		{"ipv6 loopback, defaults", func(c *config.Config) {}, local6, false},
		{"remote client, password set", func(c *config.Config) { c.RequirePass = "pw" }, remote, false},
		{"remote client, explicit bind (Redis 7.0 ignores bind)", func(c *config.Config) { c.Bind = []string{"10.0.0.1"} }, remote, true},
		{"remote client, protected mode off", func(c *config.Config) { c.ProtectedMode = false }, remote, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			tc.mutate(cfg)
			n := &Node{cfg: cfg}
			if got := n.protectedModeRefuses(tc.addr); got != tc.refused {
				t.Fatalf("refused = %v, want %v", got, tc.refused)
			}
		})
	}
	if deniedMessage[:8] != "-DENIED " || deniedMessage[len(deniedMessage)-2:] != "\r\n" {
		t.Fatalf("the refusal is not a RESP error line: %q", deniedMessage[:20])
	}
}
