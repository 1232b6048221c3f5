package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// encoderBufSize is the size at which the Encoder's output buffer is
// flushed; strings at least this long bypass it. The buffer starts at
// encoderMinBuf and grows as needed.
const (
	encoderBufSize = 64 << 10
	encoderMinBuf  = 4 << 10
)

// EncoderOptions tune the Encoder.
type EncoderOptions struct {
	// Compress LZF-compresses strings longer than 20 bytes when that saves
	// at least 4 bytes, as Redis does with rdbcompression yes.
	Compress bool
}

// Encoder writes an RDB version 9 file. It buffers its output and keeps a
// running CRC-64 of everything written; End writes the checksum.
//
// A file is Header, any Aux fields, then for each database SelectDB and its
// keys, then End. A key is written either whole (WriteEntry, IntSet) or
// streamed: BeginObject followed by exactly the elements it announced
// (String for strings, lists and sets; String, String per hash field;
// String, Double per sorted-set member). The Encoder checks that count.
//
// Errors are sticky: after the first one every method returns it.
type Encoder struct {
	w       io.Writer
	opt     EncoderOptions
	buf     []byte
	crc     uint64 // CRC of the bytes already handed to w
	flushed int64  // bytes already handed to w
	err     error
	ended   bool

	// The object being streamed.
	objType   Type
	remaining int  // elements still to come
	wantScore bool // zset: the next element is a Double

	lzf    *lzfCompressor
	lzfOut []byte
	ints   []int64
	scr    []byte
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer, opt EncoderOptions) *Encoder {
	return &Encoder{w: w, opt: opt, buf: make([]byte, 0, encoderMinBuf)}
}

// errIncomplete reports a new top-level item while a streamed object still
// expects elements.
var errIncomplete = errors.New("rdb: encoder: the previous object is incomplete")

func (e *Encoder) ready() error {
	if e.err != nil {
		return e.err
	}
	if e.ended {
		return e.fail(errors.New("rdb: encoder: write after End"))
	}
	if e.remaining > 0 {
		return e.fail(fmt.Errorf("%w: %d elements missing", errIncomplete, e.remaining))
	}
	return nil
}

func (e *Encoder) fail(err error) error {
	if e.err == nil {
		e.err = err
	}
	return e.err
}

// Header writes the magic string "REDIS0009".
func (e *Encoder) Header() error {
	if err := e.ready(); err != nil {
		return err
	}
	e.buf = append(e.buf, "REDIS0009"...)
	return e.maybeFlush()
}

// Aux writes an AUX field (0xFA). Like Redis, a value that is a canonical
// decimal in the int32 range is stored as an integer.
func (e *Encoder) Aux(key, value string) error {
	if err := e.ready(); err != nil {
		return err
	}
	e.buf = append(e.buf, opAux)
	e.scr = append(e.scr[:0], key...)
	e.appendString(e.scr)
	e.scr = append(e.scr[:0], value...)
	e.appendString(e.scr)
	return e.maybeFlush()
}

// SelectDB writes SELECTDB db followed by the RESIZEDB hint: the number of
// keys in the database and how many of them have a TTL.
func (e *Encoder) SelectDB(db int, keys, expires uint64) error {
	if err := e.ready(); err != nil {
		return err
	}
	if db < 0 {
		return e.fail(fmt.Errorf("rdb: encoder: negative database number %d", db))
	}
	e.buf = append(e.buf, opSelectDB)
	e.buf = appendLen(e.buf, uint64(db))
	e.buf = append(e.buf, opResizeDB)
	e.buf = appendLen(e.buf, keys)
	e.buf = appendLen(e.buf, expires)
	return e.maybeFlush()
}

// typeByte maps a value kind to the plain RDB type written for it.
func typeByte(t Type) (byte, error) {
	switch t {
	case TypeString:
		return rdbString, nil
	case TypeList:
		return rdbList, nil
	case TypeSet:
		return rdbSet, nil
	case TypeZSet:
		return rdbZSet2, nil
	case TypeHash:
		return rdbHash, nil
	}
	return 0, fmt.Errorf("rdb: encoder: unknown value type %d", t)
}

// BeginObject starts a key: EXPIRETIME_MS when expireAt >= 0, the type byte
// (0 string, 1 list, 2 set, 5 zset2, 4 hash), the key and, for collections,
// the element count (fields for a hash, members for a sorted set). For
// TypeString, follow with exactly one String; for collections with the
// elements.
func (e *Encoder) BeginObject(t Type, key []byte, expireAt int64, length int) error {
	if err := e.ready(); err != nil {
		return err
	}
	tb, err := typeByte(t)
	if err != nil {
		return e.fail(err)
	}
	if length < 0 {
		return e.fail(fmt.Errorf("rdb: encoder: key %q: negative length %d", key, length))
	}
	e.beginKey(tb, key, expireAt)
	e.objType = t
	e.wantScore = false
	switch t {
	case TypeString:
		e.remaining = 1
	case TypeHash, TypeZSet:
		e.buf = appendLen(e.buf, uint64(length))
		e.remaining = 2 * length
	default:
		e.buf = appendLen(e.buf, uint64(length))
		e.remaining = length
	}
	return e.maybeFlush()
}

