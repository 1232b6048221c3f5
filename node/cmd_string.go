package node

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	const w, r = cWrite, cReadOnly
	register(
		&command{name: "get", arity: 2, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @string @fast", fn: cmdGet,
			summary: "Returns the string value of a key.", group: "string", since: "1.0.0"},
		&command{name: "set", arity: -3, flags: w | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @string @slow", fn: cmdSet,
			summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", group: "string", since: "1.0.0"},
		&command{name: "setnx", arity: 3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdSetNX,
			summary: "Set the string value of a key only when the key doesn't exist.", group: "string", since: "1.0.0"},
		&command{name: "setex", arity: 4, flags: w | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @string @slow", fn: cmdSetEX,
			summary: "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", group: "string", since: "2.0.0"},
		&command{name: "psetex", arity: 4, flags: w | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @string @slow", fn: cmdSetEX,
			summary: "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", group: "string", since: "2.6.0"},
		&command{name: "getset", arity: 3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdGetSet,
			summary: "Returns the previous string value of a key after setting it to a new value.", group: "string", since: "1.0.0"},
		&command{name: "getdel", arity: 2, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdGetDel,
			summary: "Returns the string value of a key after deleting the key.", group: "string", since: "6.2.0"},
		&command{name: "getex", arity: -2, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdGetEx,
			summary: "Returns the string value of a key after setting its expiration time.", group: "string", since: "6.2.0"},
		&command{name: "mget", arity: -2, flags: r | cFast, firstKey: 1, lastKey: -1, acl: "@read @string @fast", fn: cmdMGet,
			summary: "Atomically returns the string values of one or more keys.", group: "string", since: "1.0.0"},
		&command{name: "mset", arity: -3, flags: w | cDenyOOM, firstKey: 1, lastKey: -1, step: 2, acl: "@write @string @slow", fn: cmdMSet,
			summary: "Atomically creates or modifies the string values of one or more keys.", group: "string", since: "1.0.1"},
		&command{name: "msetnx", arity: -3, flags: w | cDenyOOM, firstKey: 1, lastKey: -1, step: 2, acl: "@write @string @slow", fn: cmdMSet,
			summary: "Atomically modifies the string values of one or more keys only when all keys don't exist.", group: "string", since: "1.0.1"},
		&command{name: "incr", arity: 2, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdIncr,
			summary: "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", group: "string", since: "1.0.0"},
		&command{name: "decr", arity: 2, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdIncr,
			summary: "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", group: "string", since: "1.0.0"},
		&command{name: "incrby", arity: 3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdIncr,
			summary: "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", group: "string", since: "1.0.0"},
		&command{name: "decrby", arity: 3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdIncr,
			summary: "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", group: "string", since: "1.0.0"},
		&command{name: "incrbyfloat", arity: 3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdIncrByFloat,
			summary: "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", group: "string", since: "2.6.0"},
		&command{name: "append", arity: 3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @string @fast", fn: cmdAppend,
			summary: "Appends a string to the value of a key. Creates the key if it doesn't exist.", group: "string", since: "2.0.0"},
		&command{name: "strlen", arity: 2, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @string @fast", fn: cmdStrlen,
			summary: "Returns the length of a string value.", group: "string", since: "2.2.0"},
		&command{name: "getrange", arity: 4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @string @slow", fn: cmdGetRange,
			summary: "Returns a substring of the string stored at a key.", group: "string", since: "2.4.0"},
		&command{name: "substr", arity: 4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @string @slow", fn: cmdGetRange,
			summary: "Returns a substring from a string value.", group: "string", since: "1.0.0"},
		&command{name: "setrange", arity: 4, flags: w | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @string @slow", fn: cmdSetRange,
			summary: "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", group: "string", since: "2.2.0"},
	)
}

// copyBytes returns a private copy of an argument for storing.
func copyBytes(b []byte) []byte {
	c := make([]byte, len(b))
	copy(c, b)
	return c
}

