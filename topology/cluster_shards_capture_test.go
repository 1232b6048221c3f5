package topology

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
)

// TestCaptureClusterShards saves CLUSTER SHARDS and CLUSTER NODES, asked
// of one master of a real 3 × 1 cluster at the same moment, for the pure
// parser tests: once healthy (cluster-shards-ok.*), once after a replica
// was killed and the masters agreed it failed (cluster-shards-fail.*).
//
//	go test ./topology -run TestCaptureClusterShards -capture
func TestCaptureClusterShards(t *testing.T) {
	if !*captureFlag {
		t.Skip("run with -capture to regenerate the CLUSTER SHARDS captures")
	}
	if err := os.MkdirAll(captureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	servers := redistest.StartCluster(t, 6, 1)
	var master, replica *redistest.Server
	for _, s := range servers {
		if strings.Contains(s.Do(t, "ROLE").String(), "master") {
			if master == nil {
				master = s
			}
		} else if replica == nil {
			replica = s
		}
	}
	for i := range 50 { // some writes, so that offsets are not all 0 (keys of other shards answer MOVED)
		master.Do(t, "SET", "k"+strconv.Itoa(i), "v")
	}
	save := func(name string) {
		writeFile(t, name+".resp", string(encode(master.Do(t, "CLUSTER", "SHARDS"))))
		writeFile(t, name+".nodes.txt", string(master.Do(t, "CLUSTER", "NODES").Str))
		writeFile(t, name+".addr", master.Addr)
	}
	save("cluster-shards-ok")
	replica.Stop()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(string(master.Do(t, "CLUSTER", "NODES").Str), "slave,fail ") {
		if time.Now().After(deadline) {
			t.Fatal("the killed replica was not flagged fail")
		}
		time.Sleep(100 * time.Millisecond)
	}
	save("cluster-shards-fail")
}
