package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/topology"
)

func TestWatchOnceJSONAndText(t *testing.T) {
	m := redistest.Start(t, "--requirepass", "pw", "--masterauth", "pw")
	r := redistest.Start(t, "--requirepass", "pw", "--masterauth", "pw", "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	_ = r
	// The master lists its replica once the replica has connected.
	nodetest.WaitFor(t, 10*time.Second, "the replica online", func() (bool, string) {
		info := string(m.Do(t, "INFO", "replication").Str)
		return strings.Contains(info, "state=online"), info
	})

	var out, errOut bytes.Buffer
	// Flags after the address, password from the seed.
	code := watchMain([]string{":pw@" + m.Addr, "--json", "--once", "--password", "pw"}, &out, &errOut)
	if code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var g struct {
		Type  string `json:"type"`
		Nodes []struct {
			Addr  string `json:"addr"`
			Reach string `json:"reach"`
			Role  string `json:"role"`
		} `json:"nodes"`
		Links []map[string]any `json:"links"`
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	if err := json.Unmarshal([]byte(line), &g); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	if g.Type != "graph" || len(g.Nodes) != 2 || len(g.Links) != 1 {
		t.Fatalf("graph %+v", g)
	}
	if _, ok := g.Links[0]["lag_bytes"]; !ok {
		t.Errorf("no lag_bytes in %v", g.Links[0])
	}

	out.Reset()
	code = watchMain([]string{m.Addr, "--once", "--password", "hunter2"}, &out, &errOut)
	if code != 3 || !strings.Contains(out.String(), "auth-failed") || strings.Contains(out.String(), "hunter2") {
		t.Errorf("exit %d, output:\n%s", code, out.String())
	}

	if code := watchMain([]string{"--once"}, &out, &errOut); code != 2 {
		t.Errorf("no address: exit %d", code)
	}
}

// TestWatchBarePort checks that `replscope watch 7963` watches
// 127.0.0.1:7963 (as redis-cli -p does), not a host named "7963".
func TestWatchBarePort(t *testing.T) {
	n := nodetest.Start(t)
	var out, errOut bytes.Buffer
	code := watchMain([]string{strconv.Itoa(n.Port), "--json", "--once"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	var g struct {
		Nodes []struct {
			Addr  string `json:"addr"`
			Reach string `json:"reach"`
		} `json:"nodes"`
	}
	line, _, _ := strings.Cut(out.String(), "\n")
	if err := json.Unmarshal([]byte(line), &g); err != nil {
		t.Fatalf("%v: %q", err, line)
	}
	want := "127.0.0.1:" + strconv.Itoa(n.Port)
	if len(g.Nodes) != 1 || g.Nodes[0].Addr != want || g.Nodes[0].Reach != "ok" {
		t.Errorf("watch %d: nodes %+v, want %s reachable", n.Port, g.Nodes, want)
	}
}

// TestWatchJSONMarksAHungNode follows three real redis-server nodes as
// JSON lines (watch --json) and freezes one replica with SIGSTOP: a
// "stale" event names it within a few intervals (the rounds go on without
// it), a "fresh" event after SIGCONT; the graph line says when each node
// was read.
func TestWatchJSONMarksAHungNode(t *testing.T) {
	m := redistest.Start(t)
	r1 := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	r2 := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	_ = r1
	const interval = 500 * time.Millisecond
	w, err := topology.NewWatcher(topology.Config{Seeds: []string{m.Addr}, Interval: interval, Timeout: 4 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() {
		done <- follow(ctx, w, bufio.NewWriter(pw), io.Discard, true)
		_ = pw.Close()
	}()
	lines := make(chan map[string]any, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var v map[string]any
			if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
				t.Errorf("%v: %s", err, sc.Bytes())
				return
			}
			lines <- v
		}
	}()
	defer func() {
		cancel()
		go func() { // keep reading until follow has returned and closed the pipe
			for range lines {
			}
		}()
		if code := <-done; code != 0 {
			t.Errorf("follow returned %d", code)
		}
	}()
	// waitEvent reads lines until an event of kind names addr.
	waitEvent := func(kind, addr string, limit time.Duration) {
		t.Helper()
		deadline := time.After(limit)
		for {
			select {
			case v := <-lines:
				if v["type"] == "event" && v["kind"] == kind && v["addr"] == addr {
					return
				}
			case <-deadline:
				t.Fatalf("no %s event for %s within %s", kind, addr, limit)
			}
		}
	}
	select {
	case g := <-lines:
		nodes, _ := g["nodes"].([]any)
		if g["type"] != "graph" || len(nodes) == 0 || g["stale_after_s"] != 2*interval.Seconds() {
			t.Fatalf("first line: %v", g)
		}
		for _, n := range nodes {
			if n.(map[string]any)["polled_at"] == nil {
				t.Errorf("node without polled_at: %v", n)
			}
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no graph line")
	}
	// The replicas join a round or two after the master: wait for them
	// to be known before freezing one.
	deadline := time.Now().Add(5 * time.Second)
	for g := w.Latest(); g == nil || g.ByAddr(r2.Addr) == nil || g.ByAddr(r2.Addr).Reach != topology.ReachOK; g = w.Latest() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never seen", r2.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { r2.Signal(syscall.SIGCONT) })
	r2.Signal(syscall.SIGSTOP)
	waitEvent(string(topology.EventStale), r2.Addr, 4*interval)
	r2.Signal(syscall.SIGCONT)
	waitEvent(string(topology.EventFresh), r2.Addr, 5*time.Second)
}
