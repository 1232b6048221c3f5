package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// DumpVersion is the RDB version Redis 7.0 writes into DUMP payloads and
// the highest one its RESTORE accepts.
const DumpVersion = 10

// The value types a DUMP payload of Redis 7.0 starts with.
const (
	DumpString        = rdbString
	DumpSet           = rdbSet
	DumpHash          = rdbHash
	DumpZSet2         = rdbZSet2
	DumpSetIntset     = rdbSetIntset
	DumpHashListpack  = rdbHashListpack
	DumpZSetListpack  = rdbZSetListpack
	DumpListQuicklist = rdbListQuicklist2
	DumpStream        = rdbStream2
	// DumpStreamV1 is Redis 5–6's stream type, which RESTORE still reads.
	DumpStreamV1 = rdbStreamListpacks
)

// ErrDumpPayload is a DUMP payload whose footer (RDB version, CRC-64)
// does not check out.
var ErrDumpPayload = errors.New("rdb: DUMP payload version or checksum are wrong")

// Dump builds a DUMP payload as Redis 7.0.15's createDumpPayload does:
// the value type byte, the value as rdbSaveObject writes it, then the RDB
// version and a CRC-64 of everything before it, both little-endian.
type Dump struct {
	b        []byte
	compress bool
	lzf      *lzfCompressor
	lzfOut   []byte
}

// NewDump starts a payload for a value of RDB type t. compress is the
// rdbcompression setting (LZF for strings over 20 bytes).
func NewDump(t byte, compress bool) *Dump { return &Dump{b: []byte{t}, compress: compress} }

// Len appends a length (rdbSaveLen).
func (d *Dump) Len(n uint64) { d.b = appendLen(d.b, n) }

// String appends a string as rdbSaveRawString does: an integer encoding
// for short canonical decimals in the int32 range, LZF when it saves at
// least 4 bytes, else a length and the bytes.
func (d *Dump) String(s []byte) {
	if len(s) <= 11 {
		if v, ok := parseCanonicalInt(s); ok {
			var fits bool
			if d.b, fits = appendIntEncoded(d.b, v); fits {
				return
			}
		}
	}
	if d.compress && len(s) > 20 {
		if d.lzf == nil {
			d.lzf = new(lzfCompressor)
		}
		limit := len(s) - 4
		if cap(d.lzfOut) < limit {
			d.lzfOut = make([]byte, limit)
		}
		if n := d.lzf.compress(s, d.lzfOut[:limit]); n > 0 {
			d.b = append(d.b, lenEncVal<<6|encLZF)
			d.b = appendLen(d.b, uint64(n))
			d.b = appendLen(d.b, uint64(len(s)))
			d.b = append(d.b, d.lzfOut[:n]...)
			return
		}
	}
	d.b = appendLen(d.b, uint64(len(s)))
	d.b = append(d.b, s...)
}

// Double appends a sorted-set score in binary (RDB_TYPE_ZSET_2).
func (d *Dump) Double(f float64) {
	d.b = binary.LittleEndian.AppendUint64(d.b, math.Float64bits(f))
}

// Bytes appends the footer and returns the payload.
func (d *Dump) Bytes() []byte {
	d.b = binary.LittleEndian.AppendUint16(d.b, DumpVersion)
	return binary.LittleEndian.AppendUint64(d.b, Checksum(d.b))
}

// VerifyDump checks a payload's footer as Redis's verifyDumpPayload does.
func VerifyDump(p []byte) error {
	if len(p) < 10 {
		return ErrDumpPayload
	}
	footer := p[len(p)-10:]
	if v := binary.LittleEndian.Uint16(footer); v > DumpVersion {
		return ErrDumpPayload
	}
	if binary.LittleEndian.Uint64(footer[2:]) != Checksum(p[:len(p)-8]) {
		return ErrDumpPayload
	}
	return nil
}

// DecodeDumpValue decodes the value of a verified DUMP payload of one of
// the types this package reads. Like Redis's RESTORE it reads from the
// whole payload, so a value may run into the footer; what follows the
// value is not looked at. An empty collection is an error, as it is for
// Redis.
func DecodeDumpValue(body []byte) (*Entry, error) {
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: empty payload", ErrCorrupt)
	}
	// Give the value an empty key and decode it as a key of an RDB file.
	framed := make([]byte, 0, len(body)+1)
	framed = append(framed, body[0], 0)
	framed = append(framed, body[1:]...)
	d := NewDecoder(bytes.NewReader(framed))
	d.version = DumpVersion
	t, err := d.rd.byte()
	if err != nil {
		return nil, err
	}
	en, err := d.readKeyValue(t)
	if err != nil {
		return nil, err
	}
	if en == nil {
		return nil, fmt.Errorf("%w: empty collection", ErrCorrupt)
	}
	en.Key = nil
	en.ExpireAt = -1
	return en, nil
}

// Listpack builds a listpack (listpack.c) by appending elements: an
// element that is a canonical int64 is stored as an integer of the
// smallest width, any other as a string.
type Listpack struct {
	b []byte
	n int
}

