package rdb

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func TestHeaderVersions(t *testing.T) {
	tests := []struct {
		magic   string
		version int
		err     error
		text    string
	}{
		{"REDIS0001", 1, nil, ""},
		{"REDIS0009", 9, nil, ""},
		{"REDIS0010", 10, nil, ""},
		{"REDIS0012", 12, nil, ""},
		{"REDIS0013", 0, ErrVersion, "rdb: can't handle RDB format version 13"},
		{"REDIS0000", 0, ErrVersion, "rdb: can't handle RDB format version 0"},
		{"REDIS0080", 0, ErrVersion, "rdb: can't handle RDB format version 80"},
		{"VALKEY080", 0, ErrVersion, "rdb: can't handle RDB format version 80 (VALKEY080)"},
		{"REDIX0009", 0, ErrCorrupt, ""},
		{"REDIS00x9", 0, ErrCorrupt, ""},
		{"REDIS", 0, ErrCorrupt, ""},
	}
	for _, tc := range tests {
		t.Run(tc.magic, func(t *testing.T) {
			d := NewDecoder(strings.NewReader(tc.magic))
			v, err := d.Header()
			if !errors.Is(err, tc.err) || v != tc.version {
				t.Fatalf("Header() = %d, %v; want %d, %v", v, err, tc.version, tc.err)
			}
			if tc.text != "" && err.Error() != tc.text {
				t.Fatalf("error text %q, want %q", err, tc.text)
			}
			if _, err2 := d.Next(); tc.err != nil && !errors.Is(err2, tc.err) {
				t.Fatalf("Next after a bad header: %v", err2)
			}
		})
	}
}

// emptyFile is the smallest valid file: header, EOF, checksum.
func emptyFile(version int) []byte { return newRawFile(version).end() }

func TestChecksumVerification(t *testing.T) {
	good := emptyFile(9)
	zero := append(bytes.Clone(good[:len(good)-8]), make([]byte, 8)...)
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	flipped := encodeEntries(t, mixedDataset(5), EncoderOptions{})
	flipped[len(flipped)/2] ^= 0x01 // inside some value: the CRC catches it
	tests := []struct {
		name string
		data []byte
		err  error
	}{
		{"valid", good, nil},
		{"zero means not computed", zero, nil},
		{"stored checksum wrong", bad, ErrChecksum},
		{"a data bit flipped", flipped, nil}, // decoded below: ErrChecksum or ErrCorrupt
		{"truncated checksum", good[:len(good)-3], ErrCorrupt},
		{"no EOF", good[:9], ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tryDecodeAll(tc.data)
			if tc.name == "a data bit flipped" {
				if !errors.Is(err, ErrChecksum) && !errors.Is(err, ErrCorrupt) {
					t.Fatalf("err %v, want ErrChecksum or ErrCorrupt", err)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
		})
	}
	if got := Checksum(good[:len(good)-8]); got != leUint64(good[len(good)-8:]) {
		t.Fatal("rawFile checksum mismatch")
	}
	_, _, err := tryDecodeAll(good[:len(good)-3])
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncation should also match io.ErrUnexpectedEOF: %v", err)
	}
}

