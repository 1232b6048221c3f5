package cmddocs

import (
	"slices"
	"testing"
)

// TestFactsAsRedisShowsThem checks values redis-server 7.0.15 prints in
// COMMAND INFO, computed from the JSON facts: the legacy key range from
// several key specs, movablekeys, and the implicit ACL categories.
func TestFactsAsRedisShowsThem(t *testing.T) {
	for _, tc := range []struct {
		name              string
		first, last, step int
		flags, cats       []string
	}{
		{"mset", 1, -1, 2, []string{"write", "denyoom"}, []string{"@write", "@string", "@slow"}},
		{"rename", 1, 2, 1, []string{"write"}, []string{"@keyspace", "@write", "@slow"}},
		{"sintercard", 0, 0, 0, []string{"readonly", "movablekeys"}, []string{"@read", "@set", "@slow"}},
		{"lmove", 1, 2, 1, []string{"write", "denyoom"}, []string{"@write", "@list", "@slow"}},
		{"xread", 0, 0, 0, []string{"readonly", "blocking", "movablekeys"}, []string{"@read", "@stream", "@slow", "@blocking"}},
		{"eval", 0, 0, 0, []string{"noscript", "stale", "skip_monitor", "no_mandatory_keys", "movablekeys"}, []string{"@slow", "@scripting"}},
		{"zunionstore", 1, 1, 1, []string{"write", "denyoom", "movablekeys"}, []string{"@write", "@sortedset", "@slow"}},
		{"config|get", 0, 0, 0, []string{"admin", "noscript", "loading", "stale"}, []string{"@admin", "@slow", "@dangerous"}},
	} {
		c := Lookup(tc.name)
		if c == nil {
			t.Fatalf("%s: no facts", tc.name)
		}
		first, last, step := c.KeyRange()
		if first != tc.first || last != tc.last || step != tc.step {
			t.Errorf("%s: keys %d %d %d, want %d %d %d", tc.name, first, last, step, tc.first, tc.last, tc.step)
		}
		if f := c.Flags(); !slices.Equal(f, tc.flags) {
			t.Errorf("%s: flags %v, want %v", tc.name, f, tc.flags)
		}
		if cats := c.Categories(); !slices.Equal(cats, tc.cats) {
			t.Errorf("%s: categories %v, want %v", tc.name, cats, tc.cats)
		}
	}
	if Lookup("CONFIG|nosuch") != nil || Lookup("nosuch") != nil {
		t.Error("unknown names must have no facts")
	}
}
