package dataset_test

import (
	"testing"

	"github.com/replscope/replscope/internal/dataset"
	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
)

// TestReadMatchesRedis writes the same mixed dataset (five types, TTLs,
// databases 0, 3 and 15, and 2500 keys: more than one SCAN reads) to
// redis-server and to a node: both read back to one digest, and a key
// changed on one side tells them apart.
func TestReadMatchesRedis(t *testing.T) {
	r := redistest.Start(t)
	n := nodetest.Start(t)
	for _, addr := range []string{r.Addr, n.Addr()} {
		nodetest.Populate(t, addr, "p", 1)
		nodetest.Write(t, addr, "w:", 2500, 8) // more than one SCAN and one batch
	}
	read := func(addr string) dataset.Dataset {
		t.Helper()
		d, err := dataset.Read(nodetest.Dial(t, addr))
		if err != nil {
			t.Fatalf("read %s: %v", addr, err)
		}
		return d
	}
	want, got := read(r.Addr), read(n.Addr())
	if want.Keys() != 3*16+2500 {
		t.Errorf("redis-server: %d keys, want %d", want.Keys(), 3*16+2500)
	}
	if diff := dataset.Compare([]string{"redis-server", "node"}, []dataset.Dataset{want, got}); diff != "" {
		t.Fatalf("same writes, different datasets: %s", diff)
	}
	c := nodetest.Dial(t, n.Addr())
	if _, err := c.Do("SELECT", "3"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do("HSET", "p3:hash", "f2", "changed"); err != nil {
		t.Fatal(err)
	}
	diff := dataset.Compare([]string{"redis-server", "node"}, []dataset.Dataset{want, read(n.Addr())})
	if want := `first difference: key "p3:hash" (hash, db 3) differs (type, TTL or value)`; len(diff) < len(want) || diff[len(diff)-len(want):] != want {
		t.Errorf("after HSET on the node: %q, want it to end with %q", diff, want)
	}
}
