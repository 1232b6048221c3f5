package rdb

import "encoding/binary"

// Length and string encodings shared by the Encoder and the Decoder.
//
//	00LLLLLL                      length 0..63
//	01LLLLLL LLLLLLLL             length 64..16383 (14 bits, big-endian)
//	10000000 <4 bytes BE>         length up to 2^32-1
//	10000001 <8 bytes BE>         longer lengths
//	11EEEEEE                      a specially encoded string follows:
//	                              E=0 int8, 1 int16 LE, 2 int32 LE,
//	                              3 LZF (compressed length, length, data)
const (
	len6Bit   = 0
	len14Bit  = 1
	len32Bit  = 0x80
	len64Bit  = 0x81
	lenEncVal = 3

	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// appendLen appends n in Redis's length encoding, using the shortest form
// as rdbSaveLen does.
func appendLen(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n))
	case n < 1<<14:
		return append(b, byte(n>>8)|len14Bit<<6, byte(n))
	case n <= 1<<32-1:
		b = append(b, len32Bit)
		return binary.BigEndian.AppendUint32(b, uint32(n))
	default:
		b = append(b, len64Bit)
		return binary.BigEndian.AppendUint64(b, n)
	}
}

// parseCanonicalInt reports whether s is the canonical decimal form of an
// int64, the test Redis's string2ll plus ll2string round trip applies
// before storing a string as an integer: no sign other than a leading '-',
// no leading zeros, no "-0", no spaces, at most 20 bytes.
func parseCanonicalInt(s []byte) (int64, bool) {
	n := len(s)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && s[0] == '0' {
		return 0, true
	}
	neg := false
	i := 0
	if s[0] == '-' {
		neg = true
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if s[i] < '1' || s[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return int64(-v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// appendIntEncoded appends v as an int8/16/32 special string encoding and
// reports whether v fits one (rdbEncodeInteger).
func appendIntEncoded(b []byte, v int64) ([]byte, bool) {
	switch {
	case v >= -1<<7 && v <= 1<<7-1:
		return append(b, lenEncVal<<6|encInt8, byte(v)), true
	case v >= -1<<15 && v <= 1<<15-1:
		return append(b, lenEncVal<<6|encInt16, byte(v), byte(v>>8)), true
	case v >= -1<<31 && v <= 1<<31-1:
		return append(b, lenEncVal<<6|encInt32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)), true
	}
	return b, false
}
