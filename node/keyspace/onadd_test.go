package keyspace

import (
	"reflect"
	"testing"
)

// TestOnAdd checks that OnAdd hears of every key created (Add, SetString
// of a new key, Rename), as Redis's dbAdd signals blocked clients, and of
// nothing else (an overwrite, a load, a deletion).
func TestOnAdd(t *testing.T) {
	ks := New(2)
	var got []string
	ks.OnAdd = func(db int, key string) { got = append(got, string(rune('0'+db))+":"+key) }
	db0, db1 := ks.DB(0), ks.DB(1)
	db0.Add([]byte("a"), nil, NewList(), 0)
	db0.SetString([]byte("s"), []byte("v"), 0, false)
	db0.SetString([]byte("s"), []byte("w"), 0, false) // overwrite: no
	db1.Load([]byte("loaded"), []byte("v"), nil, 0)   // load: no
	db0.Rename(db0.Peek([]byte("a")), []byte("b"))
	db0.Delete([]byte("s"))
	db1.Add([]byte("z"), nil, NewZSet(), 0)
	want := []string{"0:a", "0:s", "0:b", "1:z"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("OnAdd heard %q, want %q", got, want)
	}
}
