// Package rdb encodes and decodes Redis RDB files, the snapshot format that
// SAVE/BGSAVE write and that a master streams to a replica in a full sync.
//
// The package is pure: it reads from an io.Reader and writes to an
// io.Writer, starts no goroutines and never reads the clock.
//
// # Writing
//
// The Encoder writes RDB version 9 (Redis 5.0 and later, and every Valkey,
// can load it) using only the plain value types: string (0), list (1),
// set (2), hash (4), sorted set with binary scores (5) and intset (11). It
// uses the same string encodings as Redis: strings that are canonical
// decimals in the int32 range become 1, 2 or 4 byte integers, and with
// EncoderOptions.Compress strings over 20 bytes are LZF-compressed when that
// saves at least 4 bytes. The file ends with the EOF opcode and a CRC-64
// (Jones polynomial, reflected, init 0, no final xor) over everything
// before it. Values are streamed element by element (BeginObject, String,
// Double) so a large collection never needs an intermediate copy.
//
// # Reading
//
// The Decoder reads RDB versions 1 to 12 (Redis 1.x to 7.4, Valkey up to
// 8.x). It decodes:
//
//   - string encodings: raw, int8/int16/int32, LZF;
//   - value types 0 string, 1 list, 2 set, 3 sorted set with ASCII scores,
//     4 hash, 5 sorted set with binary scores, 9 zipmap hash, 10 ziplist
//     list, 11 intset, 12 ziplist sorted set, 13 ziplist hash, 14 quicklist
//     of ziplists, 16 listpack hash, 17 listpack sorted set, 18 quicklist of
//     listpacks or plain nodes, 20 listpack set;
//   - opcodes AUX, RESIZEDB, EXPIRETIME_MS, EXPIRETIME (seconds), SELECTDB,
//     IDLE, FREQ, SLOT_INFO, FUNCTION2 and the 7.0-rc FUNCTION (both
//     skipped), MODULE_AUX (parsed and skipped) and EOF with its checksum
//     (a stored checksum of 0 means "not computed" and is accepted, as
//     Redis does; files older than version 5 have none).
//
// Streams (15, 19 and 21) decode into Entry.Stream, node by node (see
// stream.go); the Encoder writes them as type 19, as Redis 7.0 does.
// Module values (6, 7) and hashes with field expiration (22-25) are
// reported with an error wrapping ErrUnsupportedType that names the key.
// Type-7 module values and field-expiry hashes are parsed and skipped, so
// Next can be called again; a type-6 module value cannot be skipped and
// ends decoding.
//
// Like Redis, the Decoder silently skips keys whose collection is empty,
// rejects NaN sorted-set scores, and turns integer entries of ziplists,
// listpacks and intsets into their decimal string form.
//
// Corrupt input yields an error wrapping ErrCorrupt; it never panics and
// never allocates much more than the input backs: collection lengths only
// bound preallocation by a small cap, long strings grow as their bytes
// arrive, and an LZF string may declare at most 88 times its compressed
// size (the largest expansion LZF can encode).
package rdb
