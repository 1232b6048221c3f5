package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Ziplist layout (Redis <= 6.2 ziplist.c; integers little-endian):
//
//	<zlbytes uint32> <zltail uint32> <zllen uint16, 65535 = unknown> <entries> 0xFF
//
// An entry is <prevlen> <encoding> <data>. prevlen is the previous entry's
// size: one byte below 254, else 0xFE and 4 bytes. Encodings:
//
//	00LLLLLL                      string up to 63 bytes
//	01LLLLLL LLLLLLLL             string up to 16383 bytes (14 bits, big-endian)
//	10______ <4 bytes BE len>     longer string
//	0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8
//	0xF1..0xFD                    immediate 0..12 (low nibble minus 1)
const (
	zlHeaderSize = 10
	zlEnd        = 0xFF
)

var errZlTruncated = errors.New("ziplist entry overruns the blob")

// appendZiplist appends the ziplist's entries to dst, strings as sub-slices
// of blob (capacity clipped) and integers in decimal. Like Redis's deep
// integrity check it verifies zlbytes, zltail, zllen and every prevlen.
func appendZiplist(dst [][]byte, blob []byte) ([][]byte, error) {
	if len(blob) < zlHeaderSize+1 {
		return nil, fmt.Errorf("ziplist of %d bytes is shorter than its header", len(blob))
	}
	if n := binary.LittleEndian.Uint32(blob); int64(n) != int64(len(blob)) {
		return nil, fmt.Errorf("ziplist header says %d bytes, the blob has %d", n, len(blob))
	}
	if blob[len(blob)-1] != zlEnd {
		return nil, errors.New("ziplist does not end with 0xFF")
	}
	tail := int64(binary.LittleEndian.Uint32(blob[4:]))
	declared := int(binary.LittleEndian.Uint16(blob[8:]))
	end := len(blob) - 1
	p, prevSize, last, count := zlHeaderSize, 0, zlHeaderSize, 0
	for p < end {
		elem, size, err := zlEntry(blob[:end], p, prevSize)
		if err != nil {
			return nil, fmt.Errorf("ziplist entry %d at offset %d: %w", count, p, err)
		}
		dst = append(dst, elem)
		last = p
		prevSize = size
		p += size
		count++
	}
	if tail != int64(last) {
		return nil, fmt.Errorf("ziplist tail offset %d, last entry at %d", tail, last)
	}
	if declared != 65535 && declared != count {
		return nil, fmt.Errorf("ziplist header counts %d entries, found %d", declared, count)
	}
	return dst, nil
}

// zlEntry decodes the entry at blob[p:], whose predecessor is prevSize
// bytes, and returns its value and its total size.
func zlEntry(blob []byte, p, prevSize int) ([]byte, int, error) {
	q := p
	if blob[q] < 0xFE {
		if int(blob[q]) != prevSize {
			return nil, 0, fmt.Errorf("prevlen %d, previous entry is %d bytes", blob[q], prevSize)
		}
		q++
	} else {
		if blob[q] == zlEnd || q+5 > len(blob) {
			return nil, 0, errZlTruncated
		}
		if v := binary.LittleEndian.Uint32(blob[q+1:]); int64(v) != int64(prevSize) {
			return nil, 0, fmt.Errorf("prevlen %d, previous entry is %d bytes", v, prevSize)
		}
		q += 5
	}
	if q >= len(blob) {
		return nil, 0, errZlTruncated
	}
	enc := blob[q]
	var hdr, n int
	switch enc >> 6 {
	case 0:
		hdr, n = 1, int(enc&0x3f)
	case 1:
		if q+2 > len(blob) {
			return nil, 0, errZlTruncated
		}
		hdr, n = 2, int(enc&0x3f)<<8|int(blob[q+1])
	case 2:
		if q+5 > len(blob) {
			return nil, 0, errZlTruncated
		}
		l := binary.BigEndian.Uint32(blob[q+1:])
		if uint64(l) > uint64(len(blob)) {
			return nil, 0, errZlTruncated
		}
		hdr, n = 5, int(l)
	default:
		return zlInt(blob, p, q, enc)
	}
	start := q + hdr
	if start+n > len(blob) {
		return nil, 0, errZlTruncated
	}
	return blob[start : start+n : start+n], start + n - p, nil
}

