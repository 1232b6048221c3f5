package dataset

import (
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/resp"
)

// TestCompare checks the consistency message: counts, digests and the
// first key that differs.
func TestCompare(t *testing.T) {
	e := func(db int, key, typ, value string) Entry { return Entry{DB: db, Key: key, Type: typ, Value: value} }
	a := Dataset{Entries: []Entry{e(0, "a:1", "string", "h1"), e(0, "a:2", "string", "h2")}}
	missing := Dataset{Entries: []Entry{e(0, "a:1", "string", "h1")}}
	changed := Dataset{Entries: []Entry{e(0, "a:1", "string", "h1"), e(0, "a:2", "string", "zz")}}
	extra := Dataset{Entries: []Entry{e(0, "a:1", "string", "h1"), e(0, "a:2", "string", "h2"), e(3, "x", "list", "h3")}}
	later := Dataset{Entries: []Entry{e(0, "a:1", "string", "h1"), e(0, "a:2", "string", "h2"), e(10, "y", "set", "h4")}}
	withDB3 := Dataset{Entries: append(append([]Entry(nil), a.Entries...), e(3, "x", "list", "h3"), e(10, "y", "set", "h4"))}
	tests := []struct {
		name string
		sets []Dataset
		want string
	}{
		{"same", []Dataset{a, a}, ""},
		{"missing", []Dataset{a, missing}, `first difference: a has key "a:2" (string), b does not`},
		{"changed", []Dataset{a, changed}, `first difference: key "a:2" (string) differs (type, TTL or value)`},
		{"extra", []Dataset{a, extra}, `first difference: b has key "x" (list, db 3), a does not`},
		{"db 3 before db 10", []Dataset{later, withDB3}, `first difference: b has key "x" (list, db 3), a does not`},
		{"third differs", []Dataset{a, a, missing}, `first difference: a has key "a:2" (string), c does not`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Compare([]string{"a", "b", "c"}[:len(tt.sets)], tt.sets)
			if tt.want == "" && got != "" || !strings.HasSuffix(got, tt.want) {
				t.Errorf("got  %q\nwant suffix %q", got, tt.want)
			}
			if tt.want != "" && !strings.Contains(got, "a: 2 keys (") && !strings.Contains(got, "a: 3 keys (") {
				t.Errorf("got %q, want each node's key count and digest", got)
			}
		})
	}
}

// TestValueTextIsUnambiguous: elements that contain the separator do not
// collide with more elements, and unordered types compare sorted.
func TestValueTextIsUnambiguous(t *testing.T) {
	arr := mkArray
	if valueText("list", arr("a b")) == valueText("list", arr("a", "b")) {
		t.Error(`list ["a b"] and ["a","b"] have the same text`)
	}
	if valueText("set", arr("x", "y")) != valueText("set", arr("y", "x")) {
		t.Error("set order changes its text")
	}
	if valueText("hash", arr("f1", "1", "f2", "2")) != valueText("hash", arr("f2", "2", "f1", "1")) {
		t.Error("hash field order changes its text")
	}
	if valueText("zset", arr("a", "1", "b", "2")) == valueText("zset", arr("b", "2", "a", "1")) {
		t.Error("zset order is lost")
	}
	long := strings.Repeat("x", 40)
	if got := valueText("list", arr(long, long+"y")); !strings.HasPrefix(got, "81 bytes #") {
		t.Errorf("long list text %q, want its size and hash", got)
	}
	if valueText("list", arr(long+"a", long)) == valueText("list", arr(long, "a"+long)) {
		t.Error("long lists with elements split differently have the same text")
	}
	if valueText("hash", arr("f1", long, "f2", long)) != valueText("hash", arr("f2", long, "f1", long)) {
		t.Error("long hash field order changes its text")
	}
	if got, want := valueText("hash", arr("b", "2", "a", "1")), `"a"="1" "b"="2"`; got != want {
		t.Errorf("short hash text %s, want %s", got, want)
	}
}

// mkArray is an array reply of bulk strings.
func mkArray(s ...string) resp.Value {
	v := resp.Value{Kind: resp.Array}
	for _, x := range s {
		v.Elems = append(v.Elems, resp.Value{Kind: resp.BulkString, Str: []byte(x)})
	}
	return v
}
