package node_test

import (
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
)

// TestScriptUnpackLimit: unpack() of a huge table is refused with a Lua
// error (gopher-lua's stack would otherwise overflow with a Go panic),
// the script cache survives and the node goes on; Redis's own test
// unpacks 7999 elements into one redis.call.
func TestScriptUnpackLimit(t *testing.T) {
	n := nodetest.Start(t)
	c := nodetest.Dial(t, n.Addr())
	sha := do(t, c, "SCRIPT", "LOAD", "return 'cached'")
	big := do(t, c, "EVAL", "local a = {} for i=1,300000 do a[i] = 1 end return #{unpack(a)}", "0")
	if !strings.Contains(big, "too many results to unpack") {
		t.Errorf("unpack of 300000: %q", big)
	}
	if got := do(t, c, "EVAL", "local a = {} for i=1,7999 do a[i] = 1 end return redis.call('lpush', 'l', unpack(a))", "0"); got != "7999" {
		t.Errorf("LPUSH of 7999 unpacked values: %q", got)
	}
	if got := do(t, c, "EVALSHA", sha, "0"); got != "cached" {
		t.Errorf("EVALSHA after the refused unpack: %q", got)
	}
}
