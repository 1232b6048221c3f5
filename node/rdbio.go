package node

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"time"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
)

// snapshotBatch is how many keys the snapshot walk takes per acquisition
// of the lock; encoding happens outside the lock.
const snapshotBatch = 512

// rdbAux are the replication facts written into an RDB's AUX fields.
type rdbAux struct {
	replid   string
	offset   int64
	streamDB int
	withRepl bool
}

// writeSnapshot encodes a snapshot as an RDB to w. It takes the lock only
// to walk the snapshot in small batches; the caller closes the snapshot
// (under the lock) when it returns. progress, when set, is called after
// every batch with the bytes written so far.
func (n *Node) writeSnapshot(w io.Writer, s *keyspace.Snapshot, aux rdbAux, progress func(int64)) error {
	n.mu.Lock()
	compress := n.cfg.RDBCompression
	usedMem := n.usedMemory()
	ndb := n.ks.Len()
	sizes := make([][2]int, ndb)
	for i := range sizes {
		k, e := s.DBSizes(i)
		sizes[i] = [2]int{k, e}
	}
	now := time.Now()
	n.mu.Unlock()

	enc := rdb.NewEncoder(w, rdb.EncoderOptions{Compress: compress})
	if err := enc.Header(); err != nil {
		return fmt.Errorf("rdb header: %w", err)
	}
	fields := [][2]string{
		{"redis-ver", redisVersion},
		{"redis-bits", "64"},
		{"ctime", strconv.FormatInt(now.Unix(), 10)},
		{"used-mem", strconv.FormatInt(usedMem, 10)},
	}
	if aux.withRepl {
		fields = append(fields,
			[2]string{"repl-stream-db", strconv.Itoa(max(aux.streamDB, 0))},
			[2]string{"repl-id", aux.replid},
			[2]string{"repl-offset", strconv.FormatInt(aux.offset, 10)})
	}
	fields = append(fields, [2]string{"aof-base", "0"})
	for _, f := range fields {
		if err := enc.Aux(f[0], f[1]); err != nil {
			return fmt.Errorf("rdb aux: %w", err)
		}
	}
	curDB := -1
	emit := func(items []keyspace.Item) error {
		for i := range items {
			it := &items[i]
			if it.DB != curDB {
				curDB = it.DB
				if err := enc.SelectDB(curDB, uint64(sizes[curDB][0]), uint64(sizes[curDB][1])); err != nil {
					return err
				}
			}
			if err := encodeEntry(enc, &it.Entry); err != nil {
				return fmt.Errorf("rdb key %q: %w", it.Entry.Key(), err)
			}
		}
		return nil
	}
	buf := make([]keyspace.Item, 0, snapshotBatch)
	for {
		n.mu.Lock()
		buf = s.Next(buf[:0], snapshotBatch)
		n.mu.Unlock()
		if len(buf) == 0 {
			break
		}
		if err := emit(buf); err != nil {
			return err
		}
		if progress != nil {
			progress(enc.Written())
		}
		runtime.Gosched()
	}
	n.mu.Lock()
	pre := s.PreImages()
	n.mu.Unlock()
	sort.SliceStable(pre, func(i, j int) bool { return pre[i].DB < pre[j].DB })
	if err := emit(pre); err != nil {
		return err
	}
	if err := enc.End(); err != nil {
		return fmt.Errorf("rdb end: %w", err)
	}
	if progress != nil {
		progress(enc.Written())
	}
	return nil
}

