package node_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/replscope/replscope/node"
	"github.com/replscope/replscope/node/rdb"
)

// BenchmarkLoadRDB measures loading an RDB of string keys with 100-byte
// values into a node (restart, full sync and DEBUG RELOAD all do this).
func BenchmarkLoadRDB(b *testing.B) {
	const keys = 200000
	var buf bytes.Buffer
	enc := rdb.NewEncoder(&buf, rdb.EncoderOptions{})
	_ = enc.Header()
	_ = enc.SelectDB(0, keys, 0)
	val := bytes.Repeat([]byte("v"), 100)
	for i := 0; i < keys; i++ {
		_ = enc.BeginObject(rdb.TypeString, []byte(fmt.Sprintf("key:%d", i)), -1, 1)
		_ = enc.String(val)
	}
	_ = enc.End()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := node.LoadRDBForBench(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*keys), "ns/key")
}
