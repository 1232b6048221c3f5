package rdb

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// parseIntset decodes an intset blob:
//
//	<width uint32 LE: 2, 4 or 8> <count uint32 LE> <count sorted ints LE>
//
// Redis requires the size to match exactly, the set to be non-empty and the
// members to be strictly ascending. Members come back in decimal, sharing
// one backing array.
func parseIntset(blob []byte) ([][]byte, error) {
	if len(blob) < 8 {
		return nil, fmt.Errorf("intset of %d bytes is shorter than its header", len(blob))
	}
	width := binary.LittleEndian.Uint32(blob)
	count := binary.LittleEndian.Uint32(blob[4:])
	if width != 2 && width != 4 && width != 8 {
		return nil, fmt.Errorf("intset width %d is not 2, 4 or 8", width)
	}
	if uint64(len(blob)) != 8+uint64(count)*uint64(width) {
		return nil, fmt.Errorf("intset of %d %d-byte members does not fill its %d-byte blob", count, width, len(blob))
	}
	if count == 0 {
		return nil, fmt.Errorf("empty intset")
	}
	w := int(width)
	digits := make([]byte, 0, int(count)*(w*5/2+1))
	ends := make([]int, 0, count)
	prev := int64(0)
	for i := 0; i < int(count); i++ {
		v := leSigned(blob[8+i*w : 8+(i+1)*w])
		if i > 0 && v <= prev {
			return nil, fmt.Errorf("intset members are not strictly ascending at %d", i)
		}
		prev = v
		digits = strconv.AppendInt(digits, v, 10)
		ends = append(ends, len(digits))
	}
	out := make([][]byte, count)
	start := 0
	for i, end := range ends {
		out[i] = digits[start:end:end]
		start = end
	}
	return out, nil
}
