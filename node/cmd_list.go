package node

import (
	"github.com/replscope/replscope/node/keyspace"
)

// The list family: pushes and pops at both ends, indexed reads and writes.
// Editing commands (LTRIM, LREM, LINSERT, LPOS, LMOVE, RPOPLPUSH) are in
// cmd_list_edit.go.

func init() {
	const w, r = cWrite, cReadOnly
	register(
		&command{name: "lpush", arity: -3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @list @fast", fn: cmdPush,
			summary: "Prepend one or multiple elements to a list", group: "list", since: "1.0.0"},
		&command{name: "rpush", arity: -3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @list @fast", fn: cmdPush,
			summary: "Append one or multiple elements to a list", group: "list", since: "1.0.0"},
		&command{name: "lpushx", arity: -3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @list @fast", fn: cmdPush,
			summary: "Prepend an element to a list, only if the list exists", group: "list", since: "2.2.0"},
		&command{name: "rpushx", arity: -3, flags: w | cDenyOOM | cFast, firstKey: 1, lastKey: 1, acl: "@write @list @fast", fn: cmdPush,
			summary: "Append an element to a list, only if the list exists", group: "list", since: "2.2.0"},
		&command{name: "lpop", arity: -2, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @list @fast", fn: cmdPop,
			summary: "Remove and get the first elements in a list", group: "list", since: "1.0.0"},
		&command{name: "rpop", arity: -2, flags: w | cFast, firstKey: 1, lastKey: 1, acl: "@write @list @fast", fn: cmdPop,
			summary: "Remove and get the last elements in a list", group: "list", since: "1.0.0"},
		&command{name: "llen", arity: 2, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @list @fast", fn: cmdLLen,
			summary: "Get the length of a list", group: "list", since: "1.0.0"},
		&command{name: "lrange", arity: 4, flags: r, firstKey: 1, lastKey: 1, acl: "@read @list @slow", fn: cmdLRange,
			summary: "Get a range of elements from a list", group: "list", since: "1.0.0"},
		&command{name: "lindex", arity: 3, flags: r, firstKey: 1, lastKey: 1, acl: "@read @list @slow", fn: cmdLIndex,
			summary: "Get an element from a list by its index", group: "list", since: "1.0.0"},
		&command{name: "lset", arity: 4, flags: w | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @list @slow", fn: cmdLSet,
			summary: "Set the value of an element in a list by its index", group: "list", since: "1.0.0"},
		&command{name: "ltrim", arity: 4, flags: w, firstKey: 1, lastKey: 1, acl: "@write @list @slow", fn: cmdLTrim,
			summary: "Trim a list to the specified range", group: "list", since: "1.0.0"},
		&command{name: "lrem", arity: 4, flags: w, firstKey: 1, lastKey: 1, acl: "@write @list @slow", fn: cmdLRem,
			summary: "Remove elements from a list", group: "list", since: "1.0.0"},
		&command{name: "linsert", arity: 5, flags: w | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @list @slow", fn: cmdLInsert,
			summary: "Insert an element before or after another element in a list", group: "list", since: "2.2.0"},
		&command{name: "lpos", arity: -3, flags: r, firstKey: 1, lastKey: 1, acl: "@read @list @slow", fn: cmdLPos,
			summary: "Return the index of matching elements on a list", group: "list", since: "6.0.6"},
		&command{name: "lmove", arity: 5, flags: w | cDenyOOM, firstKey: 1, lastKey: 2, acl: "@write @list @slow", fn: cmdLMove,
			summary: "Pop an element from a list, push it to another list and return it", group: "list", since: "6.2.0"},
		&command{name: "rpoplpush", arity: 3, flags: w | cDenyOOM, firstKey: 1, lastKey: 2, acl: "@write @list @slow", fn: cmdRPopLPush,
			summary: "Remove the last element in a list, prepend it to another list and return it", group: "list", since: "1.2.0"},
	)
}

// Raw replies a missing key gets (lookupKeyReadOrReply's default reply).
var (
	listZeroRaw  = []byte(":0\r\n")
	listEmptyRaw = []byte("*0\r\n")
	listNoKeyRaw = []byte("-" + errNoSuchKey + "\r\n")
)

// LPUSH key element [element ...]
// RPUSH key element [element ...]
// LPUSHX key element [element ...]
// RPUSHX key element [element ...]
func cmdPush(x *cmdCtx) {
	name := x.cmd.name
	head := name[0] == 'l'
	key := x.args[1]
	e := x.lookupWrite(key)
	if e != nil && e.Kind() != keyspace.KindList {
		x.wrongType()
		return
	}
	if e == nil {
		if name[len(name)-1] == 'x' {
			x.int(0)
			return
		}
		e = x.db.Add(key, nil, keyspace.NewList(), 0)
	} else {
		x.db.Modify(e)
	}
	l := e.List()
	for _, v := range x.args[2:] {
		if head {
			l.PushFront(copyBytes(v))
		} else {
			l.PushBack(copyBytes(v))
		}
	}
	x.touchN(key, len(x.args)-2)
	if head {
		x.notify(notifyList, "lpush", key)
	} else {
		x.notify(notifyList, "rpush", key)
	}
	x.int(int64(l.Len()))
}