// GET key
func cmdGet(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.null()
		return
	}
	if e.Kind() != keyspace.KindString {
		x.wrongType()
		return
	}
	x.bulk(e.Str())
}

// String option flags of SET and GETEX.
const (
	sNX = 1 << iota
	sXX
	sEX
	sPX
	sKeepTTL
	sGet
	sEXAT
	sPXAT
	sPersist
)

// parseStringOptions follows parseExtendedStringArgumentsOrReply: options
// from args[start:]; isSet selects SET's options or GETEX's.
func (x *cmdCtx) parseStringOptions(start int, isSet bool) (flags int, expire []byte, ok bool) {
	const expFlags = sEX | sPX | sEXAT | sPXAT
	args := x.args
	for j := start; j < len(args); j++ {
		a := args[j]
		hasNext := j+1 < len(args)
		switch {
		case isSet && eqFold(a, "nx") && flags&sXX == 0:
			flags |= sNX
		case isSet && eqFold(a, "xx") && flags&sNX == 0:
			flags |= sXX
		case isSet && eqFold(a, "get"):
			flags |= sGet
		case isSet && eqFold(a, "keepttl") && flags&(sPersist|expFlags) == 0:
			flags |= sKeepTTL
		case !isSet && eqFold(a, "persist") && flags&(expFlags|sKeepTTL) == 0:
			flags |= sPersist
		case eqFold(a, "ex") && flags&(sKeepTTL|sPersist|sEXAT|sPX|sPXAT) == 0 && hasNext:
			flags |= sEX
			expire = args[j+1]
			j++
		case eqFold(a, "px") && flags&(sKeepTTL|sPersist|sEX|sEXAT|sPXAT) == 0 && hasNext:
			flags |= sPX
			expire = args[j+1]
			j++
		case eqFold(a, "exat") && flags&(sKeepTTL|sPersist|sEX|sPX|sPXAT) == 0 && hasNext:
			flags |= sEXAT
			expire = args[j+1]
			j++
		case eqFold(a, "pxat") && flags&(sKeepTTL|sPersist|sEX|sEXAT|sPX) == 0 && hasNext:
			flags |= sPXAT
			expire = args[j+1]
			j++
		default:
			x.syntaxErr()
			return 0, nil, false
		}
	}
	return flags, expire, true
}

// expireMillis turns a SET/GETEX expire argument into an absolute unix ms
// time (getExpireMillisecondsOrReply).
func (x *cmdCtx) expireMillis(arg []byte, flags int, name string) (int64, bool) {
	v, ok := parseInt(arg)
	if !ok {
		x.err(errNotInt)
		return 0, false
	}
	seconds := flags&(sEX|sEXAT) != 0
	if v <= 0 || (seconds && v > maxInt64/1000) {
		x.err("ERR invalid expire time in '" + name + "' command")
		return 0, false
	}
	if seconds {
		v *= 1000
	}
	if flags&(sEX|sPX) != 0 {
		v += x.now
		if v <= 0 {
			x.err("ERR invalid expire time in '" + name + "' command")
			return 0, false
		}
	}
	return v, true
}

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]
func cmdSet(x *cmdCtx) {
	flags, expire, ok := x.parseStringOptions(3, true)
	if !ok {
		return
	}
	x.setGeneric(flags, x.args[1], x.args[2], expire, nil, nil)
}

