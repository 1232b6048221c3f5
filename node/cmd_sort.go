package node

import (
	"bytes"
	"sort"

	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	register(
		&command{name: "sort", arity: -2, flags: cWrite | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @set @sortedset @list @slow @dangerous", fn: cmdSort,
			summary: "Sorts the elements in a list, a set, or a sorted set, optionally storing the result.", group: "generic", since: "1.0.0"},
		&command{name: "sort_ro", arity: -2, flags: cReadOnly, firstKey: 1, lastKey: 1, acl: "@read @set @sortedset @list @slow @dangerous", fn: cmdSort,
			summary: "Returns the sorted elements of a list, a set, or a sorted set.", group: "generic", since: "7.0.0"},
	)
}

// sortOptions is SORT's parsed syntax.
type sortOptions struct {
	desc, alpha, dontSort  bool
	limitStart, limitCount int64
	by, store              []byte
	gets                   [][]byte
}

// sortItem is one element being sorted and the weight it sorts by.
type sortItem struct {
	obj    []byte
	score  float64
	cmp    []byte // ALPHA weight from a BY pattern
	hasCmp bool   // the BY key existed (an empty value still sorts after a missing one)
}

// parseSort follows sortCommandGeneric's option loop; it replies and
// returns false on an error.
func (x *cmdCtx) parseSort() (o sortOptions, ok bool) {
	o.limitCount = -1
	args := x.args
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case eqFold(a, "asc"):
			o.desc = false
		case eqFold(a, "desc"):
			o.desc = true
		case eqFold(a, "alpha"):
			o.alpha = true
		case eqFold(a, "limit") && left >= 2:
			var ok1, ok2 bool
			if o.limitStart, ok1 = parseInt(args[j+1]); !ok1 {
				x.err(errNotInt)
				return o, false
			}
			if o.limitCount, ok2 = parseInt(args[j+2]); !ok2 {
				x.err(errNotInt)
				return o, false
			}
			j += 2
		case x.cmd.name == "sort" && eqFold(a, "store") && left >= 1:
			o.store = args[j+1]
			j++
		case eqFold(a, "by") && left >= 1:
			o.by = args[j+1]
			o.dontSort = bytes.IndexByte(cString(o.by), '*') < 0
			j++
		case eqFold(a, "get") && left >= 1:
			o.gets = append(o.gets, args[j+1])
			j++
		default:
			x.syntaxErr()
			return o, false
		}
	}
	return o, true
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
// [ASC | DESC] [ALPHA] [STORE destination]
// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
func cmdSort(x *cmdCtx) {
	o, ok := x.parseSort()
	if !ok {
		return
	}
	e := x.lookupRead(x.args[1])
	kind := keyspace.KindList
	if e != nil {
		kind = e.Kind()
		if kind != keyspace.KindList && kind != keyspace.KindSet && kind != keyspace.KindZSet {
			x.wrongType()
			return
		}
	}
	if o.dontSort && kind == keyspace.KindSet && (o.store != nil || x.c.is(flagScript)) {
		// A set has no order of its own: a stored result must be the
		// same on replicas, and a script's reply the same for every run,
		// so Redis sorts it alphabetically.
		o.dontSort, o.alpha, o.by = false, true, nil
	}
	if kind == keyspace.KindZSet {
		e.ZSet().ToSkiplist()
	}
	n := 0
	if e != nil {
		n = e.Object().Len()
	}
	start, end := sortLimits(o.limitStart, o.limitCount, int64(n))
	items := x.sortItems(e, kind, o, &start, &end)
	if !o.dontSort {
		if !x.weighSort(items, o) {
			x.err("ERR One or more scores can't be converted into double")
			return
		}
		sort.SliceStable(items, func(i, j int) bool { return sortCompare(&items[i], &items[j], o) < 0 })
	}
	if o.store == nil {
		x.sortReply(items[start:end+1], o.gets)
		return
	}
	x.sortStore(items[start:end+1], o)
}

// sortLimits clamps LIMIT to the object's size as Redis does (no
// overflow: both ends are bounded by n first). An empty range comes back
// as end = start-1.
func sortLimits(limitStart, limitCount, n int64) (start, end int64) {
	start = min(max(limitStart, 0), n)
	limitCount = min(max(limitCount, -1), n)
	end = n - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	if end >= n {
		end = n - 1
	}
	if end < start {
		// Redis leaves start at -1 for an empty object: nothing is output
		// either way, so normalise to an empty slice range.
		start, end = 0, -1
	}
	return start, end
}

// sortItems loads the elements to sort. With nothing to sort (BY without
// '*'), a list or sorted set gives only the LIMIT range in its own order
// (reversed by DESC), and start/end are rebased onto it.
func (x *cmdCtx) sortItems(e *keyspace.Entry, kind keyspace.Kind, o sortOptions, start, end *int64) []sortItem {
	if e == nil {
		return nil
	}
	var items []sortItem
	switch {
	case kind == keyspace.KindList && o.dontSort:
		l := e.List()
		for i := *start; i <= *end; i++ {
			idx := int(i)
			if o.desc {
				idx = l.Len() - 1 - int(i)
			}
			items = append(items, sortItem{obj: l.At(idx)})
		}
		*end -= *start
		*start = 0
	case kind == keyspace.KindList:
		l := e.List()
		items = make([]sortItem, l.Len())
		for i := range items {
			items[i].obj = l.At(i)
		}
	case kind == keyspace.KindSet:
		for _, m := range e.Set().Members() {
			items = append(items, sortItem{obj: []byte(m)})
		}
	case o.dontSort:
		z := e.ZSet()
		for i := *start; i <= *end; i++ {
			r := int(i)
			if o.desc {
				r = z.Len() - 1 - int(i)
			}
			items = append(items, sortItem{obj: []byte(z.ByRank(r).Member())})
		}
		*end -= *start
		*start = 0
	default:
		for _, it := range e.ZSet().Dict().Items() {
			items = append(items, sortItem{obj: []byte(it.Key)})
		}
	}
	return items
}

