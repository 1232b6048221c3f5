package node

import (
	"strconv"
	"strings"

	"github.com/replscope/replscope/node/config"
	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	const kw, kr = cWrite, cReadOnly
	register(
		&command{name: "del", arity: -2, flags: kw, firstKey: 1, lastKey: -1, acl: "@keyspace @write @slow", fn: cmdDel,
			summary: "Deletes one or more keys.", group: "generic", since: "1.0.0"},
		&command{name: "unlink", arity: -2, flags: kw | cFast, firstKey: 1, lastKey: -1, acl: "@keyspace @write @fast", fn: cmdDel,
			summary: "Asynchronously deletes one or more keys.", group: "generic", since: "4.0.0"},
		&command{name: "exists", arity: -2, flags: kr | cFast, firstKey: 1, lastKey: -1, acl: "@keyspace @read @fast", fn: cmdExists,
			summary: "Determines whether one or more keys exist.", group: "generic", since: "1.0.0"},
		&command{name: "touch", arity: -2, flags: kr | cFast, firstKey: 1, lastKey: -1, acl: "@keyspace @read @fast", fn: cmdExists,
			summary: "Returns the number of existing keys out of those specified after updating the time they were last accessed.", group: "generic", since: "3.2.1"},
		&command{name: "type", arity: 2, flags: kr | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @read @fast", fn: cmdType,
			summary: "Determines the type of value stored at a key.", group: "generic", since: "1.0.0"},
		&command{name: "keys", arity: 2, flags: kr | cArbitraryKeys, acl: "@keyspace @read @slow @dangerous", fn: cmdKeys,
			summary: "Returns all key names that match a pattern.", group: "generic", since: "1.0.0"},
		&command{name: "scan", arity: -2, flags: kr | cArbitraryKeys, acl: "@keyspace @read @slow", fn: cmdScan,
			summary: "Iterates over the key names in the database.", group: "generic", since: "2.8.0"},
		&command{name: "randomkey", arity: 1, flags: kr | cArbitraryKeys, acl: "@keyspace @read @slow", fn: cmdRandomKey,
			summary: "Returns a random key name from the database.", group: "generic", since: "1.0.0"},
		&command{name: "rename", arity: 3, flags: kw, firstKey: 1, lastKey: 2, acl: "@keyspace @write @slow", fn: cmdRename,
			summary: "Renames a key and overwrites the destination.", group: "generic", since: "1.0.0"},
		&command{name: "renamenx", arity: 3, flags: kw | cFast, firstKey: 1, lastKey: 2, acl: "@keyspace @write @fast", fn: cmdRename,
			summary: "Renames a key only when the target key name doesn't exist.", group: "generic", since: "1.0.0"},
		&command{name: "expire", arity: -3, flags: kw | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @write @fast", fn: cmdExpire,
			summary: "Sets the expiration time of a key in seconds.", group: "generic", since: "1.0.0"},
		&command{name: "pexpire", arity: -3, flags: kw | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @write @fast", fn: cmdExpire,
			summary: "Sets the expiration time of a key in milliseconds.", group: "generic", since: "2.6.0"},
		&command{name: "expireat", arity: -3, flags: kw | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @write @fast", fn: cmdExpire,
			summary: "Sets the expiration time of a key to a Unix timestamp.", group: "generic", since: "1.2.0"},
		&command{name: "pexpireat", arity: -3, flags: kw | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @write @fast", fn: cmdExpire,
			summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.", group: "generic", since: "2.6.0"},
		&command{name: "ttl", arity: 2, flags: kr | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @read @fast", fn: cmdTTL,
			summary: "Returns the expiration time in seconds of a key.", group: "generic", since: "1.0.0"},
		&command{name: "pttl", arity: 2, flags: kr | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @read @fast", fn: cmdTTL,
			summary: "Returns the expiration time in milliseconds of a key.", group: "generic", since: "2.6.0"},
		&command{name: "expiretime", arity: 2, flags: kr | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @read @fast", fn: cmdTTL,
			summary: "Returns the expiration time of a key as a Unix timestamp.", group: "generic", since: "7.0.0"},
		&command{name: "pexpiretime", arity: 2, flags: kr | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @read @fast", fn: cmdTTL,
			summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.", group: "generic", since: "7.0.0"},
		&command{name: "persist", arity: 2, flags: kw | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @write @fast", fn: cmdPersist,
			summary: "Removes the expiration time of a key.", group: "generic", since: "2.2.0"},
		&command{name: "dbsize", arity: 1, flags: kr | cFast, acl: "@keyspace @read @fast", fn: cmdDBSize,
			summary: "Returns the number of keys in the database.", group: "server", since: "1.0.0"},
		&command{name: "flushdb", arity: -1, flags: kw, acl: "@keyspace @write @slow @dangerous", fn: cmdFlushDB,
			summary: "Remove all keys from the current database.", group: "server", since: "1.0.0"},
		&command{name: "flushall", arity: -1, flags: kw, acl: "@keyspace @write @slow @dangerous", fn: cmdFlushAll,
			summary: "Removes all keys from all databases.", group: "server", since: "1.0.0"},
	)
}

// DEL key [key ...] / UNLINK key [key ...]
func cmdDel(x *cmdCtx) {
	var n int64
	for _, k := range x.args[1:] {
		if e := x.lookupWrite(k); e != nil {
			x.db.DeleteEntry(e)
			x.touch(k)
			x.notify(notifyGeneric, "del", k)
			n++
		}
	}
	x.int(n)
}

// EXISTS key [key ...] / TOUCH key [key ...]
func cmdExists(x *cmdCtx) {
	x.noTouch = x.cmd.name == "exists"
	var n int64
	for _, k := range x.args[1:] {
		if x.lookupRead(k) != nil {
			n++
		}
	}
	x.int(n)
}

// TYPE key
func cmdType(x *cmdCtx) {
	x.noTouch = true
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.status("none")
		return
	}
	x.status(e.Kind().String())
}

// KEYS pattern
func cmdKeys(x *cmdCtx) {
	pat := x.args[1]
	all := len(pat) == 1 && pat[0] == '*'
	var keys []string
	x.db.Each(func(e *keyspace.Entry) bool {
		if e.Expired(x.now) {
			return true
		}
		if all || config.Match(string(pat), e.Key(), false) {
			keys = append(keys, e.Key())
		}
		return true
	})
	x.array(len(keys))
	for _, k := range keys {
		x.bulkStr(k)
	}
}

// scanOptions are the MATCH / COUNT / TYPE options of the SCAN family.
type scanOptions struct {
	match   string
	hasPat  bool
	count   int
	typ     string // compared as C's strcasecmp does: up to a NUL
	hasType bool
	novalue bool
}

func (x *cmdCtx) parseScanOptions(args [][]byte, allowType bool) (scanOptions, bool) {
	o := scanOptions{count: 10}
	for i := 0; i < len(args); i += 2 {
		if i+1 >= len(args) {
			x.syntaxErr()
			return o, false
		}
		switch {
		case eqFold(args[i], "count"):
			n, ok := parseInt(args[i+1])
			if !ok {
				x.err(errNotInt)
				return o, false
			}
			if n < 1 {
				x.syntaxErr()
				return o, false
			}
			o.count = int(min(n, 1<<20))
		case eqFold(args[i], "match"):
			o.match = string(args[i+1])
			o.hasPat = !(len(o.match) == 1 && o.match[0] == '*')
		case eqFold(args[i], "type") && allowType:
			o.typ, o.hasType = strings.ToLower(string(cString(args[i+1]))), true
		default:
			x.syntaxErr()
			return o, false
		}
	}
	return o, true
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
func cmdScan(x *cmdCtx) {
	cursor, ok := x.scanCursor(x.args[1])
	if !ok {
		return
	}
	o, ok := x.parseScanOptions(x.args[2:], true)
	if !ok {
		return
	}
	var keys []*keyspace.Entry
	next := x.db.Scan(cursor, o.count, func(e *keyspace.Entry) { keys = append(keys, e) })
	var out []string
	for _, e := range keys {
		if o.hasPat && !config.Match(o.match, e.Key(), false) {
			continue
		}
		if o.hasType && e.Kind().String() != o.typ {
			continue
		}
		if x.lookup([]byte(e.Key())) == nil {
			continue // expired (and deleted on a master)
		}
		out = append(out, e.Key())
	}
	x.array(2)
	x.bulkStr(strconv.FormatUint(next, 10))
	x.array(len(out))
	for _, k := range out {
		x.bulkStr(k)
	}
}

// RANDOMKEY
func cmdRandomKey(x *cmdCtx) {
	for tries := 0; ; tries++ {
		e := x.db.RandomEntry(x.n.rng)
		if e == nil {
			x.null()
			return
		}
		if e.Expired(x.now) && !x.c.is(flagMaster) {
			if x.n.isReplica() {
				if tries < 100 {
					continue
				}
			} else {
				x.n.expireEntry(x.db, e)
				continue
			}
		}
		x.bulkStr(e.Key())
		return
	}
}

// RENAME key newkey / RENAMENX key newkey
func cmdRename(x *cmdCtx) {
	nx := x.cmd.name == "renamenx"
	src := x.lookupWrite(x.args[1])
	if src == nil {
		x.err(errNoSuchKey)
		return
	}
	if string(x.args[1]) == string(x.args[2]) {
		if nx {
			x.int(0)
		} else {
			x.ok()
		}
		return
	}
	if dst := x.lookupWrite(x.args[2]); dst != nil && nx {
		x.int(0)
		return
	}
	x.db.Rename(src, x.args[2])
	x.touch(x.args[1])
	x.touch(x.args[2])
	x.notify(notifyGeneric, "rename_from", x.args[1])
	x.notify(notifyGeneric, "rename_to", x.args[2])
	if nx {
		x.int(1)
	} else {
		x.ok()
	}
}

// EXPIRE key seconds [NX|XX|GT|LT] (and PEXPIRE, EXPIREAT, PEXPIREAT)
func cmdExpire(x *cmdCtx) {
	name := x.cmd.name
	const (
		fNX = 1 << iota
		fXX
		fGT
		fLT
	)
	flag := 0
	for _, a := range x.args[3:] {
		switch {
		case eqFold(a, "nx"):
			flag |= fNX
		case eqFold(a, "xx"):
			flag |= fXX
		case eqFold(a, "gt"):
			flag |= fGT
		case eqFold(a, "lt"):
			flag |= fLT
		default:
			x.err(sanitizeError("ERR Unsupported option " + string(cString(a))))
			return
		}
	}
	if flag&fNX != 0 && flag&(fXX|fGT|fLT) != 0 {
		x.err("ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if flag&fGT != 0 && flag&fLT != 0 {
		x.err("ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	if name == "expire" || name == "expireat" {
		if when > maxInt64/1000 || when < minInt64/1000 {
			x.err("ERR invalid expire time in '" + name + "' command")
			return
		}
		when *= 1000
	}
	if name == "expire" || name == "pexpire" {
		if when > maxInt64-x.now {
			x.err("ERR invalid expire time in '" + name + "' command")
			return
		}
		when += x.now
	}
	e := x.lookupWrite(x.args[1])
	if e == nil {
		x.int(0)
		return
	}
	cur := e.ExpireAt()
	switch {
	case flag&fNX != 0 && cur != 0,
		flag&fXX != 0 && cur == 0,
		flag&fGT != 0 && (cur == 0 || when <= cur),
		flag&fLT != 0 && cur != 0 && when >= cur:
		x.int(0)
		return
	}
	if when <= x.now && !x.n.isReplica() && !x.n.loading {
		x.db.DeleteEntry(e)
		x.touch(x.args[1])
		x.notify(notifyGeneric, "del", x.args[1])
		x.prop = [][]byte{[]byte("DEL"), x.args[1]}
		x.int(1)
		return
	}
	x.db.SetExpire(e, expireValue(when))
	x.touch(x.args[1])
	x.notify(notifyGeneric, "expire", x.args[1])
	prop := make([][]byte, len(x.args))
	copy(prop, x.args)
	if name != "pexpireat" {
		prop[0] = []byte("PEXPIREAT")
		prop[2] = strconv.AppendInt(nil, when, 10)
	}
	x.prop = prop
	x.int(1)
}

const (
	maxInt64 = 1<<63 - 1
	minInt64 = -1 << 63
)

// expireValue maps an absolute expiry to the keyspace's encoding, where 0
// means "no TTL": a TTL at exactly the epoch is kept as -1 ms.
func expireValue(when int64) int64 {
	if when == 0 {
		return -1
	}
	return when
}

// TTL key / PTTL key / EXPIRETIME key / PEXPIRETIME key
func cmdTTL(x *cmdCtx) {
	x.noTouch = true
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.int(-2)
		return
	}
	exp := e.ExpireAt()
	if exp == 0 {
		x.int(-1)
		return
	}
	switch x.cmd.name {
	case "ttl":
		ttl := max(exp-x.now, 0)
		x.int((ttl + 500) / 1000)
	case "pttl":
		x.int(max(exp-x.now, 0))
	case "expiretime":
		x.int(exp / 1000)
	default:
		x.int(exp)
	}
}

// PERSIST key
func cmdPersist(x *cmdCtx) {
	e := x.lookupWrite(x.args[1])
	if e == nil || e.ExpireAt() == 0 {
		x.int(0)
		return
	}
	x.db.SetExpire(e, 0)
	x.touch(x.args[1])
	x.notify(notifyGeneric, "persist", x.args[1])
	x.int(1)
}

// DBSIZE
func cmdDBSize(x *cmdCtx) { x.int(int64(x.db.Len())) }

// parseFlushMode checks FLUSHDB/FLUSHALL's optional ASYNC|SYNC.
func (x *cmdCtx) parseFlushMode() bool {
	if len(x.args) > 2 || (len(x.args) == 2 && !eqFold(x.args[1], "async") && !eqFold(x.args[1], "sync")) {
		x.syntaxErr()
		return false
	}
	return true
}

// FLUSHDB [ASYNC|SYNC]
func cmdFlushDB(x *cmdCtx) {
	if !x.parseFlushMode() {
		return
	}
	n := x.db.Len()
	x.n.touchWatchedDB(x.db.ID())
	x.n.signalDeletedStreams(x.db, nil)
	x.db.Flush()
	x.changed(max(n, 1))
	x.ok()
}

// FLUSHALL [ASYNC|SYNC]
func cmdFlushAll(x *cmdCtx) {
	if !x.parseFlushMode() {
		return
	}
	n := x.n.ks.Keys()
	for i := 0; i < x.n.ks.Len(); i++ {
		x.n.touchWatchedDB(i)
		x.n.signalDeletedStreams(x.n.ks.DB(i), nil)
	}
	x.n.ks.FlushAll()
	x.changed(max(n, 1))
	x.n.afterFlushAll()
	x.ok()
}