// NewListpack returns an empty listpack.
func NewListpack() *Listpack { return &Listpack{b: make([]byte, 6, 64)} }

// Len returns the number of elements.
func (lp *Listpack) Len() int { return lp.n }

// Size returns the listpack's size in bytes with its end byte.
func (lp *Listpack) Size() int { return len(lp.b) + 1 }

// EntrySize returns the bytes ele takes as an element (encoding, data
// and back-length), as Append would write it.
func EntrySize(ele []byte) int {
	if v, ok := parseCanonicalInt(ele); ok {
		return IntEntrySize(v)
	}
	n := len(ele)
	switch {
	case n < 64:
		n++
	case n < 4096:
		n += 2
	default:
		n += 5
	}
	return n + lpBacklenSize(n)
}

// IntEntrySize returns the bytes the integer v takes as an element: its
// encoding of the smallest width (lpEncodeInt) and a one-byte back-length.
func IntEntrySize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 1 + 1
	case v >= -4096 && v <= 4095:
		return 2 + 1
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return 3 + 1
	case v >= -8388608 && v <= 8388607:
		return 4 + 1
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return 5 + 1
	}
	return 9 + 1
}

// Append adds ele at the end.
func (lp *Listpack) Append(ele []byte) {
	start := len(lp.b)
	lp.b = lpEncode(lp.b, ele)
	lp.b = lpAppendBacklen(lp.b, uint64(len(lp.b)-start))
	lp.n++
}

// AppendScore adds a sorted-set score as zzlInsertAt stores it: the text
// of d2string, an integer when that text is one.
func (lp *Listpack) AppendScore(f float64) {
	lp.Append(AppendD2String(nil, f))
}

// Bytes returns the finished listpack: header (total bytes, element count
// or 65535 when unknown) and end byte.
func (lp *Listpack) Bytes() []byte {
	out := append(lp.b, 0xFF)
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	binary.LittleEndian.PutUint16(out[4:], uint16(min(lp.n, 65535)))
	return out
}

// lpEncode appends ele's encoding and data (lpEncodeGetType).
func lpEncode(b, ele []byte) []byte {
	if v, ok := parseCanonicalInt(ele); ok {
		return lpEncodeInt(b, v)
	}
	n := len(ele)
	switch {
	case n < 64:
		b = append(b, 0x80|byte(n))
	case n < 4096:
		b = append(b, 0xE0|byte(n>>8), byte(n))
	default:
		b = append(b, 0xF0)
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	return append(b, ele...)
}

// lpEncodeInt is lpEncodeIntegerGetType.
func lpEncodeInt(b []byte, v int64) []byte {
	u := uint64(v)
	switch {
	case v >= 0 && v <= 127:
		return append(b, byte(v))
	case v >= -4096 && v <= 4095:
		u &= 1<<13 - 1
		return append(b, byte(u>>8)|0xC0, byte(u))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(b, 0xF1, byte(u), byte(u>>8))
	case v >= -8388608 && v <= 8388607:
		return append(b, 0xF2, byte(u), byte(u>>8), byte(u>>16))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		b = append(b, 0xF3)
		return binary.LittleEndian.AppendUint32(b, uint32(u))
	}
	b = append(b, 0xF4)
	return binary.LittleEndian.AppendUint64(b, u)
}

// lpAppendBacklen is lpEncodeBacklen: l in 7-bit groups, most
// significant first, every byte but the first with the top bit set.
func lpAppendBacklen(b []byte, l uint64) []byte {
	n := lpBacklenSize(int(l))
	for i := n - 1; i >= 0; i-- {
		c := byte(l >> (7 * uint(i)) & 127)
		if i != n-1 {
			c |= 128
		}
		b = append(b, c)
	}
	return b
}

// AppendD2String renders a double as Redis 7.0's d2string: "nan", "inf",
// "-inf", "0", "-0", an integer when the value is integral within
// ±LLONG_MAX/2, else "%.17g".
func AppendD2String(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	const limit = float64(math.MaxInt64 / 2)
	if f >= -limit && f <= limit && f == math.Trunc(f) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return AppendG17(dst, f)
}

// AppendG17 appends f as C's printf("%.17g") writes it (-0 as "-0").
func AppendG17(dst []byte, f float64) []byte {
	s := strconv.FormatFloat(f, 'e', 16, 64)
	mant, exp := s, 0
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == 'e' {
			mant = s[:i]
			exp, _ = strconv.Atoi(s[i+1:])
			break
		}
	}
	if exp < -4 || exp >= 17 {
		dst = append(dst, trimFracZeros(mant)...)
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	return append(dst, trimFracZeros(strconv.FormatFloat(f, 'f', 16-exp, 64))...)
}

// trimFracZeros drops trailing zeros of a fraction, and its point.
func trimFracZeros(s string) string {
	hasDot := false
	for i := 0; i < len(s); i++ {
		hasDot = hasDot || s[i] == '.'
	}
	if !hasDot {
		return s
	}
	i := len(s)
	for i > 0 && s[i-1] == '0' {
		i--
	}
	if i > 0 && s[i-1] == '.' {
		i--
	}
	return s[:i]
}
