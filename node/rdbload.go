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

// loadBatch is a run of decoded keys, in file order, handed from the
// decoding goroutine to the storing one. A RESIZEDB hint travels in the
// same order as an item with resize set.
type loadBatch struct {
	items []loadItem
	read  int64 // bytes of the file consumed when the batch was full
}

type loadItem struct {
	en            *rdb.Entry // nil for a resize hint
	db            int
	keys, expires uint64
}

const loadBatchLen = 512

// loadRDB decodes an RDB into ks (a fresh keyspace nobody else sees). With
// dropExpired (a master loading its own file) keys already expired at now
// are skipped and counted; a replica keeps them. tick, when set, is called
// every few thousand keys (keepalives, progress).
//
// The two halves of a load run on two goroutines: one reads, checks and
// decompresses the file, the other allocates and indexes the keys, so a
// load uses two CPUs where there are two (Redis loads on one thread, but
// does not pay for a garbage collector). Entries the decoder returns are
// its caller's, so handing them over needs no copy.
func loadRDB(r io.Reader, ks *keyspace.Keyspace, now int64, dropExpired bool, tick func(read int64)) (loadResult, error) {
	dec := rdb.NewDecoder(r)
	res := loadResult{}
	if _, err := dec.Header(); err != nil {
		return res, err
	}
	batches := make(chan *loadBatch, 8)
	free := make(chan *loadBatch, 10)
	stop := make(chan struct{})
	var decErr error
	go func() {
		defer close(batches)
		b := &loadBatch{items: make([]loadItem, 0, loadBatchLen)}
		dec.OnResize = func(db int, keys, expires uint64) {
			b.items = append(b.items, loadItem{db: db, keys: keys, expires: expires})
		}
		send := func() bool {
			b.read = dec.Read()
			select {
			case batches <- b:
			case <-stop:
				return false
			}
			select {
			case b = <-free:
				b.items = b.items[:0]
			default:
				b = &loadBatch{items: make([]loadItem, 0, loadBatchLen)}
			}
			return true
		}
		for {
			en, err := dec.Next()
			if err != nil {
				decErr = err
				send()
				return
			}
			b.items = append(b.items, loadItem{en: en})
			if len(b.items) >= loadBatchLen && !send() {
				return
			}
		}
	}()
	// The decoder goroutine ends once batches is drained or stop is closed;
	// either way this function does not return before it has.
	fail := func(err error) (loadResult, error) {
		close(stop)
		for range batches {
		}
		return res, err
	}
	for b := range batches {
		for _, it := range b.items {
			if it.en == nil {
				if it.db >= 0 && it.db < ks.Len() {
					ks.DB(it.db).Reserve(it.keys, it.expires)
				}
				continue
			}
			en := it.en
			if en.DB < 0 || en.DB >= ks.Len() {
				return fail(fmt.Errorf("rdb: key %q in database %d: %w", en.Key, en.DB, errBadDB))
			}
			if dropExpired && en.ExpireAt >= 0 && en.ExpireAt <= now {
				res.expired++
				continue
			}
			addDecoded(ks.DB(en.DB), en)
			res.keys++
		}
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
	if !errors.Is(decErr, io.EOF) {
		return res, decErr
	}
	ks.FinishLoad()
	res.aux = dec.Aux()
	return res, nil
}
