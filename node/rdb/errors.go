package rdb

import (
	"errors"
	"fmt"
)

// ErrVersion reports an RDB file whose format version this package cannot
// read. Errors wrapping it are *VersionError values.
var ErrVersion = errors.New("rdb: unsupported RDB format version")

// ErrChecksum reports a file whose stored CRC-64 does not match its bytes.
var ErrChecksum = errors.New("rdb: wrong RDB checksum")

// ErrCorrupt reports malformed input: a bad signature, an unknown opcode
// or encoding, a length that overruns its container, a truncated file.
var ErrCorrupt = errors.New("rdb: corrupt data")

// ErrUnsupportedType reports a value kind this package does not decode
// (streams, module values, hashes with field expiration). Errors wrapping
// it are *UnsupportedTypeError values.
var ErrUnsupportedType = errors.New("rdb: unsupported value type")

// VersionError is the error Header returns for a format version it cannot
// read. It wraps ErrVersion.
type VersionError struct {
	Magic   string // "REDIS", or "VALKEY" for Valkey 9 files
	Version int
}

// Error reads like Redis's own message.
func (e *VersionError) Error() string {
	if e.Magic != "" && e.Magic != "REDIS" {
		return fmt.Sprintf("rdb: can't handle RDB format version %d (%s%03d)", e.Version, e.Magic, e.Version)
	}
	return fmt.Sprintf("rdb: can't handle RDB format version %d", e.Version)
}

// Unwrap returns ErrVersion.
func (e *VersionError) Unwrap() error { return ErrVersion }

// UnsupportedTypeError is the error Next returns for a key whose value kind
// is not decoded. It wraps ErrUnsupportedType. When Skipped is true the
// value was parsed and discarded and Next may be called again to go on with
// the following key; otherwise decoding cannot continue.
type UnsupportedTypeError struct {
	DB      int
	Key     []byte
	RDBType byte   // the type byte in the file
	Kind    string // "module", "hash with field expiration"
	Skipped bool
}

// Error names the key and the kind, e.g.
// `rdb: key "mod": module values are not supported`.
func (e *UnsupportedTypeError) Error() string {
	return fmt.Sprintf("rdb: key %q: %s values are not supported", e.Key, e.Kind)
}

// Unwrap returns ErrUnsupportedType.
func (e *UnsupportedTypeError) Unwrap() error { return ErrUnsupportedType }