// LPOP key [count]
// RPOP key [count]
//
// Without count the reply is a bulk string (nil for a missing key); with
// one it is an array (a nil array for a missing key, an empty one for a
// count of 0). The command replicates as executed.
func cmdPop(x *cmdCtx) {
	if len(x.args) > 3 {
		x.wrongArgs()
		return
	}
	hasCount := len(x.args) == 3
	count := int64(0)
	missing := nullBulk
	if hasCount {
		n, ok := parseInt(x.args[2])
		if !ok || n < 0 {
			x.err(errNotPositive)
			return
		}
		count = n
		missing = nullArray
	}
	key := x.args[1]
	e := x.entryOrReply(key, keyspace.KindList, true, missing)
	if e == nil {
		return
	}
	if hasCount && count == 0 {
		x.w.WriteRaw(listEmptyRaw)
		return
	}
	if !hasCount {
		count = -1
	}
	x.popElements(key, e, x.cmd.name[0] == 'l', count)
}

// popElements pops count elements of the list e at key from the head or
// the tail and replies with them (an array; with count < 0, one element
// alone), deletes the key it emptied and sends the pop's events. It
// reports whether the key was deleted.
func (x *cmdCtx) popElements(key []byte, e *keyspace.Entry, head bool, count int64) bool {
	x.db.Modify(e)
	l := e.List()
	n := 1
	if count >= 0 {
		n = int(min(count, int64(l.Len())))
		x.array(n)
	}
	for i := 0; i < n; i++ {
		if head {
			x.bulk(l.PopFront())
		} else {
			x.bulk(l.PopBack())
		}
	}
	deleted := l.Len() == 0
	if deleted {
		x.db.DeleteEntry(e)
	}
	x.touchN(key, n)
	x.notifyPop(key, head, deleted)
	return deleted
}

// notifyPop sends a list pop's events (listElementsRemoved): "lpop" or
// "rpop", then "del" when the list is gone.
func (x *cmdCtx) notifyPop(key []byte, head, deleted bool) {
	if head {
		x.notify(notifyList, "lpop", key)
	} else {
		x.notify(notifyList, "rpop", key)
	}
	if deleted {
		x.notify(notifyGeneric, "del", key)
	}
}

// LLEN key
func cmdLLen(x *cmdCtx) {
	if e := x.entryOrReply(x.args[1], keyspace.KindList, false, listZeroRaw); e != nil {
		x.int(int64(e.List().Len()))
	}
}

// listRange clamps an LRANGE/LTRIM range [start, end] over a list of n
// elements: negative indices count from the tail, start is raised to 0,
// end lowered to n-1. ok is false for an empty range.
func listRange(start, end int64, n int) (int, int, bool) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= ln {
		return 0, 0, false
	}
	if end >= ln {
		end = ln - 1
	}
	return int(start), int(end), true
}

// LRANGE key start stop
func cmdLRange(x *cmdCtx) {
	start, ok1 := parseInt(x.args[2])
	end, ok2 := parseInt(x.args[3])
	if !ok1 || !ok2 {
		x.err(errNotInt)
		return
	}
	e := x.entryOrReply(x.args[1], keyspace.KindList, false, listEmptyRaw)
	if e == nil {
		return
	}
	l := e.List()
	from, to, ok := listRange(start, end, l.Len())
	if !ok {
		x.w.WriteRaw(listEmptyRaw)
		return
	}
	x.array(to - from + 1)
	for i := from; i <= to; i++ {
		x.bulk(l.At(i))
	}
}

// listIndex resolves an LINDEX/LSET index (negative from the tail); ok is
// false when it is out of range.
func listIndex(idx int64, n int) (int, bool) {
	if idx < 0 {
		idx += int64(n)
	}
	if idx < 0 || idx >= int64(n) {
		return 0, false
	}
	return int(idx), true
}

// LINDEX key index
func cmdLIndex(x *cmdCtx) {
	e := x.entryOrReply(x.args[1], keyspace.KindList, false, nullBulk)
	if e == nil {
		return
	}
	idx, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	l := e.List()
	i, ok := listIndex(idx, l.Len())
	if !ok {
		x.null()
		return
	}
	x.bulk(l.At(i))
}

// LSET key index element
func cmdLSet(x *cmdCtx) {
	key := x.args[1]
	e := x.entryOrReply(key, keyspace.KindList, true, listNoKeyRaw)
	if e == nil {
		return
	}
	idx, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	i, ok := listIndex(idx, e.List().Len())
	if !ok {
		x.err(errIndexRange)
		return
	}
	x.db.Modify(e)
	e.List().SetAt(i, copyBytes(x.args[3]))
	x.touch(key)
	x.notify(notifyList, "lset", key)
	x.ok()
}
