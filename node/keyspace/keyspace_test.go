package keyspace

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// TestDictScanGuarantee checks Redis's SCAN contract: an element present
// for the whole scan is returned at least once, whatever is added and
// removed between the calls.
func TestDictScanGuarantee(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		d := NewDict[int](0)
		for i := 0; i < 200; i++ {
			d.Set(fmt.Sprint("k", i), i)
		}
		stable := map[string]bool{}
		for i := 0; i < 200; i += 3 {
			stable[fmt.Sprint("k", i)] = true // never deleted
		}
		seen := map[string]bool{}
		cursor := uint64(0)
		next := 200
		for {
			cursor = d.Scan(cursor, 1+r.IntN(20), func(it *DictItem[int]) { seen[it.Key] = true })
			if cursor == 0 {
				break
			}
			// churn between calls
			for j := 0; j < 10; j++ {
				if r.IntN(2) == 0 {
					d.Set(fmt.Sprint("k", next), next)
					next++
				} else if d.Len() > 0 {
					k := d.Random(r).Key
					if !stable[k] {
						d.Delete(k)
					}
				}
			}
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("round %d: stable key %s never returned by the scan", round, k)
			}
		}
	}
}

func TestDictBasics(t *testing.T) {
	d := NewDict[string](0)
	if !d.Set("a", "1") || d.Set("a", "2") {
		t.Fatal("Set must report new keys only")
	}
	d.Set("b", "3")
	d.Set("c", "4")
	if v, ok := d.Get("a"); !ok || v != "2" {
		t.Fatalf("Get a = %q %v", v, ok)
	}
	if !d.Delete("a") || d.Delete("a") {
		t.Fatal("Delete must report presence")
	}
	if d.Len() != 2 {
		t.Fatalf("len %d", d.Len())
	}
	for _, k := range []string{"b", "c"} {
		if _, ok := d.GetBytes([]byte(k)); !ok {
			t.Fatalf("lost %s after a swap-delete", k)
		}
	}
	c := d.Clone()
	c.Set("z", "9")
	if d.Len() != 2 || c.Len() != 3 {
		t.Fatal("clone shares state")
	}
}

func TestListOps(t *testing.T) {
	l := NewList()
	var model []string
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		v := fmt.Sprint(i)
		switch r.IntN(7) {
		case 0:
			l.PushFront([]byte(v))
			model = append([]string{v}, model...)
		case 1, 2:
			l.PushBack([]byte(v))
			model = append(model, v)
		case 3:
			if len(model) > 0 {
				if got := string(l.PopFront()); got != model[0] {
					t.Fatalf("PopFront %s want %s", got, model[0])
				}
				model = model[1:]
			}
		case 4:
			if len(model) > 0 {
				if got := string(l.PopBack()); got != model[len(model)-1] {
					t.Fatalf("PopBack %s", got)
				}
				model = model[:len(model)-1]
			}
		case 5:
			p := r.IntN(len(model) + 1)
			l.Insert(p, []byte(v))
			model = append(model[:p], append([]string{v}, model[p:]...)...)
		case 6:
			if len(model) > 0 {
				p := r.IntN(len(model))
				l.RemoveAt(p)
				model = append(model[:p], model[p+1:]...)
			}
		}
		if l.Len() != len(model) {
			t.Fatalf("len %d want %d", l.Len(), len(model))
		}
	}
	for i, v := range model {
		if string(l.At(i)) != v {
			t.Fatalf("At(%d)=%s want %s", i, l.At(i), v)
		}
	}
	l.Trim(2, 5)
	if l.Len() != 4 || string(l.At(0)) != model[2] {
		t.Fatalf("trim: len %d", l.Len())
	}
}

