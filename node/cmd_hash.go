package node

import (
	"math/big"
	"strconv"

	"github.com/replscope/replscope/node/keyspace"
)

// The hash family: field reads and writes, counters. HSCAN and HRANDFIELD
// are in cmd_hash_scan.go.

func init() {
	const w, r = cWrite, cReadOnly
	register(
		&command{name: "hset", arity: -4, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @hash @fast", fn: cmdHSet,
			summary: "Set the string value of a hash field", group: "hash", since: "2.0.0"},
		&command{name: "hmset", arity: -4, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @hash @fast", fn: cmdHSet,
			summary: "Set multiple hash fields to multiple values", group: "hash", since: "2.0.0"},
		&command{name: "hsetnx", arity: 4, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @hash @fast", fn: cmdHSetNX,
			summary: "Set the value of a hash field, only if the field does not exist", group: "hash", since: "2.0.0"},
		&command{name: "hget", arity: 3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @hash @fast", fn: cmdHGet,
			summary: "Get the value of a hash field", group: "hash", since: "2.0.0"},
		&command{name: "hmget", arity: -3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @hash @fast", fn: cmdHMGet,
			summary: "Get the values of all the given hash fields", group: "hash", since: "2.0.0"},
		&command{name: "hgetall", arity: 2, flags: r, firstKey: 1, lastKey: 1, acl: "@read @hash @slow", fn: cmdHGetAll,
			summary: "Get all the fields and values in a hash", group: "hash", since: "2.0.0"},
		&command{name: "hkeys", arity: 2, flags: r, firstKey: 1, lastKey: 1, acl: "@read @hash @slow", fn: cmdHGetAll,
			summary: "Get all the fields in a hash", group: "hash", since: "2.0.0"},
		&command{name: "hvals", arity: 2, flags: r, firstKey: 1, lastKey: 1, acl: "@read @hash @slow", fn: cmdHGetAll,
			summary: "Get all the values in a hash", group: "hash", since: "2.0.0"},
		&command{name: "hdel", arity: -3, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @hash @fast", fn: cmdHDel,
			summary: "Delete one or more hash fields", group: "hash", since: "2.0.0"},
		&command{name: "hlen", arity: 2, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @hash @fast", fn: cmdHLen,
			summary: "Get the number of fields in a hash", group: "hash", since: "2.0.0"},
		&command{name: "hexists", arity: 3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @hash @fast", fn: cmdHExists,
			summary: "Determine if a hash field exists", group: "hash", since: "2.0.0"},
		&command{name: "hstrlen", arity: 3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @hash @fast", fn: cmdHStrlen,
			summary: "Get the length of the value of a hash field", group: "hash", since: "3.2.0"},
		&command{name: "hincrby", arity: 4, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @hash @fast", fn: cmdHIncrBy,
			summary: "Increment the integer value of a hash field by the given number", group: "hash", since: "2.0.0"},
		&command{name: "hincrbyfloat", arity: 4, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @hash @fast", fn: cmdHIncrByFloat,
			summary: "Increment the float value of a hash field by the given amount", group: "hash", since: "2.6.0"},
		&command{name: "hscan", arity: -3, flags: r, firstKey: 1, lastKey: 1, acl: "@read @hash @slow", fn: cmdHScan,
			summary: "Incrementally iterate hash fields and associated values", group: "hash", since: "2.8.0"},
		&command{name: "hrandfield", arity: -2, flags: r, firstKey: 1, lastKey: 1, acl: "@read @hash @slow", fn: cmdHRandField,
			summary: "Get one or multiple random fields from a hash", group: "hash", since: "6.2.0"},
	)
}

// Raw replies a missing hash key gets.
var (
	hashZeroRaw  = []byte(":0\r\n")
	hashEmptyRaw = []byte("*0\r\n")
)

// hashForWrite returns key's hash entry before a write, or nil (and ok)
// when the key is missing; ok is false after replying WRONGTYPE.
func (x *cmdCtx) hashForWrite(key []byte) (*keyspace.Entry, bool) {
	e := x.lookupWrite(key)
	if e != nil && e.Kind() != keyspace.KindHash {
		x.wrongType()
		return nil, false
	}
	return e, true
}

// hashWritable returns the hash to change: e's after x.db.Modify, or a new
// one stored under key when e is nil (Redis's hashTypeLookupWriteOrCreate,
// deferred until a field is really written so no empty hash is left).
func (x *cmdCtx) hashWritable(key []byte, e *keyspace.Entry, size int) *keyspace.Hash {
	if e == nil {
		h := keyspace.NewHash(size)
		x.db.Add(key, nil, h, 0)
		return h
	}
	x.db.Modify(e)
	return e.Hash()
}

// HSET key field value [field value ...]
// HMSET key field value [field value ...]
func cmdHSet(x *cmdCtx) {
	if len(x.args)%2 == 1 {
		x.wrongArgs()
		return
	}
	key := x.args[1]
	e, ok := x.hashForWrite(key)
	if !ok {
		return
	}
	pairs := (len(x.args) - 2) / 2
	h := x.hashWritable(key, e, pairs)
	created := 0
	for i := 2; i < len(x.args); i += 2 {
		if h.SetField(x.args[i], copyBytes(x.args[i+1])) {
			created++
		}
	}
	x.touchN(key, pairs)
	x.notify(notifyHash, "hset", key)
	if x.cmd.name == "hset" {
		x.int(int64(created))
	} else {
		x.ok()
	}
}

