// Package dataset reads a node's whole dataset through ordinary commands
// (INFO keyspace, SCAN, TYPE, PTTL, GET/LRANGE/SMEMBERS/HGETALL/ZRANGE,
// XRANGE/XINFO/XPENDING),
// so that it compares replscope with real Redis, and gives it one digest.
// Scenarios (`expect consistent`), replication tests and the random
// differential test all compare datasets with it.
package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/resp"
)

// Entry is one key: its database, name, type, whether it has a TTL, and
// its value as canonical text (see valueText: elements quoted, or size and
// hash for a large value; a stream's entries, metadata and groups, see
// streamText; "" for a type it does not read).
type Entry struct {
	DB    int
	Key   string
	Type  string
	TTL   bool
	Value string
}

// ID is the entry's database and key: "3|\"k\"".
func (e Entry) ID() string { return strconv.Itoa(e.DB) + "|" + strconv.Quote(e.Key) }

// String is the entry as one line of the digest: database, key, type, TTL
// and value, tab-separated.
func (e Entry) String() string {
	return fmt.Sprintf("%d\t%q\t%s\tttl=%v\t%s", e.DB, e.Key, e.Type, e.TTL, e.Value)
}

// Dataset is a whole dataset, its entries sorted by database and key.
type Dataset struct {
	Entries []Entry
}

// Keys returns the number of keys.
func (d Dataset) Keys() int { return len(d.Entries) }

