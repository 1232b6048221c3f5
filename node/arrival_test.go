package node_test

import (
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

// TestCrossConnectionArrivalOrder sends RPUSH on two connections back to
// back, many times, and checks that the node ran them in the order they
// were sent, as Redis's event loop does. Before requests were ordered by
// their kernel arrival time about half of them ran the other way round
// (Go's netpoller readies goroutines found together last-first); a few
// may still, when a goroutine is slow to read, so the test allows some.
func TestCrossConnectionArrivalOrder(t *testing.T) {
	n := nodetest.Start(t)
	c1, c2, r := nodetest.Dial(t, n.Addr()), nodetest.Dial(t, n.Addr()), nodetest.Dial(t, n.Addr())
	defer c1.Close()
	defer c2.Close()
	defer r.Close()
	const rounds = 100
	reversed := 0
	for i := 0; i < rounds; i++ {
		if _, err := r.Do("DEL", "order"); err != nil {
			t.Fatal(err)
		}
		if err := c1.Send("RPUSH", "order", "1"); err != nil {
			t.Fatal(err)
		}
		if err := c2.Send("RPUSH", "order", "2"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []interface{ Receive() (resp.Value, error) }{c1, c2} {
			if _, err := c.Receive(); err != nil {
				t.Fatal(err)
			}
		}
		v, err := r.Do("LRANGE", "order", "0", "-1")
		if err != nil || len(v.Elems) != 2 {
			t.Fatalf("LRANGE: %v %s", err, v)
		}
		if string(v.Elems[0].Str) != "1" {
			reversed++
		}
	}
	if reversed > rounds*3/10 {
		t.Fatalf("%d of %d pairs of requests ran in the reverse order of their arrival", reversed, rounds)
	}
	t.Logf("%d of %d pairs reversed", reversed, rounds)
}
