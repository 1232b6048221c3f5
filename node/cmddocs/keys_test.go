package cmddocs

import (
	"slices"
	"strings"
	"testing"
)

// KeysBySpecs follows getKeysUsingKeySpecs: index and keyword searches,
// ranges with a limit, numkeys read with string2ll and cast to int, and
// the specs that send Redis to the getkeys function instead.
func TestKeysBySpecs(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []int // key positions; nil with ok false
		ok   bool
	}{
		{"get k", []int{1}, true},
		{"mset a 1 b 2", []int{1, 3}, true},
		{"lmove a b left right", []int{1, 2}, true},
		{"zunionstore d 2 a b weights 1 2", []int{1, 3, 4}, true},
		{"zunionstore d 02 a b", nil, false},                // string2ll refuses it
		{"zunionstore d -0 a b", nil, false},                // so does "-0"
		{"zunionstore d 3 a b", nil, false},                 // past the last argument
		{"zunionstore d 0 a b", nil, false},                 // no key after numkeys
		{"zunionstore d 4294967297 a b", []int{1, 3}, true}, // (int) keeps 1
		{"xread count 1 streams a b 0 0", []int{4, 5}, true},
		{"xreadgroup group streams c streams a 0", []int{5}, true}, // the search starts after GROUP g c
		{"xread count 1 streams", []int{}, true},                   // keyword last: not searched
		{"sort k", nil, false},                                     // unknown begin_search
	} {
		argv := [][]byte{}
		for _, a := range strings.Fields(tc.line) {
			argv = append(argv, []byte(a))
		}
		d := Lookup(string(argv[0]))
		keys, ok := d.KeysBySpecs(argv)
		var got []int
		for _, k := range keys {
			got = append(got, k.Pos)
		}
		if ok != tc.ok || ok && !slices.Equal(got, tc.want) && len(got)+len(tc.want) > 0 {
			t.Errorf("%q: keys %v ok %v, want %v ok %v", tc.line, got, ok, tc.want, tc.ok)
		}
	}
	if got := KeyFlagNames([]string{"ACCESS", "RW", "DELETE"}); !slices.Equal(got, []string{"RW", "access", "delete"}) {
		t.Errorf("KeyFlagNames: %v", got)
	}
}
