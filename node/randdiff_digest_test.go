package node_test

import (
	"fmt"
	"sort"
	"strings"

	"github.com/replscope/replscope/internal/dataset"
	"github.com/replscope/replscope/internal/resp"
)

// checkDigest compares both keyspaces: every key of the 16 databases with its
// type, whether it has a TTL, and its value read through commands both
// servers have (GET, LRANGE, SMEMBERS and HGETALL sorted, ZRANGE
// WITHSCORES).
func (r *run) checkDigest() {
	want, err := digestOf(r.h.redis.insp)
	if err != nil {
		r.h.t.Fatalf("seed %d step %d: digest of redis-server: %v", r.seed, r.step, err)
	}
	got, err := digestOf(r.h.repl.insp)
	if err != nil {
		r.nodeFailed(err, []gcmd{{args: argv("(digest)")}})
		return
	}
	var diffs []string
	for k, v := range want {
		if got[k] != v {
			diffs = append(diffs, fmt.Sprintf("%s: redis-server %s, replscope %s", k, orNone(v), orNone(got[k])))
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: redis-server (none), replscope %s", k, v))
		}
	}
	if len(diffs) == 0 {
		return
	}
	sort.Strings(diffs)
	r.record("DIGEST after "+r.lastName(), strings.Join(r.trace, " ; "), clip(diffs[0]), fmt.Sprintf("%d keys differ", len(diffs)))
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return clip(s)
}

// digestOf reads every database through c (which it leaves on database
// 0): each key's type, TTL flag and value by "db|key".
func digestOf(c *resp.Client) (map[string]string, error) {
	d, err := dataset.Read(c)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, d.Keys())
	for _, e := range d.Entries {
		out[e.ID()] = fmt.Sprintf("%s ttl=%v %s", e.Type, e.TTL, e.Value)
	}
	return out, nil
}
