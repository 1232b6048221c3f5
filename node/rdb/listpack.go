package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Listpack layout (Redis 7 listpack.c):
//
//	<total bytes uint32 LE> <count uint16 LE, 65535 = unknown> <entries> 0xFF
//
// Each entry is an encoding with its data, then a back-length: the size of
// encoding+data in 1 to 5 bytes of 7 bits each, read right to left.
//
//	0xxxxxxx                       7-bit unsigned int
//	10LLLLLL <L bytes>             string up to 63 bytes
//	110xxxxx xxxxxxxx              13-bit signed int
//	1110LLLL LLLLLLLL <L bytes>    string up to 4095 bytes
//	11110000 <4 bytes LE len> ...  string up to 2^32-1 bytes
//	11110001/2/3/4 <2/3/4/8 bytes> int16/int24/int32/int64 LE
const (
	lpHeaderSize = 6
	lpEOF        = 0xFF
)

var errLpTruncated = errors.New("listpack entry overruns the blob")

// appendListpack appends the listpack's entries to dst, strings as
// sub-slices of blob (capacity clipped) and integers in decimal.
func appendListpack(dst [][]byte, blob []byte) ([][]byte, error) {
	if len(blob) < lpHeaderSize+1 {
		return nil, fmt.Errorf("listpack of %d bytes is shorter than its header", len(blob))
	}
	if total := binary.LittleEndian.Uint32(blob); int64(total) != int64(len(blob)) {
		return nil, fmt.Errorf("listpack header says %d bytes, the blob has %d", total, len(blob))
	}
	if blob[len(blob)-1] != lpEOF {
		return nil, errors.New("listpack does not end with 0xFF")
	}
	declared := int(binary.LittleEndian.Uint16(blob[4:]))
	end := len(blob) - 1
	p := lpHeaderSize
	count := 0
	for p < end {
		elem, size, err := lpEntry(blob[:end], p)
		if err != nil {
			return nil, fmt.Errorf("listpack entry %d at offset %d: %w", count, p, err)
		}
		bl := lpBacklenSize(size)
		if p+size+bl > end {
			return nil, fmt.Errorf("listpack entry %d at offset %d: %w", count, p, errLpTruncated)
		}
		if got := lpDecodeBacklen(blob[p+size : p+size+bl]); got != uint64(size) {
			return nil, fmt.Errorf("listpack entry %d at offset %d: back-length %d, entry is %d bytes", count, p, got, size)
		}
		dst = append(dst, elem)
		p += size + bl
		count++
	}
	if declared != 65535 && declared != count {
		return nil, fmt.Errorf("listpack header counts %d entries, found %d", declared, count)
	}
	return dst, nil
}

// lpEntry decodes the entry at blob[p:] and returns its value and the size
// of its encoding and data (without the back-length).
func lpEntry(blob []byte, p int) (elem []byte, size int, err error) {
	b := blob[p]
	switch {
	case b&0x80 == 0: // 7-bit uint
		return strconv.AppendInt(nil, int64(b), 10), 1, nil
	case b&0xC0 == 0x80: // 6-bit string
		return lpStr(blob, p, 1, int(b&0x3f))
	case b&0xE0 == 0xC0: // 13-bit int
		if p+2 > len(blob) {
			return nil, 0, errLpTruncated
		}
		v := int64(b&0x1f)<<8 | int64(blob[p+1])
		if v >= 1<<12 {
			v -= 1 << 13
		}
		return strconv.AppendInt(nil, v, 10), 2, nil
	case b&0xF0 == 0xE0: // 12-bit string
		if p+2 > len(blob) {
			return nil, 0, errLpTruncated
		}
		return lpStr(blob, p, 2, int(b&0x0f)<<8|int(blob[p+1]))
	}
	switch b {
	case 0xF0: // 32-bit string
		if p+5 > len(blob) {
			return nil, 0, errLpTruncated
		}
		n := binary.LittleEndian.Uint32(blob[p+1:])
		if uint64(n) > uint64(len(blob)) {
			return nil, 0, errLpTruncated
		}
		return lpStr(blob, p, 5, int(n))
	case 0xF1, 0xF2, 0xF3, 0xF4:
		w := [...]int{2, 3, 4, 8}[b-0xF1]
		if p+1+w > len(blob) {
			return nil, 0, errLpTruncated
		}
		v := leSigned(blob[p+1 : p+1+w])
		return strconv.AppendInt(nil, v, 10), 1 + w, nil
	}
	return nil, 0, fmt.Errorf("invalid listpack encoding byte 0x%02x", b)
}

// lpStr returns the string of n bytes after a hdr-byte header at p.
func lpStr(blob []byte, p, hdr, n int) ([]byte, int, error) {
	start := p + hdr
	if start+n > len(blob) {
		return nil, 0, errLpTruncated
	}
	return blob[start : start+n : start+n], hdr + n, nil
}

// leSigned reads a little-endian two's complement integer of len(p) bytes.
func leSigned(p []byte) int64 {
	var u uint64
	for i := len(p) - 1; i >= 0; i-- {
		u = u<<8 | uint64(p[i])
	}
	shift := 64 - 8*uint(len(p))
	return int64(u<<shift) >> shift
}

// lpBacklenSize is the size of the back-length of an entry of l bytes, with
// the thresholds of lpEncodeBacklen.
func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// lpDecodeBacklen decodes a back-length stored in p, whose last byte holds
// the lowest 7 bits; every byte but the first has its high bit set.
func lpDecodeBacklen(p []byte) uint64 {
	var v uint64
	shift := uint(0)
	for i := len(p) - 1; i >= 0; i-- {
		v |= uint64(p[i]&127) << shift
		if p[i]&128 == 0 {
			if i != 0 {
				return 1<<64 - 1 // ends early: does not match the size
			}
			break
		}
		shift += 7
	}
	return v
}
