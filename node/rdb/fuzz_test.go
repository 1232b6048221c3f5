package rdb

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// decodeList decodes data into entries in file order, stepping over
// skippable unsupported values. err is nil only at a clean end of file.
func decodeList(data []byte) ([]*Entry, error) {
	d := NewDecoder(bytes.NewReader(data))
	var out []*Entry
	for {
		en, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		var ue *UnsupportedTypeError
		if errors.As(err, &ue) && ue.Skipped {
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, en)
	}
}

// encodeList writes entries in order, selecting databases as they change.
func encodeList(entries []*Entry) ([]byte, error) {
	var buf bytes.Buffer
	e := NewEncoder(&buf, EncoderOptions{Compress: true})
	e.Header()
	db := -1
	for _, en := range entries {
		if en.DB != db {
			db = en.DB
			e.SelectDB(db, 0, 0)
		}
		if err := e.WriteEntry(en); err != nil {
			return nil, err
		}
	}
	err := e.End()
	return buf.Bytes(), err
}

// fuzzNormalized sorts and de-duplicates set members: a set that goes out
// as an intset loses duplicates a corrupt file may hold.
func fuzzNormalized(en *Entry) *Entry {
	c := normalized(en)
	c.Set = slices.CompactFunc(c.Set, bytes.Equal)
	return c
}

func fuzzSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.rdb"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, cf := range craftedFiles() {
		f.Add(cf.data)
	}
	f.Add(emptyFile(9))
	f.Add(emptyFile(4))
	var buf bytes.Buffer
	e := NewEncoder(&buf, EncoderOptions{Compress: true})
	e.Header()
	e.SelectDB(0, 0, 0)
	for _, en := range mixedDataset(3) {
		e.WriteEntry(en)
	}
	e.End()
	f.Add(buf.Bytes())
}

// FuzzDecode feeds arbitrary bytes to the Decoder: it must not panic or
// hang, and whatever decodes cleanly must survive a round trip through
// the Encoder.
func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(checkDecodeRoundTrip)
}

// checkDecodeRoundTrip is the body of FuzzDecode.
func checkDecodeRoundTrip(t *testing.T, data []byte) {
	{
		entries, err := decodeList(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrChecksum) &&
				!errors.Is(err, ErrVersion) && !errors.Is(err, ErrUnsupportedType) {
				t.Fatalf("error outside the sentinel errors: %v", err)
			}
			return
		}
		again, err := encodeList(entries)
		if err != nil {
			t.Fatalf("re-encoding decoded entries: %v", err)
		}
		back, err := decodeList(again)
		if err != nil {
			t.Fatalf("decoding our own encoding: %v", err)
		}
		if len(back) != len(entries) {
			t.Fatalf("%d entries came back, want %d", len(back), len(entries))
		}
		for i := range entries {
			g, w := fuzzNormalized(back[i]), fuzzNormalized(entries[i])
			if g.DB != w.DB || !bytes.Equal(g.Key, w.Key) {
				t.Fatalf("entry %d: key %d/%q, want %d/%q", i, g.DB, g.Key, w.DB, w.Key)
			}
			if d := diffEntry(g, w); d != "" {
				t.Fatalf("entry %d (%q): %s", i, w.Key, d)
			}
		}
	}
}

// FuzzLZF decompresses arbitrary input into a buffer of arbitrary size
// (must not panic) and round-trips the input through the compressor.
func FuzzLZF(f *testing.F) {
	f.Add(redisLZF, uint16(400))
	f.Add([]byte("hello hello hello hello hello"), uint16(10))
	f.Add(bytes.Repeat([]byte{0}, 1000), uint16(1000))
	f.Add([]byte{0xE0, 0xFF, 0x00}, uint16(264))
	var c lzfCompressor
	f.Fuzz(func(t *testing.T, data []byte, declared uint16) {
		_ = lzfDecompress(data, make([]byte, declared))

		if len(data) == 0 {
			return
		}
		out := make([]byte, len(data)+len(data)/32+16)
		n := c.compress(data, out)
		if n == 0 {
			t.Fatalf("%d bytes did not fit in %d", len(data), len(out))
		}
		back := make([]byte, len(data))
		if err := lzfDecompress(out[:n], back); err != nil {
			t.Fatalf("decompressing our output: %v", err)
		}
		if !bytes.Equal(back, data) {
			t.Fatal("round trip differs")
		}
		// With Redis's budget (len-4) the result fits or is refused.
		if len(data) > 4 {
			small := make([]byte, len(data)-4)
			if m := c.compress(data, small); m != 0 {
				if err := lzfDecompress(small[:m], back); err != nil || !bytes.Equal(back, data) {
					t.Fatalf("budgeted compression does not round-trip: %v", err)
				}
			}
		}
	})
}
