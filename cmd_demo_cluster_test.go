package main

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/resp"
)

// TestStartDemoTopology: the demo's nodes, started through
// scenarios.Cluster, listen on base, base+1, …; node k replicates from node
// k/2 with the password; the write load runs on node 1 and toggles; and
// they keep redis.conf's replication timing.
func TestStartDemoTopology(t *testing.T) {
	base := freePorts(t, 4)
	c, err := startDemo(4, base, "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	embedded := 0
	for _, m := range c.nodes.Members() { // the watcher's Fleet
		if m.Embedded != nil && m.Password == "pw" {
			embedded++
		}
	}
	if embedded != 4 {
		t.Fatalf("%d embedded nodes with the password for the watcher, want 4", embedded)
	}
	do := func(port int, args ...string) resp.Value {
		t.Helper()
		cl, err := resp.Dial(context.Background(), fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		if v, err := cl.Do("AUTH", "pw"); err != nil || v.Err() != nil {
			t.Fatalf("AUTH on %d: %v %v", port, err, v.Err())
		}
		v, err := cl.Do(args...)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	deadline := time.Now().Add(15 * time.Second)
	for k := 2; k <= 4; k++ {
		port, master := base+k-1, base+k/2-1
		for {
			inf := info.Parse(do(port, "INFO", "replication").String())
			if inf.Int("master_port", 0) == int64(master) && inf.Str("master_link_status") == "up" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d (port %d): master_port %s link %s, want %d up", k, port,
					inf.Str("master_port"), inf.Str("master_link_status"), master)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for c.nodes.LoadStats("n1").Writes == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the demo load wrote nothing: %+v", c.nodes.LoadStats("n1"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !c.load.Enabled() {
		t.Error("the demo load is off at start")
	}
	c.load.SetEnabled(false)
	if c.load.Enabled() {
		t.Error("the demo load is still on after SetEnabled(false)")
	}
	if v := do(base, "CONFIG", "GET", "repl-timeout"); len(v.Elems) != 2 || string(v.Elems[1].Str) != strconv.Itoa(60) {
		t.Errorf("repl-timeout = %s, want 60 (the demo keeps redis.conf's timing)", v)
	}
}
