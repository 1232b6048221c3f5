package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/redistest"
)

func TestWatchOnceJSONAndText(t *testing.T) {
	m := redistest.Start(t, "--requirepass", "pw", "--masterauth", "pw")
	r := redistest.Start(t, "--requirepass", "pw", "--masterauth", "pw", "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	_ = r

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
