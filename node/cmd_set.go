package node

import (
	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	const w, r, g = cWrite, cReadOnly, "set"
	register(
		&command{name: "sadd", arity: -3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @set @fast", fn: cmdSAdd,
			summary: "Add one or more members to a set", group: g, since: "1.0.0"},
		&command{name: "srem", arity: -3, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @set @fast", fn: cmdSRem,
			summary: "Remove one or more members from a set", group: g, since: "1.0.0"},
		&command{name: "smembers", arity: 2, flags: r, firstKey: 1, lastKey: 1, acl: "@read @set @slow", fn: cmdSInter,
			summary: "Get all the members in a set", group: g, since: "1.0.0"},
		&command{name: "sismember", arity: 3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @set @fast", fn: cmdSIsMember,
			summary: "Determine if a given value is a member of a set", group: g, since: "1.0.0"},
		&command{name: "smismember", arity: -3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @set @fast", fn: cmdSMIsMember,
			summary: "Returns the membership associated with the given elements for a set", group: g, since: "6.2.0"},
		&command{name: "scard", arity: 2, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @set @fast", fn: cmdSCard,
			summary: "Get the number of members in a set", group: g, since: "1.0.0"},
		&command{name: "spop", arity: -2, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @set @fast", fn: cmdSPop,
			summary: "Remove and return one or multiple random members from a set", group: g, since: "1.0.0"},
		&command{name: "srandmember", arity: -2, flags: r, firstKey: 1, lastKey: 1, acl: "@read @set @slow", fn: cmdSRandMember,
			summary: "Get one or multiple random members from a set", group: g, since: "1.0.0"},
		&command{name: "smove", arity: 4, flags: w | cFast, firstKey: 1, lastKey: 2, acl: "@write @set @fast", fn: cmdSMove,
			summary: "Move a member from one set to another", group: g, since: "1.0.0"},
		&command{name: "sunion", arity: -2, flags: r, firstKey: 1, lastKey: -1, acl: "@read @set @slow", fn: cmdSUnionDiff,
			summary: "Add multiple sets", group: g, since: "1.0.0"},
		&command{name: "sinter", arity: -2, flags: r, firstKey: 1, lastKey: -1, acl: "@read @set @slow", fn: cmdSInter,
			summary: "Intersect multiple sets", group: g, since: "1.0.0"},
		&command{name: "sdiff", arity: -2, flags: r, firstKey: 1, lastKey: -1, acl: "@read @set @slow", fn: cmdSUnionDiff,
			summary: "Subtract multiple sets", group: g, since: "1.0.0"},
		&command{name: "sunionstore", arity: -3, flags: w | cDenyOOM, firstKey: 1, lastKey: -1, acl: "@write @set @slow", fn: cmdSUnionDiff,
			summary: "Add multiple sets and store the resulting set in a key", group: g, since: "1.0.0"},
		&command{name: "sinterstore", arity: -3, flags: w | cDenyOOM, firstKey: 1, lastKey: -1, acl: "@write @set @slow", fn: cmdSInter,
			summary: "Intersect multiple sets and store the resulting set in a key", group: g, since: "1.0.0"},
		&command{name: "sdiffstore", arity: -3, flags: w | cDenyOOM, firstKey: 1, lastKey: -1, acl: "@write @set @slow", fn: cmdSUnionDiff,
			summary: "Subtract multiple sets and store the resulting set in a key", group: g, since: "1.0.0"},
		&command{name: "sintercard", arity: -3, flags: r, acl: "@read @set @slow", fn: cmdSInterCard,
			summary: "Intersect multiple sets and return the cardinality of the result", group: g, since: "7.0.0"},
		&command{name: "sscan", arity: -3, flags: r, firstKey: 1, lastKey: 1, acl: "@read @set @slow", fn: cmdSScan,
			summary: "Incrementally iterate Set elements", group: g, since: "2.8.0"},
	)
}

// setEntry checks that e (possibly nil) holds a set, replying WRONGTYPE
// when it does not.
func (x *cmdCtx) setEntry(e *keyspace.Entry) bool {
	if e != nil && e.Kind() != keyspace.KindSet {
		x.wrongType()
		return false
	}
	return true
}

