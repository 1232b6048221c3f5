package scenarios

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/resp"
)

// Dataset is a node's whole dataset reduced to one entry per key, "db,
// key, type, whether it has a TTL, value hash" (tab-separated), sorted, read through ordinary commands (SCAN,
// TYPE, PTTL, GET/LRANGE/SMEMBERS/HGETALL/ZRANGE) so that it compares
// replscope with real Redis.
type Dataset struct {
	Entries []string
}

// Keys returns the number of keys.
func (d Dataset) Keys() int { return len(d.Entries) }

// Digest returns a short hash of the whole dataset.
func (d Dataset) Digest() string {
	h := sha256.New()
	for _, e := range d.Entries {
		h.Write([]byte(e))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// scanCount is SCAN's COUNT hint: keys read per round trip.
const scanCount = "1000"

// Dataset reads node name's dataset. Keys that expire while it reads are
// left out, as are logically expired keys a replica still holds (reads
// hide them).
func (c *Cluster) Dataset(ctx context.Context, name string) (Dataset, error) {
	cl, done, err := c.dial(ctx, name)
	if err != nil {
		return Dataset{}, err
	}
	defer done()
	v, err := cl.Do("INFO", "keyspace")
	if err == nil {
		err = v.Err()
	}
	if err != nil {
		return Dataset{}, fmt.Errorf("INFO keyspace on %s: %w", name, err)
	}
	var out Dataset
	for _, db := range info.Parse(v.String()).DBs() {
		entries, err := readDB(cl, db)
		if err != nil {
			return Dataset{}, fmt.Errorf("read db %d of %s: %w", db, name, err)
		}
		out.Entries = append(out.Entries, entries...)
	}
	sort.Strings(out.Entries)
	return out, nil
}

// readDB reads every key of one database: a SCAN batch, then TYPE and
// PTTL of the batch pipelined, then each key's value pipelined.
func readDB(cl *resp.Client, db int) ([]string, error) {
	if v, err := cl.Do("SELECT", strconv.Itoa(db)); err != nil || v.Err() != nil {
		return nil, fmt.Errorf("SELECT: %v %v", err, v.Err())
	}
	seen := map[string]bool{}
	var out []string
	cursor := "0"
	for {
		v, err := cl.Do("SCAN", cursor, "COUNT", scanCount)
		if err != nil || v.Kind != resp.Array || len(v.Elems) != 2 {
			return nil, fmt.Errorf("SCAN: %v %s", err, v)
		}
		var keys []string
		for _, k := range v.Elems[1].Elems {
			if key := string(k.Str); !seen[key] {
				seen[key] = true
				keys = append(keys, key)
			}
		}
		entries, err := readKeys(cl, db, keys)
		if err != nil {
			return nil, err
		}
		out = append(out, entries...)
		if cursor = string(v.Elems[0].Str); cursor == "0" {
			return out, nil
		}
	}
}

// readKeys returns the entries of keys in db.
func readKeys(cl *resp.Client, db int, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var cmds [][]string
	for _, k := range keys {
		cmds = append(cmds, []string{"TYPE", k}, []string{"PTTL", k})
	}
	meta, err := pipeline(cl, cmds)
	if err != nil {
		return nil, err
	}
	cmds = cmds[:0]
	var live []int // indexes into keys of the keys still there
	for i, k := range keys {
		if cmd := valueCommand(string(meta[2*i].Str), k); cmd != nil {
			cmds = append(cmds, cmd)
			live = append(live, i)
		}
	}
	vals, err := pipeline(cl, cmds)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(live))
	for j, i := range live {
		typ, ttl := string(meta[2*i].Str), meta[2*i+1].Int >= 0
		out = append(out, fmt.Sprintf("%d\t%q\t%s\tttl=%v\t%s", db, keys[i], typ, ttl, valueHash(typ, vals[j])))
	}
	return out, nil
}

// valueCommand is the command that reads a key of type typ, nil for a key
// that is gone ("none").
func valueCommand(typ, key string) []string {
	switch typ {
	case "string":
		return []string{"GET", key}
	case "list":
		return []string{"LRANGE", key, "0", "-1"}
	case "set":
		return []string{"SMEMBERS", key}
	case "hash":
		return []string{"HGETALL", key}
	case "zset":
		return []string{"ZRANGE", key, "0", "-1", "WITHSCORES"}
	case "none":
		return nil
	}
	return []string{"TYPE", key} // a type we do not read: compare the type alone
}

// valueHash hashes a value read by valueCommand; unordered types (set,
// hash) are sorted first.
func valueHash(typ string, v resp.Value) string {
	var parts []string
	if v.Kind == resp.Array {
		for _, e := range v.Elems {
			parts = append(parts, string(e.Str))
		}
	} else {
		parts = []string{v.String()}
	}
	switch typ {
	case "set":
		sort.Strings(parts)
	case "hash":
		pairs := make([]string, 0, len(parts)/2)
		for i := 0; i+1 < len(parts); i += 2 {
			pairs = append(pairs, strconv.Quote(parts[i])+"="+strconv.Quote(parts[i+1]))
		}
		sort.Strings(pairs)
		parts = pairs
	}
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p)) + ":" + p))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// pipeline sends cmds at once and reads their replies; an error reply is
// an error.
func pipeline(cl *resp.Client, cmds [][]string) ([]resp.Value, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	var buf []byte
	for _, c := range cmds {
		buf = resp.AppendCommand(buf, c...)
	}
	if err := cl.WriteRaw(buf); err != nil {
		return nil, err
	}
	out := make([]resp.Value, len(cmds))
	for i := range cmds {
		v, err := cl.Receive()
		if err == nil {
			err = v.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", cmds[i][0], cmds[i][1], err)
		}
		out[i] = v
	}
	return out, nil
}

