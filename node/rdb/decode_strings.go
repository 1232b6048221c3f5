package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
)

// preallocCap bounds the capacity preallocated from a length read from the
// file; anything longer grows as the data actually arrives.
const preallocCap = 1024

// stringChunk is the largest string allocated in one go from its declared
// length; longer strings grow as their bytes arrive.
const stringChunk = 64 << 10

// maxLen bounds any length read from a file so that conversions to int are
// safe; real lengths are far smaller.
const maxLen = 1 << 40

// readLen reads a length that must not be a special encoding.
func (d *Decoder) readLen() (uint64, error) {
	n, enc, err := d.readLenEnc()
	if err != nil {
		return 0, err
	}
	if enc {
		return 0, d.corrupt("unexpected string encoding %d where a length belongs", n)
	}
	return n, nil
}

// readLenEnc reads a length; enc reports the 11xxxxxx special form, whose
// low 6 bits are then returned as n.
func (d *Decoder) readLenEnc() (n uint64, enc bool, err error) {
	b, err := d.rd.byte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case len6Bit:
		return uint64(b & 0x3f), false, nil
	case len14Bit:
		b2, err := d.rd.byte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3f)<<8 | uint64(b2), false, nil
	case lenEncVal:
		return uint64(b & 0x3f), true, nil
	}
	switch b {
	case len32Bit:
		p, err := d.rd.next(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case len64Bit:
		p, err := d.rd.next(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, d.corrupt("unknown length encoding 0x%02x", b)
}

// skipLens reads and discards n lengths.
func (d *Decoder) skipLens(n int) error {
	for ; n > 0; n-- {
		if _, err := d.readLen(); err != nil {
			return err
		}
	}
	return nil
}

// readString reads a string in any encoding into a new slice the caller
// owns; integer encodings come back in decimal.
func (d *Decoder) readString() ([]byte, error) {
	n, enc, err := d.readLenEnc()
	if err != nil {
		return nil, err
	}
	return d.stringAfterLen(n, enc)
}

// stringAfterLen finishes reading a string whose length or encoding byte
// has been read.
func (d *Decoder) stringAfterLen(n uint64, enc bool) ([]byte, error) {
	if !enc {
		return d.readBytes(n)
	}
	if n == encLZF {
		d.stats.lzfStrings++
		return d.readLZF()
	}
	d.stats.intStrings++
	switch n {
	case encInt8:
		b, err := d.rd.byte()
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int8(b)), 10), nil
	case encInt16:
		p, err := d.rd.next(2)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(p))), 10), nil
	case encInt32:
		p, err := d.rd.next(4)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(p))), 10), nil
	}
	return nil, d.corrupt("unknown string encoding %d", n)
}

// readBytes reads n raw bytes into a new slice. Beyond stringChunk the
// slice grows as data arrives, so a lying length costs no more memory than
// the bytes that back it.
func (d *Decoder) readBytes(n uint64) ([]byte, error) {
	if n > maxLen {
		return nil, d.corrupt("string length %d out of range", n)
	}
	if n <= stringChunk {
		b := make([]byte, n)
		if err := d.rd.readFull(b); err != nil {
			return nil, err
		}
		return b, nil
	}
	b := make([]byte, 0, stringChunk)
	for rest := int(n); rest > 0; {
		if len(b) == cap(b) {
			grown := make([]byte, len(b), min(2*cap(b), int(n)))
			copy(grown, b)
			b = grown
		}
		k := min(rest, cap(b)-len(b))
		if err := d.rd.readFull(b[len(b) : len(b)+k]); err != nil {
			return nil, err
		}
		b = b[:len(b)+k]
		rest -= k
	}
	return b, nil
}

// readLZF reads an LZF string: compressed length, length, data.
func (d *Decoder) readLZF() ([]byte, error) {
	return d.appendLZF(nil, nil)
}

// appendLZF reads an LZF string and appends prefix and then its bytes to
// dst[:0], growing dst (to exactly the size needed when it must allocate).
func (d *Decoder) appendLZF(dst, prefix []byte) ([]byte, error) {
	clen, err := d.readLen()
	if err != nil {
		return nil, err
	}
	ulen, err := d.readLen()
	if err != nil {
		return nil, err
	}
	if clen > maxLen || ulen > maxLen {
		return nil, d.corrupt("LZF lengths %d/%d out of range", clen, ulen)
	}
	if ulen > clen*lzfMaxRatio {
		return nil, d.corrupt("LZF string of %d bytes cannot expand to the declared %d", clen, ulen)
	}
	var in []byte
	if clen <= stringChunk {
		if uint64(cap(d.scratch)) < clen {
			d.scratch = make([]byte, clen)
		}
		in = d.scratch[:clen]
		if err := d.rd.readFull(in); err != nil {
			return nil, err
		}
	} else if in, err = d.readBytes(clen); err != nil {
		return nil, err
	}
	n := len(prefix)
	if uint64(cap(dst)) < uint64(n)+ulen {
		dst = make([]byte, 0, uint64(n)+ulen)
	}
	dst = append(dst[:0], prefix...)[:uint64(n)+ulen]
	if err := lzfDecompress(in, dst[n:]); err != nil {
		return nil, d.corrupt("%v", err)
	}
	return dst, nil
}

// skipString reads past a string without keeping it.
func (d *Decoder) skipString() error {
	n, enc, err := d.readLenEnc()
	if err != nil {
		return err
	}
	if !enc {
		return d.rd.skip(n)
	}
	switch n {
	case encInt8:
		return d.rd.skip(1)
	case encInt16:
		return d.rd.skip(2)
	case encInt32:
		return d.rd.skip(4)
	case encLZF:
		_, err := d.readLZF()
		return err
	}
	return d.corrupt("unknown string encoding %d", n)
}

// readBinaryDouble reads an 8-byte little-endian IEEE 754 double (zset2).
func (d *Decoder) readBinaryDouble() (float64, error) {
	p, err := d.rd.next(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p)), nil
}

// readASCIIDouble reads an old-format score: a length byte, where 253, 254
// and 255 stand for NaN, +inf and -inf, then that many ASCII characters.
func (d *Decoder) readASCIIDouble() (float64, error) {
	n, err := d.rd.byte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := d.rd.next(int(n))
	if err != nil {
		return 0, err
	}
	f, ok := parseScore(p)
	if !ok {
		return 0, d.corrupt("bad score %q", p)
	}
	return f, nil
}

// parseScore parses a score written in decimal as strtod would accept it
// from Redis: out-of-range values saturate to ±inf or 0.
func parseScore(p []byte) (float64, bool) {
	f, err := strconv.ParseFloat(string(p), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}
