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
// decoding goroutine to the storing one, with the RESIZEDB hints read
// while decoding them (applied before the batch's keys: a hint precedes
// every key of its database, and sizes a database only while it is
// empty). Batches go back to the decoder once stored, and their entries'
// string memory is decoded into again (rdb.Decoder.NextInto): the
// keyspace copies what it keeps.
type loadBatch struct {
	items []rdb.Entry
	hints []resizeHint
	read  int64 // bytes of the file consumed when the batch was full
}

// resizeHint is a RESIZEDB hint: keys and keys with a TTL in database db.
type resizeHint struct {
	db            int
	keys, expires uint64
}

// add returns the next entry of b, reusing one a previous run left there.
func (b *loadBatch) add() *rdb.Entry {
	if len(b.items) < cap(b.items) {
		b.items = b.items[:len(b.items)+1]
	} else {
		b.items = append(b.items, rdb.Entry{})
	}
	return &b.items[len(b.items)-1]
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
// The two halves of a load run on two goroutines: one reads, checks and
// decompresses the file, the other allocates and indexes the keys, so a
// load uses two CPUs where there are two (Redis loads on one thread, but
// does not pay for a garbage collector). The keyspace copies the string
// bytes it keeps, so the decoder reuses its entries' memory batch after
// batch and a load of string keys leaves no garbage behind.
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
		b := &loadBatch{items: make([]rdb.Entry, 0, loadBatchLen)}
		dec.OnResize = func(db int, keys, expires uint64) {
			b.hints = append(b.hints, resizeHint{db: db, keys: keys, expires: expires})
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
				b.items, b.hints = b.items[:0], b.hints[:0]
			default:
				b = &loadBatch{items: make([]rdb.Entry, 0, loadBatchLen)}
			}
			return true
		}
		for {
			if err := dec.NextInto(b.add()); err != nil {
				b.items = b.items[:len(b.items)-1]
				decErr = err
				send()
				return
			}
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
		for _, h := range b.hints {
			if h.db >= 0 && h.db < ks.Len() {
				ks.DB(h.db).Reserve(h.keys, h.expires)
			}
		}
		for i := range b.items {
			en := &b.items[i]
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
		for i := range b.items {
			b.items[i].Reset() // keep no collection alive; keep the string memory
		}
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
