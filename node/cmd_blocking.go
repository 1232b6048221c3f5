package node

import (
	"strconv"
	"time"

	"github.com/replscope/replscope/node/keyspace"
)

// Blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
// BZPOPMAX, BZMPOP) and their multi-key non-blocking forms (LMPOP,
// ZMPOP). A blocking command that finds something pops at once and
// replicates as the non-blocking form; otherwise it blocks (block.go),
// except inside MULTI/EXEC (or from the master's link) where it answers
// as a timeout would. A client served later replicates the same way.

func init() {
	const w, bk = cWrite | cNoScript | cBlocksOnKeys, "@blocking"
	register(
		&command{name: "blpop", arity: -3, flags: w, firstKey: 1, lastKey: -2, acl: "@write @list @slow " + bk, fn: cmdBPop,
			summary: "Remove and get the first element in a list, or block until one is available", group: "list", since: "2.0.0"},
		&command{name: "brpop", arity: -3, flags: w, firstKey: 1, lastKey: -2, acl: "@write @list @slow " + bk, fn: cmdBPop,
			summary: "Remove and get the last element in a list, or block until one is available", group: "list", since: "2.0.0"},
		&command{name: "blmove", arity: 6, flags: w | cDenyOOM, firstKey: 1, lastKey: 2, acl: "@write @list @slow " + bk, fn: cmdBLMove,
			summary: "Pop an element from a list, push it to another list and return it; or block until one is available", group: "list", since: "6.2.0"},
		&command{name: "brpoplpush", arity: 4, flags: w | cDenyOOM, firstKey: 1, lastKey: 2, acl: "@write @list @slow " + bk, fn: cmdBLMove,
			summary: "Pop an element from a list, push it to another list and return it; or block until one is available", group: "list", since: "2.2.0"},
		&command{name: "blmpop", arity: -5, flags: cWrite | cBlocksOnKeys, acl: "@write @list @slow " + bk, fn: cmdMPop,
			summary: "Pop elements from a list, or block until one is available", group: "list", since: "7.0.0"},
		&command{name: "lmpop", arity: -4, flags: cWrite, acl: "@write @list @slow", fn: cmdMPop,
			summary: "Pop elements from a list", group: "list", since: "7.0.0"},
		&command{name: "bzpopmin", arity: -3, flags: w | cFast, firstKey: 1, lastKey: -2, acl: "@write @sortedset @fast " + bk, fn: cmdBZPop,
			summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", group: "sorted-set", since: "5.0.0"},
		&command{name: "bzpopmax", arity: -3, flags: w | cFast, firstKey: 1, lastKey: -2, acl: "@write @sortedset @fast " + bk, fn: cmdBZPop,
			summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", group: "sorted-set", since: "5.0.0"},
		&command{name: "bzmpop", arity: -5, flags: cWrite | cBlocksOnKeys, acl: "@write @sortedset @slow " + bk, fn: cmdMPop,
			summary: "Remove and return members with scores in a sorted set or block until one is available", group: "sorted-set", since: "7.0.0"},
		&command{name: "zmpop", arity: -4, flags: cWrite, acl: "@write @sortedset @slow", fn: cmdMPop,
			summary: "Remove and return members with scores in a sorted set", group: "sorted-set", since: "7.0.0"},
	)
}

var (
	lpopName    = []byte("LPOP")
	rpopName    = []byte("RPOP")
	zpopminName = []byte("ZPOPMIN")
	zpopmaxName = []byte("ZPOPMAX")
)

// BLPOP key [key ...] timeout
// BRPOP key [key ...] timeout
func cmdBPop(x *cmdCtx) {
	head := x.cmd.name == "blpop"
	keys := x.args[1 : len(x.args)-1]
	timeout, ok := x.parseTimeout(x.args[len(x.args)-1])
	if !ok {
		return
	}
	e, key, ok := x.firstNonEmpty(keys, keyspace.KindList)
	switch {
	case !ok:
		return
	case e != nil:
		x.popList(key, e, head, -1)
		x.prop = [][]byte{popName(head), key}
	case x.c.mayBlock:
		x.blockOn(keyspace.KindList, keys, timeout, func(x *cmdCtx, key []byte, e *keyspace.Entry) bool {
			x.n.alsoPropagate(x.db.ID(), [][]byte{popName(head), key})
			return x.popList(key, e, head, -1)
		})
	default:
		x.nullArray()
	}
}

func popName(head bool) []byte {
	if head {
		return lpopName
	}
	return rpopName
}

// firstNonEmpty finds the first of keys holding a non-empty value of kind
// (nil when none does). ok is false after a WRONGTYPE reply: a key of
// another type before any candidate fails the command.
func (x *cmdCtx) firstNonEmpty(keys [][]byte, kind keyspace.Kind) (*keyspace.Entry, []byte, bool) {
	for _, k := range keys {
		e := x.lookupWrite(k)
		if e == nil {
			continue
		}
		if e.Kind() != kind {
			x.wrongType()
			return nil, nil, false
		}
		if e.Object().Len() > 0 {
			return e, k, true
		}
	}
	return nil, nil, true
}

// popList pops from list key (entry e) and replies [key, element] when
// count is -1, or [key, [elements...]] with up to count elements. It
// reports whether the emptied key was deleted.
func (x *cmdCtx) popList(key []byte, e *keyspace.Entry, head bool, count int64) bool {
	x.array(2)
	x.bulk(key)
	return x.popElements(key, e, head, count)
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
// BRPOPLPUSH source destination timeout
func cmdBLMove(x *cmdCtx) {
	from, to := false, true
	tIdx := 3
	if x.cmd.name == "blmove" {
		var ok1, ok2 bool
		if from, ok1 = listEnd(x.args[3]); !ok1 {
			x.syntaxErr()
			return
		}
		if to, ok2 = listEnd(x.args[4]); !ok2 {
			x.syntaxErr()
			return
		}
		tIdx = 5
	}
	timeout, ok := x.parseTimeout(x.args[tIdx])
	if !ok {
		return
	}
	src := x.args[1]
	e := x.lookupWrite(src)
	switch {
	case e != nil && e.Kind() != keyspace.KindList:
		x.wrongType()
	case e != nil:
		x.listMove(from, to)
		if x.dirty > 0 && len(x.args) == 6 {
			x.prop = [][]byte{[]byte("LMOVE"), x.args[1], x.args[2], x.args[3], x.args[4]}
		} else if x.dirty > 0 {
			x.prop = moveEffect(x.args, from, to)
		}
	case x.c.mayBlock:
		x.blockOn(keyspace.KindList, x.args[1:2], timeout, func(x *cmdCtx, key []byte, e *keyspace.Entry) bool {
			x.listMove(from, to)
			if x.dirty > 0 {
				x.n.alsoPropagate(x.db.ID(), moveEffect(x.args, from, to))
			}
			return x.db.Peek(key) == nil
		})
	default:
		x.null()
	}
}

// moveEffect is how a BLMOVE/BRPOPLPUSH served after blocking replicates
// (served at once, BLMOVE keeps the client's words for the two sides).
func moveEffect(args [][]byte, from, to bool) [][]byte {
	if len(args) == 4 {
		return [][]byte{[]byte("RPOPLPUSH"), args[1], args[2]}
	}
	side := func(head bool) []byte {
		if head {
			return []byte("left")
		}
		return []byte("right")
	}
	return [][]byte{[]byte("LMOVE"), args[1], args[2], side(from), side(to)}
}

// BZPOPMIN key [key ...] timeout
// BZPOPMAX key [key ...] timeout
func cmdBZPop(x *cmdCtx) {
	max := x.cmd.name == "bzpopmax"
	keys := x.args[1 : len(x.args)-1]
	timeout, ok := x.parseTimeout(x.args[len(x.args)-1])
	if !ok {
		return
	}
	e, key, ok := x.firstNonEmpty(keys, keyspace.KindZSet)
	switch {
	case !ok:
		return
	case e != nil:
		x.popZSet(key, e, max, -1)
		x.prop = [][]byte{zpopName(max), key}
	case x.c.mayBlock:
		x.blockOn(keyspace.KindZSet, keys, timeout, func(x *cmdCtx, key []byte, e *keyspace.Entry) bool {
			x.n.alsoPropagate(x.db.ID(), [][]byte{zpopName(max), key})
			return x.popZSet(key, e, max, -1)
		})
	default:
		x.nullArray()
	}
}

func zpopName(max bool) []byte {
	if max {
		return zpopmaxName
	}
	return zpopminName
}

// popZSet pops from sorted set key (entry e) and replies [key, member,
// score] when count is -1, or [key, [[member, score]...]] with up to count
// members. It reports whether the emptied key was deleted.
func (x *cmdCtx) popZSet(key []byte, e *keyspace.Entry, max bool, count int64) bool {
	x.db.Modify(e)
	z := e.ZSet()
	n := 1
	if count >= 0 {
		n = int(min(count, int64(z.Len())))
		x.array(2)
		x.bulk(key)
		x.array(n)
	} else {
		x.array(3)
		x.bulk(key)
	}
	for i := 0; i < n; i++ {
		nd := z.First()
		if max {
			nd = z.Last()
		}
		if count >= 0 {
			x.array(2)
		}
		x.bulkStr(nd.Member())
		x.double(nd.Score())
		z.RemoveNode(nd)
	}
	// genericZpopCommand's events: "zpopmin"/"zpopmax", then "del".
	event := "zpopmin"
	if max {
		event = "zpopmax"
	}
	x.notify(notifyZSet, event, key)
	deleted := z.Len() == 0
	if deleted {
		x.db.DeleteEntry(e)
		x.notify(notifyGeneric, "del", key)
	}
	x.touchN(key, n)
	return deleted
}

// mpopArgs are LMPOP/ZMPOP's parsed arguments.
type mpopArgs struct {
	keys  [][]byte
	front bool // LEFT or MIN
	count int64
}

// parseMPop parses "numkeys key [key ...] LEFT|RIGHT [COUNT count]" (MIN|MAX
// for sorted sets) starting at args[i], as lmpopGenericCommand does.
func (x *cmdCtx) parseMPop(i int, zset bool) (mpopArgs, bool) {
	var m mpopArgs
	numkeys, ok := parseInt(x.args[i])
	if !ok || numkeys < 1 {
		x.err("ERR numkeys should be greater than 0")
		return m, false
	}
	if numkeys >= int64(len(x.args)-i-1) {
		x.syntaxErr()
		return m, false
	}
	where := i + 1 + int(numkeys)
	m.keys = x.args[i+1 : where]
	a := x.args[where]
	switch {
	case !zset && eqFold(a, "left"), zset && eqFold(a, "min"):
		m.front = true
	case !zset && eqFold(a, "right"), zset && eqFold(a, "max"):
	default:
		x.syntaxErr()
		return m, false
	}
	m.count = -1
	for j := where + 1; j < len(x.args); j++ {
		if m.count == -1 && eqFold(x.args[j], "count") && j+1 < len(x.args) {
			j++
			c, ok := parseInt(x.args[j])
			if !ok || c < 1 {
				x.err("ERR count should be greater than 0")
				return m, false
			}
			m.count = c
			continue
		}
		x.syntaxErr()
		return m, false
	}
	if m.count == -1 {
		m.count = 1
	}
	return m, true
}

// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
//
// They replicate as LPOP/RPOP/ZPOPMIN/ZPOPMAX key count, count being what
// was popped at most.
func cmdMPop(x *cmdCtx) {
	name := x.cmd.name
	blocking := name[0] == 'b'
	zset := name[len(name)-5] == 'z'
	i := 1
	if blocking {
		i = 2
	}
	m, ok := x.parseMPop(i, zset)
	if !ok {
		return
	}
	var timeout time.Duration
	if blocking {
		if timeout, ok = x.parseTimeout(x.args[1]); !ok {
			return
		}
	}
	kind := keyspace.KindList
	if zset {
		kind = keyspace.KindZSet
	}
	pop := func(x *cmdCtx, key []byte, e *keyspace.Entry) bool {
		n := min(m.count, int64(e.Object().Len()))
		effect := [][]byte{popName(m.front), key, []byte(strconv.FormatInt(n, 10))}
		if zset {
			effect[0] = zpopName(!m.front)
		}
		var deleted bool
		if zset {
			deleted = x.popZSet(key, e, !m.front, m.count)
		} else {
			deleted = x.popList(key, e, m.front, m.count)
		}
		if x.c.keyWait != nil { // served after blocking
			x.n.alsoPropagate(x.db.ID(), effect)
		} else {
			x.prop = effect
		}
		return deleted
	}
	e, key, ok := x.firstNonEmpty(m.keys, kind)
	switch {
	case !ok:
	case e != nil:
		pop(x, key, e)
	case blocking && x.c.mayBlock:
		x.blockOn(kind, m.keys, timeout, pop)
	default:
		x.nullArray()
	}
}
