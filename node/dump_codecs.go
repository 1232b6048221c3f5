package node

import (
	"strconv"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
)

// DUMP payloads of the collection kinds, in the encodings Redis 7.0.15
// writes for the same value so that the bytes are Redis's: a list as a
// quicklist of listpacks, a small hash and a small sorted set as one
// listpack, an integer set as an intset, larger hashes and sets as plain
// element lists, a large sorted set as binary-scored pairs from the
// highest rank down. Where Redis's layout depends on the value's history
// rather than its contents, the payload is the one a value built by
// appending would have: quicklist nodes filled in order, the narrowest
// intset width, a listpack's element count; a hash table's order is
// Redis's own random order, so there the node's order stands.

func init() {
	registerDumpCodec(dumpCodec{kind: keyspace.KindList, encode: dumpList})
	registerDumpCodec(dumpCodec{kind: keyspace.KindHash, encode: dumpHash})
	registerDumpCodec(dumpCodec{kind: keyspace.KindSet, encode: dumpSet})
	registerDumpCodec(dumpCodec{kind: keyspace.KindZSet, encode: dumpZSet})
}

// quicklist node limits at list-max-listpack-size -2 (quicklist.c):
// an element joins the last node while the node's size, the element's
// length and an 8-byte overhead estimate stay within 8 KB.
const (
	quicklistNodeLimit    = 8192
	quicklistSizeEstimate = 8
	quicklistPacked       = 2 // QUICKLIST_NODE_CONTAINER_PACKED
)

func dumpList(o keyspace.Object, compress bool) ([]byte, error) {
	l := o.(*keyspace.List)
	var nodes [][]byte
	lp := rdb.NewListpack()
	for i := 0; i < l.Len(); i++ {
		v := l.At(i)
		if lp.Len() > 0 && lp.Size()+len(v)+quicklistSizeEstimate > quicklistNodeLimit {
			nodes = append(nodes, lp.Bytes())
			lp = rdb.NewListpack()
		}
		lp.Append(v)
	}
	if lp.Len() > 0 {
		nodes = append(nodes, lp.Bytes())
	}
	d := rdb.NewDump(rdb.DumpListQuicklist, compress)
	d.Len(uint64(len(nodes)))
	for _, n := range nodes {
		d.Len(quicklistPacked)
		d.String(n)
	}
	return d.Bytes(), nil
}

func dumpHash(o keyspace.Object, compress bool) ([]byte, error) {
	h := o.(*keyspace.Hash)
	if h.Small() {
		lp := rdb.NewListpack()
		for _, it := range h.Items() {
			lp.Append([]byte(it.Key))
			lp.Append(it.Val)
		}
		d := rdb.NewDump(rdb.DumpHashListpack, compress)
		d.String(lp.Bytes())
		return d.Bytes(), nil
	}
	d := rdb.NewDump(rdb.DumpHash, compress)
	d.Len(uint64(h.Len()))
	for _, it := range h.Items() {
		d.String([]byte(it.Key))
		d.String(it.Val)
	}
	return d.Bytes(), nil
}

func dumpSet(o keyspace.Object, compress bool) ([]byte, error) {
	s := o.(*keyspace.Set)
	members := s.Members()
	if s.IsIntset() {
		ints := make([]int64, len(members))
		for i, m := range members {
			ints[i], _ = strconv.ParseInt(m, 10, 64)
		}
		d := rdb.NewDump(rdb.DumpSetIntset, compress)
		d.String(rdb.AppendIntset(nil, ints))
		return d.Bytes(), nil
	}
	d := rdb.NewDump(rdb.DumpSet, compress)
	d.Len(uint64(len(members)))
	for _, m := range members {
		d.String([]byte(m))
	}
	return d.Bytes(), nil
}

func dumpZSet(o keyspace.Object, compress bool) ([]byte, error) {
	z := o.(*keyspace.ZSet)
	if z.IsListpack() {
		lp := rdb.NewListpack()
		for n := z.First(); n != nil; n = n.Next() {
			lp.Append([]byte(n.Member()))
			lp.AppendScore(n.Score())
		}
		d := rdb.NewDump(rdb.DumpZSetListpack, compress)
		d.String(lp.Bytes())
		return d.Bytes(), nil
	}
	d := rdb.NewDump(rdb.DumpZSet2, compress)
	d.Len(uint64(z.Len()))
	for n := z.Last(); n != nil; n = n.Prev() {
		d.String([]byte(n.Member()))
		d.Double(n.Score())
	}
	return d.Bytes(), nil
}
