package rdb

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// Test-only builders for the compact encodings Redis 7.0 no longer writes
// (ziplist, zipmap) and for listpacks, following the layouts documented in
// ziplist.go, listpack.go and the comments below, making the choices
// Redis's own writers make (integer-looking strings become integers).

// buildZiplist returns a ziplist holding elems (ziplist.c): each element
// that is a canonical integer shorter than 32 bytes is stored in the
// smallest integer encoding, others as strings.
func buildZiplist(elems ...string) []byte {
	zl := make([]byte, zlHeaderSize)
	prev, tail := 0, zlHeaderSize
	for _, s := range elems {
		start := len(zl)
		if prev < 254 {
			zl = append(zl, byte(prev))
		} else {
			zl = append(zl, 0xFE)
			zl = binary.LittleEndian.AppendUint32(zl, uint32(prev))
		}
		v, isInt := parseCanonicalInt([]byte(s))
		switch {
		case isInt && len(s) < 32:
			zl = appendZlInt(zl, v)
		case len(s) <= 63:
			zl = append(zl, byte(len(s)))
			zl = append(zl, s...)
		case len(s) <= 16383:
			zl = append(zl, 0x40|byte(len(s)>>8), byte(len(s)))
			zl = append(zl, s...)
		default:
			zl = append(zl, 0x80)
			zl = binary.BigEndian.AppendUint32(zl, uint32(len(s)))
			zl = append(zl, s...)
		}
		tail, prev = start, len(zl)-start
	}
	zl = append(zl, zlEnd)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(tail))
	binary.LittleEndian.PutUint16(zl[8:], uint16(min(len(elems), 65535)))
	return zl
}

func appendZlInt(zl []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 12:
		return append(zl, 0xF1+byte(v))
	case v >= -1<<7 && v < 1<<7:
		return append(zl, 0xFE, byte(v))
	case v >= -1<<15 && v < 1<<15:
		return binary.LittleEndian.AppendUint16(append(zl, 0xC0), uint16(v))
	case v >= -1<<23 && v < 1<<23:
		return append(zl, 0xF0, byte(v), byte(v>>8), byte(v>>16))
	case v >= -1<<31 && v < 1<<31:
		return binary.LittleEndian.AppendUint32(append(zl, 0xD0), uint32(v))
	}
	return binary.LittleEndian.AppendUint64(append(zl, 0xE0), uint64(v))
}

// buildZipmap returns a zipmap of field/value pairs (zipmap.c); every
// value gets free bytes of padding (counted by the free byte), which a
// reader must skip.
func buildZipmap(free int, kv ...string) []byte {
	zm := []byte{byte(min(len(kv)/2, zmBigLen))}
	appendLen := func(n int) {
		if n < zmBigLen {
			zm = append(zm, byte(n))
			return
		}
		zm = append(zm, zmBigLen)
		zm = binary.LittleEndian.AppendUint32(zm, uint32(n))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		appendLen(len(kv[i]))
		zm = append(zm, kv[i]...)
		appendLen(len(kv[i+1]))
		zm = append(zm, byte(free))
		zm = append(zm, kv[i+1]...)
		zm = append(zm, make([]byte, free)...)
	}
	return append(zm, zmEnd)
}

// buildListpack returns a listpack holding elems (listpack.c): canonical
// integers up to 20 bytes take the smallest integer encoding.
func buildListpack(elems ...string) []byte {
	lp := make([]byte, lpHeaderSize)
	for _, s := range elems {
		start := len(lp)
		if v, ok := parseCanonicalInt([]byte(s)); ok {
			lp = appendLpInt(lp, v)
		} else {
			switch n := len(s); {
			case n < 64:
				lp = append(lp, 0x80|byte(n))
			case n < 4096:
				lp = append(lp, 0xE0|byte(n>>8), byte(n))
			default:
				lp = binary.LittleEndian.AppendUint32(append(lp, 0xF0), uint32(n))
			}
			lp = append(lp, s...)
		}
		lp = appendBacklen(lp, len(lp)-start)
	}
	lp = append(lp, lpEOF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	binary.LittleEndian.PutUint16(lp[4:], uint16(min(len(elems), 65535)))
	return lp
}

func appendLpInt(lp []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 127:
		return append(lp, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint16(v) & 0x1fff
		return append(lp, 0xC0|byte(u>>8), byte(u))
	case v >= -1<<15 && v < 1<<15:
		return binary.LittleEndian.AppendUint16(append(lp, 0xF1), uint16(v))
	case v >= -1<<23 && v < 1<<23:
		return append(lp, 0xF2, byte(v), byte(v>>8), byte(v>>16))
	case v >= -1<<31 && v < 1<<31:
		return binary.LittleEndian.AppendUint32(append(lp, 0xF3), uint32(v))
	}
	return binary.LittleEndian.AppendUint64(append(lp, 0xF4), uint64(v))
}

// appendBacklen appends the back-length of an l-byte entry: 7 bits per
// byte, most significant first, high bit set on all but the first byte.
func appendBacklen(lp []byte, l int) []byte {
	n := lpBacklenSize(l)
	for i := n - 1; i >= 0; i-- {
		b := byte(l>>(7*uint(i))) & 127
		if i != n-1 {
			b |= 128
		}
		lp = append(lp, b)
	}
	return lp
}

// buildIntset returns an intset blob of the given width; members are
// written in the order given (callers pass them sorted unless testing
// corruption).
func buildIntset(width int, members ...int64) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(members)))
	for _, v := range members {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// rawFile builds an RDB file byte by byte, for layouts the Encoder does
// not write: old versions, old types, opcodes it never emits.
type rawFile struct {
	version int
	b       []byte
}

func newRawFile(version int) *rawFile {
	return &rawFile{version: version, b: fmt.Appendf(nil, "REDIS%04d", version)}
}

func (f *rawFile) bytes(p ...byte) *rawFile      { f.b = append(f.b, p...); return f }
func (f *rawFile) length(n uint64) *rawFile      { f.b = appendLen(f.b, n); return f }
func (f *rawFile) str(s string) *rawFile         { return f.length(uint64(len(s))).bytes([]byte(s)...) }
func (f *rawFile) blob(b []byte) *rawFile        { return f.length(uint64(len(b))).bytes(b...) }
func (f *rawFile) selectDB(db int) *rawFile      { return f.bytes(opSelectDB).length(uint64(db)) }
func (f *rawFile) key(t byte, k string) *rawFile { return f.bytes(t).str(k) }

// lzf appends b as an LZF string (it must compress).
func (f *rawFile) lzf(b []byte) *rawFile {
	var c lzfCompressor
	out := make([]byte, len(b))
	n := c.compress(b, out)
	if n == 0 {
		panic("lzf: test data does not compress")
	}
	f.bytes(0xC3).length(uint64(n)).length(uint64(len(b)))
	return f.bytes(out[:n]...)
}

// asciiScore appends an old-format (type 3) score.
func (f *rawFile) asciiScore(s string) *rawFile {
	switch s {
	case "nan":
		return f.bytes(253)
	case "inf":
		return f.bytes(254)
	case "-inf":
		return f.bytes(255)
	}
	return f.bytes(byte(len(s))).bytes([]byte(s)...)
}

// end appends the EOF opcode and, from version 5 on, the checksum.
func (f *rawFile) end() []byte {
	f.b = append(f.b, opEOF)
	if f.version >= 5 {
		f.b = binary.LittleEndian.AppendUint64(f.b, Checksum(f.b))
	}
	return f.b
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
