package rdb

// Version is the RDB format version the Encoder writes.
const Version = 9

// maxReadVersion is the newest RDB format version the Decoder accepts.
const maxReadVersion = 12

// Type is the kind of a value as the node sees it, whatever its encoding in
// the file.
type Type byte

// The value kinds.
const (
	TypeString Type = iota
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
)

// String returns the kind's name as the TYPE command spells it.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	case TypeHash:
		return "hash"
	case TypeStream:
		return "stream"
	}
	return "unknown"
}

// ZMember is one member of a sorted set.
type ZMember struct {
	Member []byte
	Score  float64
}

// HashField is one field of a hash.
type HashField struct {
	Field, Value []byte
}

// Entry is one key as decoded.
type Entry struct {
	DB       int
	Key      []byte
	ExpireAt int64 // unix ms; -1 = no TTL
	Type     Type
	Str      []byte      // TypeString
	List     [][]byte    // TypeList, head to tail
	Set      [][]byte    // TypeSet
	Hash     []HashField // TypeHash
	ZSet     []ZMember   // TypeZSet (any order)
	Stream   *Stream     // TypeStream

	// buf holds a string key's and value's bytes when the entry is filled
	// by NextInto, which reuses it for the next key.
	buf []byte
}

// Reset empties en but keeps the memory NextInto may reuse for the bytes
// of a string key and value.
func (en *Entry) Reset() { *en = Entry{buf: en.buf[:0]} }

// TakeKV hands over a string entry's key and value when NextInto decoded
// them into one piece of memory: kv holds the key's klen bytes, then the
// value's. The entry forgets that memory (the next NextInto allocates
// anew, of exactly the size it needs), so a loader can keep kv as its
// key's storage without a copy. kv is nil when they are not in one piece
// (a raw value of more than 32 KB, an integer- or LZF-encoded key, an
// empty key and value).
func (en *Entry) TakeKV() (kv []byte, klen int) {
	if en.Type != TypeString || len(en.buf) == 0 {
		return nil, 0
	}
	kv, klen = en.buf, len(en.Key)
	en.buf = nil
	return kv, klen
}

// Opcodes that introduce something other than a key.
const (
	opSlotInfo     = 0xF4 // 7.4: slot id, slot size, expires slot size
	opFunction2    = 0xF5 // function library payload
	opFunctionPre  = 0xF6 // 7.0-rc function library
	opModuleAux    = 0xF7 // module data outside the keyspace
	opIdle         = 0xF8 // LRU idle time of the next key
	opFreq         = 0xF9 // LFU frequency of the next key
	opAux          = 0xFA // key/value metadata
	opResizeDB     = 0xFB // size hints
	opExpireTimeMs = 0xFC // expire of the next key, unix ms, 8 bytes LE
	opExpireTime   = 0xFD // expire of the next key, unix s, 4 bytes LE
	opSelectDB     = 0xFE // database number of the following keys
	opEOF          = 0xFF // end of file, then an 8-byte CRC-64 (v5+)
)

// Value type bytes as stored in the file.
const (
	rdbString          = 0
	rdbList            = 1
	rdbSet             = 2
	rdbZSet            = 3
	rdbHash            = 4
	rdbZSet2           = 5
	rdbModulePreGA     = 6
	rdbModule2         = 7
	rdbHashZipmap      = 9
	rdbListZiplist     = 10
	rdbSetIntset       = 11
	rdbZSetZiplist     = 12
	rdbHashZiplist     = 13
	rdbListQuicklist   = 14
	rdbStreamListpacks = 15
	rdbHashListpack    = 16
	rdbZSetListpack    = 17
	rdbListQuicklist2  = 18
	rdbStream2         = 19
	rdbSetListpack     = 20
	rdbStream3         = 21
	rdbHashMetaPreGA   = 22
	rdbHashLpExPreGA   = 23
	rdbHashMeta        = 24
	rdbHashLpEx        = 25
)

// Quicklist-2 node containers.
const (
	containerPlain  = 1
	containerPacked = 2
)

// Module value opcodes, used to skip annotated module data.
const (
	moduleOpEOF    = 0
	moduleOpSInt   = 1
	moduleOpUInt   = 2
	moduleOpFloat  = 3
	moduleOpDouble = 4
	moduleOpString = 5
)