// Digest returns a short hash of the whole dataset.
func (d Dataset) Digest() string {
	h := sha256.New()
	for _, e := range d.Entries {
		h.Write([]byte(e.String()))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// scanCount is SCAN's COUNT hint, and batch the keys read per pipeline.
const (
	scanCount = "1000"
	batch     = 1000
)

// dbKey is a key and its database.
type dbKey struct {
	db  int
	key string
}

// Read reads the dataset of the server c is connected to, database by
// database as INFO keyspace lists them (so it works on a cluster node,
// which has database 0 only), and leaves c on database 0. Keys that expire
// while it reads are left out, as are logically expired keys a replica
// still holds (reads hide them). A small dataset takes four round trips.
func Read(c *resp.Client) (Dataset, error) {
	v, err := c.Do("INFO", "keyspace")
	if err == nil {
		err = v.Err()
	}
	if err != nil {
		return Dataset{}, fmt.Errorf("INFO keyspace: %w", err)
	}
	r := &reader{c: c}
	keys, err := r.scan(info.Parse(v.String()).DBs())
	if err != nil {
		return Dataset{}, err
	}
	var out Dataset
	for len(keys) > 0 {
		n := min(batch, len(keys))
		entries, err := r.entries(keys[:n])
		if err != nil {
			return Dataset{}, err
		}
		out.Entries, keys = append(out.Entries, entries...), keys[n:]
	}
	if r.db != 0 {
		if _, err := pipeline(c, [][]string{{"SELECT", "0"}}); err != nil {
			return Dataset{}, err
		}
	}
	sort.Slice(out.Entries, func(i, j int) bool {
		a, b := out.Entries[i], out.Entries[j]
		return a.DB < b.DB || a.DB == b.DB && a.Key < b.Key
	})
	return out, nil
}

// reader reads through c, knowing which database c has selected.
type reader struct {
	c  *resp.Client
	db int
}

// selectCmd appends SELECT db to cmds when c is not on db yet.
func (r *reader) selectCmd(cmds [][]string, db int) [][]string {
	if db == r.db {
		return cmds
	}
	r.db = db
	return append(cmds, []string{"SELECT", strconv.Itoa(db)})
}

// scan lists the keys of dbs: the first SCAN of every database in one
// pipeline, then the rest of the databases that have more.
func (r *reader) scan(dbs []int) ([]dbKey, error) {
	var cmds [][]string
	for _, db := range dbs {
		cmds = append(r.selectCmd(cmds, db), []string{"SCAN", "0", "COUNT", scanCount})
	}
	replies, err := pipeline(r.c, cmds)
	if err != nil {
		return nil, err
	}
	var out []dbKey
	i := 0
	for _, v := range replies {
		if v.Kind != resp.Array { // a SELECT's +OK
			continue
		}
		db := dbs[i]
		i++
		seen := map[string]bool{}
		for {
			cursor, err := addKeys(&out, seen, db, v)
			if err != nil || cursor == "0" {
				if err != nil {
					return nil, fmt.Errorf("db %d: %w", db, err)
				}
				break
			}
			cmds = r.selectCmd(nil, db)
			more, err := pipeline(r.c, append(cmds, []string{"SCAN", cursor, "COUNT", scanCount}))
			if err != nil {
				return nil, fmt.Errorf("db %d: %w", db, err)
			}
			v = more[len(more)-1]
		}
	}
	return out, nil
}

// addKeys appends the keys of a SCAN reply not seen yet, and returns its
// cursor.
func addKeys(out *[]dbKey, seen map[string]bool, db int, v resp.Value) (string, error) {
	if v.Kind != resp.Array || len(v.Elems) != 2 {
		return "", fmt.Errorf("SCAN: %s", v)
	}
	for _, k := range v.Elems[1].Elems {
		if key := string(k.Str); !seen[key] {
			seen[key] = true
			*out = append(*out, dbKey{db, key})
		}
	}
	return string(v.Elems[0].Str), nil
}

// entries reads keys: TYPE and PTTL of them all pipelined, then each
// value pipelined.
func (r *reader) entries(keys []dbKey) ([]Entry, error) {
	var cmds [][]string
	var at []int // where each key's TYPE is in cmds
	for _, k := range keys {
		cmds = r.selectCmd(cmds, k.db)
		at = append(at, len(cmds))
		cmds = append(cmds, []string{"TYPE", k.key}, []string{"PTTL", k.key})
	}
	meta, err := pipeline(r.c, cmds)
	if err != nil {
		return nil, err
	}
	cmds = cmds[:0]
	out := make([]Entry, 0, len(keys))
	var valueAt []int // where each entry's value command is in cmds
	for i, k := range keys {
		typ := string(meta[at[i]].Str)
		cmd := valueCommand(typ, k.key)
		if cmd == nil {
			continue
		}
		cmds = r.selectCmd(cmds, k.db)
		valueAt = append(valueAt, len(cmds))
		cmds = append(cmds, cmd)
		out = append(out, Entry{DB: k.db, Key: k.key, Type: typ, TTL: meta[at[i]+1].Int >= 0})
	}
	vals, err := pipeline(r.c, cmds)
	if err != nil {
		return nil, err
	}
	for j := range out {
		if out[j].Type != "stream" {
			out[j].Value = valueText(out[j].Type, vals[valueAt[j]])
		}
	}
	// A stream's groups and pending entries take more commands, read
	// once every value above is in.
	for j := range out {
		if out[j].Type == "stream" {
			if _, err := pipeline(r.c, r.selectCmd(nil, out[j].DB)); err != nil {
				return nil, err
			}
			v, err := r.streamText(out[j].Key, vals[valueAt[j]])
			if err != nil {
				return nil, err
			}
			out[j].Value = v
		}
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
	case "stream":
		return []string{"XRANGE", key, "-", "+"}
	case "none":
		return nil
	}
	return []string{"TYPE", key} // a type we do not read: compare the type alone
}

// shortValue is the size up to which a value's text shows its elements;
// a larger value shows its size and a hash (quoting megabytes of values
// would cost more than reading them).
const shortValue = 64

// valueText renders a value read by valueCommand: each element quoted,
// unordered types sorted (set members; hash fields with their values),
// list and sorted set order kept; "" for a type it does not read. A value
// of more than shortValue bytes in all reads "<n> bytes #<hash>" instead,
// the hash over every element with its length.
func valueText(typ string, v resp.Value) string {
	var parts [][]byte
	switch typ {
	case "string":
		parts = [][]byte{v.Str}
	case "list", "set", "hash", "zset":
		for _, e := range v.Elems {
			parts = append(parts, e.Str)
		}
	default:
		return ""
	}
	switch typ {
	case "set":
		slices.SortFunc(parts, bytes.Compare)
	case "hash":
		pairs := make([][2][]byte, 0, len(parts)/2)
		for i := 0; i+1 < len(parts); i += 2 {
			pairs = append(pairs, [2][]byte{parts[i], parts[i+1]})
		}
		slices.SortFunc(pairs, func(a, b [2][]byte) int {
			if c := bytes.Compare(a[0], b[0]); c != 0 {
				return c
			}
			return bytes.Compare(a[1], b[1])
		})
		parts = parts[:0]
		for _, p := range pairs {
			parts = append(parts, p[0], p[1])
		}
	}
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	if size > shortValue {
		h := sha256.New()
		for _, p := range parts {
			h.Write(strconv.AppendInt(nil, int64(len(p)), 10))
			h.Write([]byte{':'})
			h.Write(p)
		}
		return fmt.Sprintf("%d bytes #%s", size, hex.EncodeToString(h.Sum(nil))[:16])
	}
	var sb strings.Builder
	for i, p := range parts {
		if i > 0 {
			if typ == "hash" && i%2 == 1 {
				sb.WriteByte('=')
			} else {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(strconv.Quote(string(p)))
	}
	return sb.String()
}

// pipeline sends cmds at once and reads their replies; an error reply is
// an error.
func pipeline(c *resp.Client, cmds [][]string) ([]resp.Value, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	var buf []byte
	for _, cmd := range cmds {
		buf = resp.AppendCommand(buf, cmd...)
	}
	if err := c.WriteRaw(buf); err != nil {
		return nil, err
	}
	out := make([]resp.Value, len(cmds))
	for i := range cmds {
		v, err := c.Receive()
		if err == nil {
			err = v.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(cmds[i][:min(2, len(cmds[i]))], " "), err)
		}
		out[i] = v
	}
	return out, nil
}
