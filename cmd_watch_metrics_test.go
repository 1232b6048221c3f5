package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

// TestWatchMetricsFlag runs `replscope watch --json --metrics
// 127.0.0.1:0` over a real master and replica: it says where it serves,
// /metrics names the replica's link by both addresses, and the server is
// gone once the watch ends.
func TestWatchMetricsFlag(t *testing.T) {
	m := redistest.Start(t)
	r := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- watchContext(ctx, []string{m.Addr, "--json", "--interval", "200ms", "--metrics", "127.0.0.1:0"}, io.Discard, &stderr)
	}()
	served := regexp.MustCompile(`metrics at (http://127\.0\.0\.1:\d+/metrics)`)
	var url string
	deadline := time.Now().Add(10 * time.Second)
	for url == "" {
		if mm := served.FindStringSubmatch(stderr.String()); mm != nil {
			url = mm[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no metrics address on stderr: %q", stderr.String())
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	want := `replscope_link_up{master="` + m.Addr + `",replica="` + r.Addr + `",sentinel_group="",shard=""} 1`
	c := &http.Client{Timeout: 5 * time.Second}
	for body := ""; !strings.Contains(body, want); {
		resp, err := c.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if body = string(b); time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("no %s in:\n%s", want, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("watch returned %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("watch did not end")
	}
	if _, err := c.Get(url); err == nil {
		t.Error("still serving metrics after the watch ended")
	}
}

// TestWatchMetricsFlagErrors: --metrics with --once is a usage error, an
// address in use a runtime one.
func TestWatchMetricsFlagErrors(t *testing.T) {
	var errOut bytes.Buffer
	if code := watchMain([]string{"127.0.0.1:1", "--once", "--metrics", ":0"}, io.Discard, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), "--once") {
		t.Errorf("--once --metrics: %d %q", code, errOut.String())
	}
	errOut.Reset()
	if code := watchMain([]string{"127.0.0.1:1", "--json", "--metrics", "127.0.0.1:notaport"}, io.Discard, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "--metrics") {
		t.Errorf("bad --metrics address: %d %q", code, errOut.String())
	}
}
