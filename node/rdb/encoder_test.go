package rdb

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// decoderOver returns a Decoder positioned at the start of p, with no
// header, for testing the primitive readers.
func decoderOver(p []byte) *Decoder {
	d := NewDecoder(bytes.NewReader(p))
	d.started, d.version = true, Version
	return d
}

func TestLengthEncoding(t *testing.T) {
	// Boundaries of rdbSaveLen's 6-bit, 14-bit, 32-bit and 64-bit forms.
	tests := []struct {
		n    uint64
		want []byte
	}{
		{0, []byte{0x00}},
		{63, []byte{0x3f}},
		{64, []byte{0x40, 0x40}},
		{16383, []byte{0x7f, 0xff}},
		{16384, []byte{0x80, 0x00, 0x00, 0x40, 0x00}},
		{1<<32 - 1, []byte{0x80, 0xff, 0xff, 0xff, 0xff}},
		{1 << 32, []byte{0x81, 0, 0, 0, 1, 0, 0, 0, 0}},
		{1<<64 - 1, []byte{0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	}
	for _, tc := range tests {
		got := appendLen(nil, tc.n)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("appendLen(%d) = % x, want % x", tc.n, got, tc.want)
		}
		n, err := decoderOver(tc.want).readLen()
		if err != nil || n != tc.n {
			t.Errorf("readLen(% x) = %d, %v; want %d", tc.want, n, err, tc.n)
		}
	}
	if _, err := decoderOver([]byte{0x82}).readLen(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("length byte 0x82: %v, want ErrCorrupt", err)
	}
}

func TestStringEncoding(t *testing.T) {
	// The encodings rdbSaveRawString picks; TestStringEncodingMatchesRedis
	// checks the same cases against DUMP output of a real server.
	tests := []struct {
		in   string
		want []byte
	}{
		{"0", []byte{0xc0, 0x00}},
		{"-1", []byte{0xc0, 0xff}},
		{"127", []byte{0xc0, 0x7f}},
		{"-128", []byte{0xc0, 0x80}},
		{"128", []byte{0xc1, 0x80, 0x00}},
		{"-129", []byte{0xc1, 0x7f, 0xff}},
		{"32767", []byte{0xc1, 0xff, 0x7f}},
		{"-32768", []byte{0xc1, 0x00, 0x80}},
		{"32768", []byte{0xc2, 0x00, 0x80, 0x00, 0x00}},
		{"2147483647", []byte{0xc2, 0xff, 0xff, 0xff, 0x7f}},
		{"-2147483648", []byte{0xc2, 0x00, 0x00, 0x00, 0x80}},
		{"2147483648", append([]byte{10}, "2147483648"...)},
		{"007", append([]byte{3}, "007"...)},
		{"-0", append([]byte{2}, "-0"...)},
		{"+1", append([]byte{2}, "+1"...)},
		{" 1", append([]byte{2}, " 1"...)},
		{"", []byte{0x00}},
		{"abc", append([]byte{3}, "abc"...)},
		{strings.Repeat("x", 64), append([]byte{0x40, 0x40}, strings.Repeat("x", 64)...)},
	}
	for _, tc := range tests {
		e := NewEncoder(io.Discard, EncoderOptions{})
		e.appendString([]byte(tc.in))
		if !bytes.Equal(e.buf, tc.want) {
			t.Errorf("%q encodes as % x, want % x", tc.in, e.buf, tc.want)
		}
		got, err := decoderOver(tc.want).readString()
		if err != nil || string(got) != tc.in {
			t.Errorf("% x decodes as %q, %v; want %q", tc.want, got, err, tc.in)
		}
	}
}

func TestStringEncodingLZF(t *testing.T) {
	long := strings.Repeat("abcdefgh", 50)
	tests := []struct {
		name     string
		in       string
		compress bool
		wantLZF  bool
	}{
		{"compressible, compression on", long, true, true},
		{"compressible, compression off", long, false, false},
		{"20 bytes is never compressed", strings.Repeat("a", 20), true, false},
		{"21 bytes of one letter", strings.Repeat("a", 21), true, true},
		{"incompressible", string(func() []byte { r := prng(3); return r.bytes(200) }()), true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder(io.Discard, EncoderOptions{Compress: tc.compress})
			e.appendString([]byte(tc.in))
			if isLZF := e.buf[0] == 0xc3; isLZF != tc.wantLZF {
				t.Fatalf("LZF = %v, want %v (% x...)", isLZF, tc.wantLZF, e.buf[:min(8, len(e.buf))])
			}
			got, err := decoderOver(e.buf).readString()
			if err != nil || string(got) != tc.in {
				t.Fatalf("round trip: %v", err)
			}
		})
	}
}

