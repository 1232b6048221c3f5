package keyspace

import "math/rand/v2"

// table is one database's storage: an index for lookups, a dense slice
// for random picks, scans and snapshots, and a dense slice of the keys
// that have a TTL for expiry sampling.
type table struct {
	m     *index
	dense []*Entry
	ttl   []*Entry
}

func newTable() *table {
	return &table{m: newIndex(0)}
}

// Keyspace is a node's set of numbered databases.
type Keyspace struct {
	tables []*table
	dbs    []DB
	epoch  uint32    // write epoch stamped on changed entries
	snap   *Snapshot // the snapshot in progress, if any
	lim    *Limits   // encoding thresholds of the values stored
	onNew  func(db int, key string)
	access uint32 // the access field new entries get (SetAccessStamp)

	// OnAdd, when set, is told of every key created by Add, SetString or
	// Rename (not by Load): Redis's dbAdd signals clients blocked on the
	// key (BLPOP and the like) that it may be ready. It is also told of a
	// stream deleted or overwritten (see streamGone).
	OnAdd func(db int, key string)
}

// SetAccessStamp sets the access field (Entry.Access) that entries created
// from now on get: the node's cached LRU clock, or its LFU minute and
// initial counter, as Redis's createObject gives them.
func (ks *Keyspace) SetAccessStamp(v uint32) { ks.access = v & AccessMask }

// AccessStamp returns the access field new entries get.
func (ks *Keyspace) AccessStamp() uint32 { return ks.access }

// OnNew sets a function called for every key a write creates (not for
// keys loaded with Load): the node's "new" keyspace event.
func (ks *Keyspace) OnNew(fn func(db int, key string)) { ks.onNew = fn }

// New returns a keyspace of n empty databases.
func New(n int) *Keyspace {
	ks := &Keyspace{tables: make([]*table, n), dbs: make([]DB, n), epoch: 1, lim: DefaultLimits()}
	for i := range ks.tables {
		ks.tables[i] = newTable()
		ks.dbs[i] = DB{ks: ks, id: i}
	}
	return ks
}

// Len returns the number of databases.
func (ks *Keyspace) Len() int { return len(ks.tables) }

// DB returns database i (0 <= i < Len).
func (ks *Keyspace) DB(i int) *DB { return &ks.dbs[i] }

// Keys returns the total number of keys in all databases.
func (ks *Keyspace) Keys() int {
	n := 0
	for _, t := range ks.tables {
		n += len(t.dense)
	}
	return n
}

// FlushAll empties every database.
func (ks *Keyspace) FlushAll() {
	for i := range ks.tables {
		ks.dbs[i].Flush()
	}
}

// SwapIn replaces this keyspace's contents with other's, which must have
// the same number of databases; other must not be used afterwards. It is
// how a replica installs a dataset it loaded aside.
func (ks *Keyspace) SwapIn(other *Keyspace) {
	for i := range ks.tables {
		ks.tables[i] = other.tables[i]
	}
	// Entries loaded aside carry other's epochs; they must read as older
	// than any snapshot this keyspace takes from now on.
	if other.epoch > ks.epoch {
		ks.epoch = other.epoch
	}
	ks.epoch++
}

// Reserve sizes an empty database for n keys, of which ttl have a TTL, so
// that loading them does not grow the tables step by step. It does
// nothing to a database that holds keys. n is capped as a guard against
// corrupt hints.
func (db *DB) Reserve(n, ttl uint64) {
	t := db.t()
	if len(t.dense) > 0 {
		return
	}
	n = min(n, 1<<26)
	ttl = min(ttl, n)
	t.m = newIndex(int(n))
	t.dense = make([]*Entry, 0, n)
	t.ttl = make([]*Entry, 0, ttl)
}

// Load adds a key while a dataset is loaded into a keyspace nobody else
// uses yet, without looking for an existing key first (one map operation
// instead of two). A duplicate key in the input replaces the earlier one
// once FinishLoad runs; until then the database must not be used.
func (db *DB) Load(key []byte, str []byte, obj Object, exp int64) {
	db.LoadEntry(NewLoadEntry(key, str, obj, exp))
}

// NewLoadEntry returns an entry for LoadEntry holding a copy of key and of
// the string str (obj nil) or the collection obj, expiring at exp (0: no
// TTL). It touches no keyspace, so a loader may build entries on one
// goroutine while another stores them.
func NewLoadEntry(key []byte, str []byte, obj Object, exp int64) *Entry {
	e := newEntry(bstr(key), str, exp)
	e.obj, e.tidx = obj, -1
	return e
}

// LoadKV is Load for a string key whose bytes are kv[:klen] and whose
// value's are kv[klen:]: the entry keeps kv as its storage, uncopied (the
// caller gives it up).
func (db *DB) LoadKV(kv []byte, klen int, exp int64) {
	db.LoadEntry(adoptKV(kv, klen, exp))
}

