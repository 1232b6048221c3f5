package node

import (
	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	register(&command{name: "copy", arity: -3, flags: cWrite | cDenyOOM, firstKey: 1, lastKey: 2, acl: "@keyspace @write @slow", fn: cmdCopy,
		summary: "Copies the value of a key to a new key.", group: "generic", since: "6.2.0"},
		&command{name: "move", arity: 3, flags: cWrite | cFast, firstKey: 1, lastKey: 1, acl: "@keyspace @write @fast", fn: cmdMove,
			summary: "Move a key to another database", group: "generic", since: "1.0.0"})
}

// MOVE key db
//
// As Redis 7.0.15's moveCommand: the key goes to db with its TTL unless
// it exists there; WATCHers of the key in both databases are touched;
// keyspace events move_from and move_to; it replicates as it is.
func cmdMove(x *cmdCtx) {
	id, ok := x.dbIndexArg(x.args[2])
	if !ok {
		return
	}
	dst := x.n.ks.DB(id)
	if dst == x.db {
		x.err("ERR source and destination objects are the same")
		return
	}
	key := x.args[1]
	e := x.lookupWrite(key)
	if e == nil {
		x.int(0)
		return
	}
	var there *keyspace.Entry
	x.inDB(dst, func() { there = x.lookupWrite(key) })
	if there != nil {
		x.int(0)
		return
	}
	x.db.Move(e, dst)
	x.touch(key)
	x.inDB(dst, func() { x.signal(key) })
	x.notify(notifyGeneric, "move_from", key)
	x.inDB(dst, func() { x.notify(notifyGeneric, "move_to", key) })
	x.int(1)
}

// inDB runs fn with the command's database switched to db, for commands
// that read or write a second database (COPY ... DB, MOVE): lookups,
// expiry and WATCH invalidation then apply there, while the command still
// replicates in the client's database.
func (x *cmdCtx) inDB(db *keyspace.DB, fn func()) {
	saved := x.db
	x.db = db
	defer func() { x.db = saved }()
	fn()
}

// COPY source destination [DB destination-db] [REPLACE]
func cmdCopy(x *cmdCtx) {
	dst := x.db
	replace := false
	for j := 3; j < len(x.args); j++ {
		a := x.args[j]
		switch {
		case eqFold(a, "replace"):
			replace = true
		case eqFold(a, "db") && j+1 < len(x.args):
			id, ok := x.dbIndexArg(x.args[j+1])
			if !ok {
				return
			}
			dst = x.n.ks.DB(id)
			j++
		default:
			x.syntaxErr()
			return
		}
	}
	key, newKey := x.args[1], x.args[2]
	if dst == x.db && string(key) == string(newKey) {
		x.err("ERR source and destination objects are the same")
		return
	}
	src := x.lookupRead(key)
	if src == nil {
		x.int(0)
		return
	}
	var old *keyspace.Entry
	x.inDB(dst, func() { old = x.lookupWrite(newKey) })
	if old != nil && !replace {
		x.int(0)
		return
	}
	var str []byte
	var obj keyspace.Object
	if o := src.Object(); o != nil {
		obj = keyspace.CloneObject(o)
	} else {
		str = append([]byte{}, src.Str()...)
	}
	x.inDB(dst, func() {
		if old != nil {
			x.db.DeleteEntry(old)
		}
		x.db.Add(newKey, str, obj, src.ExpireAt())
		x.touch(newKey)
	})
	x.int(1)
}
