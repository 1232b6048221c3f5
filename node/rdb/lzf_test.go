package rdb

import (
	"bytes"
	"strings"
	"testing"
)

func TestLZFRoundTrip(t *testing.T) {
	r := prng(42)
	tests := []struct {
		name string
		in   []byte
	}{
		{"one byte", []byte("a")},
		{"three bytes", []byte("abc")},
		{"short text", []byte("hello hello hello hello")},
		{"run", bytes.Repeat([]byte{'x'}, 1000)},
		{"long run beyond max reference", bytes.Repeat([]byte{0}, 100000)},
		{"pattern", pattern("lzf", 20000)},
		{"random", r.bytes(5000)},
		{"random then repeat", append(r.bytes(300), bytes.Repeat([]byte("0123456789"), 100)...)},
		{"far repeat beyond 8 KiB window", append(append(pattern("far", 100), r.bytes(9000)...), pattern("far", 100)...)},
		{"literal run of exactly 32", append(r.bytes(32), bytes.Repeat([]byte("z"), 40)...)},
	}
	var c lzfCompressor
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]byte, len(tc.in)+len(tc.in)/32+16) // room for incompressible input
			n := c.compress(tc.in, out)
			if n == 0 {
				t.Fatalf("compress returned 0 with a %d-byte budget for %d bytes", len(out), len(tc.in))
			}
			got := make([]byte, len(tc.in))
			if err := lzfDecompress(out[:n], got); err != nil {
				t.Fatalf("decompress: %v", err)
			}
			if !bytes.Equal(got, tc.in) {
				t.Fatalf("round trip differs")
			}
			t.Logf("%d -> %d bytes", len(tc.in), n)
		})
	}
}

func TestLZFCompressBudget(t *testing.T) {
	var c lzfCompressor
	r := prng(7)
	in := r.bytes(100)
	if n := c.compress(in, make([]byte, len(in)-4)); n != 0 {
		t.Fatalf("random data compressed into %d bytes within a budget of %d", n, len(in)-4)
	}
	text := pattern("budget", 200)
	full := make([]byte, 400)
	n := c.compress(text, full)
	if n == 0 {
		t.Fatal("pattern did not compress")
	}
	if got := c.compress(text, make([]byte, n-1)); got != 0 {
		t.Fatalf("compressed into %d bytes with a budget of %d", got, n-1)
	}
}

// redisLZF is the value of "str:long" (the 8 letters abcdefgh 50 times)
// as redis-server 7.0.15 compressed it in testdata/redis-7.0-mixed.rdb:
// a 9-byte literal run, a 264-byte reference (E0 FF 07), a 125-byte
// reference reaching 264 bytes back (E1 74 07), a 2-byte literal run.
var redisLZF = []byte{
	0x08, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'a',
	0xE0, 0xFF, 0x07,
	0xE1, 0x74, 0x07,
	0x01, 'g', 'h',
}

func TestLZFDecompressRedisOutput(t *testing.T) {
	want := strings.Repeat("abcdefgh", 50)
	got := make([]byte, len(want))
	if err := lzfDecompress(redisLZF, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got %q", got)
	}
}

func TestLZFDecompressErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		out  int
	}{
		{"literal past input", []byte{0x05, 'a', 'b'}, 6},
		{"literal past output", []byte{0x02, 'a', 'b', 'c'}, 2},
		{"reference before start", []byte{0x00, 'a', 0x20, 0x05}, 4},
		{"reference at start", []byte{0x20, 0x00}, 3},
		{"truncated reference", []byte{0x00, 'a', 0x20}, 4},
		{"truncated long reference", []byte{0x00, 'a', 0xE0, 0x01}, 20},
		{"reference past output", []byte{0x00, 'a', 0x40, 0x00}, 3},
		{"short output", []byte{0x01, 'a', 'b'}, 3},
		{"empty input, non-empty output", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := lzfDecompress(tc.in, make([]byte, tc.out)); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// TestLZFMaxExpansion checks the 88x bound the Decoder applies: a stream
// of one literal and N maximal references expands to 1+264N bytes.
func TestLZFMaxExpansion(t *testing.T) {
	const refs = 100
	in := []byte{0x00, 'q'}
	for i := 0; i < refs; i++ {
		in = append(in, 0xE0, 0xFF, 0x00) // length 7+255+2, offset 1
	}
	ulen := 1 + 264*refs
	if ulen > len(in)*lzfMaxRatio {
		t.Fatalf("maximal expansion %d exceeds the bound %d", ulen, len(in)*lzfMaxRatio)
	}
	out := make([]byte, ulen)
	if err := lzfDecompress(in, out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, bytes.Repeat([]byte{'q'}, ulen)) {
		t.Fatal("wrong output")
	}
}

// TestLZFDecompressOverlappingRuns: back-references that overlap their own
// output (a pattern of period 1 to 12 repeated up to 264 bytes) expand as
// the byte-by-byte definition says.
func TestLZFDecompressOverlappingRuns(t *testing.T) {
	for period := 1; period <= 12; period++ {
		for _, length := range []int{3, 8, 9, 40, 264} {
			// a literal run of period bytes, then a back-reference to its start
			in := []byte{byte(period - 1)}
			for i := range period {
				in = append(in, byte('a'+i))
			}
			off := period - 1
			if n := length - 2; n < 7 {
				in = append(in, byte(n<<5|off>>8), byte(off))
			} else {
				in = append(in, byte(7<<5|off>>8), byte(n-7), byte(off))
			}
			want := make([]byte, period+length)
			for i := range want {
				want[i] = byte('a' + i%period)
			}
			out := make([]byte, len(want))
			if err := lzfDecompress(in, out); err != nil {
				t.Fatalf("period %d length %d: %v", period, length, err)
			}
			if !bytes.Equal(out, want) {
				t.Fatalf("period %d length %d: %q, want %q", period, length, out, want)
			}
		}
	}
}

// lzfMatchLenBytewise is liblzf's match loop as written, byte by byte:
// the reference for lzfMatchLen.
func lzfMatchLenBytewise(in []byte, ref, ip, maxLen int) int {
	length := 2
	if maxLen > 16 {
		for k := 0; k < 16; k++ {
			length++
			if in[ref+length] != in[ip+length] {
				return length
			}
		}
	}
	for {
		length++
		if length >= maxLen || in[ref+length] != in[ip+length] {
			return length
		}
	}
}

// TestLZFMatchLenAsLiblzf: the word-at-a-time match length is liblzf's
// for every maxLen and every position of the first difference, the
// unrolled steps' overrun at maxLen 17 and 18 included.
func TestLZFMatchLenAsLiblzf(t *testing.T) {
	const n = 400
	for diff := 3; diff < 300; diff++ {
		in := make([]byte, n)
		for i := range in {
			in[i] = 'x'
		}
		ref, ip := 10, 20 // in[ref+i] == in[ip+i] until ip+diff
		in[ip+diff] = 'y'
		for maxLen := 1; maxLen <= min(n-ip-2, lzfMaxRef); maxLen++ {
			got, want := lzfMatchLen(in, ref, ip, maxLen), lzfMatchLenBytewise(in, ref, ip, maxLen)
			if got != want {
				t.Fatalf("first difference at %d, maxLen %d: %d, liblzf %d", diff, maxLen, got, want)
			}
		}
	}
}