// weighSort sets each item's weight: its BY value or the element itself,
// as a number unless ALPHA. It reports false when a weight is not a number.
func (x *cmdCtx) weighSort(items []sortItem, o sortOptions) bool {
	ok := true
	for i := range items {
		it := &items[i]
		w := it.obj
		if o.by != nil {
			v, found := x.sortLookup(o.by, it.obj)
			if !found {
				continue
			}
			w = v
		}
		if o.alpha {
			if o.by != nil {
				it.cmp, it.hasCmp = w, true
			}
			continue
		}
		f, good := sortScore(w)
		if !good {
			ok = false
		}
		it.score = f
	}
	return ok
}

// sortScore parses a weight as strtod does in SORT: leading spaces
// skipped, nothing after the number (the value read as a C string), no
// overflow or NaN; an empty value is 0.
func sortScore(b []byte) (float64, bool) {
	b = cString(b)
	if len(b) == 0 {
		return 0, true
	}
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return 0, false
	}
	return parseScore(b[i:])
}

// sortCompare is sortCompare in sort.c.
func sortCompare(a, b *sortItem, o sortOptions) int {
	var c int
	switch {
	case !o.alpha:
		switch {
		case a.score > b.score:
			c = 1
		case a.score < b.score:
			c = -1
		default:
			c = bytes.Compare(a.obj, b.obj)
		}
	case o.by != nil:
		switch {
		case !a.hasCmp || !b.hasCmp:
			if !a.hasCmp && b.hasCmp {
				c = -1
			} else if a.hasCmp {
				c = 1
			}
		case o.store != nil:
			c = bytes.Compare(a.cmp, b.cmp)
		default:
			c = bytes.Compare(cString(a.cmp), cString(b.cmp))
		}
	case o.store != nil:
		c = bytes.Compare(a.obj, b.obj)
	default:
		c = bytes.Compare(cString(a.obj), cString(b.obj))
	}
	if o.desc {
		return -c
	}
	return c
}

// sortLookup is lookupKeyByPattern: "#" is the element itself; otherwise
// the first '*' of the pattern is replaced by the element, and "->field"
// after it reads a hash field. Only a string (or the hash field) counts.
func (x *cmdCtx) sortLookup(pattern, elem []byte) ([]byte, bool) {
	if len(pattern) > 0 && pattern[0] == '#' && (len(pattern) == 1 || pattern[1] == 0) {
		return elem, true
	}
	star := bytes.IndexByte(cString(pattern), '*')
	if star < 0 {
		return nil, false
	}
	keyPat, field := pattern, []byte(nil)
	if f := bytes.Index(cString(pattern[star+1:]), []byte("->")); f >= 0 {
		if at := star + 1 + f; at+2 < len(pattern) && pattern[at+2] != 0 {
			keyPat, field = pattern[:at], pattern[at+2:]
		}
	}
	key := make([]byte, 0, len(keyPat)+len(elem))
	key = append(append(append(key, keyPat[:star]...), elem...), keyPat[star+1:]...)
	e := x.lookupRead(key)
	if e == nil {
		return nil, false
	}
	if field != nil {
		if e.Kind() != keyspace.KindHash {
			return nil, false
		}
		return e.Hash().GetBytes(field)
	}
	if e.Kind() != keyspace.KindString {
		return nil, false
	}
	return e.Str(), true
}

func (x *cmdCtx) sortReply(items []sortItem, gets [][]byte) {
	if len(gets) == 0 {
		x.array(len(items))
		for _, it := range items {
			x.bulk(it.obj)
		}
		return
	}
	x.array(len(items) * len(gets))
	for _, it := range items {
		for _, g := range gets {
			if v, ok := x.sortLookup(g, it.obj); ok {
				x.bulk(v)
			} else {
				x.null()
			}
		}
	}
}

// sortStore writes the result as a list under the STORE key (replacing
// any value and TTL), or deletes that key for an empty result.
func (x *cmdCtx) sortStore(items []sortItem, o sortOptions) {
	l := keyspace.NewList()
	for _, it := range items {
		if len(o.gets) == 0 {
			l.PushBack(copyBytes(it.obj))
			continue
		}
		for _, g := range o.gets {
			v, _ := x.sortLookup(g, it.obj)
			l.PushBack(copyBytes(v))
		}
	}
	dest := o.store
	old := x.lookupWrite(dest)
	switch {
	case l.Len() > 0:
		if old != nil {
			x.db.DeleteEntry(old)
		}
		x.db.Add(dest, nil, l, 0)
		x.touch(dest)
		x.dirty += l.Len() - 1
		x.n.dirty += int64(l.Len() - 1)
	case old != nil:
		x.db.DeleteEntry(old)
		x.touch(dest)
	}
	x.int(int64(l.Len()))
}