func TestParseCanonicalInt(t *testing.T) {
	tests := []struct {
		in string
		v  int64
		ok bool
	}{
		{"0", 0, true}, {"-1", -1, true}, {"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true}, {"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false}, {"18446744073709551616", 0, false},
		{"01", 0, false}, {"-0", 0, false}, {"+5", 0, false}, {"-", 0, false}, {"", 0, false},
		{"1a", 0, false}, {"1 ", 0, false}, {"123456789012345678901", 0, false},
	}
	for _, tc := range tests {
		v, ok := parseCanonicalInt([]byte(tc.in))
		if ok != tc.ok || (ok && v != tc.v) {
			t.Errorf("parseCanonicalInt(%q) = %d, %v; want %d, %v", tc.in, v, ok, tc.v, tc.ok)
		}
	}
}

// encodeEntries writes a whole file with the entries, grouped by DB.
func encodeEntries(t testing.TB, entries []*Entry, opt EncoderOptions) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := NewEncoder(&buf, opt)
	if err := e.Header(); err != nil {
		t.Fatal(err)
	}
	e.Aux("redis-ver", "7.0.15")
	e.Aux("redis-bits", "64")
	e.Aux("repl-offset", "123456789012")
	sorted := sortedByDB(entries)
	for i := 0; i < len(sorted); {
		db, j, expires := sorted[i].DB, i, 0
		for ; j < len(sorted) && sorted[j].DB == db; j++ {
			if sorted[j].ExpireAt >= 0 {
				expires++
			}
		}
		if err := e.SelectDB(db, uint64(j-i), uint64(expires)); err != nil {
			t.Fatal(err)
		}
		for ; i < j; i++ {
			if err := e.WriteEntry(sorted[i]); err != nil {
				t.Fatalf("WriteEntry %q: %v", sorted[i].Key, err)
			}
		}
	}
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
	if e.Written() != int64(buf.Len()) {
		t.Fatalf("Written() = %d, wrote %d bytes", e.Written(), buf.Len())
	}
	return buf.Bytes()
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	entries := mixedDataset(700)
	for _, opt := range []EncoderOptions{{Compress: false}, {Compress: true}} {
		data := encodeEntries(t, entries, opt)
		got, d := decodeAll(t, data)
		if diff := diffKeyspaces(got, keyspaceOf(entries)); diff != "" {
			t.Fatalf("compress=%v: round trip differs:\n%s", opt.Compress, diff)
		}
		if d.Aux()["repl-offset"] != "123456789012" || d.Aux()["redis-bits"] != "64" {
			t.Errorf("aux %v", d.Aux())
		}
		if d.stats.types[rdbSetIntset] == 0 || (d.stats.lzfStrings > 0) != opt.Compress {
			t.Errorf("compress=%v: %d intsets, %d LZF strings", opt.Compress, d.stats.types[rdbSetIntset], d.stats.lzfStrings)
		}
		if !bytes.HasPrefix(data, []byte("REDIS0009")) {
			t.Errorf("header %q", data[:9])
		}
		if sum := Checksum(data[:len(data)-8]); sum != leUint64(data[len(data)-8:]) {
			t.Errorf("stored checksum differs from the CRC of the file")
		}
	}
}

func leUint64(p []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(p[i])
	}
	return v
}

func TestIntSetWidths(t *testing.T) {
	tests := []struct {
		name    string
		members []int64
		width   byte
	}{
		{"int16", []int64{-32768, 0, 32767}, 2},
		{"int32", []int64{-32769, 1}, 4},
		{"int32 max", []int64{math.MaxInt32}, 4},
		{"int64", []int64{math.MinInt64, math.MaxInt64}, 8},
		{"duplicates and disorder", []int64{5, 1, 5, 3, 1}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			e := NewEncoder(&buf, EncoderOptions{})
			if err := e.IntSet([]byte("k"), -1, tc.members); err != nil {
				t.Fatal(err)
			}
			e.Flush()
			// type 11, key "k", blob length, then the width as uint32 LE
			p := buf.Bytes()
			if p[0] != rdbSetIntset || p[4] != tc.width {
				t.Fatalf("type %d width %d, want 11 and %d (% x)", p[0], p[4], tc.width, p)
			}
			d := decoderOver(p)
			op, _ := d.rd.byte()
			en, err := d.readKeyValue(op)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]bool{}
			for _, m := range tc.members {
				want[m] = true
			}
			if len(en.Set) != len(want) {
				t.Fatalf("decoded %d members, want %d", len(en.Set), len(want))
			}
			for _, m := range en.Set {
				v, ok := parseCanonicalInt(m)
				if !ok || !want[v] {
					t.Fatalf("unexpected member %q", m)
				}
			}
		})
	}
}

