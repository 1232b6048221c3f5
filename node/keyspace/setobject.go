package keyspace

// SetObject stores obj under key as Redis's setKey does: an existing
// entry e (the key's current entry, or nil) keeps its place and loses its
// TTL; a missing key is created. obj is kept, not copied.
func (db *DB) SetObject(e *Entry, key []byte, obj Object) *Entry {
	t := db.t()
	if e == nil {
		e = newEntry(bstr(key), nil, 0)
		e.obj = obj
		return db.insert(t, e)
	}
	db.ks.capture(db.id, e)
	db.streamGone(e)
	e.setKV(e.Key(), nil, 0) // drop the string value's bytes
	e.obj = obj
	e.seen = 0
	e.ver = db.ks.epoch
	db.setExpire(t, e, 0)
	return e
}

// streamGone tells OnAdd that a stream is deleted or overwritten: clients
// blocked by XREADGROUP on it must be answered (Redis's dbGenericDelete
// and dbSetValue signal the key as ready).
func (db *DB) streamGone(e *Entry) {
	if _, ok := e.obj.(*Stream); ok && db.ks.OnAdd != nil {
		db.ks.OnAdd(db.id, e.Key())
	}
}
