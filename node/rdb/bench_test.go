package rdb

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchKeys is the number of string keys per benchmark iteration.
const benchKeys = 100_000

// benchValue returns a 100-byte value. "populate" values mimic DEBUG
// POPULATE ("value:N" then zero bytes: very compressible); "random" ones
// are incompressible.
func benchData(kind string) (keys, vals [][]byte) {
	r := prng(5)
	keys = make([][]byte, benchKeys)
	vals = make([][]byte, benchKeys)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "key:%d", i)
		v := make([]byte, 100)
		switch kind {
		case "populate":
			copy(v, fmt.Sprintf("value:%d", i))
		default:
			for j := range v {
				v[j] = byte(r.next()>>58) + '0'
			}
		}
		vals[i] = v
	}
	return keys, vals
}

func encodeStrings(w io.Writer, opt EncoderOptions, keys, vals [][]byte) (*Encoder, error) {
	e := NewEncoder(w, opt)
	e.Header()
	e.Aux("redis-ver", "7.0.15")
	e.SelectDB(0, uint64(len(keys)), 0)
	for i := range keys {
		e.BeginObject(TypeString, keys[i], -1, 1)
		if err := e.String(vals[i]); err != nil {
			return e, err
		}
	}
	return e, e.End()
}

func reportPerKey(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchKeys), "ns/key")
}

// BenchmarkEncodeStrings encodes 100k string keys with 100-byte values
// per iteration (to io.Discard, or to a file with a final fsync as SAVE
// does).
func BenchmarkEncodeStrings(b *testing.B) {
	for _, kind := range []string{"populate", "random"} {
		keys, vals := benchData(kind)
		for _, compress := range []bool{false, true} {
			for _, sink := range []string{"discard", "file"} {
				name := fmt.Sprintf("%s/compress=%v/%s", kind, compress, sink)
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					path := filepath.Join(b.TempDir(), "dump.rdb")
					var size int64
					for i := 0; i < b.N; i++ {
						var w io.Writer = io.Discard
						var f *os.File
						if sink == "file" {
							var err error
							if f, err = os.Create(path); err != nil {
								b.Fatal(err)
							}
							w = f
						}
						e, err := encodeStrings(w, EncoderOptions{Compress: compress}, keys, vals)
						if err != nil {
							b.Fatal(err)
						}
						if f != nil {
							if err := f.Sync(); err != nil {
								b.Fatal(err)
							}
							f.Close()
						}
						size = e.Written()
					}
					b.SetBytes(size)
					reportPerKey(b)
				})
			}
		}
	}
}

// BenchmarkDecodeStrings decodes a file of 100k string keys with 100-byte
// values per iteration.
func BenchmarkDecodeStrings(b *testing.B) {
	for _, kind := range []string{"populate", "random"} {
		keys, vals := benchData(kind)
		for _, compress := range []bool{false, true} {
			var buf bytes.Buffer
			if _, err := encodeStrings(&buf, EncoderOptions{Compress: compress}, keys, vals); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			b.Run(fmt.Sprintf("%s/compress=%v", kind, compress), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(data)))
				for i := 0; i < b.N; i++ {
					d := NewDecoder(bytes.NewReader(data))
					n := 0
					for {
						_, err := d.Next()
						if err == io.EOF {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
						n++
					}
					if n != benchKeys {
						b.Fatalf("decoded %d keys", n)
					}
				}
				reportPerKey(b)
			})
		}
	}
}

// BenchmarkRedisSave times SAVE on redis-server holding the same 100k
// keys as BenchmarkEncodeStrings (loaded from a file the Encoder wrote):
// the reference for BenchmarkEncodeStrings/*/file. It skips without
// redis-server.
func BenchmarkRedisSave(b *testing.B) {
	for _, kind := range []string{"populate", "random"} {
		keys, vals := benchData(kind)
		var buf bytes.Buffer
		if _, err := encodeStrings(&buf, EncoderOptions{}, keys, vals); err != nil {
			b.Fatal(err)
		}
		for _, compress := range []string{"no", "yes"} {
			b.Run(fmt.Sprintf("%s/rdbcompression=%s", kind, compress), func(b *testing.B) {
				srv := startWithRDB(b, buf.Bytes(), "--rdbcompression", compress)
				c := srv.Client(b)
				c.Timeout = time.Minute
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if v, err := c.Do("SAVE"); err != nil || v.Err() != nil {
						b.Fatalf("SAVE: %v %v", err, v.Err())
					}
				}
				b.StopTimer()
				if st, err := os.Stat(filepath.Join(srv.Dir, "dump.rdb")); err == nil {
					b.SetBytes(st.Size())
				}
				reportPerKey(b)
			})
		}
	}
}
