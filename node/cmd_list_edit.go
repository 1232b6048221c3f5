package node

import (
	"bytes"

	"github.com/replscope/replscope/node/keyspace"
)

// LTRIM key start stop
//
// An LTRIM that removes nothing still invalidates WATCHes of the key but
// does not replicate (Redis signals the key and adds 0 to server.dirty).
func cmdLTrim(x *cmdCtx) {
	start, ok1 := parseInt(x.args[2])
	end, ok2 := parseInt(x.args[3])
	if !ok1 || !ok2 {
		x.err(errNotInt)
		return
	}
	key := x.args[1]
	e := x.entryOrReply(key, keyspace.KindList, true, okReply)
	if e == nil {
		return
	}
	n := e.List().Len()
	from, to, keep := listRange(start, end, n)
	removed := n
	if keep {
		removed = n - (to - from + 1)
	}
	if removed == 0 {
		x.signal(key)
		x.notify(notifyList, "ltrim", key)
		x.ok()
		return
	}
	if keep {
		x.db.Modify(e)
		e.List().Trim(from, to)
	} else {
		x.db.DeleteEntry(e)
	}
	x.touchN(key, removed)
	x.notify(notifyList, "ltrim", key)
	if !keep {
		x.notify(notifyGeneric, "del", key)
	}
	x.ok()
}

// LREM key count element
func cmdLRem(x *cmdCtx) {
	count, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	key := x.args[1]
	e := x.entryOrReply(key, keyspace.KindList, true, listZeroRaw)
	if e == nil {
		return
	}
	elem := x.args[3]
	if e.List().Index(elem) < 0 {
		x.int(0)
		return
	}
	x.db.Modify(e)
	l := e.List()
	removed := l.RemoveEqual(elem, int(count))
	deleted := l.Len() == 0
	if deleted {
		x.db.DeleteEntry(e)
	}
	x.touchN(key, removed)
	x.notify(notifyList, "lrem", key)
	if deleted {
		x.notify(notifyGeneric, "del", key)
	}
	x.int(int64(removed))
}

// LINSERT key BEFORE|AFTER pivot element
func cmdLInsert(x *cmdCtx) {
	var after bool
	switch {
	case eqFold(x.args[2], "after"):
		after = true
	case eqFold(x.args[2], "before"):
	default:
		x.syntaxErr()
		return
	}
	key := x.args[1]
	e := x.entryOrReply(key, keyspace.KindList, true, listZeroRaw)
	if e == nil {
		return
	}
	i := e.List().Index(x.args[3])
	if i < 0 {
		x.int(-1)
		return
	}
	if after {
		i++
	}
	x.db.Modify(e)
	l := e.List()
	l.Insert(i, copyBytes(x.args[4]))
	x.touch(key)
	x.notify(notifyList, "linsert", key)
	x.int(int64(l.Len()))
}

// lposOptions are LPOS's RANK, COUNT and MAXLEN; count -1 means no COUNT
// (a single integer reply), 0 every match.
type lposOptions struct {
	rank, count, maxlen int64
}

// parseLPos parses LPOS's options in Redis's order and words.
func (x *cmdCtx) parseLPos() (lposOptions, bool) {
	o := lposOptions{rank: 1, count: -1}
	args := x.args
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		switch {
		case eqFold(args[j], "rank") && more:
			j++
			v, ok := parseInt(args[j])
			if !ok {
				x.err(errNotInt)
				return o, false
			}
			if v == 0 {
				x.err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
				return o, false
			}
			o.rank = v
		case eqFold(args[j], "count") && more:
			j++
			v, ok := parseInt(args[j])
			if !ok || v < 0 {
				x.err("ERR COUNT can't be negative")
				return o, false
			}
			o.count = v
		case eqFold(args[j], "maxlen") && more:
			j++
			v, ok := parseInt(args[j])
			if !ok || v < 0 {
				x.err("ERR MAXLEN can't be negative")
				return o, false
			}
			o.maxlen = v
		default:
			x.syntaxErr()
			return o, false
		}
	}
	return o, true
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLPos(x *cmdCtx) {
	o, ok := x.parseLPos()
	if !ok {
		return
	}
	missing := nullBulk
	if o.count != -1 {
		missing = listEmptyRaw
	}
	e := x.entryOrReply(x.args[1], keyspace.KindList, false, missing)
	if e == nil {
		return
	}
	l := e.List()
	n := l.Len()
	fromTail := o.rank < 0
	rank := o.rank
	if fromTail {
		rank = -rank // -MinInt64 stays negative, as in Redis: every match ranks
	}
	var found []int64
	matches := int64(0)
	for i := 0; i < n && (o.maxlen == 0 || int64(i) < o.maxlen); i++ {
		pos := i
		if fromTail {
			pos = n - 1 - i
		}
		if !bytes.Equal(l.At(pos), x.args[2]) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		found = append(found, int64(pos))
		if o.count == -1 || (o.count > 0 && matches-rank+1 >= o.count) {
			break
		}
	}
	if o.count != -1 {
		x.array(len(found))
		for _, p := range found {
			x.int(p)
		}
		return
	}
	if len(found) == 0 {
		x.null()
		return
	}
	x.int(found[0])
}

// listEnd parses LMOVE's LEFT|RIGHT: head is true for LEFT.
func listEnd(b []byte) (head, ok bool) {
	switch {
	case eqFold(b, "left"):
		return true, true
	case eqFold(b, "right"):
		return false, true
	}
	return false, false
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func cmdLMove(x *cmdCtx) {
	from, ok1 := listEnd(x.args[3])
	if !ok1 {
		x.syntaxErr()
		return
	}
	to, ok2 := listEnd(x.args[4])
	if !ok2 {
		x.syntaxErr()
		return
	}
	x.listMove(from, to)
}

// RPOPLPUSH source destination
func cmdRPopLPush(x *cmdCtx) { x.listMove(false, true) }

// listMove pops from source's head (fromHead) or tail and pushes onto
// destination's head (toHead) or tail, replying with the element. Source
// and destination may be the same list (a rotation). Like Redis 7.0, the
// command replicates as executed.
func (x *cmdCtx) listMove(fromHead, toHead bool) {
	src, dst := x.args[1], x.args[2]
	se := x.entryOrReply(src, keyspace.KindList, true, nullBulk)
	if se == nil {
		return
	}
	de := x.lookupWrite(dst)
	if de != nil && de.Kind() != keyspace.KindList {
		x.wrongType()
		return
	}
	x.db.Modify(se)
	sl := se.List()
	var v []byte
	if fromHead {
		v = sl.PopFront()
	} else {
		v = sl.PopBack()
	}
	switch {
	case de == nil:
		de = x.db.Add(dst, nil, keyspace.NewList(), 0)
	case de != se:
		x.db.Modify(de)
	}
	if dl := de.List(); toHead {
		dl.PushFront(v)
	} else {
		dl.PushBack(v)
	}
	deleted := sl.Len() == 0
	if deleted {
		x.db.DeleteEntry(se)
	}
	// Redis signals both keys but counts one change.
	x.signal(dst)
	x.touch(src)
	if toHead {
		x.notify(notifyList, "lpush", dst)
	} else {
		x.notify(notifyList, "rpush", dst)
	}
	x.notifyPop(src, fromHead, deleted)
	x.bulk(v)
}