// CompareDatasets returns "" when every dataset is the same, else what
// differs: each node's key count and digest, and the first key that tells
// the first differing node from the first one. names and sets are
// parallel.
func CompareDatasets(names []string, sets []Dataset) string {
	if len(sets) < 2 {
		return ""
	}
	ref := sets[0].Digest()
	same := true
	parts := make([]string, len(sets))
	for i, s := range sets {
		d := s.Digest()
		same = same && d == ref
		parts[i] = fmt.Sprintf("%s: %d keys (%s)", names[i], s.Keys(), d)
	}
	if same {
		return ""
	}
	msg := strings.Join(parts, ", ")
	for i := 1; i < len(sets); i++ {
		if sets[i].Digest() != ref {
			return msg + "; " + firstDifference(names[0], names[i], sets[0], sets[i])
		}
	}
	return msg
}

// firstDifference names the first key that one dataset lacks or that
// differs between the two.
func firstDifference(an, bn string, a, b Dataset) string {
	i, j := 0, 0
	for i < len(a.Entries) && j < len(b.Entries) {
		ea, eb := a.Entries[i], b.Entries[j]
		if ea == eb {
			i, j = i+1, j+1
			continue
		}
		switch ka, kb := entryID(ea), entryID(eb); {
		case ka == kb:
			return fmt.Sprintf("first difference: %s differs (type, TTL or value)", entryKey(ea))
		case ka < kb:
			return fmt.Sprintf("first difference: %s has %s, %s does not", an, entryKey(ea), bn)
		default:
			return fmt.Sprintf("first difference: %s has %s, %s does not", bn, entryKey(eb), an)
		}
	}
	if i < len(a.Entries) {
		return fmt.Sprintf("first difference: %s has %s, %s does not", an, entryKey(a.Entries[i]), bn)
	}
	if j < len(b.Entries) {
		return fmt.Sprintf("first difference: %s has %s, %s does not", bn, entryKey(b.Entries[j]), an)
	}
	return "the datasets differ"
}

// entryID is an entry's database and key.
func entryID(e string) string {
	f := strings.SplitN(e, "\t", 3)
	if len(f) < 2 {
		return e
	}
	return f[0] + "\t" + f[1]
}

// entryKey renders an entry's database, key and type for a message.
func entryKey(e string) string {
	f := strings.SplitN(e, "\t", 4)
	if len(f) < 3 {
		return e
	}
	s := "key " + f[1] + " (" + f[2]
	if f[0] != "0" {
		s += ", db " + f[0]
	}
	return s + ")"
}
