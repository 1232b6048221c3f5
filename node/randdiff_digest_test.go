package node_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

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
// 0) in three pipelines: the keys, their types and TTLs, their values.
func digestOf(c *resp.Client) (map[string]string, error) {
	var cmds [][]string
	for db := 0; db < 16; db++ {
		cmds = append(cmds, argv("SELECT", strconv.Itoa(db)), argv("KEYS", "*"))
	}
	listed, err := pipe(c, cmds)
	if err != nil {
		return nil, err
	}
	type entry struct {
		db  int
		key string
	}
	var keys []entry
	var meta, vals [][]string
	for db := 0; db < 16; db++ {
		v := listed[2*db+1]
		if v.Kind != resp.Array {
			return nil, fmt.Errorf("KEYS in db %d: %s", db, v)
		}
		if len(v.Elems) > 0 {
			meta = append(meta, argv("SELECT", strconv.Itoa(db)))
		}
		for _, k := range v.Elems {
			keys = append(keys, entry{db, string(k.Str)})
			meta = append(meta, argv("TYPE", string(k.Str)), argv("PTTL", string(k.Str)))
		}
	}
	metaV, err := pipe(c, meta)
	if err != nil {
		return nil, err
	}
	// drop the SELECT replies, keeping a TYPE and a PTTL per key
	var types, ttls []resp.Value
	for i, a := range meta {
		switch a[0] {
		case "TYPE":
			types = append(types, metaV[i])
		case "PTTL":
			ttls = append(ttls, metaV[i])
		}
	}
	last := -1
	var sel []bool
	for i, e := range keys {
		if e.db != last {
			vals = append(vals, argv("SELECT", strconv.Itoa(e.db)))
			sel = append(sel, true)
			last = e.db
		}
		vals = append(vals, valueCmd(string(types[i].Str), e.key))
		sel = append(sel, false)
	}
	vals = append(vals, argv("SELECT", "0"))
	sel = append(sel, true)
	valsV, err := pipe(c, vals)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	i := 0
	for j, v := range valsV {
		if sel[j] {
			continue
		}
		e := keys[i]
		typ := string(types[i].Str)
		out[fmt.Sprintf("%d|%q", e.db, e.key)] = fmt.Sprintf("%s ttl=%v %q", typ, ttls[i].Int >= 0, valueText(typ, v))
		i++
	}
	return out, nil
}

// valueText renders a value read by valueCmd, unordered types sorted.
func valueText(typ string, v resp.Value) string {
	if typ == "string" {
		return string(v.Str)
	}
	var parts []string
	for _, e := range v.Elems {
		parts = append(parts, string(e.Str))
	}
	switch typ {
	case "set":
		sort.Strings(parts)
	case "hash":
		var pairs []string
		for j := 0; j+1 < len(parts); j += 2 {
			pairs = append(pairs, parts[j]+"="+parts[j+1])
		}
		sort.Strings(pairs)
		parts = pairs
	}
	return strings.Join(parts, "\x00")
}

func valueCmd(typ, key string) []string {
	switch typ {
	case "list":
		return argv("LRANGE", key, "0", "-1")
	case "set":
		return argv("SMEMBERS", key)
	case "hash":
		return argv("HGETALL", key)
	case "zset":
		return argv("ZRANGE", key, "0", "-1", "WITHSCORES")
	case "string":
		return argv("GET", key)
	case "stream":
		return argv("XRANGE", key, "-", "+")
	}
	return argv("TYPE", key)
}

// pipe sends cmds in one write and reads their replies.
func pipe(c *resp.Client, cmds [][]string) ([]resp.Value, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	var buf []byte
	for _, a := range cmds {
		buf = resp.AppendCommand(buf, a...)
	}
	if err := c.WriteRaw(buf); err != nil {
		return nil, err
	}
	out := make([]resp.Value, len(cmds))
	for i := range out {
		v, err := c.Receive()
		if err != nil {
			return nil, fmt.Errorf("%v: %w", cmds[i], err)
		}
		out[i] = v
	}
	return out, nil
}
