package main

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

// TestWatchSentinelPassword: `watch SENTINEL --password P
// --sentinel-password S --once` reads a real Sentinel that has its own
// requirepass over data nodes with another, and prints its group; with
// --password alone the Sentinel's line says authentication failed.
func TestWatchSentinelPassword(t *testing.T) {
	redistest.RequireSentinel(t)
	m := redistest.Start(t, "--requirepass", "datapw", "--masterauth", "datapw")
	redistest.Start(t, "--requirepass", "datapw", "--masterauth", "datapw", "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	s := redistest.StartSentinel(t, []redistest.Monitor{{Port: m.Port, Quorum: 1, DownAfter: 2 * time.Second}},
		"sentinel auth-pass mymaster datapw", "requirepass sentpw")
	var out, errOut bytes.Buffer
	for deadline := time.Now().Add(20 * time.Second); ; {
		out.Reset()
		errOut.Reset()
		watchMain([]string{s.Addr, "--password", "datapw", "--sentinel-password", "sentpw", "--once"}, &out, &errOut)
		if strings.Contains(out.String(), "sentinel group mymaster: master "+m.Addr) && strings.Contains(out.String(), "would promote 127.0.0.1:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Sentinel group within 20 s:\n%s\nstderr: %s", out.String(), errOut.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	out.Reset()
	watchMain([]string{s.Addr, "--password", "datapw", "--once"}, &out, &errOut)
	if !strings.Contains(out.String(), s.Addr) || !strings.Contains(out.String(), "auth") {
		t.Fatalf("without --sentinel-password the Sentinel should fail authentication:\n%s", out.String())
	}
}
