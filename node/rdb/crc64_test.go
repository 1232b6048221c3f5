package rdb

import (
	"bytes"
	"testing"
)

func TestChecksum(t *testing.T) {
	long := bytes.Repeat([]byte("0123456789abcdef"), 1000) // crosses hash/crc64's 2 KB slicing threshold
	tests := []struct {
		name string
		in   []byte
		want uint64
	}{
		// Check value of CRC-64/Jones as Redis computes it (src/crc64.c test:
		// "[calcula]: e9c6d914c4b8d9ca == e9c6d914c4b8d9ca").
		{"check value", []byte("123456789"), 0xe9c6d914c4b8d9ca},
		{"empty", nil, 0},
		// Against an independent bit-at-a-time implementation.
		{"bitwise reference", []byte("REDIS0009\xff"), bitwiseCRC([]byte("REDIS0009\xff"))},
		{"long", long, bitwiseCRC(long)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Checksum(tc.in); got != tc.want {
				t.Fatalf("Checksum = %#016x, want %#016x", got, tc.want)
			}
		})
	}
}

func TestChecksumIncremental(t *testing.T) {
	data := bytes.Repeat([]byte("redis rdb crc64 "), 500)
	want := Checksum(data)
	for _, split := range []int{0, 1, 7, 63, 64, 2047, 2048, 4000, len(data)} {
		got := crcUpdate(crcUpdate(0, data[:split]), data[split:])
		if got != want {
			t.Errorf("split at %d: %#x, want %#x", split, got, want)
		}
	}
}

// bitwiseCRC is the textbook bit-at-a-time reflected CRC-64 with the Jones
// polynomial, init 0 and no final xor: an independent reference.
func bitwiseCRC(p []byte) uint64 {
	var crc uint64
	for _, b := range p {
		crc ^= uint64(b)
		for i := 0; i < 8; i++ {
			if crc&1 != 0 {
				crc = crc>>1 ^ jonesPoly
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}

// TestChecksumEveryLength checks every length up to a few words and every
// alignment against the bitwise reference: the slicing loop and the byte
// tail must hand over at any point.
func TestChecksumEveryLength(t *testing.T) {
	data := make([]byte, 300)
	for i := range data {
		data[i] = byte(i*7 + i>>3)
	}
	for start := 0; start < 9; start++ {
		for n := 0; start+n <= 80; n++ {
			p := data[start : start+n]
			if got, want := Checksum(p), bitwiseCRC(p); got != want {
				t.Fatalf("Checksum(data[%d:%d]) = %#x, want %#x", start, start+n, got, want)
			}
		}
	}
}

func BenchmarkChecksum(b *testing.B) {
	for _, n := range []int{512, 64 << 10} {
		p := bytes.Repeat([]byte("redis rdb crc64 "), n/16)
		b.Run(itoa(int64(n)), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				Checksum(p)
			}
		})
	}
}
