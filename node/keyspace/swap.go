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
