package node

import (
	"errors"
	"strconv"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
)

func init() {
	register(
		&command{name: "dump", arity: 2, flags: cReadOnly, firstKey: 1, lastKey: 1, acl: "@keyspace @read @slow", fn: cmdDump,
			summary: "Return a serialized version of the value stored at the specified key.", group: "generic", since: "2.6.0"},
		&command{name: "restore", arity: -4, flags: cWrite | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@keyspace @write @slow @dangerous", fn: cmdRestore,
			summary: "Create a key using the provided serialized value, previously obtained using DUMP.", group: "generic", since: "2.6.0"},
	)
}

// DUMP key
func cmdDump(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.null()
		return
	}
	p, err := dumpPayload(e, x.n.cfg.RDBCompression)
	if err != nil {
		x.err("ERR " + err.Error())
		return
	}
	x.bulk(p)
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
//
// As Redis 7.0.15's restoreCommand: options first, then BUSYKEY, the TTL,
// the payload's footer and its value. A TTL already past deletes the key
// (when REPLACE removed one: replicated as DEL) and creates nothing; a
// relative TTL replicates as an absolute one with ABSTTL. IDLETIME sets
// the key's idle time under an LRU or no-eviction policy, FREQ its access
// counter under an LFU one; the other is checked and ignored (access.go).
func cmdRestore(x *cmdCtx) {
	var replace, absTTL, idle, freq bool
	idleSecs, freqVal := int64(-1), int64(-1)
	for j := 4; j < len(x.args); j++ {
		a, more := x.args[j], j+1 < len(x.args)
		switch {
		case eqFold(a, "replace"):
			replace = true
		case eqFold(a, "absttl"):
			absTTL = true
		case eqFold(a, "idletime") && more && !freq:
			v, ok := parseInt(x.args[j+1])
			if !ok {
				x.err(errNotInt)
				return
			}
			if v < 0 {
				x.err("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle, idleSecs = true, v
			j++
		case eqFold(a, "freq") && more && !idle:
			v, ok := parseInt(x.args[j+1])
			if !ok {
				x.err(errNotInt)
				return
			}
			if v < 0 || v > 255 {
				x.err("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq, freqVal = true, v
			j++
		default:
			x.syntaxErr()
			return
		}
	}
	key := x.args[1]
	old := x.lookupWrite(key)
	if !replace && old != nil {
		x.err("BUSYKEY Target key name already exists.")
		return
	}
	ttl, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	if ttl < 0 {
		x.err("ERR Invalid TTL value, must be >= 0")
		return
	}
	body := x.args[3]
	if err := rdb.VerifyDump(body); err != nil {
		x.err("ERR DUMP payload version or checksum are wrong")
		return
	}
	str, obj, err := decodeDumpValue(body)
	if err != nil {
		x.err("ERR Bad data format")
		return
	}
	deleted := false
	if replace && old != nil {
		x.db.DeleteEntry(old)
		deleted = true
	}
	if ttl != 0 && !absTTL {
		ttl += x.now // overflow wraps as in Redis: the key is then expired
	}
	if ttl != 0 && ttl <= x.now && !x.c.is(flagMaster) && !x.n.isReplica() {
		if deleted {
			x.prop = [][]byte{[]byte("DEL"), key}
			x.touch(key)
			x.notify(notifyGeneric, "del", key)
		}
		x.ok()
		return
	}
	e := x.db.Add(copyBytes(key), str, obj, ttl)
	x.n.restoreAccessLocked(e, freqVal, idleSecs, x.now)
	if ttl != 0 && !absTTL {
		x.prop = append(append([][]byte{}, x.args...), []byte("ABSTTL"))
		x.prop[2] = strconv.AppendInt(nil, ttl, 10)
	}
	x.touch(key)
	x.notify(notifyGeneric, "restore", key)
	x.ok()
}

// dumpPayload serializes e's value as Redis 7.0.15's DUMP does.
func dumpPayload(e *keyspace.Entry, compress bool) ([]byte, error) {
	if e.Kind() == keyspace.KindString {
		d := rdb.NewDump(rdb.DumpString, compress)
		d.String(e.Str())
		return d.Bytes(), nil
	}
	for _, c := range dumpCodecs {
		if c.kind == e.Kind() {
			return c.encode(e.Object(), compress)
		}
	}
	return nil, errors.New("the value of this key has no DUMP encoding")
}

// decodeDumpValue turns a verified payload into a string (obj nil) or an
// object.
func decodeDumpValue(body []byte) (str []byte, obj keyspace.Object, err error) {
	if len(body) > 0 {
		for _, c := range dumpCodecs {
			for _, t := range c.rdbTypes {
				if t == body[0] && c.decode != nil {
					obj, err = c.decode(body)
					return nil, obj, err
				}
			}
		}
	}
	en, err := rdb.DecodeDumpValue(body)
	if err != nil {
		return nil, nil, err
	}
	str, obj = decodedValue(en)
	return str, obj, nil
}

// dumpCodec is how DUMP and RESTORE handle one kind of collection: encode
// writes a whole payload (rdb.NewDump … Bytes); decode, when set, reads
// the value of a verified payload (type byte first, footer included, as
// Redis reads it) of one of rdbTypes — the
// built-in kinds decode through rdb.DecodeDumpValue instead. A new value
// type (streams) plugs in with registerDumpCodec.
type dumpCodec struct {
	kind     keyspace.Kind
	rdbTypes []byte
	encode   func(o keyspace.Object, compress bool) ([]byte, error)
	decode   func(body []byte) (keyspace.Object, error)
}

var dumpCodecs []dumpCodec

// registerDumpCodec adds a value kind to DUMP and RESTORE (from init).
func registerDumpCodec(c dumpCodec) { dumpCodecs = append(dumpCodecs, c) }