func (e *Encoder) beginKey(tb byte, key []byte, expireAt int64) {
	if expireAt >= 0 {
		e.buf = append(e.buf, opExpireTimeMs)
		e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(expireAt))
	}
	e.buf = append(e.buf, tb)
	e.appendString(key)
}

// String writes one string element of the current object, int-encoded when
// it is a canonical decimal in the int32 range, LZF-compressed when the
// options allow and it pays, raw otherwise.
func (e *Encoder) String(b []byte) error {
	if e.err != nil {
		return e.err
	}
	if e.remaining == 0 {
		return e.fail(errors.New("rdb: encoder: String without an open object"))
	}
	if e.wantScore {
		return e.fail(errors.New("rdb: encoder: sorted set member needs its score (Double) next"))
	}
	e.remaining--
	e.wantScore = e.objType == TypeZSet
	e.appendString(b)
	return e.maybeFlush()
}

// Double writes a sorted-set score as 8 little-endian IEEE 754 bytes
// (zset2). NaN is refused: Redis rejects NaN scores on load.
func (e *Encoder) Double(f float64) error {
	if e.err != nil {
		return e.err
	}
	if !e.wantScore || e.remaining == 0 {
		return e.fail(errors.New("rdb: encoder: Double outside a sorted set member"))
	}
	if math.IsNaN(f) {
		return e.fail(errors.New("rdb: encoder: NaN score"))
	}
	e.remaining--
	e.wantScore = false
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
	return e.maybeFlush()
}

// appendString appends b with the string encoding Redis would choose
// (rdbSaveRawString): an integer encoding for short canonical decimals,
// LZF for long compressible strings, else a length and the bytes.
func (e *Encoder) appendString(b []byte) {
	if len(b) <= 11 {
		if v, ok := parseCanonicalInt(b); ok {
			var fits bool
			if e.buf, fits = appendIntEncoded(e.buf, v); fits {
				return
			}
		}
	}
	e.appendBlob(b)
}

// appendBlob appends b as a raw or LZF string, never int-encoded.
func (e *Encoder) appendBlob(b []byte) {
	if e.opt.Compress && len(b) > 20 && e.appendLZF(b) {
		return
	}
	e.buf = appendLen(e.buf, uint64(len(b)))
	e.appendRaw(b)
}

// appendLZF appends b compressed and reports whether compression saved at
// least 4 bytes (rdbSaveLzfStringObject).
func (e *Encoder) appendLZF(b []byte) bool {
	if e.lzf == nil {
		e.lzf = new(lzfCompressor)
	}
	limit := len(b) - 4
	if cap(e.lzfOut) < limit {
		e.lzfOut = make([]byte, limit, max(limit, 2*cap(e.lzfOut)))
	}
	n := e.lzf.compress(b, e.lzfOut[:limit])
	if n == 0 {
		return false
	}
	e.buf = append(e.buf, lenEncVal<<6|encLZF)
	e.buf = appendLen(e.buf, uint64(n))
	e.buf = appendLen(e.buf, uint64(len(b)))
	e.appendRaw(e.lzfOut[:n])
	return true
}

// appendRaw appends p to the buffer, or writes it straight through when it
// is at least as large as the buffer.
func (e *Encoder) appendRaw(p []byte) {
	if len(e.buf)+len(p) <= encoderBufSize {
		e.buf = append(e.buf, p...)
		return
	}
	if len(p) < encoderBufSize {
		e.flush()
		e.buf = append(e.buf, p...)
		return
	}
	e.flush()
	e.write(p)
}

// maybeFlush writes the buffer out once it is nearly full.
func (e *Encoder) maybeFlush() error {
	if len(e.buf) >= encoderBufSize-512 {
		e.flush()
	}
	return e.err
}

func (e *Encoder) flush() {
	if len(e.buf) == 0 {
		return
	}
	e.write(e.buf)
	e.buf = e.buf[:0]
}

func (e *Encoder) write(p []byte) {
	if e.err != nil {
		return
	}
	e.crc = crcUpdate(e.crc, p)
	n, err := e.w.Write(p)
	e.flushed += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		e.fail(fmt.Errorf("rdb: encoder: write: %w", err))
	}
}

// Flush writes the buffered bytes to the underlying writer without ending
// the file, so a caller can stream the file in chunks.
func (e *Encoder) Flush() error {
	if e.err != nil {
		return e.err
	}
	e.flush()
	return e.err
}

// Written returns the number of bytes encoded so far, buffered or not.
func (e *Encoder) Written() int64 { return e.flushed + int64(len(e.buf)) }

// End writes the EOF opcode and the CRC-64 of the whole file, then flushes.
func (e *Encoder) End() error {
	if err := e.ready(); err != nil {
		return err
	}
	e.buf = append(e.buf, opEOF)
	e.flush()
	if e.err != nil {
		return e.err
	}
	e.buf = binary.LittleEndian.AppendUint64(e.buf, e.crc)
	e.flush()
	e.ended = true
	return e.err
}