// SADD key member [member ...]
func cmdSAdd(x *cmdCtx) {
	key := x.args[1]
	e := x.lookupWrite(key)
	if !x.setEntry(e) {
		return
	}
	var s *keyspace.Set
	if e != nil {
		s = e.Set()
	} else {
		s = keyspace.NewSet(len(x.args) - 2)
	}
	added := 0
	for _, m := range x.args[2:] {
		if s.Has(m) {
			continue
		}
		if added == 0 && e != nil {
			x.db.Modify(e)
			s = e.Set()
		}
		s.Add(m)
		added++
	}
	if e == nil {
		x.db.Add(key, nil, s, 0)
	}
	if added > 0 {
		x.touchN(key, added)
		x.notify(notifySet, "sadd", key)
	}
	x.int(int64(added))
}

// SREM key member [member ...]
func cmdSRem(x *cmdCtx) {
	key := x.args[1]
	e := x.lookupWrite(key)
	if e == nil {
		x.int(0)
		return
	}
	if !x.setEntry(e) {
		return
	}
	s := e.Set()
	deleted := 0
	for _, m := range x.args[2:] {
		if !s.Has(m) {
			continue
		}
		if deleted == 0 {
			x.db.Modify(e)
			s = e.Set()
		}
		s.DeleteBytes(m)
		deleted++
		if s.Len() == 0 {
			x.db.DeleteEntry(e)
			break
		}
	}
	if deleted > 0 {
		x.touchN(key, deleted)
		x.notify(notifySet, "srem", key)
		if s.Len() == 0 {
			x.notify(notifyGeneric, "del", key)
		}
	}
	x.int(int64(deleted))
}

// SISMEMBER key member
func cmdSIsMember(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if !x.setEntry(e) {
		return
	}
	if e != nil && e.Set().Has(x.args[2]) {
		x.int(1)
	} else {
		x.int(0)
	}
}

// SMISMEMBER key member [member ...]
func cmdSMIsMember(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if !x.setEntry(e) {
		return
	}
	x.array(len(x.args) - 2)
	for _, m := range x.args[2:] {
		if e != nil && e.Set().Has(m) {
			x.int(1)
		} else {
			x.int(0)
		}
	}
}

// SCARD key
func cmdSCard(x *cmdCtx) {
	e := x.lookupRead(x.args[1])
	if !x.setEntry(e) {
		return
	}
	if e == nil {
		x.int(0)
		return
	}
	x.int(int64(e.Set().Len()))
}

// SMOVE source destination member
//
// The source is checked first: a missing source answers 0 whatever the
// destination holds.
func cmdSMove(x *cmdCtx) {
	srcKey, dstKey, m := x.args[1], x.args[2], x.args[3]
	src := x.lookupWrite(srcKey)
	dst := x.lookupWrite(dstKey)
	if src == nil {
		x.int(0)
		return
	}
	if !x.setEntry(src) || !x.setEntry(dst) {
		return
	}
	if src == dst {
		if src.Set().Has(m) {
			x.int(1)
		} else {
			x.int(0)
		}
		return
	}
	if !src.Set().Has(m) {
		x.int(0)
		return
	}
	x.db.Modify(src)
	s := src.Set()
	s.DeleteBytes(m)
	x.notify(notifySet, "srem", srcKey)
	if s.Len() == 0 {
		x.db.DeleteEntry(src)
		x.notify(notifyGeneric, "del", srcKey)
	}
	x.touch(srcKey)
	if dst == nil {
		d := keyspace.NewSet(1)
		d.Add(m)
		x.db.Add(dstKey, nil, d, 0)
		x.touch(dstKey)
		x.notify(notifySet, "sadd", dstKey)
	} else if !dst.Set().Has(m) {
		x.db.Modify(dst)
		dst.Set().Add(m)
		x.touch(dstKey)
		x.notify(notifySet, "sadd", dstKey)
	}
	x.int(1)
}