// HSETNX key field value
func cmdHSetNX(x *cmdCtx) {
	key := x.args[1]
	e, ok := x.hashForWrite(key)
	if !ok {
		return
	}
	if e != nil && e.Hash().Has(x.args[2]) {
		x.int(0)
		return
	}
	x.hashWritable(key, e, 1).SetField(x.args[2], copyBytes(x.args[3]))
	x.touch(key)
	x.notify(notifyHash, "hset", key)
	x.int(1)
}

// HGET key field
func cmdHGet(x *cmdCtx) {
	e := x.entryOrReply(x.args[1], keyspace.KindHash, false, nullBulk)
	if e == nil {
		return
	}
	if v, ok := e.Hash().GetBytes(x.args[2]); ok {
		x.bulk(v)
	} else {
		x.null()
	}
}

// HMGET key field [field ...]
func cmdHMGet(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if e != nil && e.Kind() != keyspace.KindHash {
		x.wrongType()
		return
	}
	x.array(len(x.args) - 2)
	for _, f := range x.args[2:] {
		if e == nil {
			x.null()
		} else if v, ok := e.Hash().GetBytes(f); ok {
			x.bulk(v)
		} else {
			x.null()
		}
	}
}

// HGETALL key
// HKEYS key
// HVALS key
func cmdHGetAll(x *cmdCtx) {
	keys, vals := x.cmd.name != "hvals", x.cmd.name != "hkeys"
	missing := hashEmptyRaw
	if keys && vals && x.resp3() {
		missing = emptyMapRaw
	}
	e := x.entryOrReply(x.args[1], keyspace.KindHash, false, missing)
	if e == nil {
		return
	}
	items := e.Hash().Items()
	if keys && vals {
		x.mapLen(len(items))
	} else {
		x.array(len(items))
	}
	for i := range items {
		if keys {
			x.bulkStr(items[i].Key)
		}
		if vals {
			x.bulk(items[i].Val)
		}
	}
}

// HDEL key field [field ...]
func cmdHDel(x *cmdCtx) {
	key := x.args[1]
	e := x.entryOrReply(key, keyspace.KindHash, true, hashZeroRaw)
	if e == nil {
		return
	}
	deleted := 0
	var h *keyspace.Hash
	for _, f := range x.args[2:] {
		if !e.Hash().Has(f) {
			continue
		}
		if h == nil {
			x.db.Modify(e)
			h = e.Hash()
		}
		h.DeleteField(f)
		deleted++
		if h.Len() == 0 {
			x.db.DeleteEntry(e)
			break
		}
	}
	if deleted > 0 {
		x.touchN(key, deleted)
		x.notify(notifyHash, "hdel", key)
		if h.Len() == 0 {
			x.notify(notifyGeneric, "del", key)
		}
	}
	x.int(int64(deleted))
}

// HLEN key
func cmdHLen(x *cmdCtx) {
	if e := x.entryOrReply(x.args[1], keyspace.KindHash, false, hashZeroRaw); e != nil {
		x.int(int64(e.Hash().Len()))
	}
}

// HEXISTS key field
func cmdHExists(x *cmdCtx) {
	if e := x.entryOrReply(x.args[1], keyspace.KindHash, false, hashZeroRaw); e != nil {
		if e.Hash().Has(x.args[2]) {
			x.int(1)
		} else {
			x.int(0)
		}
	}
}

// HSTRLEN key field
func cmdHStrlen(x *cmdCtx) {
	if e := x.entryOrReply(x.args[1], keyspace.KindHash, false, hashZeroRaw); e != nil {
		v, _ := e.Hash().GetBytes(x.args[2])
		x.int(int64(len(v)))
	}
}

// HINCRBY key field increment
func cmdHIncrBy(x *cmdCtx) {
	incr, ok := parseInt(x.args[3])
	if !ok {
		x.err(errNotInt)
		return
	}
	key, field := x.args[1], x.args[2]
	e, ok := x.hashForWrite(key)
	if !ok {
		return
	}
	var cur int64
	if e != nil {
		if v, found := e.Hash().GetBytes(field); found {
			if cur, ok = parseInt(v); !ok {
				x.err("ERR hash value is not an integer")
				return
			}
		}
	}
	if (incr < 0 && cur < 0 && incr < minInt64-cur) || (incr > 0 && cur > 0 && incr > maxInt64-cur) {
		x.err(errOverflow)
		return
	}
	cur += incr
	x.hashWritable(key, e, 1).SetField(field, strconv.AppendInt(nil, cur, 10))
	x.touch(key)
	x.notify(notifyHash, "hincrby", key)
	x.int(cur)
}

// HINCRBYFLOAT key field increment
//
// It replicates as HSET key field <new value>, as Redis does, so replicas
// do not repeat the floating point arithmetic.
func cmdHIncrByFloat(x *cmdCtx) {
	incr, ok := parseLongDouble(x.args[3])
	if !ok {
		x.err(errNotFloat)
		return
	}
	if incr.IsInf() {
		x.err("ERR value is NaN or Infinity")
		return
	}
	key, field := x.args[1], x.args[2]
	e, ok := x.hashForWrite(key)
	if !ok {
		return
	}
	cur := new(big.Float).SetPrec(longDoublePrec)
	if e != nil {
		if v, found := e.Hash().GetBytes(field); found {
			if cur, ok = parseLongDouble(v); !ok {
				x.err("ERR hash value is not a float")
				return
			}
		}
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		x.err("ERR increment would produce NaN or Infinity")
		return
	}
	val := formatLongDouble(sum)
	x.hashWritable(key, e, 1).SetField(field, val)
	x.touch(key)
	x.notify(notifyHash, "hincrbyfloat", key)
	x.bulk(val)
	x.prop = [][]byte{[]byte("HSET"), key, field, val}
}