// setGeneric is setGenericCommand: okReply/abortReply nil mean +OK/$-1.
func (x *cmdCtx) setGeneric(flags int, key, val, expire []byte, okReply, abortReply func()) {
	var when int64
	if expire != nil {
		var ok bool
		if when, ok = x.expireMillis(expire, flags, x.cmd.name); !ok {
			return
		}
	}
	if flags&sGet != 0 {
		e := x.lookupRead(key)
		if e != nil && e.Kind() != keyspace.KindString {
			x.wrongType()
			return
		}
		if e == nil {
			x.null()
		} else {
			x.bulk(e.Str())
		}
	}
	cur := x.lookupWrite(key)
	found := cur != nil
	if (flags&sNX != 0 && found) || (flags&sXX != 0 && !found) {
		if flags&sGet == 0 {
			if abortReply != nil {
				abortReply()
			} else {
				x.null()
			}
		}
		return
	}
	x.db.SetStringEntry(cur, key, val, when, flags&sKeepTTL != 0)
	x.touch(key)
	x.notify(notifyString, "set", key)
	if expire != nil {
		x.notify(notifyGeneric, "expire", key)
	}
	if expire != nil {
		x.prop = [][]byte{[]byte("SET"), key, val, []byte("PXAT"), strconv.AppendInt(nil, when, 10)}
	} else if flags&sGet != 0 {
		prop := [][]byte{x.args[0], key, val}
		for _, a := range x.args[3:] {
			if !eqFold(a, "get") {
				prop = append(prop, a)
			}
		}
		x.prop = prop
	}
	if flags&sGet == 0 {
		if okReply != nil {
			okReply()
		} else {
			x.ok()
		}
	}
}

// SETNX key value
func cmdSetNX(x *cmdCtx) {
	x.setGeneric(sNX, x.args[1], x.args[2], nil, func() { x.int(1) }, func() { x.int(0) })
}

// SETEX key seconds value / PSETEX key milliseconds value
func cmdSetEX(x *cmdCtx) {
	flags := sEX
	if x.cmd.name == "psetex" {
		flags = sPX
	}
	x.setGeneric(flags, x.args[1], x.args[3], x.args[2], nil, nil)
}

// getString replies with key's string value; it reports false after
// replying WRONGTYPE.
func (x *cmdCtx) getString(key []byte) (*keyspace.Entry, bool) {
	e := x.lookupRead(key)
	if e == nil {
		x.null()
		return nil, true
	}
	if e.Kind() != keyspace.KindString {
		x.wrongType()
		return nil, false
	}
	x.bulk(e.Str())
	return e, true
}

// GETSET key value
func cmdGetSet(x *cmdCtx) {
	if _, ok := x.getString(x.args[1]); !ok {
		return
	}
	x.db.SetString(x.args[1], x.args[2], 0, false)
	x.touch(x.args[1])
	x.notify(notifyString, "set", x.args[1])
	x.prop = [][]byte{[]byte("SET"), x.args[1], x.args[2]}
}

// GETDEL key
func cmdGetDel(x *cmdCtx) {
	e, ok := x.getString(x.args[1])
	if !ok || e == nil {
		return
	}
	x.db.DeleteEntry(e)
	x.touch(x.args[1])
	x.notify(notifyGeneric, "del", x.args[1])
	x.prop = [][]byte{[]byte("DEL"), x.args[1]}
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]
func cmdGetEx(x *cmdCtx) {
	flags, expire, ok := x.parseStringOptions(2, false)
	if !ok {
		return
	}
	key := x.args[1]
	e := x.lookupRead(key)
	if e == nil {
		x.null()
		return
	}
	if e.Kind() != keyspace.KindString {
		x.wrongType()
		return
	}
	var when int64
	if expire != nil {
		if when, ok = x.expireMillis(expire, flags, "getex"); !ok {
			return
		}
	}
	x.bulk(e.Str())
	switch {
	case flags&(sEXAT|sPXAT) != 0 && when <= x.now && !x.n.isReplica() && !x.n.loading:
		x.db.DeleteEntry(e)
		x.touch(key)
		x.notify(notifyGeneric, "del", key)
		x.prop = [][]byte{[]byte("DEL"), key}
	case expire != nil:
		x.db.SetExpire(e, when)
		x.touch(key)
		x.notify(notifyGeneric, "expire", key)
		x.prop = [][]byte{[]byte("PEXPIREAT"), key, strconv.AppendInt(nil, when, 10)}
	case flags&sPersist != 0 && e.ExpireAt() != 0:
		x.db.SetExpire(e, 0)
		x.touch(key)
		x.notify(notifyGeneric, "persist", key)
		x.prop = [][]byte{[]byte("PERSIST"), key}
	}
}