func TestZSetAgainstModel(t *testing.T) {
	z := NewZSet()
	model := map[string]float64{}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 3000; i++ {
		m := fmt.Sprint("m", r.IntN(300))
		if r.IntN(4) == 0 {
			z.Remove([]byte(m))
			delete(model, m)
		} else {
			s := float64(r.IntN(50))
			z.Set([]byte(m), s)
			model[m] = s
		}
	}
	type pair struct {
		m string
		s float64
	}
	var sorted []pair
	for m, s := range model {
		sorted = append(sorted, pair{m, s})
	}
	sort.Slice(sorted, func(i, j int) bool { return less(sorted[i].s, sorted[i].m, sorted[j].s, sorted[j].m) })
	if z.Len() != len(sorted) {
		t.Fatalf("len %d want %d", z.Len(), len(sorted))
	}
	i := 0
	for n := z.First(); n != nil; n = n.Next() {
		if n.Member() != sorted[i].m || n.Score() != sorted[i].s {
			t.Fatalf("order at %d: %s %v want %v", i, n.Member(), n.Score(), sorted[i])
		}
		if rk, _ := z.Rank([]byte(n.Member())); rk != i {
			t.Fatalf("rank of %s = %d want %d", n.Member(), rk, i)
		}
		if z.ByRank(i) != n {
			t.Fatalf("ByRank(%d) mismatch", i)
		}
		i++
	}
	if f := z.FirstFrom(10, true); f != nil && f.Score() <= 10 {
		t.Fatalf("FirstFrom exclusive returned %v", f.Score())
	}
	if l := z.LastUpTo(10, false); l != nil && (l.Score() > 10 || (l.Next() != nil && l.Next().Score() <= 10)) {
		t.Fatalf("LastUpTo returned %v", l.Score())
	}
}

// TestSnapshotPointInTime interleaves writes of every kind with a snapshot
// walk and checks that the snapshot yields exactly the data as it was at
// its start.
func TestSnapshotPointInTime(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for round := 0; round < 50; round++ {
		ks := New(4)
		for i := 0; i < 500; i++ {
			db := ks.DB(r.IntN(4))
			k := []byte(fmt.Sprint("k", i))
			switch r.IntN(3) {
			case 0:
				db.SetString(k, []byte(fmt.Sprint("v", i)), 0, false)
			case 1:
				l := NewList()
				l.PushBack([]byte("a"))
				db.Add(k, nil, l, int64(1000+i))
			case 2:
				h := NewHash(0)
				h.Set("f", []byte("x"))
				db.Add(k, nil, h, 0)
			}
		}
		want := dump(ks)
		s := ks.Snapshot()
		got := map[string]string{}
		var buf []Item
		for {
			buf = s.Next(buf[:0], 1+r.IntN(40))
			if len(buf) == 0 {
				break
			}
			for _, it := range buf {
				addItem(t, got, it)
			}
			mutate(ks, r, round)
		}
		for _, it := range s.PreImages() {
			addItem(t, got, it)
		}
		// writes after the walk must not disturb what was handed out
		mutate(ks, r, round)
		s.Close()
		if len(got) != len(want) {
			t.Fatalf("round %d: snapshot has %d keys, want %d", round, len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("round %d: key %s = %q want %q", round, k, got[k], v)
			}
		}
	}
}

func addItem(t *testing.T, got map[string]string, it Item) {
	t.Helper()
	k := fmt.Sprint(it.DB, "/", it.Entry.Key())
	if _, dup := got[k]; dup {
		t.Fatalf("key %s emitted twice", k)
	}
	got[k] = describe(&it.Entry)
}

func describe(e *Entry) string {
	s := fmt.Sprint(e.Kind(), " exp=", e.ExpireAt(), " ")
	switch e.Kind() {
	case KindString:
		s += string(e.Str())
	case KindList:
		for _, v := range e.List().Elements() {
			s += string(v) + ","
		}
	case KindHash:
		var parts []string
		for _, it := range e.Hash().Items() {
			parts = append(parts, it.Key+"="+string(it.Val))
		}
		sort.Strings(parts)
		s += fmt.Sprint(parts)
	}
	return s
}

