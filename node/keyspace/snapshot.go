package keyspace

// Snapshot is a point-in-time view of a keyspace that is read while writes
// go on, the mechanism behind BGSAVE and full sync. It needs no copy of the
// keyspace and never stops the world:
//
//   - Starting it bumps the write epoch. Entries stamped with an epoch at or
//     below the snapshot's existed unchanged when it started.
//   - The walk (Next) visits each database's dense slice from the top down
//     in batches, under the caller's lock, emitting unchanged entries and
//     marking them seen.
//   - A write to an unchanged entry the walk has not reached first records a
//     pre-image (a shallow copy) in the snapshot; the walk skips the changed
//     entry and PreImages hands over the copies at the end.
//   - Values shared with the snapshot (emitted or pre-imaged) are copied on
//     their next in-place change (DB.Modify), so callers may encode batch
//     items outside the lock until Close.
//
// One snapshot may be active at a time.
type Snapshot struct {
	ks     *Keyspace
	epoch  uint32
	tables []*table // the tables as they were at the start (FLUSHDB swaps in new ones)
	db     int      // table being walked
	pos    int      // entries below pos in tables[db] are still to visit
	pre    []Item
	walked bool
	closed bool
}

// Item is one key of a snapshot: a copy of its entry and its database. The
// copy's value may be shared with the live keyspace until the snapshot is
// closed; read it, never change it.
type Item struct {
	DB    int
	Entry Entry
}

// Snapshot starts a snapshot. It returns nil if one is already active.
func (ks *Keyspace) Snapshot() *Snapshot {
	if ks.snap != nil {
		return nil
	}
	s := &Snapshot{ks: ks, epoch: ks.epoch, tables: append([]*table(nil), ks.tables...), db: 0, pos: -1}
	ks.epoch++
	ks.snap = s
	return s
}

// Snapshotting reports whether a snapshot is active.
func (ks *Keyspace) Snapshotting() bool { return ks.snap != nil }

// capture records e's pre-image when an active snapshot still needs it.
func (ks *Keyspace) capture(db int, e *Entry) {
	s := ks.snap
	if s == nil || s.walked || e.ver > s.epoch || e.seen == s.epoch {
		return
	}
	if db = s.snapshotDB(ks, db); db < 0 {
		return
	}
	s.pre = append(s.pre, Item{DB: db, Entry: *e})
	e.seen = s.epoch
}

// DBSizes returns, for each database, the number of keys and keys with a
// TTL at the snapshot's start as far as they can still be known (used for
// the RDB RESIZEDB hint only).
func (s *Snapshot) DBSizes(db int) (keys, expires int) {
	t := s.tables[db]
	return len(t.dense), len(t.ttl)
}

// Next appends up to max items of the walk to buf and returns it; an empty
// result means the walk is over. Items come database by database in
// ascending order. Call it under the keyspace owner's lock.
func (s *Snapshot) Next(buf []Item, max int) []Item {
	for len(buf) < max && s.db < len(s.tables) {
		t := s.tables[s.db]
		if s.pos < 0 || s.pos > len(t.dense) {
			s.pos = len(t.dense)
		}
		for s.pos > 0 && len(buf) < max {
			s.pos--
			e := t.dense[s.pos]
			if e.ver > s.epoch || e.seen == s.epoch {
				continue
			}
			e.seen = s.epoch
			buf = append(buf, Item{DB: s.db, Entry: *e})
		}
		if s.pos == 0 {
			s.db++
			s.pos = -1
		}
	}
	if len(buf) == 0 {
		s.walked = true
	}
	return buf
}

// PreImages returns the entries that changed before the walk reached them,
// as they were when the snapshot started, and ends capturing. Call it under
// the lock after Next returned nothing.
func (s *Snapshot) PreImages() []Item {
	s.walked = true
	pre := s.pre
	s.pre = nil
	return pre
}

// Close ends the snapshot: values it shared are the live keyspace's alone
// again. Call it under the lock once every item has been read.
func (s *Snapshot) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.walked = true
	s.pre = nil
	if s.ks.snap == s {
		s.ks.snap = nil
	}
}
