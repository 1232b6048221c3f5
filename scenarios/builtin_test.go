package scenarios

import (
	"context"
	"strings"
	"testing"
	"time"
)

// scenarioLimit bounds one built-in scenario's run in tests.
const scenarioLimit = 60 * time.Second

// TestBuiltins plays every built-in scenario headless, as CI does; the
// ones with redis-server nodes skip when it is not installed.
func TestBuiltins(t *testing.T) {
	list := Builtins()
	if len(list) == 0 {
		t.Fatal("no built-in scenarios")
	}
	for _, b := range list {
		t.Run(b.Name, func(t *testing.T) {
			if b.Redis && !RedisAvailable() {
				t.Skip("redis-server is not installed: skipping a scenario with redis nodes")
			}
			if b.Sentinel && !SentinelAvailable() {
				t.Skip("redis-sentinel is not installed: skipping a scenario with Sentinels")
			}
			sc, err := Open(b.Name)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), scenarioLimit)
			defer cancel()
			var out strings.Builder
			start := time.Now()
			sum, err := RunHeadless(ctx, sc, HeadlessOptions{Out: &out})
			t.Logf("%s in %s:\n%s", b.Name, time.Since(start).Round(time.Millisecond), out.String())
			if err != nil {
				t.Fatal(err)
			}
			if !sum.Passed() {
				t.Errorf("scenario %s failed", b.Name)
			}
		})
	}
}