// LoadEntry is Load for an entry made by NewLoadEntry.
func (db *DB) LoadEntry(e *Entry) {
	t := db.t()
	e.ver, e.access = db.ks.epoch, db.ks.access
	if e.obj != nil {
		db.ks.settle(e.obj)
	}
	t.m.set(e)
	e.idx = int32(len(t.dense))
	t.dense = append(t.dense, e)
	if e.exp != 0 {
		e.tidx = int32(len(t.ttl))
		t.ttl = append(t.ttl, e)
	}
}

// FinishLoad repairs the databases after Load: entries that a later
// duplicate replaced are dropped from the dense slices.
func (ks *Keyspace) FinishLoad() {
	for _, t := range ks.tables {
		if t.m.len() == len(t.dense) {
			continue
		}
		dense := t.dense[:0]
		ttl := t.ttl[:0]
		for _, e := range t.dense {
			if t.m.get(e.Key()) != e {
				continue
			}
			e.idx = int32(len(dense))
			dense = append(dense, e)
			if e.exp != 0 {
				e.tidx = int32(len(ttl))
				ttl = append(ttl, e)
			}
		}
		clear(t.dense[len(dense):])
		clear(t.ttl[len(ttl):])
		t.dense, t.ttl = dense, ttl
	}
}

// DB is one numbered database. Its methods do not check expiry: callers
// decide, per client and role, whether an expired key is missing, deleted
// or still valid (a replica's link from its master sees every key).
type DB struct {
	ks *Keyspace
	id int
}

func (db *DB) t() *table { return db.ks.tables[db.id] }

// ID returns the database number.
func (db *DB) ID() int { return db.id }

// Len returns the number of keys, expired ones included.
func (db *DB) Len() int { return len(db.t().dense) }

// Expires returns the number of keys with a TTL.
func (db *DB) Expires() int { return len(db.t().ttl) }

// Peek returns the entry for key, expired or not, or nil.
func (db *DB) Peek(key []byte) *Entry { return db.t().m.getBytes(key) }

// Prefetch warms the caches for lookups of keys that are about to run (a
// pipelined batch), so that their memory loads overlap; see
// index.prefetch. The result only keeps the loads from being optimized
// away.
func (db *DB) Prefetch(keys [][]byte) uint64 { return db.t().m.prefetch(keys) }

// PeekString is Peek for a string key.
func (db *DB) PeekString(key string) *Entry { return db.t().m.get(key) }

// SetString stores a string value under key, replacing any value of any
// type. With keepTTL the key keeps its TTL; otherwise exp (unix ms, 0 for
// none) becomes its TTL. key and val are copied (one allocation
// holds both), so callers may pass request arguments.
func (db *DB) SetString(key []byte, val []byte, exp int64, keepTTL bool) *Entry {
	return db.SetStringEntry(db.t().m.getBytes(key), key, val, exp, keepTTL)
}

// SetStringEntry is SetString for a caller that already looked the key up:
// e is the key's current entry or nil.
func (db *DB) SetStringEntry(e *Entry, key []byte, val []byte, exp int64, keepTTL bool) *Entry {
	t := db.t()
	if e != nil {
		db.ks.capture(db.id, e)
		db.streamGone(e)
		if e.obj == nil && db.ks.snap == nil && e.roomFor(len(val)) {
			e.overwrite(val)
		} else {
			e.setKV(e.Key(), val, len(val))
		}
		e.obj = nil
		e.ver = db.ks.epoch
		if !keepTTL {
			db.setExpire(t, e, exp)
		}
		return e
	}
	return db.insert(t, newEntry(bstr(key), val, exp))
}

// Add stores a new key holding obj (nil obj stores a copy of the string
// str). The key must not exist.
func (db *DB) Add(key []byte, str []byte, obj Object, exp int64) *Entry {
	e := newEntry(bstr(key), str, exp)
	e.obj = obj
	return db.insert(db.t(), e)
}

func (db *DB) insert(t *table, e *Entry) *Entry {
	if e.obj != nil {
		db.ks.settle(e.obj)
	}
	e.ver = db.ks.epoch
	e.idx = int32(len(t.dense))
	e.tidx = -1
	e.access = db.ks.access
	t.m.set(e)
	t.dense = append(t.dense, e)
	if e.exp != 0 {
		e.tidx = int32(len(t.ttl))
		t.ttl = append(t.ttl, e)
	}
	if db.ks.onNew != nil {
		db.ks.onNew(db.id, e.Key())
	}
	if db.ks.OnAdd != nil {
		db.ks.OnAdd(db.id, e.Key())
	}
	return e
}

// Delete removes key and reports whether it existed.
func (db *DB) Delete(key []byte) bool {
	t := db.t()
	e := t.m.getBytes(key)
	if e == nil {
		return false
	}
	db.remove(t, e)
	return true
}

