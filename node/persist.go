package node

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/repl"
)

// persistence is the RDB persistence state INFO reports. Guarded by the
// node's lock.
type persistence struct {
	lastSave        int64 // unix seconds of the last successful save
	lastBgsaveOK    bool
	lastBgsaveSecs  int64
	bgsaveRunning   bool
	bgsaveStart     int64
	bgsaveScheduled bool
	lastSaveAttempt int64
	dirtyAtStart    int64
	loadedKeys      int64
	loadedExpired   int64
	savesOK         int64
}

func (n *Node) initPersistence() {
	n.persist.lastSave = time.Now().Unix()
	n.persist.lastBgsaveOK = true
	n.persist.lastBgsaveSecs = -1
}

func (n *Node) rdbPath() string { return filepath.Join(n.cfg.Dir, n.cfg.DBFilename) }

// replInfoForRDB returns the replication facts to save (rdbPopulateSaveInfo).
func (n *Node) replInfoForRDB() rdbAux {
	core := n.repl.core
	r, h := core.Replica(), core.History()
	switch {
	case r.Master == nil && core.Backlog() != nil:
		return rdbAux{withRepl: true, replid: h.ReplID, offset: h.Offset, streamDB: max(core.StreamDB(), 0)}
	case r.Master != nil && (r.Connected || r.Cached):
		db := r.MasterDB
		if n.repl.conn != nil {
			db = n.repl.conn.db
		}
		return rdbAux{withRepl: true, replid: h.ReplID, offset: h.Offset, streamDB: db}
	}
	return rdbAux{}
}