// MGET key [key ...]
func cmdMGet(x *cmdCtx) {
	x.array(len(x.args) - 1)
	for _, k := range x.args[1:] {
		e := x.lookupRead(k)
		if e == nil || e.Kind() != keyspace.KindString {
			x.null()
			continue
		}
		x.bulk(e.Str())
	}
}

// MSET key value [key value ...] / MSETNX key value [key value ...]
func cmdMSet(x *cmdCtx) {
	if len(x.args)%2 == 0 {
		x.wrongArgs()
		return
	}
	nx := x.cmd.name == "msetnx"
	if nx {
		for j := 1; j < len(x.args); j += 2 {
			if x.lookupWrite(x.args[j]) != nil {
				x.int(0)
				return
			}
		}
	}
	for j := 1; j < len(x.args); j += 2 {
		// setKey looks the key up first: an overwrite keeps the LFU
		// counter of a touched key (access.go)
		x.db.SetStringEntry(x.lookupWrite(x.args[j]), x.args[j], x.args[j+1], 0, false)
		x.touch(x.args[j])
		x.notify(notifyString, "set", x.args[j])
	}
	if nx {
		x.int(1)
	} else {
		x.ok()
	}
}

// INCR / DECR / INCRBY / DECRBY key [increment]
func cmdIncr(x *cmdCtx) {
	var incr int64 = 1
	switch x.cmd.name {
	case "decr":
		incr = -1
	case "incrby", "decrby":
		v, ok := parseInt(x.args[2])
		if !ok {
			x.err(errNotInt)
			return
		}
		if x.cmd.name == "decrby" {
			if v == minInt64 {
				x.err("ERR decrement would overflow")
				return
			}
			v = -v
		}
		incr = v
	}
	key := x.args[1]
	e := x.lookupWrite(key)
	var cur int64
	if e != nil {
		if e.Kind() != keyspace.KindString {
			x.wrongType()
			return
		}
		v, ok := parseInt(e.Str())
		if !ok {
			x.err(errNotInt)
			return
		}
		cur = v
	}
	if (incr < 0 && cur < 0 && incr < minInt64-cur) || (incr > 0 && cur > 0 && incr > maxInt64-cur) {
		x.err(errOverflow)
		return
	}
	cur += incr
	val := strconv.AppendInt(make([]byte, 0, 20), cur, 10)
	if e != nil {
		x.db.Modify(e)
		e.SetStr(val)
	} else {
		x.db.Add(key, val, nil, 0)
	}
	x.touch(key)
	x.notify(notifyString, "incrby", key)
	x.int(cur)
}

// longDoublePrec is the mantissa precision of the x87 long double Redis
// uses for INCRBYFLOAT and HINCRBYFLOAT.
const longDoublePrec = 64

// formatLongDouble renders a long double as Redis's humanfriendly
// ld2string: "%.17Lf" with trailing zeros (and a trailing point) removed.
func formatLongDouble(f *big.Float) []byte {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return []byte(s)
}

// addLongDouble adds two long doubles with long double precision; ok is
// false when the result would be infinite.
func addLongDouble(a, b *big.Float) (*big.Float, bool) {
	if a.IsInf() || b.IsInf() {
		return nil, false
	}
	r := new(big.Float).SetPrec(longDoublePrec).SetMode(big.ToNearestEven)
	r.Add(a, b)
	// x87 long double has a 15-bit exponent: anything at or above 2^16384
	// overflows to infinity.
	if r.MantExp(nil) > 16384 {
		return nil, false
	}
	return r, true
}

