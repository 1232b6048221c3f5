package dataset_test

import (
	"strings"
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

// TestFill writes keys in more than one batch and stops at an error reply.
func TestFill(t *testing.T) {
	n := nodetest.Start(t)
	c := nodetest.Dial(t, n.Addr())
	big := strings.Repeat("x", 5000) // 838 keys a batch
	if err := dataset.Fill(c, "k:", 1, 2000, big); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Read(c)
	if err != nil || d.Keys() != 2000 || d.Entries[0].Key != "k:1" {
		t.Fatalf("after Fill: %d keys (first %+v), %v; want 2000 keys from k:1", d.Keys(), d.Entries[0].Key, err)
	}
	nodetest.MustDo(t, n.Addr(), "CONFIG", "SET", "min-replicas-to-write", "1")
	err = dataset.Fill(c, "k:", 1, 3, "v")
	if err == nil || !strings.Contains(err.Error(), "SET k:1: NOREPLICAS") {
		t.Errorf("Fill without enough replicas: %v, want the first SET's NOREPLICAS", err)
	}
}
