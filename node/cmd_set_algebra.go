package node

import (
	"sort"

	"github.com/replscope/replscope/node/keyspace"
)

// SINTER key [key ...]
// SINTERSTORE destination key [key ...]
// SMEMBERS key
//
// As sinterGenericCommand: every key is type-checked first; a missing key
// makes the result empty; otherwise the smallest set is walked in its
// iteration order and its members are checked against the others.
func cmdSInter(x *cmdCtx) {
	if x.cmd.name == "sinterstore" {
		x.sinter(x.args[2:], x.args[1], false, 0)
	} else {
		x.sinter(x.args[1:], nil, false, 0)
	}
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func cmdSInterCard(x *cmdCtx) {
	numkeys, ok := parseInt(x.args[1])
	if !ok || numkeys < 1 {
		x.err("ERR numkeys should be greater than 0")
		return
	}
	if numkeys > int64(len(x.args)-2) {
		x.err("ERR Number of keys can't be greater than number of args")
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(x.args); j++ {
		if !eqFold(x.args[j], "limit") || j+1 >= len(x.args) {
			x.syntaxErr()
			return
		}
		j++
		if limit, ok = parseInt(x.args[j]); !ok || limit < 0 {
			x.err("ERR LIMIT can't be negative")
			return
		}
	}
	x.sinter(x.args[2:2+numkeys], nil, true, limit)
}

// readSets looks up the sets named by keys (nil for missing ones); ok is
// false after a WRONGTYPE reply.
func (x *cmdCtx) readSets(keys [][]byte) (sets []*keyspace.Set, missing, ok bool) {
	sets = make([]*keyspace.Set, len(keys))
	for j, k := range keys {
		e := x.lookupRead(k)
		if e == nil {
			missing = true
			continue
		}
		if !x.setEntry(e) {
			return nil, false, false
		}
		sets[j] = e.Set()
	}
	return sets, missing, true
}

// sinter intersects the sets at keys and stores the result in dst, or
// replies with it, or only with its size (up to limit when not 0).
func (x *cmdCtx) sinter(keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	sets, missing, ok := x.readSets(keys)
	if !ok {
		return
	}
	if missing {
		switch {
		case dst != nil:
			x.storeResult(dst, keyspace.NewSet(0))
		case cardOnly:
			x.int(0)
		default:
			x.setLen(0)
		}
		return
	}
	sort.SliceStable(sets, func(i, j int) bool { return sets[i].Len() < sets[j].Len() })
	var out []string
	var card int64
	for _, m := range sets[0].Members() {
		if !inAll(m, sets) {
			continue
		}
		card++
		if cardOnly {
			if limit > 0 && card >= limit {
				break
			}
			continue
		}
		out = append(out, m)
	}
	switch {
	case cardOnly:
		x.int(card)
	case dst != nil:
		res := keyspace.NewSet(len(out))
		for _, m := range out {
			res.Add([]byte(m))
		}
		x.storeResult(dst, res)
	default:
		x.replySet(out)
	}
}

// inAll reports whether m is a member of every set after the first.
func inAll(m string, sets []*keyspace.Set) bool {
	for _, s := range sets[1:] {
		if s == sets[0] {
			continue
		}
		if _, ok := s.Get(m); !ok {
			return false
		}
	}
	return true
}

// SUNION key [key ...]
// SUNIONSTORE destination key [key ...]
// SDIFF key [key ...]
// SDIFFSTORE destination key [key ...]
//
// As sunionDiffGenericCommand: missing keys are empty sets and the result
// is built as a new set, then replied in its iteration order or stored.
func cmdSUnionDiff(x *cmdCtx) {
	name := x.cmd.name
	keys, dst := x.args[1:], []byte(nil)
	if name == "sunionstore" || name == "sdiffstore" {
		keys, dst = x.args[2:], x.args[1]
	}
	sets, _, ok := x.readSets(keys)
	if !ok {
		return
	}
	var res *keyspace.Set
	if name == "sunion" || name == "sunionstore" {
		res = unionOf(sets)
	} else {
		res = diffOf(sets)
	}
	if dst != nil {
		x.storeResult(dst, res)
		return
	}
	x.replySet(res.Members())
}

// unionOf returns a new set holding every member of sets (nil ones are
// empty).
func unionOf(sets []*keyspace.Set) *keyspace.Set {
	res := keyspace.NewSet(0)
	for _, s := range sets {
		if s == nil {
			continue
		}
		for _, it := range s.Items() {
			res.Add([]byte(it.Key))
		}
	}
	return res
}

// diffOf returns a new set holding the members of sets[0] that are in no
// other set; it is empty when a later key names the same set.
func diffOf(sets []*keyspace.Set) *keyspace.Set {
	res := keyspace.NewSet(0)
	if sets[0] == nil {
		return res
	}
	for _, s := range sets[1:] {
		if s == sets[0] {
			return res
		}
	}
	for _, m := range sets[0].Members() {
		if !inAny(m, sets[1:]) {
			res.Add([]byte(m))
		}
	}
	return res
}

// inAny reports whether m is a member of one of sets (nil ones are empty).
func inAny(m string, sets []*keyspace.Set) bool {
	for _, s := range sets {
		if s == nil {
			continue
		}
		if _, ok := s.Get(m); ok {
			return true
		}
	}
	return false
}

// storeResult replaces dst with obj as Redis's setKey does (any type, TTL
// dropped), or deletes dst when obj is empty, and replies with obj's size.
// The keyspace event is the command's name (sinterstore, zrangestore, ...)
// in obj's class, or "del" for a deleted dst.
func (x *cmdCtx) storeResult(dst []byte, obj keyspace.Object) {
	old := x.lookupWrite(dst)
	switch {
	case obj.Len() > 0:
		x.db.SetObject(old, dst, obj)
		x.touch(dst)
		class := notifySet
		if obj.Kind() == keyspace.KindZSet {
			class = notifyZSet
		}
		x.notify(class, x.cmd.name, dst)
	case old != nil:
		x.db.DeleteEntry(old)
		x.touch(dst)
		x.notify(notifyGeneric, "del", dst)
	}
	x.int(int64(obj.Len()))
}

// replySet replies with a set of bulk strings (an array in RESP2).
func (x *cmdCtx) replySet(ss []string) {
	x.setLen(len(ss))
	for _, s := range ss {
		x.bulkStr(s)
	}
}

// replyStrings replies with an array of bulk strings.
func (x *cmdCtx) replyStrings(ss []string) {
	x.array(len(ss))
	for _, s := range ss {
		x.bulkStr(s)
	}
}