func dump(ks *Keyspace) map[string]string {
	out := map[string]string{}
	for i := 0; i < ks.Len(); i++ {
		ks.DB(i).Each(func(e *Entry) bool {
			out[fmt.Sprint(i, "/", e.Key())] = describe(e)
			return true
		})
	}
	return out
}

func mutate(ks *Keyspace, r *rand.Rand, round int) {
	for j := 0; j < 20; j++ {
		db := ks.DB(r.IntN(4))
		k := []byte(fmt.Sprint("k", r.IntN(600)))
		e := db.Peek(k)
		switch r.IntN(9) {
		case 0:
			db.SetString(k, []byte(fmt.Sprint("new", round)), 0, false)
		case 1:
			db.Delete(k)
		case 2:
			if e != nil && e.Kind() == KindList {
				db.Modify(e)
				e.List().PushBack([]byte("pushed"))
			}
		case 3:
			if e != nil && e.Kind() == KindHash {
				db.Modify(e)
				e.Hash().Set("f", []byte("changed"))
			}
		case 4:
			if e != nil {
				db.SetExpire(e, 99)
			}
		case 5:
			if e != nil {
				db.Rename(e, []byte(fmt.Sprint("k", r.IntN(600))))
			}
		case 6:
			if r.IntN(10) == 0 {
				db.Flush()
			}
		case 7:
			if e != nil && e.Kind() == KindString {
				db.Modify(e)
				e.SetStr(append(e.Str(), 'x'))
			}
		case 8:
			if r.IntN(5) == 0 { // SWAPDB: pre-images keep their database
				ks.SwapDBs(r.IntN(4), r.IntN(4))
			} else if to := ks.DB(r.IntN(4)); e != nil && to != db && to.Peek(k) == nil {
				db.Move(e, to) // MOVE: the moved value stays shared with the snapshot
				if moved := to.Peek(k); moved.Kind() == KindList {
					to.Modify(moved)
					moved.List().PushBack([]byte("after-move"))
				}
			}
		}
	}
}

// TestLoadDuplicates: keys loaded twice keep the later value and the
// database stays consistent (dense slice, TTL index).
func TestLoadDuplicates(t *testing.T) {
	ks := New(1)
	db := ks.DB(0)
	db.Load([]byte("a"), []byte("1"), nil, 100)
	db.Load([]byte("b"), []byte("2"), nil, 0)
	db.Load([]byte("a"), []byte("3"), nil, 0)
	ks.FinishLoad()
	if db.Len() != 2 || db.Expires() != 0 {
		t.Fatalf("len=%d expires=%d, want 2 and 0", db.Len(), db.Expires())
	}
	if e := db.PeekString("a"); string(e.Str()) != "3" || e.ExpireAt() != 0 {
		t.Fatalf("a = %q exp %d", e.Str(), e.ExpireAt())
	}
	db.Delete([]byte("b"))
	db.Delete([]byte("a"))
	if db.Len() != 0 {
		t.Fatalf("len after deletes = %d", db.Len())
	}
}

// TestLoadKV: a string key loaded from one piece of memory (key bytes,
// then value bytes) reads back whole, with its TTL, and a later change of
// its value does not write into that memory (it has no room to grow).
func TestLoadKV(t *testing.T) {
	ks := New(1)
	db := ks.DB(0)
	kv := []byte("keyvalue")
	db.LoadKV(kv, 3, 500)
	db.LoadKV([]byte("e"), 1, 0) // an empty value
	ks.FinishLoad()
	e := db.PeekString("key")
	if e == nil || string(e.Str()) != "value" || e.ExpireAt() != 500 || db.Expires() != 1 {
		t.Fatalf("key = %v", e)
	}
	if e := db.PeekString("e"); e == nil || len(e.Str()) != 0 || e.Str() == nil {
		t.Fatalf("e = %v", e)
	}
	db.Modify(e)
	e.SetStr(append(e.Str(), "++"...))
	if string(e.Str()) != "value++" || string(kv) != "keyvalue" {
		t.Fatalf("after APPEND: %q, loaded memory %q", e.Str(), kv)
	}
}