// zlInt decodes the integer entry whose encoding byte enc is at blob[q].
func zlInt(blob []byte, p, q int, enc byte) ([]byte, int, error) {
	var w int
	switch {
	case enc == 0xC0:
		w = 2
	case enc == 0xD0:
		w = 4
	case enc == 0xE0:
		w = 8
	case enc == 0xF0:
		w = 3
	case enc == 0xFE:
		w = 1
	case enc >= 0xF1 && enc <= 0xFD:
		return strconv.AppendInt(nil, int64(enc&0x0f)-1, 10), q + 1 - p, nil
	default:
		return nil, 0, fmt.Errorf("invalid ziplist encoding byte 0x%02x", enc)
	}
	if q+1+w > len(blob) {
		return nil, 0, errZlTruncated
	}
	v := leSigned(blob[q+1 : q+1+w])
	return strconv.AppendInt(nil, v, 10), q + 1 + w - p, nil
}

// Zipmap layout (Redis <= 2.4 hashes):
//
//	<zmlen 1 byte, 254+ = unknown> (<len>key<len><free>value<free bytes>)* 0xFF
//
// A len is one byte below 254, else 254 and a 4-byte little-endian length.
// free is one byte: unused bytes after the value.
const (
	zmBigLen = 254
	zmEnd    = 0xFF
)

var errZmTruncated = errors.New("zipmap entry overruns the blob")

// parseZipmap decodes a zipmap into hash fields that share blob.
func parseZipmap(blob []byte) ([]HashField, error) {
	if len(blob) < 2 {
		return nil, fmt.Errorf("zipmap of %d bytes is too short", len(blob))
	}
	declared := int(blob[0])
	p := 1
	var out []HashField
	for {
		if p >= len(blob) {
			return nil, errors.New("zipmap does not end with 0xFF")
		}
		if blob[p] == zmEnd {
			break
		}
		k, q, err := zmString(blob, p, false)
		if err != nil {
			return nil, err
		}
		v, q, err := zmString(blob, q, true)
		if err != nil {
			return nil, err
		}
		out = append(out, HashField{Field: k, Value: v})
		p = q
	}
	if p != len(blob)-1 {
		return nil, fmt.Errorf("zipmap has %d bytes after its end marker", len(blob)-1-p)
	}
	if declared < zmBigLen && declared != len(out) {
		return nil, fmt.Errorf("zipmap header counts %d entries, found %d", declared, len(out))
	}
	return out, nil
}

// zmString reads a length-prefixed string at blob[p:]; a value also has a
// free byte and that many padding bytes. It returns the offset after it.
func zmString(blob []byte, p int, value bool) ([]byte, int, error) {
	if p >= len(blob) {
		return nil, 0, errZmTruncated
	}
	n := int(blob[p])
	p++
	switch {
	case n == zmEnd:
		return nil, 0, errors.New("zipmap ends between a field and its value")
	case n == zmBigLen:
		if p+4 > len(blob) {
			return nil, 0, errZmTruncated
		}
		l := binary.LittleEndian.Uint32(blob[p:])
		if uint64(l) > uint64(len(blob)) {
			return nil, 0, errZmTruncated
		}
		n = int(l)
		p += 4
	}
	free := 0
	if value {
		if p >= len(blob) {
			return nil, 0, errZmTruncated
		}
		free = int(blob[p])
		p++
	}
	if p+n+free > len(blob) {
		return nil, 0, errZmTruncated
	}
	return blob[p : p+n : p+n], p + n + free, nil
}