func TestEncoderMisuse(t *testing.T) {
	tests := []struct {
		name string
		run  func(e *Encoder) error
	}{
		{"String without object", func(e *Encoder) error { return e.String([]byte("x")) }},
		{"Double without zset", func(e *Encoder) error {
			e.BeginObject(TypeList, []byte("l"), -1, 1)
			return e.Double(1)
		}},
		{"member without score", func(e *Encoder) error {
			e.BeginObject(TypeZSet, []byte("z"), -1, 2)
			e.String([]byte("a"))
			return e.String([]byte("b"))
		}},
		{"NaN score", func(e *Encoder) error {
			e.BeginObject(TypeZSet, []byte("z"), -1, 1)
			e.String([]byte("a"))
			return e.Double(math.NaN())
		}},
		{"too few elements", func(e *Encoder) error {
			e.BeginObject(TypeSet, []byte("s"), -1, 2)
			e.String([]byte("a"))
			return e.End()
		}},
		{"too many elements", func(e *Encoder) error {
			e.BeginObject(TypeList, []byte("l"), -1, 1)
			e.String([]byte("a"))
			return e.String([]byte("b"))
		}},
		{"string without value", func(e *Encoder) error {
			e.BeginObject(TypeString, []byte("s"), -1, 0)
			return e.BeginObject(TypeString, []byte("t"), -1, 0)
		}},
		{"negative length", func(e *Encoder) error { return e.BeginObject(TypeList, []byte("l"), -1, -1) }},
		{"unknown type", func(e *Encoder) error { return e.BeginObject(Type(9), []byte("l"), -1, 0) }},
		{"empty intset", func(e *Encoder) error { return e.IntSet([]byte("i"), -1, nil) }},
		{"write after End", func(e *Encoder) error {
			e.Header()
			e.End()
			return e.SelectDB(0, 0, 0)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder(io.Discard, EncoderOptions{})
			err := tc.run(e)
			if err == nil {
				t.Fatal("no error")
			}
			if err2 := e.Flush(); err2 == nil {
				t.Fatal("error is not sticky")
			}
		})
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		return w.after, errors.New("disk full")
	}
	w.after -= len(p)
	return len(p), nil
}

func TestEncoderWriteError(t *testing.T) {
	e := NewEncoder(&failWriter{after: 100}, EncoderOptions{})
	e.Header()
	e.SelectDB(0, 1, 0)
	e.WriteEntry(str(0, "big", strings.Repeat("v", 200000), -1))
	err := e.End()
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("End: %v, want the write error", err)
	}
}

// TestEncoderStreaming checks that Flush hands out bytes as they are
// encoded and that the result is the same file as unflushed encoding.
func TestEncoderStreaming(t *testing.T) {
	entries := mixedDataset(50)
	whole := encodeEntries(t, entries, EncoderOptions{Compress: true})
	var buf bytes.Buffer
	e := NewEncoder(&buf, EncoderOptions{Compress: true})
	e.Header()
	e.Aux("redis-ver", "7.0.15")
	e.Aux("redis-bits", "64")
	e.Aux("repl-offset", "123456789012")
	sorted := sortedByDB(entries)
	db := -1
	for _, en := range sorted {
		if en.DB != db {
			db = en.DB
			n, x := 0, 0
			for _, o := range sorted {
				if o.DB == db {
					n++
					if o.ExpireAt >= 0 {
						x++
					}
				}
			}
			e.SelectDB(db, uint64(n), uint64(x))
		}
		e.WriteEntry(en)
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
		if int64(buf.Len()) != e.Written() {
			t.Fatalf("after Flush: %d bytes out, Written() = %d", buf.Len(), e.Written())
		}
	}
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), whole) {
		t.Fatal("flushed encoding differs from buffered encoding")
	}
}

// TestEntrySizeIsWhatAppendWrites: EntrySize (and IntEntrySize, which the
// keyspace sizes its stream nodes with) counts the bytes Append writes
// for an element, integers of every width, strings at every length
// threshold and back-lengths of one to three bytes included.
func TestEntrySizeIsWhatAppendWrites(t *testing.T) {
	var eles [][]byte
	for _, v := range []int64{0, 127, 128, -1, -4096, 4095, 4096, -4097, math.MinInt16, math.MaxInt16, math.MaxInt16 + 1,
		-8388608, 8388607, 8388608, math.MinInt32, math.MaxInt32, math.MaxInt32 + 1, math.MinInt64, math.MaxInt64} {
		eles = append(eles, []byte(strconv.FormatInt(v, 10)))
	}
	for _, n := range []int{0, 1, 63, 64, 125, 126, 127, 4095, 4096, 16370, 16383, 2097151} {
		eles = append(eles, bytes.Repeat([]byte{'x'}, n))
	}
	eles = append(eles, []byte("007"), []byte("-0"), []byte("+1"), []byte("18446744073709551616"))
	for _, ele := range eles {
		lp := NewListpack()
		before := lp.Size()
		lp.Append(ele)
		if got, want := EntrySize(ele), lp.Size()-before; got != want {
			t.Errorf("EntrySize(%.20q… %d bytes) = %d, Append wrote %d", ele, len(ele), got, want)
		}
		if v, ok := parseCanonicalInt(ele); ok && IntEntrySize(v) != EntrySize(ele) {
			t.Errorf("IntEntrySize(%d) = %d, EntrySize %d", v, IntEntrySize(v), EntrySize(ele))
		}
	}
}
