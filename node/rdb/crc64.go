package rdb

import "encoding/binary"

// jonesPoly is the Jones CRC-64 polynomial 0xad93d23594c935a9 in its
// bit-reversed form.
const jonesPoly = 0x95ac9329ac4bc9b5

// jonesTables are the slicing-by-8 tables of the reflected Jones CRC-64,
// as Redis's crc64.c uses them: jonesTables[0] is the byte-at-a-time
// table, jonesTables[k][b] the CRC of byte b followed by k zero bytes.
// They are computed once and never change. (hash/crc64 has slicing tables
// only for its own polynomials: for any other it rebuilt them on every
// call over 2 KB, and went byte by byte below that.)
var jonesTables = func() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := range 256 {
		crc := uint64(i)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ jonesPoly
			} else {
				crc >>= 1
			}
		}
		t[0][i] = crc
	}
	for i := range 256 {
		crc := t[0][i]
		for k := 1; k < 8; k++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[k][i] = crc
		}
	}
	return t
}()

// crcUpdate extends a Redis CRC-64 (reflected Jones, init 0, no final xor)
// with p.
func crcUpdate(crc uint64, p []byte) uint64 {
	t := jonesTables
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return crc
}

// Checksum returns the Redis CRC-64 of p, as stored at the end of an RDB
// file over all the bytes before it.
func Checksum(p []byte) uint64 { return crcUpdate(0, p) }