// TestEmptyFileEveryVersion: every version from 1 to 12 reads, with a
// checksum from version 5 on and none before.
func TestEmptyFileEveryVersion(t *testing.T) {
	for v := 1; v <= 12; v++ {
		data := emptyFile(v)
		if want := 10 + 8*btoi(v >= 5); len(data) != want {
			t.Fatalf("version %d: %d bytes, want %d", v, len(data), want)
		}
		d := NewDecoder(bytes.NewReader(data))
		if _, err := d.Next(); err != io.EOF {
			t.Fatalf("version %d: %v, want io.EOF", v, err)
		}
		if d.Version() != v || d.Read() != int64(len(data)) {
			t.Fatalf("version %d: Version() %d, Read() %d", v, d.Version(), d.Read())
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestEOFIsFinal(t *testing.T) {
	d := NewDecoder(bytes.NewReader(emptyFile(10)))
	for i := 0; i < 3; i++ {
		if _, err := d.Next(); err != io.EOF {
			t.Fatalf("call %d: %v, want io.EOF", i, err)
		}
	}
}

// TestTruncatedEverywhere cuts a file at every byte: each prefix must fail
// with ErrCorrupt (never panic, never succeed).
func TestTruncatedEverywhere(t *testing.T) {
	data := encodeEntries(t, mixedDataset(3), EncoderOptions{Compress: true})
	for n := 0; n < len(data); n += 1 + n/64 {
		_, _, err := tryDecodeAll(data[:n])
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix of %d bytes: %v, want ErrCorrupt", n, err)
		}
	}
}

func TestCorruptValues(t *testing.T) {
	zl := buildZiplist("a", "b")
	badPrev := bytes.Clone(zl)
	badPrev[zlHeaderSize+3] = 9 // second entry's prevlen
	lp := buildListpack("a", "b")
	badBacklen := bytes.Clone(lp)
	badBacklen[lpHeaderSize+2] = 5
	f := func(build func(*rawFile)) []byte {
		rf := newRawFile(10).selectDB(0)
		build(rf)
		return rf.end()
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"unknown opcode", f(func(r *rawFile) { r.bytes(0xF0) })},
		{"unknown type 8", f(func(r *rawFile) { r.key(8, "k").str("v") })},
		{"unknown string encoding", f(func(r *rawFile) { r.key(rdbString, "k").bytes(0xC4) })},
		{"length where a string encoding sits", f(func(r *rawFile) { r.key(rdbList, "k").bytes(0xC0) })},
		{"zset2 NaN score", f(func(r *rawFile) {
			r.key(rdbZSet2, "k").length(1).str("m").bytes(le64(math.Float64bits(math.NaN()))...)
		})},
		{"old zset NaN score", f(func(r *rawFile) { r.key(rdbZSet, "k").length(1).str("m").asciiScore("nan") })},
		{"old zset bad score", f(func(r *rawFile) { r.key(rdbZSet, "k").length(1).str("m").asciiScore("1.x") })},
		{"listpack zset bad score", f(func(r *rawFile) { r.key(rdbZSetListpack, "k").blob(buildListpack("m", "abc")) })},
		{"listpack zset odd count", f(func(r *rawFile) { r.key(rdbZSetListpack, "k").blob(buildListpack("m", "1", "n")) })},
		{"listpack hash odd count", f(func(r *rawFile) { r.key(rdbHashListpack, "k").blob(buildListpack("f")) })},
		{"ziplist bad prevlen", f(func(r *rawFile) { r.key(rdbListZiplist, "k").blob(badPrev) })},
		{"ziplist bad size", f(func(r *rawFile) { r.key(rdbListZiplist, "k").blob(zl[:len(zl)-1]) })},
		{"ziplist bad count", f(func(r *rawFile) {
			b := bytes.Clone(zl)
			b[8] = 3
			r.key(rdbListZiplist, "k").blob(b)
		})},
		{"ziplist bad tail", f(func(r *rawFile) {
			b := bytes.Clone(zl)
			b[4]++
			r.key(rdbListZiplist, "k").blob(b)
		})},
		{"listpack bad back-length", f(func(r *rawFile) { r.key(rdbSetListpack, "k").blob(badBacklen) })},
		{"listpack bad total", f(func(r *rawFile) {
			b := bytes.Clone(lp)
			b[0]++
			r.key(rdbSetListpack, "k").blob(append(b, 0))
		})},
		{"listpack bad count", f(func(r *rawFile) {
			b := bytes.Clone(lp)
			b[4] = 1
			r.key(rdbSetListpack, "k").blob(b)
		})},
		{"intset unsorted", f(func(r *rawFile) { r.key(rdbSetIntset, "k").blob(buildIntset(2, 3, 1)) })},
		{"intset empty", f(func(r *rawFile) { r.key(rdbSetIntset, "k").blob(buildIntset(2)) })},
		{"intset bad width", f(func(r *rawFile) { r.key(rdbSetIntset, "k").blob(buildIntset(3, 1)) })},
		{"intset short", f(func(r *rawFile) { r.key(rdbSetIntset, "k").blob(buildIntset(4, 1, 2)[:15]) })},
		{"zipmap no end", f(func(r *rawFile) {
			b := buildZipmap(0, "a", "b")
			r.key(rdbHashZipmap, "k").blob(b[:len(b)-1])
		})},
		{"zipmap bad count", f(func(r *rawFile) {
			b := buildZipmap(0, "a", "b")
			b[0] = 2
			r.key(rdbHashZipmap, "k").blob(b)
		})},
		{"quicklist2 bad container", f(func(r *rawFile) { r.key(rdbListQuicklist2, "k").length(1).length(3).str("x") })},
		{"quicklist node not a ziplist", f(func(r *rawFile) { r.key(rdbListQuicklist, "k").length(1).str("x") })},
		{"LZF declared too large", f(func(r *rawFile) {
			r.key(rdbString, "k").bytes(0xC3).length(2).length(2*lzfMaxRatio+1).bytes(0, 'a')
		})},
		{"LZF wrong declared length", f(func(r *rawFile) { r.key(rdbString, "k").bytes(0xC3).length(2).length(3).bytes(0, 'a') })},
		{"module aux bad when opcode", f(func(r *rawFile) { r.bytes(opModuleAux).length(1).length(1).length(0) })},
		{"module value bad opcode", f(func(r *rawFile) { r.key(rdbModule2, "k").length(1).length(9) })},
		{"database number too large", f(func(r *rawFile) { r.selectDB(1 << 40) })},
		{"string length too large", f(func(r *rawFile) { r.key(rdbString, "k").bytes(len64Bit).bytes(0xff, 0, 0, 0, 0, 0, 0, 0) })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tryDecodeAll(tc.data)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestUnsupportedModulePreGA(t *testing.T) {
	data := newRawFile(8).selectDB(3).key(rdbModulePreGA, "mod").length(42).end()
	d := NewDecoder(bytes.NewReader(data))
	_, err := d.Next()
	var ue *UnsupportedTypeError
	if !errors.As(err, &ue) || ue.Skipped || ue.DB != 3 || string(ue.Key) != "mod" || ue.Kind != "module" {
		t.Fatalf("err %#v", err)
	}
	if _, err2 := d.Next(); err2 != err {
		t.Fatalf("decoding went on after an unskippable value: %v", err2)
	}
}

// TestEmptyCollectionsSkipped: Redis skips keys whose collection is empty
// ("rdbLoadObject skipping empty key"); so does the Decoder.
func TestEmptyCollectionsSkipped(t *testing.T) {
	data := newRawFile(10).selectDB(0).
		key(rdbList, "l").length(0).
		key(rdbSet, "s").length(0).
		key(rdbHash, "h").length(0).
		key(rdbZSet2, "z").length(0).
		key(rdbListQuicklist2, "q").length(1).length(containerPacked).blob(buildListpack()).
		key(rdbHashListpack, "hl").blob(buildListpack()).
		key(rdbString, "kept").str("").
		end()
	got, _ := decodeAll(t, data)
	if diff := diffKeyspaces(got, keyspaceOf([]*Entry{str(0, "kept", "", -1)})); diff != "" {
		t.Fatal(diff)
	}
}

func TestExpireClamp(t *testing.T) {
	data := newRawFile(9).selectDB(0).
		bytes(opExpireTimeMs).bytes(le64(math.MaxUint64)...).key(rdbString, "minus1").str("v").
		bytes(opExpireTimeMs).bytes(le64(uint64(1<<64-5))...).key(rdbString, "past").str("v").
		key(rdbString, "none").str("v").
		end()
	got, _ := decodeAll(t, data)
	want := keyspaceOf([]*Entry{str(0, "minus1", "v", -1), str(0, "past", "v", 0), str(0, "none", "v", -1)})
	if diff := diffKeyspaces(got, want); diff != "" {
		t.Fatal(diff)
	}
}

// TestProgress checks Read() against the bytes actually consumed, both
// in small reads and in reads that bypass the buffer.
func TestProgress(t *testing.T) {
	entries := []*Entry{
		str(0, "a", "1", -1),
		str(0, "big", string(pattern("x", 3*readerBufSize)), -1),
		str(0, "b", "2", -1),
	}
	data := encodeEntries(t, entries, EncoderOptions{})
	d := NewDecoder(&oneByteAtATime{r: bytes.NewReader(data)})
	var last int64
	for {
		_, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if d.Read() <= last || d.Read() > int64(len(data)) {
			t.Fatalf("Read() = %d after %d", d.Read(), last)
		}
		last = d.Read()
	}
	if d.Read() != int64(len(data)) {
		t.Fatalf("Read() = %d, want %d", d.Read(), len(data))
	}
}

// oneByteAtATime hands out at most 7 bytes per Read, to exercise refills.
type oneByteAtATime struct{ r io.Reader }

func (o *oneByteAtATime) Read(p []byte) (int, error) {
	return o.r.Read(p[:min(len(p), 7)])
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadErrorIsNotCorrupt(t *testing.T) {
	_, err := NewDecoder(errReader{}).Next()
	if err == nil || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("err %v: want the source error, not ErrCorrupt", err)
	}
}
