// Package keyspace holds a node's databases: keys, their values of the five
// Redis types, their expiry times, and point-in-time snapshots taken while
// writes continue. It is pure: no I/O, no goroutines, no clock (callers pass
// the time in), and no locking (the node owns one lock around it).
package keyspace

import (
	"math"
	"unsafe"
)

// Kind is the Redis type of a value.
type Kind uint8

// The value kinds, in the order TYPE names them.
const (
	KindString Kind = iota
	KindList
	KindHash
	KindSet
	KindZSet
	KindStream
)

// String returns the name TYPE replies with.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindHash:
		return "hash"
	case KindSet:
		return "set"
	case KindZSet:
		return "zset"
	case KindStream:
		return "stream"
	}
	return "none"
}

// Object is a collection value: *List, *Hash, *Set, *ZSet or *Stream.
type Object interface {
	Kind() Kind
	// Len returns the number of elements.
	Len() int
	// clone returns a deep copy, for copy-on-write while a snapshot
	// still refers to the original.
	clone() Object
}

// Entry is one key and its value. The key's bytes and a string value's
// live in one allocation (kv: klen key bytes, then vcap bytes of room of
// which the value uses vlen), so a string key costs two allocations, this
// header of 64 bytes and kv, where a string header, a slice header and
// separate key and value allocations cost 96 bytes and three. While a
// snapshot is active, string bytes are never changed in place (only
// extended past their length by APPEND), so the snapshot may keep a
// reference to them and a new string value gets a new kv; with none
// active, a new value that fits the room is written over the old one
// (overwrite), as an allocator would hand back the block just freed.
type Entry struct {
	kv   *byte
	klen uint32
	vlen uint32
	vcap uint32
	idx  int32  // position in table.dense
	tidx int32  // position in table.ttl; -1 = none
	ver  uint32 // write epoch of the last change
	seen uint32 // epoch of the snapshot that emitted or captured this entry
	// access is Redis's 24-bit robj.lru: the LRU clock of the last access,
	// or under an LFU policy the minute of the last decrement (high 16
	// bits) and the logarithmic access counter (low 8). It fills the
	// padding after seen: the header stays 64 bytes.
	access uint32
	obj    Object
	exp    int64 // expiry, unix ms; 0 = no TTL
}

// newEntry returns an entry holding a copy of key and of the string val.
func newEntry(key string, val []byte, exp int64) *Entry {
	e := &Entry{exp: exp}
	e.setKV(key, val, len(val))
	return e
}

// adoptKV returns an entry whose kv is kv itself: the key's klen bytes,
// then the string value (no room to grow). The caller gives kv up.
func adoptKV(kv []byte, klen int, exp int64) *Entry {
	if len(kv) > math.MaxUint32 {
		panic("keyspace: key or value over 4 GB")
	}
	vlen := uint32(len(kv) - klen)
	return &Entry{kv: unsafe.SliceData(kv), klen: uint32(klen), vlen: vlen, vcap: vlen, exp: exp, tidx: -1}
}

// setKV gives e a new kv holding key and val, with room for capacity bytes
// of value (at least len(val)).
func (e *Entry) setKV(key string, val []byte, capacity int) {
	if len(key) > math.MaxUint32 || capacity > math.MaxUint32-len(key) {
		panic("keyspace: key or value over 4 GB")
	}
	buf := make([]byte, len(key)+capacity)
	copy(buf, key)
	copy(buf[len(key):], val)
	e.kv = unsafe.SliceData(buf)
	e.klen, e.vlen, e.vcap = uint32(len(key)), uint32(len(val)), uint32(capacity)
}

// roomFor reports whether a string value of n bytes may be written over
// e's value in place: it fits, and it uses at least half of the room (or
// the room is small), so that a shrinking value does not pin a large
// block.
func (e *Entry) roomFor(n int) bool {
	return e.vcap > 0 && n <= int(e.vcap) && (e.vcap <= 64 || n >= int(e.vcap)/2)
}

// overwrite replaces a string value in place; roomFor(len(val)) must hold
// and no snapshot may share e's bytes.
func (e *Entry) overwrite(val []byte) {
	room := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e.kv), e.klen)), e.vcap)
	e.vlen = uint32(copy(room, val))
}

// bstr views b as a string without copying; the string must not outlive
// b's next change.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Key returns the entry's key.
func (e *Entry) Key() string { return unsafe.String(e.kv, e.klen) }

// KeyBytes returns the entry's key as bytes that must not be changed (an
// encoder reads them without a copy).
func (e *Entry) KeyBytes() []byte { return unsafe.Slice(e.kv, e.klen)[:e.klen:e.klen] }

// Kind returns the value's type.
func (e *Entry) Kind() Kind {
	if e.obj == nil {
		return KindString
	}
	return e.obj.Kind()
}

// Str returns a string value's bytes (nil for other kinds). Callers must
// not modify them; APPEND may extend them within their capacity and give
// the result to SetStr.
func (e *Entry) Str() []byte {
	if e.vcap == 0 {
		if e.obj != nil {
			return nil
		}
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(e.kv), e.klen)), e.vcap)[:e.vlen]
}

// SetStr replaces a string entry's bytes (APPEND, SETRANGE, INCR); Modify
// must have been called. Bytes that extend Str() within its capacity are
// taken in place; others are copied.
func (e *Entry) SetStr(b []byte) {
	if e.vcap > 0 && cap(b) > 0 && unsafe.SliceData(b) == unsafe.SliceData(e.Str()) && cap(b) <= int(e.vcap) {
		e.vlen = uint32(len(b))
		return
	}
	e.setKV(e.Key(), b, cap(b))
}

// Object returns a collection value, nil for strings.
func (e *Entry) Object() Object { return e.obj }

// List returns the value as a list, nil if it is another kind.
func (e *Entry) List() *List { l, _ := e.obj.(*List); return l }

// Hash returns the value as a hash, nil if it is another kind.
func (e *Entry) Hash() *Hash { h, _ := e.obj.(*Hash); return h }

// Set returns the value as a set, nil if it is another kind.
func (e *Entry) Set() *Set { s, _ := e.obj.(*Set); return s }

// ZSet returns the value as a sorted set, nil if it is another kind.
func (e *Entry) ZSet() *ZSet { z, _ := e.obj.(*ZSet); return z }

// Stream returns the value as a stream, nil if it is another kind.
func (e *Entry) Stream() *Stream { s, _ := e.obj.(*Stream); return s }

// ExpireAt returns the expiry time in unix ms, 0 when the key has no TTL.
func (e *Entry) ExpireAt() int64 { return e.exp }

// Access returns the key's access field (Redis's robj.lru, see Entry).
func (e *Entry) Access() uint32 { return e.access }

// SetAccess sets the key's access field (24 bits are kept).
func (e *Entry) SetAccess(v uint32) { e.access = v & AccessMask }

// AccessMask keeps the 24 bits of Redis's robj.lru (LRU_CLOCK_MAX).
const AccessMask = 1<<24 - 1

// Expired reports whether the key's TTL has passed at now (unix ms).
func (e *Entry) Expired(now int64) bool { return e.exp != 0 && e.exp <= now }