// INCRBYFLOAT key increment
func cmdIncrByFloat(x *cmdCtx) {
	key := x.args[1]
	e := x.lookupWrite(key)
	cur := new(big.Float).SetPrec(longDoublePrec)
	if e != nil {
		if e.Kind() != keyspace.KindString {
			x.wrongType()
			return
		}
		v, ok := parseLongDouble(e.Str())
		if !ok {
			x.err(errNotFloat)
			return
		}
		cur = v
	}
	incr, ok := parseLongDouble(x.args[2])
	if !ok {
		x.err(errNotFloat)
		return
	}
	sum, ok := addLongDouble(cur, incr)
	if !ok {
		x.err("ERR increment would produce NaN or Infinity")
		return
	}
	val := formatLongDouble(sum)
	if e != nil {
		x.db.Modify(e)
		e.SetStr(val)
	} else {
		x.db.Add(key, val, nil, 0)
	}
	x.touch(key)
	x.notify(notifyString, "incrbyfloat", key)
	x.bulk(val)
	x.prop = [][]byte{[]byte("SET"), key, val, []byte("KEEPTTL")}
}

// checkStringLength refuses a string of size+grow bytes over
// proto-max-bulk-len, an overflowing sum included, as Redis 7.0's
// checkStringLength does; our master's stream is trusted.
func (x *cmdCtx) checkStringLength(size, grow int64) bool {
	if x.c.is(flagMaster) {
		return true
	}
	total := size + grow
	if total > x.n.cfg.ProtoMaxBulkLen || total < size || total < grow {
		x.err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
		return false
	}
	return true
}

// APPEND key value
func cmdAppend(x *cmdCtx) {
	key, val := x.args[1], x.args[2]
	e := x.lookupWrite(key)
	var total int
	if e == nil {
		x.db.Add(key, val, nil, 0)
		total = len(val)
	} else {
		if e.Kind() != keyspace.KindString {
			x.wrongType()
			return
		}
		if !x.checkStringLength(int64(len(e.Str())), int64(len(val))) {
			return
		}
		x.db.Modify(e)
		// Extending past the length never changes bytes a snapshot sees.
		e.SetStr(append(e.Str(), val...))
		total = len(e.Str())
	}
	x.touch(key)
	x.notify(notifyString, "append", key)
	x.int(int64(total))
}

// STRLEN key
func cmdStrlen(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.int(0)
		return
	}
	if e.Kind() != keyspace.KindString {
		x.wrongType()
		return
	}
	x.int(int64(len(e.Str())))
}

// GETRANGE key start end
func cmdGetRange(x *cmdCtx) {
	start, ok1 := parseInt(x.args[2])
	end, ok2 := parseInt(x.args[3])
	if !ok1 || !ok2 {
		x.err(errNotInt)
		return
	}
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.bulkStr("")
		return
	}
	if e.Kind() != keyspace.KindString {
		x.wrongType()
		return
	}
	s := e.Str()
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		x.bulkStr("")
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(start, 0)
	end = max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		x.bulkStr("")
		return
	}
	x.bulk(s[start : end+1])
}

// SETRANGE key offset value
func cmdSetRange(x *cmdCtx) {
	off, ok := parseInt(x.args[2])
	if !ok || off > int64(^uint(0)>>1) {
		x.err(errNotInt)
		return
	}
	if off < 0 {
		x.err("ERR offset is out of range")
		return
	}
	key, val := x.args[1], x.args[3]
	e := x.lookupWrite(key)
	if e == nil {
		if len(val) == 0 {
			x.int(0)
			return
		}
		if !x.checkStringLength(off, int64(len(val))) {
			return
		}
		b := make([]byte, off+int64(len(val)))
		copy(b[off:], val)
		x.db.Add(key, b, nil, 0)
		x.touch(key)
		x.notify(notifyString, "setrange", key)
		x.int(int64(len(b)))
		return
	}
	if e.Kind() != keyspace.KindString {
		x.wrongType()
		return
	}
	if len(val) == 0 {
		x.int(int64(len(e.Str())))
		return
	}
	if !x.checkStringLength(off, int64(len(val))) {
		return
	}
	old := e.Str()
	size := max(int64(len(old)), off+int64(len(val)))
	b := make([]byte, size)
	copy(b, old)
	copy(b[off:], val)
	x.db.Modify(e)
	e.SetStr(b)
	x.touch(key)
	x.notify(notifyString, "setrange", key)
	x.int(size)
}