// encodeEntry writes one key with the streaming encoder.
func encodeEntry(enc *rdb.Encoder, e *keyspace.Entry) error {
	key := e.KeyBytes()
	exp := e.ExpireAt()
	if exp == 0 {
		exp = -1
	} else if exp < 0 {
		exp = 0
	}
	switch e.Kind() {
	case keyspace.KindString:
		if err := enc.BeginObject(rdb.TypeString, key, exp, 1); err != nil {
			return err
		}
		return enc.String(e.Str())
	case keyspace.KindList:
		l := e.List()
		if err := enc.BeginObject(rdb.TypeList, key, exp, l.Len()); err != nil {
			return err
		}
		for i := 0; i < l.Len(); i++ {
			if err := enc.String(l.At(i)); err != nil {
				return err
			}
		}
	case keyspace.KindSet:
		s := e.Set()
		if ints, ok := intMembers(s); ok {
			return enc.IntSet(key, exp, ints)
		}
		if err := enc.BeginObject(rdb.TypeSet, key, exp, s.Len()); err != nil {
			return err
		}
		for _, it := range s.Items() {
			if err := enc.String([]byte(it.Key)); err != nil {
				return err
			}
		}
	case keyspace.KindHash:
		h := e.Hash()
		if err := enc.BeginObject(rdb.TypeHash, key, exp, h.Len()); err != nil {
			return err
		}
		for _, it := range h.Items() {
			if err := enc.String([]byte(it.Key)); err != nil {
				return err
			}
			if err := enc.String(it.Val); err != nil {
				return err
			}
		}
	case keyspace.KindZSet:
		z := e.ZSet()
		if err := enc.BeginObject(rdb.TypeZSet, key, exp, z.Len()); err != nil {
			return err
		}
		for nd := z.First(); nd != nil; nd = nd.Next() {
			if err := enc.String([]byte(nd.Member())); err != nil {
				return err
			}
			if err := enc.Double(nd.Score()); err != nil {
				return err
			}
		}
	case keyspace.KindStream:
		return enc.WriteStream(key, exp, streamToRDB(e.Stream()))
	}
	return nil
}

// intMembers returns a small set's members as integers when every member
// is a canonical int64, so the set can be written as an intset.
func intMembers(s *keyspace.Set) ([]int64, bool) {
	if s.Len() == 0 || s.Len() > 512 {
		return nil, false
	}
	out := make([]int64, 0, s.Len())
	for _, it := range s.Items() {
		v, ok := parseInt([]byte(it.Key))
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

var errBadDB = errors.New("database index out of range")

// decodedEntry builds the keyspace entry of a decoded key, for
// keyspace.DB.LoadEntry (a later duplicate of a key replaces the earlier
// one; see keyspace.FinishLoad).
func decodedEntry(en *rdb.Entry) *keyspace.Entry {
	str, obj := decodedValue(en)
	return keyspace.NewLoadEntry(en.Key, str, obj, keyspaceExpire(en.ExpireAt))
}

// keyspaceExpire maps a decoded expiry (-1: none, else unix ms) to the
// keyspace's (0: none; a stored 0, long past, becomes -1).
func keyspaceExpire(exp int64) int64 {
	switch {
	case exp < 0:
		return 0
	case exp == 0:
		return -1
	}
	return exp
}

// decodedValue turns a decoded value into a string (obj nil) or an
// object for the keyspace.
func decodedValue(en *rdb.Entry) (str []byte, obj keyspace.Object) {
	switch en.Type {
	case rdb.TypeString:
		return en.Str, nil
	case rdb.TypeList:
		l := keyspace.NewList()
		for _, v := range en.List {
			l.PushBack(v)
		}
		return nil, l
	case rdb.TypeSet:
		s := keyspace.NewSet(len(en.Set))
		for _, m := range en.Set {
			s.Add(m)
		}
		return nil, s
	case rdb.TypeHash:
		h := keyspace.NewHash(len(en.Hash))
		for _, f := range en.Hash {
			h.Set(string(f.Field), f.Value)
		}
		return nil, h
	case rdb.TypeZSet:
		z := keyspace.NewZSet()
		for _, m := range en.ZSet {
			z.Set(m.Member, m.Score)
		}
		return nil, z
	case rdb.TypeStream:
		return nil, streamFromRDB(en.Stream)
	}
	return en.Str, nil
}
