package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Decoder reads an RDB file key by key. It buffers its input, so it may
// read past the end of the file: give it a reader that holds the file only
// (a file, a buffer, an io.LimitReader over a connection).
type Decoder struct {
	rd      *reader
	version int
	started bool
	err     error // sticky: the error that ended decoding, io.EOF at the end
	aux     map[string]string

	db       int
	expireAt int64 // for the next key, -1 when none

	// OnResize, when set, receives each RESIZEDB hint: the number of keys
	// and of keys with a TTL in the database being read. It is only a
	// hint (a file may hold more or fewer keys); loaders use it to size
	// their tables once instead of growing them.
	OnResize func(db int, keys, expires uint64)

	scratch []byte // compressed LZF input
	keyBuf  []byte // a string key while its value's length is read
	stats   decodeStats
}

// decodeStats counts what the Decoder met, so tests can check that a
// fixture really exercises each encoding.
type decodeStats struct {
	types         [256]int // value type bytes
	intStrings    int      // int8/16/32-encoded strings
	lzfStrings    int      // LZF-compressed strings
	plainNodes    int      // quicklist-2 PLAIN nodes
	packedNodes   int      // quicklist-2 PACKED nodes
	zeroChecksum  bool     // the file stored checksum 0
	checksumFound bool     // the file had a checksum (version >= 5)
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{rd: newReader(r), aux: make(map[string]string), expireAt: -1}
}

// Aux returns the AUX fields seen so far (redis-ver, repl-id, repl-offset,
// repl-stream-db, ...). Integer-encoded values appear in decimal.
func (d *Decoder) Aux() map[string]string { return d.aux }

// Read returns the number of bytes consumed so far.
func (d *Decoder) Read() int64 { return d.rd.consumed() }

// Version returns the format version read by Header, or 0 before it.
func (d *Decoder) Version() int { return d.version }

// Header reads the 9-byte magic: "REDIS" and a 4-digit version from 1 to
// 12. A newer version (or Valkey's "VALKEY0NN") is a *VersionError wrapping
// ErrVersion. Next calls Header itself when it has not been called.
func (d *Decoder) Header() (version int, err error) {
	if d.started {
		if d.version == 0 {
			return 0, d.err
		}
		return d.version, nil
	}
	d.started = true
	v, err := d.header()
	if err != nil {
		d.err = err
		return 0, err
	}
	d.version = v
	return v, nil
}

func (d *Decoder) header() (int, error) {
	magic, err := d.rd.next(9)
	if err != nil {
		return 0, fmt.Errorf("rdb: header: %w", err)
	}
	if bytes.HasPrefix(magic, []byte("VALKEY")) {
		if v, err := strconv.Atoi(string(magic[6:])); err == nil {
			return 0, &VersionError{Magic: "VALKEY", Version: v}
		}
	}
	if !bytes.HasPrefix(magic, []byte("REDIS")) {
		return 0, fmt.Errorf("%w: wrong signature %q", ErrCorrupt, magic)
	}
	v, err := strconv.Atoi(string(magic[5:]))
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%w: bad version field %q", ErrCorrupt, magic[5:])
	}
	if v < 1 || v > maxReadVersion {
		return 0, &VersionError{Magic: "REDIS", Version: v}
	}
	return v, nil
}

// Next returns the next key. At the end of the file it verifies the
// checksum (a stored 0 means "not computed" and is accepted) and returns
// io.EOF. A mismatch is an error wrapping ErrChecksum. Errors are final,
// except an *UnsupportedTypeError with Skipped set: Next may then be called
// again for the following key.
func (d *Decoder) Next() (*Entry, error) {
	en := new(Entry)
	if err := d.NextInto(en); err != nil {
		return nil, err
	}
	en.buf = nil // the caller's alone: nothing to reuse
	return en, nil
}

