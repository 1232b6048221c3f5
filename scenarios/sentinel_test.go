package scenarios

import (
	"context"
	"strings"
	"testing"

	"github.com/replscope/replscope/scenarios/script"
)

// TestSentinelOverReplscopeNodes: a real redis-sentinel fails a group of
// embedded replscope nodes over — its pick by replica-priority, the
// switch, the old master converted — as the sentinel-failover built-in
// does with redis-server nodes.
func TestSentinelOverReplscopeNodes(t *testing.T) {
	if !SentinelAvailable() {
		t.Skip("redis-sentinel is not installed: skipping the Sentinel scenario")
	}
	src := `# Sentinel over replscope nodes
node a b c
replicaof b a
replicaof c a
write a 300
wait synced b c
config c replica-priority 200
sentinel s monitor a
wait event s +slave
failover s
wait event s +switch-master 30s
wait master s b 30s
expect b role master
wait event s +convert-to-slave 30s
expect a role replica
`
	sc, err := script.Parse("sentinel-replscope.scn", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), scenarioLimit)
	defer cancel()
	var out strings.Builder
	sum, err := RunHeadless(ctx, sc, HeadlessOptions{Out: &out})
	t.Logf("\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Passed() {
		t.Fatal("the Sentinel scenario over replscope nodes failed")
	}
}