// saveTo writes a snapshot to path atomically: a temporary file in the
// same directory, fsync, rename, fsync of the directory.
func (n *Node) saveTo(path string, s *keyspace.Snapshot, aux rdbAux) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "temp-*.rdb")
	if err != nil {
		return fmt.Errorf("Failed opening the temp RDB file %s (in server root dir %s) for saving: %w", filepath.Base(path), dir, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := n.writeSnapshot(bw, s, aux, nil); err != nil {
		return fmt.Errorf("write RDB: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write RDB: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("fsync RDB: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close RDB: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename RDB: %w", err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// startSnapshotSave begins a save under the lock: it takes the snapshot
// and records what the save covers.
func (n *Node) startSnapshotSave() (*keyspace.Snapshot, rdbAux, string, error) {
	if n.persist.bgsaveRunning {
		return nil, rdbAux{}, "", errors.New("ERR Background save already in progress")
	}
	s := n.ks.Snapshot()
	if s == nil {
		return nil, rdbAux{}, "", errors.New("ERR Background save already in progress")
	}
	n.persist.bgsaveRunning = true
	n.persist.bgsaveStart = n.nowMs()
	n.persist.lastSaveAttempt = time.Now().Unix()
	n.persist.dirtyAtStart = n.dirty
	return s, n.replInfoForRDB(), n.rdbPath(), nil
}

// finishSnapshotSave records a save's outcome under the lock.
func (n *Node) finishSnapshotSave(s *keyspace.Snapshot, err error) {
	s.Close()
	p := &n.persist
	p.bgsaveRunning = false
	p.lastBgsaveSecs = (n.nowMs() - p.bgsaveStart) / 1000
	if err != nil {
		p.lastBgsaveOK = false
		n.log.Warnf("Background saving error: %v", err)
		return
	}
	p.lastBgsaveOK = true
	p.lastSave = time.Now().Unix()
	p.savesOK++
	n.dirty -= p.dirtyAtStart
	if n.dirty < 0 {
		n.dirty = 0
	}
	n.log.Noticef("DB saved on disk")
}

// bgsave saves in the background; writes go on meanwhile.
func (n *Node) bgsave(why string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.bgsaveLocked(why)
}

// bgsaveLocked starts a background save with the lock held: the snapshot
// is taken now, so the file holds exactly the data of this moment.
func (n *Node) bgsaveLocked(why string) error {
	s, aux, path, err := n.startSnapshotSave()
	if err != nil {
		return err
	}
	n.persist.bgsaveScheduled = false
	n.log.Noticef("Background saving started (%s)", why)
	n.bg.Add(1)
	n.jobEdge(true)
	go func() {
		defer n.bg.Done()
		defer n.jobEdge(false)
		lowerThreadPriority()
		err := n.saveTo(path, s, aux)
		n.mu.Lock()
		n.finishSnapshotSave(s, err)
		if err == nil {
			n.log.Noticef("Background saving terminated with success")
		}
		n.mu.Unlock()
	}()
	return nil
}

// saveNow saves in the foreground (SAVE, SHUTDOWN SAVE); the caller does
// not hold the lock.
func (n *Node) saveNow() error {
	n.mu.Lock()
	s, aux, path, err := n.startSnapshotSave()
	n.mu.Unlock()
	if err != nil {
		return err
	}
	n.jobEdge(true)
	err = n.saveTo(path, s, aux)
	n.jobEdge(false)
	n.mu.Lock()
	n.finishSnapshotSave(s, err)
	n.mu.Unlock()
	return err
}

// saveDueLocked reports whether a save point is reached (serverCron's check),
// retrying a failed save after 5 seconds.
func (n *Node) saveDueLocked() bool {
	p := &n.persist
	if p.bgsaveRunning || n.ks.Snapshotting() {
		return false
	}
	if p.bgsaveScheduled {
		return true
	}
	now := time.Now().Unix()
	for _, sp := range n.cfg.Save {
		if n.dirty >= sp.Changes && now-p.lastSave > sp.Seconds &&
			(p.lastBgsaveOK || now-p.lastSaveAttempt > 5) {
			n.log.Noticef("%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds)
			return true
		}
	}
	return false
}

// afterFlushAll saves right away when save points are configured, as
// Redis's FLUSHALL does (in the background here, so the lock is not held
// for I/O).
func (n *Node) afterFlushAll() {
	if len(n.cfg.Save) > 0 && !n.persist.bgsaveRunning {
		n.persist.bgsaveScheduled = true
	}
}

// shutdownSave saves before a shutdown when asked (SAVE) or when save
// points are configured, unless NOSAVE.
func (n *Node) shutdownSave(save, nosave bool) error {
	n.mu.Lock()
	want := !nosave && (save || len(n.cfg.Save) > 0)
	n.mu.Unlock()
	n.waitReplicasForShutdown(10 * time.Second)
	if !want {
		return nil
	}
	n.log.Noticef("Saving the final RDB snapshot before exiting.")
	for i := 0; i < 100; i++ {
		err := n.saveNow()
		if err == nil {
			return nil
		}
		if err.Error() != "ERR Background save already in progress" {
			n.log.Warnf("Error trying to save the DB, can't exit.")
			return fmt.Errorf("ERR Errors trying to SHUTDOWN. Check logs.")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("ERR Errors trying to SHUTDOWN. Check logs.")
}

// waitReplicasForShutdown gives online replicas up to limit to acknowledge
// the whole stream, as Redis 7's SHUTDOWN does.
func (n *Node) waitReplicasForShutdown(limit time.Duration) {
	n.mu.Lock()
	if n.isReplica() || len(n.repl.core.Peers()) == 0 {
		n.mu.Unlock()
		return
	}
	n.requestAcksLocked()
	target := n.offset()
	n.mu.Unlock()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		n.mu.Lock()
		total, synced := 0, 0
		for _, p := range n.repl.core.Peers() {
			if p.State == repl.Online {
				total++
				if p.AckOff >= target {
					synced++
				}
			}
		}
		wake := n.repl.ackWake
		n.mu.Unlock()
		if synced == total {
			n.log.Noticef("%d of %d replicas are in sync when shutting down.", synced, total)
			return
		}
		select {
		case <-wake:
		case <-deadline.C:
			n.log.Warnf("%d of %d replicas are in sync when shutting down.", synced, total)
			return
		case <-n.closing:
			return
		}
	}
}

// loadAtStart loads dir/dbfilename when it exists, before serving.
func (n *Node) loadAtStart() error {
	n.mu.Lock()
	path := n.rdbPath()
	isReplica := n.isReplica()
	n.mu.Unlock()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	start := time.Now()
	n.mu.Lock()
	n.loading = true
	ndb := n.ks.Len()
	now := n.nowMs()
	stamp := n.ks.AccessStamp()
	n.mu.Unlock()
	fresh := keyspace.New(ndb)
	fresh.SetLimits(n.ks.Limits())
	fresh.SetAccessStamp(stamp) // loaded keys read as just created
	n.jobEdge(true)
	n.loadEdge(true)
	res, err := loadRDB(bufio.NewReaderSize(f, 256<<10), fresh, now, !isReplica, nil)
	n.loadEdge(false)
	n.jobEdge(false)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.loading = false
	if err != nil {
		n.log.Warnf("Fatal error loading the DB: %v. Exiting.", err)
		return fmt.Errorf("load %s: %w", path, err)
	}
	n.ks.SwapIn(fresh)
	n.persist.loadedKeys = res.keys
	n.persist.loadedExpired = res.expired
	n.log.Noticef("Done loading RDB, keys loaded: %d, keys expired: %d.", res.keys, res.expired)
	n.log.Noticef("DB loaded from disk: %.3f seconds", time.Since(start).Seconds())
	n.restoreReplInfo(res.aux)
	return nil
}

// restoreReplInfo applies the repl-id / repl-offset aux fields of a loaded
// RDB: a replica caches itself as its master to continue partially; a
// master keeps the old history as its previous ID so its replicas can.
func (n *Node) restoreReplInfo(aux map[string]string) {
	id := aux["repl-id"]
	off, err := strconv.ParseInt(aux["repl-offset"], 10, 64)
	if len(id) != 40 || err != nil {
		return
	}
	db, _ := strconv.Atoi(aux["repl-stream-db"])
	n.repl.core.Restore(id, off, db, n.nowMs())
}

var _ = io.EOF
