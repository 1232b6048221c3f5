package node_test

import (
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
)

// A count the client chooses (random picks with repeats, up to 2^63-1)
// must not hold the node: Redis builds such a reply until memory runs
// out; a node drops it past the normal class's output limit (64 MB when
// none is set) and closes that client, and everyone else is answered.
func TestClientChosenReplyIsBounded(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	nodetest.MustDo(t, addr, "SADD", "st", "a", "b", "c")
	nodetest.MustDo(t, addr, "HSET", "h", "f", "v")
	nodetest.MustDo(t, addr, "ZADD", "z", "1", "m")
	for _, cmd := range [][]string{
		{"SRANDMEMBER", "st", "-9223372036854775807"},
		{"HRANDFIELD", "h", "-9223372036854775807"},
		{"HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"},
		{"ZRANDMEMBER", "z", "-9223372036854775807"},
		{"ZRANDMEMBER", "z", "-4611686018427387903", "WITHSCORES"},
	} {
		start := time.Now()
		c := nodetest.Dial(t, addr)
		if v, err := c.Do(cmd...); err == nil {
			t.Errorf("%q: got a reply of kind %c, want the connection closed", cmd, v.Kind)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q took %v", cmd, d)
		}
		if v := nodetest.MustDo(t, addr, "SCARD", "st"); v.Int != 3 {
			t.Fatalf("after %q: SCARD = %v", cmd, v)
		}
	}
	// Under the limit the reply is whole, as Redis sends it.
	c := nodetest.Dial(t, addr)
	v, err := c.Do("SRANDMEMBER", "st", "-1000")
	if err != nil || len(v.Elems) != 1000 {
		t.Fatalf("SRANDMEMBER st -1000 = %d elements, %v", len(v.Elems), err)
	}
	// A lower normal hard limit bounds it earlier.
	nodetest.MustDo(t, addr, "CONFIG", "SET", "client-output-buffer-limit", "normal 1kb 0 0")
	if _, err := nodetest.Dial(t, addr).Do("SRANDMEMBER", "st", "-1000"); err == nil {
		t.Error("SRANDMEMBER st -1000 with a 1kb normal limit: got a reply, want the connection closed")
	}
}
