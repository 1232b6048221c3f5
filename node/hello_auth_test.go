package node_test

import (
	"context"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/difftest"
	"github.com/replscope/replscope/internal/resp"
)

// TestHelloAuthOrderMatchesRedis compares HELLO on servers with a
// password: the NOAUTH text, and options applied in order (Redis 7.0.15's
// helloCommand authenticates while it parses).
func TestHelloAuthOrderMatchesRedis(t *testing.T) {
	p := difftest.Start(t, "--requirepass", "pw")
	cmds := [][]string{
		{"HELLO", "2"},
		{"HELLO", "2", "SETNAME", "a", "AUTH", "default", "bad"},
		{"HELLO", "2", "AUTH", "default", "bad", "bogus"},
		{"HELLO", "2", "AUTH", "default", "pw", "SETNAME", "nm", "x"},
		{"CLIENT", "GETNAME"},
	}
	var got [2][]string
	for i, addr := range []string{p.Redis.Addr, p.Node.Addr()} {
		c, err := resp.Dial(context.Background(), addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		for _, cmd := range cmds {
			v, err := c.Do(cmd...)
			if err != nil {
				t.Fatalf("%v: %v", cmd, err)
			}
			got[i] = append(got[i], v.String())
		}
		c.Close()
	}
	for j := range cmds {
		if got[0][j] != got[1][j] {
			t.Errorf("%v:\n  redis-server: %s\n  replscope:    %s", cmds[j], got[0][j], got[1][j])
		}
	}
}
