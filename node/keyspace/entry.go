// Package keyspace holds a node's databases: keys, their values of the five
// Redis types, their expiry times, and point-in-time snapshots taken while
// writes continue. It is pure: no I/O, no goroutines, no clock (callers pass
// the time in), and no locking (the node owns one lock around it).
package keyspace

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

// Entry is one key and its value. A string value lives in str with a nil
// obj; other kinds live in obj. String bytes are never changed in place
// (only extended past their length by APPEND), so a snapshot may keep a
// reference to them.
type Entry struct {
	key  string
	str  []byte
	obj  Object
	exp  int64  // expiry, unix ms; 0 = no TTL
	idx  int32  // position in table.dense
	tidx int32  // position in table.ttl; -1 = none
	ver  uint32 // write epoch of the last change
	seen uint32 // epoch of the snapshot that emitted or captured this entry
}

// Key returns the entry's key.
func (e *Entry) Key() string { return e.key }

// Kind returns the value's type.
func (e *Entry) Kind() Kind {
	if e.obj == nil {
		return KindString
	}
	return e.obj.Kind()
}

// Str returns a string value's bytes. Callers must not modify them.
func (e *Entry) Str() []byte { return e.str }

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

// Expired reports whether the key's TTL has passed at now (unix ms).
func (e *Entry) Expired(now int64) bool { return e.exp != 0 && e.exp <= now }
