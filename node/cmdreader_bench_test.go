package node

import (
	"fmt"
	"testing"
)

// loopReader hands out the same bytes on every Read, as a client
// pipelining the same batch again and again.
type loopReader struct{ b []byte }

func (l *loopReader) Read(p []byte) (int, error) { return copy(p, l.b), nil }

// BenchmarkCmdReaderBatch parses batches of 16 SETs with 100-byte values
// (redis-benchmark -P 16 -d 100), one Read per batch; ns/op is per request.
func BenchmarkCmdReaderBatch(b *testing.B) {
	var in []byte
	for i := 0; i < 16; i++ {
		in = append(in, encodeReq("SET", fmt.Sprintf("key:%012d", i), string(make([]byte, 100)))...)
	}
	cr := newCmdReader(&loopReader{in})
	var batch [][][]byte
	b.ReportAllocs()
	b.SetBytes(int64(len(in) / 16))
	for i := 0; i < b.N; i += 16 {
		var err error
		if batch, err = cr.batch(batch[:0]); err != nil || len(batch) != 16 {
			b.Fatalf("batch of %d, err %v", len(batch), err)
		}
	}
}
