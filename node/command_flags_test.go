package node

import (
	"slices"
	"strings"
	"testing"

	"github.com/replscope/replscope/node/cmddocs"
)

// TestCommandTableMatchesRedisFacts checks the node's own command table
// (arity, flags, key positions, ACL categories) against Redis 7.0.15's
// command facts: the flags drive the same refusals (stale, loading,
// write on a replica, inside MULTI) that Redis applies.
func TestCommandTableMatchesRedisFacts(t *testing.T) {
	// Flags the node does not model or Redis does not show.
	skip := []string{"movablekeys", "no_mandatory_keys", "module", "no_async_loading", "may_replicate", "blocking", "asking"}
	checked := 0
	for name, c := range commandTable {
		d := cmddocs.Lookup(name)
		if d == nil || name == "sentinel" {
			continue // not a Redis 7.0 command
		}
		checked++
		if c.arity != d.Arity {
			t.Errorf("%s: arity %d, redis has %d", name, c.arity, d.Arity)
		}
		if c.container {
			continue // its subcommands carry the flags
		}
		var want, got []string
		for _, f := range d.Flags() {
			if !slices.Contains(skip, f) {
				want = append(want, f)
			}
		}
		for _, f := range flagNames {
			if c.flags&f.f != 0 && !slices.Contains(skip, f.name) {
				got = append(got, f.name)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: flags %v, redis has %v", name, got, want)
		}
		first, last, step := d.KeyRange()
		if c.firstKey != first || c.lastKey != last || c.step != step {
			t.Errorf("%s: keys %d %d %d, redis has %d %d %d", name, c.firstKey, c.lastKey, c.step, first, last, step)
		}
		cats := strings.Fields(c.acl)
		wantCats := d.Categories()
		slices.Sort(cats)
		slices.Sort(wantCats)
		if !slices.Equal(cats, wantCats) {
			t.Errorf("%s: ACL categories %v, redis has %v", name, cats, wantCats)
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d commands", checked)
	}
}
