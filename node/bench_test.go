package node_test

import (
	"os/exec"
	"strconv"
	"testing"

	"github.com/replscope/replscope/internal/nodetest"
)

// BenchmarkRedisBenchmark drives an in-process node with redis-benchmark
// so that `go test -bench RedisBenchmark -cpuprofile` profiles the server
// under the load bench/compare.sh measures. b.N is the number of requests
// per test.
func BenchmarkRedisBenchmark(b *testing.B) {
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		b.Skip("redis-benchmark is not installed")
	}
	n := nodetest.Start(b)
	for _, tc := range []struct{ test, pipe string }{{"set", "16"}, {"get", "16"}, {"set", "1"}} {
		b.Run(tc.test+"-P"+tc.pipe, func(b *testing.B) {
			reqs := max(b.N, 50000)
			cmd := exec.Command("redis-benchmark", "-p", strconv.Itoa(n.Port), "-t", tc.test, "-P", tc.pipe,
				"-c", "50", "-n", strconv.Itoa(reqs), "-r", "100000", "-d", "100", "-q")
			out, err := cmd.CombinedOutput()
			if err != nil {
				b.Fatalf("redis-benchmark: %v\n%s", err, out)
			}
			b.Logf("%s", out)
		})
	}
}
