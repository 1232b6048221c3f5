package main

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// infoInt reads one integer field of INFO section over c.
func infoInt(t *testing.T, c *resp.Client, section, field string) int64 {
	t.Helper()
	v, err := c.Do("INFO", section)
	if err != nil {
		t.Fatalf("INFO %s: %v", section, err)
	}
	for _, line := range strings.Split(string(v.Str), "\r\n") {
		if k, val, ok := strings.Cut(line, ":"); ok && k == field {
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				t.Fatalf("%s = %q", field, val)
			}
			return n
		}
	}
	t.Fatalf("INFO %s has no %s", section, field)
	return 0
}

// setMany overwrites count keys of the form key:<i mod keys> with value,
// pipelined in rounds of 1000.
func setMany(t *testing.T, c *resp.Client, keys, from, count int, value string) {
	t.Helper()
	for done := 0; done < count; {
		var buf []byte
		k := min(1000, count-done)
		for i := 0; i < k; i++ {
			buf = resp.AppendCommand(buf, "SET", "key:"+strconv.Itoa((from+done+i)%keys), value)
		}
		if err := c.WriteRaw(buf); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < k; i++ {
			if v, err := c.Receive(); err != nil || v.Kind == resp.Error {
				t.Fatalf("SET: %v %v", v, err)
			}
		}
		done += k
	}
}

// used_memory is memory in use, as in Redis, not garbage awaiting the
// collector: with a stalled replica and a 1 MB output-buffer limit, 20 MB
// of writes to a 4 MB dataset keep it under base + 2×dataset + 8 MB while
// writing and after the replica was dropped; an idle node's RSS stays
// under 30 MB. (With the former fixed 256 MB GC headroom and HeapAlloc as
// used_memory, the same run read ~64 MB while writing.)
func TestNodeProcessUsedMemoryMeansInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	addr, _, out, _ := startNodeProcess(t, bin, "--client-output-buffer-limit", "replica 1mb 512kb 1",
		"--repl-diskless-sync-delay", "0")
	c, err := resp.Dial(context.Background(), addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if rss := infoInt(t, c, "memory", "used_memory_rss"); rss > 30<<20 || rss < 1<<20 {
		t.Errorf("idle node: used_memory_rss = %d, want 1-30 MB", rss)
	}
	base := infoInt(t, c, "memory", "used_memory")
	const keys = 40000
	value := strings.Repeat("v", 100)
	setMany(t, c, keys, 0, keys, value) // ~4 MB of keys and values
	dataset := infoInt(t, c, "memory", "used_memory") - base
	if dataset < 4<<20 {
		t.Logf("dataset reads %d bytes (before a collection measured it)", dataset)
		dataset = 4 << 20
	}
	limit := base + 2*dataset + 8<<20
	t.Logf("base %d, dataset %d, limit %d", base, dataset, limit)

	// A replica that asks for a full sync and then reads nothing.
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	sr := resp.NewReader(stalled)
	for _, cmd := range [][]string{{"REPLCONF", "listening-port", "1"}, {"REPLCONF", "capa", "eof", "capa", "psync2"}, {"PSYNC", "?", "-1"}} {
		if _, err := stalled.Write(resp.AppendCommand(nil, cmd...)); err != nil {
			t.Fatal(err)
		}
		if line, err := sr.ReadLine(); err != nil || line[0] != '+' {
			t.Fatalf("%v: %q %v", cmd, line, err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for infoInt(t, c, "replication", "connected_slaves") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the stalled replica never attached:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}

	peak := int64(0)
	for i := 0; i < 20; i++ { // 20 × 10,000 SETs of 100 B = 20 MB
		setMany(t, c, keys, i*10000, 10000, value)
		used := infoInt(t, c, "memory", "used_memory")
		peak = max(peak, used)
		if used > limit {
			t.Errorf("after %d MB of writes: used_memory %d > limit %d", i+1, used, limit)
		}
	}
	deadline = time.Now().Add(10 * time.Second)
	for infoInt(t, c, "replication", "connected_slaves") != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the stalled replica was never dropped at its 1 MB limit:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if used := infoInt(t, c, "memory", "used_memory"); used > limit {
		t.Errorf("after the replica was dropped: used_memory %d > limit %d", used, limit)
	}
	if !strings.Contains(out.String(), "output buffer") {
		t.Errorf("the log does not say why the replica was dropped:\n%s", out)
	}
	t.Logf("used_memory peak while writing: %d (%.1f MB over base)", peak, float64(peak-base)/(1<<20))
}