// NextInto is Next filling en, which it resets first. The bytes of a
// string key and value reuse the memory en held from an earlier call,
// so a loader that copies them into its own store and hands en back
// decodes strings without allocating: en.Key and en.Str are valid only
// until en is filled again. Collections are new memory, as with Next.
func (d *Decoder) NextInto(en *Entry) error {
	en.Reset()
	if !d.started {
		if _, err := d.Header(); err != nil {
			return err
		}
	}
	if d.err != nil {
		return d.err
	}
	if err := d.next(en); err != nil {
		var ue *UnsupportedTypeError
		if !errors.As(err, &ue) || !ue.Skipped {
			d.err = err
		}
		return err
	}
	return nil
}

// next fills en with the next key.
func (d *Decoder) next(en *Entry) error {
	for {
		op, err := d.rd.byte()
		if err != nil {
			return err
		}
		switch op {
		case opEOF:
			return d.finish()
		case opSelectDB:
			n, err := d.readLen()
			if err != nil {
				return err
			}
			if n > math.MaxInt32 {
				return d.corrupt("database number %d out of range", n)
			}
			d.db = int(n)
		case opResizeDB:
			keys, err := d.readLen()
			if err != nil {
				return err
			}
			expires, err := d.readLen()
			if err != nil {
				return err
			}
			if d.OnResize != nil {
				d.OnResize(d.db, keys, expires)
			}
		case opAux:
			if err := d.readAux(); err != nil {
				return err
			}
		case opExpireTimeMs:
			p, err := d.rd.next(8)
			if err != nil {
				return err
			}
			d.expireAt = clampExpire(int64(binary.LittleEndian.Uint64(p)))
		case opExpireTime:
			p, err := d.rd.next(4)
			if err != nil {
				return err
			}
			d.expireAt = clampExpire(int64(int32(binary.LittleEndian.Uint32(p))) * 1000)
		case opIdle:
			if err := d.skipLens(1); err != nil {
				return err
			}
		case opFreq:
			if _, err := d.rd.byte(); err != nil {
				return err
			}
		case opSlotInfo:
			if err := d.skipLens(3); err != nil {
				return err
			}
		case opFunction2:
			if err := d.skipString(); err != nil {
				return err
			}
		case opFunctionPre:
			if err := d.skipFunctionPreGA(); err != nil {
				return err
			}
		case opModuleAux:
			if err := d.skipModuleAux(); err != nil {
				return err
			}
		default:
			found, err := d.readKeyValueInto(op, en)
			d.expireAt = -1
			if err != nil || found {
				return err
			}
			// An empty collection: skipped, as Redis does.
			en.Reset()
		}
	}
}

// clampExpire maps a stored expire time to Entry.ExpireAt. Redis's loader
// uses -1 for "no expire", so a stored -1 means none; other negative times
// are long past and become 0 (expired).
func clampExpire(ms int64) int64 {
	if ms < -1 {
		return 0
	}
	return ms
}

// finish reads the checksum after the EOF opcode (RDB version 5 and up).
func (d *Decoder) finish() error {
	if d.version < 5 {
		return io.EOF
	}
	want := d.rd.checksum()
	p, err := d.rd.next(8)
	if err != nil {
		return fmt.Errorf("rdb: checksum: %w", err)
	}
	got := binary.LittleEndian.Uint64(p)
	d.stats.checksumFound = true
	d.stats.zeroChecksum = got == 0
	if got != 0 && got != want {
		return fmt.Errorf("%w: expected %016x, the file says %016x", ErrChecksum, want, got)
	}
	return io.EOF
}

func (d *Decoder) readAux() error {
	k, err := d.readString()
	if err != nil {
		return err
	}
	v, err := d.readString()
	if err != nil {
		return err
	}
	d.aux[string(k)] = string(v)
	return nil
}

// corrupt returns an ErrCorrupt error that names the byte offset reached.
func (d *Decoder) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w at byte %d: %s", ErrCorrupt, d.rd.consumed(), fmt.Sprintf(format, args...))
}

// keyCorrupt returns an ErrCorrupt error about the value of key.
func (d *Decoder) keyCorrupt(key []byte, err error) error {
	return d.corrupt("key %q: %v", key, err)
}
