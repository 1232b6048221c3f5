package keyspace

// SwapDBs exchanges the contents of databases i and j (SWAPDB): every
// client then sees the other database's keys under the same number. An
// active snapshot keeps the tables it captured at its start; entries
// changed after the swap still record their pre-images under the number
// their table had when the snapshot started.
func (ks *Keyspace) SwapDBs(i, j int) {
	if i == j {
		return
	}
	ks.tables[i], ks.tables[j] = ks.tables[j], ks.tables[i]
}

// snapshotDB returns the number the database now numbered db had when s
// started, or -1 when its table was created since (FLUSHDB).
func (s *Snapshot) snapshotDB(ks *Keyspace, db int) int {
	t := ks.tables[db]
	if db < len(s.tables) && s.tables[db] == t {
		return db
	}
	for i, st := range s.tables {
		if st == t {
			return i
		}
	}
	return -1
}

// Move moves e, an entry of db, to database dst under the same key with
// its value and TTL (MOVE); the key must not exist in dst. Like Rename,
// an entry whose value an active snapshot shares is marked so that its
// first in-place change copies the value.
func (db *DB) Move(e *Entry, dst *DB) *Entry {
	moved := newEntry(e.Key(), e.Str(), e.exp)
	moved.obj = e.obj
	db.remove(db.t(), e) // captures e's pre-image when a snapshot needs it
	dst.insert(dst.t(), moved)
	if s := db.ks.snap; s != nil && e.seen == s.epoch {
		moved.seen = s.epoch
	}
	return moved
}