// DeleteEntry removes e, which must be in this database.
func (db *DB) DeleteEntry(e *Entry) { db.remove(db.t(), e) }

func (db *DB) remove(t *table, e *Entry) {
	db.ks.capture(db.id, e)
	db.streamGone(e)
	t.m.del(e)
	last := len(t.dense) - 1
	if int(e.idx) != last {
		moved := t.dense[last]
		t.dense[e.idx] = moved
		moved.idx = e.idx
	}
	t.dense[last] = nil
	t.dense = t.dense[:last]
	if e.tidx >= 0 {
		db.dropTTL(t, e)
	}
	shrinkTable(t)
}

// shrinkTable returns the dense slices' memory after mass deletion.
func shrinkTable(t *table) {
	if c := cap(t.dense); c > 1024 && len(t.dense) < c/4 {
		t.dense = append(make([]*Entry, 0, len(t.dense)*2), t.dense...)
	}
	if c := cap(t.ttl); c > 1024 && len(t.ttl) < c/4 {
		t.ttl = append(make([]*Entry, 0, len(t.ttl)*2), t.ttl...)
	}
}

func (db *DB) dropTTL(t *table, e *Entry) {
	last := len(t.ttl) - 1
	if int(e.tidx) != last {
		moved := t.ttl[last]
		t.ttl[e.tidx] = moved
		moved.tidx = e.tidx
	}
	t.ttl[last] = nil
	t.ttl = t.ttl[:last]
	e.tidx = -1
}

// Modify must be called before e's value is changed in place (a collection
// mutated, a string replaced through SetStr). It preserves what an active
// snapshot needs and gives e a private copy of a value the snapshot shares.
func (db *DB) Modify(e *Entry) {
	db.ks.capture(db.id, e)
	if s := db.ks.snap; s != nil && e.seen == s.epoch && e.obj != nil {
		e.obj = e.obj.clone()
	}
	e.seen = 0
	e.ver = db.ks.epoch
}

// SetExpire sets e's TTL to exp (unix ms), or removes it when exp is 0.
func (db *DB) SetExpire(e *Entry, exp int64) {
	if e.exp == exp {
		return
	}
	db.ks.capture(db.id, e)
	e.ver = db.ks.epoch
	db.setExpire(db.t(), e, exp)
}

func (db *DB) setExpire(t *table, e *Entry, exp int64) {
	e.exp = exp
	switch {
	case exp != 0 && e.tidx < 0:
		e.tidx = int32(len(t.ttl))
		t.ttl = append(t.ttl, e)
	case exp == 0 && e.tidx >= 0:
		db.dropTTL(t, e)
	}
}

// Rename moves src's value and TTL to dst, replacing any value there.
func (db *DB) Rename(src *Entry, dst []byte) *Entry {
	t := db.t()
	if src.Key() == string(dst) {
		return src
	}
	if old := t.m.getBytes(dst); old != nil {
		db.remove(t, old)
	}
	moved := newEntry(bstr(dst), src.Str(), src.exp)
	moved.obj = src.obj
	db.remove(t, src)
	db.insert(t, moved)
	moved.access = src.access // the same value, as Redis moves the robj
	// If a snapshot captured src, the value is shared with it: mark the new
	// entry so that its first in-place change copies the value.
	if s := db.ks.snap; s != nil && src.seen == s.epoch {
		moved.seen = s.epoch
	}
	return moved
}

// Flush removes every key of the database.
func (db *DB) Flush() {
	// An active snapshot keeps walking the old table it captured; nothing
	// else refers to it any more, so it stays as it was.
	db.ks.tables[db.id] = newTable()
}

// RandomEntry returns a uniformly chosen entry, or nil when empty.
func (db *DB) RandomEntry(r *rand.Rand) *Entry {
	t := db.t()
	if len(t.dense) == 0 {
		return nil
	}
	return t.dense[r.IntN(len(t.dense))]
}

// RandomTTLEntry returns a uniformly chosen entry with a TTL, or nil.
func (db *DB) RandomTTLEntry(r *rand.Rand) *Entry {
	t := db.t()
	if len(t.ttl) == 0 {
		return nil
	}
	return t.ttl[r.IntN(len(t.ttl))]
}

// Scan visits up to count entries from cursor (see Dict.Scan) and returns
// the next cursor, 0 when the scan is complete.
func (db *DB) Scan(cursor uint64, count int, fn func(*Entry)) uint64 {
	t := db.t()
	return scanDense(len(t.dense), cursor, count, func(i int) { fn(t.dense[i]) })
}

// Each calls fn for every entry until it returns false. fn must not change
// the database.
func (db *DB) Each(fn func(*Entry) bool) {
	for _, e := range db.t().dense {
		if !fn(e) {
			return
		}
	}
}
