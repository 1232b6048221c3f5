package node

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
)

// rdbImage encodes keys per database: keys[db] string keys "k<i>", every
// third with a TTL at expireAt.
func rdbImage(t *testing.T, keys map[int]int, expireAt int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	e := rdb.NewEncoder(&buf, rdb.EncoderOptions{Compress: true})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.Header())
	for db := 0; db < 32; db++ {
		n, ok := keys[db]
		if !ok {
			continue
		}
		must(e.SelectDB(db, uint64(n), uint64(n/3)))
		for i := 0; i < n; i++ {
			exp := int64(-1)
			if i%3 == 0 {
				exp = expireAt
			}
			must(e.BeginObject(rdb.TypeString, fmt.Appendf(nil, "k%d", i), exp, 0))
			must(e.String(fmt.Appendf(nil, "value of key %d in db %d, long enough to compress compress compress", i, db)))
		}
	}
	must(e.End())
	return buf.Bytes()
}

// waitGoroutines waits until the goroutine count is back to base: the
// decoding goroutine of a load must end with it.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before the load", runtime.NumGoroutine(), base)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLoadRDBAcrossBatches loads more keys than several hand-over batches
// hold, in two databases, and finds every key, its value and its TTL.
func TestLoadRDBAcrossBatches(t *testing.T) {
	base := runtime.NumGoroutine()
	img := rdbImage(t, map[int]int{0: 3*loadBatchLen + 7, 3: loadBatchLen / 2}, 1000)
	ks := keyspace.New(16)
	ticks := 0
	res, err := loadRDB(bytes.NewReader(img), ks, 0, true, func(int64) { ticks++ })
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(3*loadBatchLen + 7 + loadBatchLen/2); res.keys != want || res.expired != 0 {
		t.Fatalf("loaded %d keys (%d expired), want %d", res.keys, res.expired, want)
	}
	if ticks < 3 {
		t.Fatalf("tick called %d times over %d batches", ticks, 4)
	}
	if got := ks.DB(0).Len(); got != 3*loadBatchLen+7 {
		t.Fatalf("db 0 holds %d keys", got)
	}
	if got := ks.DB(3).Len(); got != loadBatchLen/2 {
		t.Fatalf("db 3 holds %d keys", got)
	}
	// The decoder writes each batch's strings into the memory of an
	// earlier batch: every key must still hold its own value.
	for db, n := range map[int]int{0: 3*loadBatchLen + 7, 3: loadBatchLen / 2} {
		for i := 0; i < n; i++ {
			e := ks.DB(db).PeekString(fmt.Sprintf("k%d", i))
			want := fmt.Sprintf("value of key %d in db %d, long enough to compress compress compress", i, db)
			if e == nil || string(e.Str()) != want {
				t.Fatalf("db %d key k%d: %v, want %q", db, i, e, want)
			}
			if wantExp := int64(0); i%3 == 0 && e.ExpireAt() != 1000 || i%3 != 0 && e.ExpireAt() != wantExp {
				t.Fatalf("db %d key k%d: expire %d", db, i, e.ExpireAt())
			}
		}
	}
	waitGoroutines(t, base)
}

// TestLoadRDBDropsExpiredOnMaster: a master skips keys already expired, a
// replica keeps them.
func TestLoadRDBDropsExpiredOnMaster(t *testing.T) {
	img := rdbImage(t, map[int]int{0: 900}, 1000)
	for _, c := range []struct {
		drop          bool
		keys, expired int64
	}{{true, 600, 300}, {false, 900, 0}} {
		res, err := loadRDB(bytes.NewReader(img), keyspace.New(16), 2000, c.drop, nil)
		if err != nil || res.keys != c.keys || res.expired != c.expired {
			t.Fatalf("dropExpired %v: %d keys, %d expired, err %v; want %d, %d", c.drop, res.keys, res.expired, err, c.keys, c.expired)
		}
	}
}

// TestLoadRDBErrorsEndTheDecoder: a database past the keyspace, a cut
// file and a bad checksum are errors, and the decoding goroutine ends in
// each case (the load stops early without leaving it blocked).
func TestLoadRDBErrorsEndTheDecoder(t *testing.T) {
	base := runtime.NumGoroutine()
	badDB := rdbImage(t, map[int]int{0: 4 * loadBatchLen, 20: 10}, -1)
	if _, err := loadRDB(bytes.NewReader(badDB), keyspace.New(16), 0, true, nil); !errors.Is(err, errBadDB) {
		t.Fatalf("database 20 of 16: err %v", err)
	}
	// A database out of range early, while the decoder still has batches
	// to hand over.
	early := rdbImage(t, map[int]int{20: 10 * loadBatchLen}, -1)
	if _, err := loadRDB(bytes.NewReader(early), keyspace.New(16), 0, true, nil); !errors.Is(err, errBadDB) {
		t.Fatalf("database 20 first: err %v", err)
	}
	good := rdbImage(t, map[int]int{0: 2 * loadBatchLen}, -1)
	if _, err := loadRDB(bytes.NewReader(good[:len(good)/2]), keyspace.New(16), 0, true, nil); err == nil {
		t.Fatalf("cut file loaded without error")
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)-1] ^= 0xff
	if _, err := loadRDB(bytes.NewReader(flipped), keyspace.New(16), 0, true, nil); !errors.Is(err, rdb.ErrChecksum) {
		t.Fatalf("bad checksum: err %v", err)
	}
	waitGoroutines(t, base)
}
