package node

import (
	"errors"
	"fmt"
	"io"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
)

// loadResult reports what loading an RDB found.
type loadResult struct {
	keys    int64
	expired int64
	aux     map[string]string
}

// loadBatch is a run of keys decoded and built into keyspace entries, in
// file order, handed from the decoding goroutine to the storing one, with
// the RESIZEDB hints read while decoding them (applied before the batch's
// keys: a hint precedes every key of its database, and sizes a database
// only while it is empty).
type loadBatch struct {
	items []loadItem
	hints []resizeHint
	read  int64 // bytes of the file consumed when the batch was full
}

// loadItem is one key for the storing goroutine: an entry, or (most
// strings) the key's and value's bytes in one piece, kv, whose entry the
// storing goroutine allocates (which balances the two goroutines' work).
type loadItem struct {
	db   int
	klen int
	exp  int64
	kv   []byte
	e    *keyspace.Entry
}

// resizeHint is a RESIZEDB hint: keys and keys with a TTL in database db.
type resizeHint struct {
	db            int
	keys, expires uint64
}

const loadBatchLen = 512

// loadEdge tells Options.Load that a dataset load starts or ends.
func (n *Node) loadEdge(start bool) {
	if n.opts.Load != nil {
		n.opts.Load(start)
	}
}

// loadRDB decodes an RDB into ks (a fresh keyspace nobody else sees). With
// dropExpired (a master loading its own file) keys already expired at now
// are skipped and counted; a replica keeps them. tick, when set, is called
// every few thousand keys (keepalives, progress).
//
// The two halves of a load run on two goroutines, so a load uses two CPUs
// where there are two (Redis loads on one thread, but does not pay for a
// garbage collector): one reads, checks and decompresses the file, each
// string key and value straight into the memory that will hold them
// (rdb.Entry.TakeKV), and builds the entries of other keys; the other
// allocates the string keys' entries and stores every entry in the
// keyspace's tables. A load of string keys leaves no garbage behind.
func loadRDB(r io.Reader, ks *keyspace.Keyspace, now int64, dropExpired bool, tick func(read int64)) (loadResult, error) {
	dec := rdb.NewDecoder(r)
	res := loadResult{}
	if _, err := dec.Header(); err != nil {
		return res, err
	}
	ndb := ks.Len()
	batches := make(chan *loadBatch, 8)
	free := make(chan *loadBatch, 10)
	var decErr error
	var expired int64
	go func() {
		defer close(batches)
		b := &loadBatch{items: make([]loadItem, 0, loadBatchLen)}
		dec.OnResize = func(db int, keys, expires uint64) {
			b.hints = append(b.hints, resizeHint{db: db, keys: keys, expires: expires})
		}
		send := func() {
			b.read = dec.Read()
			batches <- b
			select {
			case b = <-free:
				b.items, b.hints = b.items[:0], b.hints[:0]
			default:
				b = &loadBatch{items: make([]loadItem, 0, loadBatchLen)}
			}
		}
		var en rdb.Entry
		for {
			if err := dec.NextInto(&en); err != nil {
				decErr = err
				send()
				return
			}
			if en.DB < 0 || en.DB >= ndb {
				decErr = fmt.Errorf("rdb: key %q in database %d: %w", en.Key, en.DB, errBadDB)
				send()
				return
			}
			if dropExpired && en.ExpireAt >= 0 && en.ExpireAt <= now {
				expired++
				continue
			}
			if kv, klen := en.TakeKV(); kv != nil {
				b.items = append(b.items, loadItem{db: en.DB, kv: kv, klen: klen, exp: keyspaceExpire(en.ExpireAt)})
			} else {
				b.items = append(b.items, loadItem{db: en.DB, e: decodedEntry(&en)})
			}
			if len(b.items) >= loadBatchLen {
				send()
			}
		}
	}()
	// Every batch is stored, so the decoder goroutine never waits in vain;
	// it ends after its last batch, and this function does not return
	// before it has.
	for b := range batches {
		for _, h := range b.hints {
			if h.db >= 0 && h.db < ndb {
				ks.DB(h.db).Reserve(h.keys, h.expires)
			}
		}
		for _, it := range b.items {
			if it.e != nil {
				ks.DB(it.db).LoadEntry(it.e)
			} else {
				ks.DB(it.db).LoadKV(it.kv, it.klen, it.exp)
			}
		}
		res.keys += int64(len(b.items))
		if tick != nil {
			tick(b.read)
		}
		clear(b.items)
		select {
		case free <- b:
		default:
		}
	}
	// batches is closed: the decoder goroutine has ended and decErr is set.
	res.expired = expired
	if !errors.Is(decErr, io.EOF) {
		return res, decErr
	}
	ks.FinishLoad()
	res.aux = dec.Aux()
	return res, nil
}
