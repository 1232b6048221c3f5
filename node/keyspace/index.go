package keyspace

import (
	"hash/maphash"
	"unsafe"
)

// index finds a database's entries by key. A Go map[string]*Entry costs
// about 40 bytes per key at a million keys (a 24-byte slot holding a copy
// of the key's string header beside the pointer, at the swiss table's
// load); the key is already in the entry, so the index keeps only the
// pointer and a 2-byte tag: about 18 bytes per key.
//
// It is an extendible hash: a directory, indexed by the top bits of a
// key's hash, of buckets that are small open-addressing tables with linear
// probing. A full bucket splits in two on the next hash bit, so growth
// never rehashes more than one bucket at a time (no latency spike at a
// million keys), and the directory doubles only when a bucket at full
// depth splits.
type index struct {
	dir   []*ibucket // 1<<depth buckets; nil until the first insert
	depth uint8
	n     int
}

const (
	bucketBits  = 9
	bucketSlots = 1 << bucketBits
	bucketMask  = bucketSlots - 1
	// bucketMax keeps linear probing short: a bucket splits before it is
	// three quarters full.
	bucketMax = bucketSlots * 3 / 4
	tagUsed   = 0x8000
)

// ibucket is one open-addressing table. A slot's tag is 0 when it is
// empty, else tagUsed | the low 15 bits of the key's hash: its low
// bucketBits bits are the slot the key hashes to (backward-shift deletion
// needs it without rehashing) and the rest filter probes before the key
// is compared.
type ibucket struct {
	depth uint8 // hash bits, from the top, that all its keys share
	n     uint16
	tags  [bucketSlots]uint16
	slots [bucketSlots]*Entry
}

var indexSeed = maphash.MakeSeed()

func hashKey(key string) uint64 { return maphash.String(indexSeed, key) }

func tagOf(h uint64) uint16 { return tagUsed | uint16(h&0x7fff) }

// newIndex returns an index sized for n keys.
func newIndex(n int) *index {
	x := &index{}
	for n > bucketMax<<x.depth && x.depth < 24 {
		x.depth++
	}
	if n > 0 {
		x.dir = make([]*ibucket, 1<<x.depth)
		for i := range x.dir {
			x.dir[i] = &ibucket{depth: x.depth}
		}
	}
	return x
}

func (x *index) len() int { return x.n }

func (x *index) bucket(h uint64) *ibucket { return x.dir[h>>(64-uint(x.depth))&(1<<x.depth-1)] }

// get returns the entry for key, or nil.
func (x *index) get(key string) *Entry {
	if x.n == 0 {
		return nil
	}
	h := hashKey(key)
	b, tag := x.bucket(h), tagOf(h)
	for i := uint(h) & bucketMask; ; i = (i + 1) & bucketMask {
		switch t := b.tags[i]; {
		case t == 0:
			return nil
		case t == tag && b.slots[i].Key() == key:
			return b.slots[i]
		}
	}
}

// getBytes is get for a byte-slice key; it does not allocate.
func (x *index) getBytes(key []byte) *Entry {
	return x.get(unsafe.String(unsafe.SliceData(key), len(key)))
}

// set stores e under its key, replacing and returning the entry that had
// the same key, if any.
func (x *index) set(e *Entry) *Entry {
	if x.dir == nil {
		x.dir = []*ibucket{{}}
	}
	key := e.Key()
	h := hashKey(key)
	tag := tagOf(h)
	for {
		b := x.bucket(h)
		i := uint(h) & bucketMask
		for ; b.tags[i] != 0; i = (i + 1) & bucketMask {
			if b.tags[i] == tag && b.slots[i].Key() == key {
				old := b.slots[i]
				b.slots[i] = e
				return old
			}
		}
		if b.n >= bucketMax {
			x.split(b, h)
			continue
		}
		b.tags[i], b.slots[i] = tag, e
		b.n++
		x.n++
		return nil
	}
}

// del removes e, which must be in the index under its key.
func (x *index) del(e *Entry) {
	h := hashKey(e.Key())
	b := x.bucket(h)
	i := uint(h) & bucketMask
	for b.slots[i] != e {
		i = (i + 1) & bucketMask
	}
	b.removeAt(i)
	x.n--
}

// removeAt empties slot i and shifts back the entries after it that
// probing would no longer reach.
func (b *ibucket) removeAt(i uint) {
	b.n--
	for j := i; ; {
		j = (j + 1) & bucketMask
		t := b.tags[j]
		if t == 0 {
			break
		}
		// The entry at j may fill hole i unless it hashes to a slot in
		// the cyclic range (i, j].
		home := uint(t) & bucketMask
		if i < j && i < home && home <= j || i > j && (home > i || home <= j) {
			continue
		}
		b.tags[i], b.slots[i] = t, b.slots[j]
		i = j
	}
	b.tags[i], b.slots[i] = 0, nil
}

// split replaces the full bucket b, which key hash h maps to, by two
// buckets one bit deeper, doubling the directory first when b is as deep
// as it.
func (x *index) split(b *ibucket, h uint64) {
	if b.depth == x.depth {
		dir := make([]*ibucket, 2*len(x.dir))
		for i, p := range x.dir {
			dir[2*i], dir[2*i+1] = p, p
		}
		x.dir = dir
		x.depth++
	}
	lo, hi := &ibucket{depth: b.depth + 1}, &ibucket{depth: b.depth + 1}
	bit := 63 - uint(b.depth)
	for i, e := range b.slots {
		if e == nil {
			continue
		}
		eh := hashKey(e.Key())
		to := lo
		if eh>>bit&1 == 1 {
			to = hi
		}
		to.add(b.tags[i], eh, e)
	}
	// b fills a run of span directory slots; its lower half gets lo.
	span := 1 << (x.depth - b.depth)
	start := int(h>>(64-uint(x.depth))) &^ (span - 1)
	for k := 0; k < span; k++ {
		if k < span/2 {
			x.dir[start+k] = lo
		} else {
			x.dir[start+k] = hi
		}
	}
}

// add puts an entry known to be absent into a bucket with room.
func (b *ibucket) add(tag uint16, h uint64, e *Entry) {
	i := uint(h) & bucketMask
	for b.tags[i] != 0 {
		i = (i + 1) & bucketMask
	}
	b.tags[i], b.slots[i] = tag, e
	b.n++
}

// prefetchBatch is how many keys prefetch walks in step; a pipeline of
// redis-benchmark's default 16 requests fits.
const prefetchBatch = 16

// prefetch reads, for each key, the memory a lookup of it will read (its
// slot's tag and entry pointer, the entry, the key's bytes), in stages:
// first every key's slot, then every entry, then every key's bytes. The
// misses of different keys then overlap instead of following one another,
// as Redis 8 prefetches a batch's keys. It only warms caches: the result
// is meaningless and a key that probes past its home slot is simply
// looked up cold.
func (x *index) prefetch(keys [][]byte) (sink uint64) {
	if x.n == 0 {
		return 0
	}
	var es [prefetchBatch]*Entry
	for len(keys) > 0 {
		k := min(len(keys), prefetchBatch)
		for j, key := range keys[:k] {
			h := maphash.Bytes(indexSeed, key)
			b := x.bucket(h)
			i := uint(h) & bucketMask
			sink += uint64(b.tags[i])
			es[j] = b.slots[i]
		}
		for j, e := range es[:k] {
			if e != nil {
				sink += uint64(e.klen)
			} else {
				es[j] = nil
			}
		}
		for _, e := range es[:k] {
			if e != nil && e.klen > 0 {
				sink += uint64(*e.kv)
			}
		}
		keys = keys[k:]
	}
	return sink
}
