package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkIndexGet looks up random keys of redis-benchmark's form
// (-r 100000) among 100000 entries, as SET does before it writes.
func BenchmarkIndexGet(b *testing.B) {
	const n = 100000
	x, keys := benchIndex(n)
	order := rand.Perm(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if x.getBytes(keys[order[i%n]]) == nil {
			b.Fatal("missing")
		}
	}
}

// TestIndexProbeLength checks that a lookup among 100000 keys probes a
// couple of slots and compares about one key: the lookups of SET are
// memory-bound, not probe-bound.
func TestIndexProbeLength(t *testing.T) {
	const n = 100000
	x, keys := benchIndex(n)
	total, maxp, cmps := 0, 0, 0
	for i := 0; i < n; i++ {
		key := string(keys[i])
		h := hashKey(key)
		b, tag := x.bucket(h), tagOf(h)
		p := 0
		for j := uint(h) & bucketMask; ; j = (j + 1) & bucketMask {
			p++
			if b.tags[j] == tag {
				cmps++
				if b.slots[j].Key() == key {
					break
				}
			}
		}
		total += p
		maxp = max(maxp, p)
	}
	t.Logf("depth %d buckets %d avg probe %.2f max %d cmps/get %.3f", x.depth, len(x.dir), float64(total)/n, maxp, float64(cmps)/n)
	if avg := float64(total) / n; avg > 3 {
		t.Errorf("average probe length %.2f slots", avg)
	}
	if c := float64(cmps) / n; c > 1.05 {
		t.Errorf("%.3f key compares per lookup", c)
	}
}

// BenchmarkIndexGetBatch looks keys up 16 at a time, as a pipeline of 16
// SETs does, with and without prefetching them first.
func BenchmarkIndexGetBatch(b *testing.B) {
	const n = 100000
	x, keys := benchIndex(n)
	order := rand.Perm(n)
	batch := make([][]byte, 16)
	for _, pre := range []bool{false, true} {
		b.Run(fmt.Sprintf("prefetch=%v", pre), func(b *testing.B) {
			var sink uint64
			for i := 0; i < b.N; i += 16 {
				for j := range batch {
					batch[j] = keys[order[(i+j)%n]]
				}
				if pre {
					sink += x.prefetch(batch)
				}
				for _, k := range batch {
					if x.getBytes(k) == nil {
						b.Fatal("missing")
					}
				}
			}
			_ = sink
		})
	}
}

// benchIndex returns an index of n entries with redis-benchmark's keys
// (key:%012d) and 100-byte values, and the keys.
func benchIndex(n int) (*index, [][]byte) {
	x := newIndex(0)
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("key:%012d", i))
		x.set(newEntry(string(keys[i]), make([]byte, 100), 0))
	}
	return x, keys
}
