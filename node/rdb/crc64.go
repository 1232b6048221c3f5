package rdb

import "hash/crc64"

// jonesPoly is the Jones CRC-64 polynomial 0xad93d23594c935a9 in the
// bit-reversed form hash/crc64 expects.
const jonesPoly = 0x95ac9329ac4bc9b5

// jonesTable is the lookup table for jonesPoly; like crc64's predefined
// tables it is computed once and never changes.
var jonesTable = crc64.MakeTable(jonesPoly)

// crcUpdate extends a Redis CRC-64 (reflected Jones, init 0, no final xor)
// with p. hash/crc64 inverts the value on the way in and on the way out;
// inverting around the call cancels both inversions.
func crcUpdate(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, jonesTable, p)
}

// Checksum returns the Redis CRC-64 of p, as stored at the end of an RDB
// file over all the bytes before it.
func Checksum(p []byte) uint64 { return crcUpdate(0, p) }
