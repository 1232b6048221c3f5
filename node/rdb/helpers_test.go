package rdb

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// dbKey names a key in a keyspace of several databases.
type dbKey struct {
	DB  int
	Key string
}

// keyspace is a decoded or fetched dataset, normalized for comparison.
type keyspace map[dbKey]*Entry

// decodeAll decodes a whole file and fails the test on any error.
func decodeAll(t testing.TB, data []byte) (keyspace, *Decoder) {
	t.Helper()
	ks, d, err := tryDecodeAll(data)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return ks, d
}

// tryDecodeAll decodes a whole file, stepping over skippable unsupported
// values, and returns the first other error.
func tryDecodeAll(data []byte) (keyspace, *Decoder, error) {
	d := NewDecoder(bytes.NewReader(data))
	ks := keyspace{}
	for {
		en, err := d.Next()
		if err == io.EOF {
			return ks, d, nil
		}
		var ue *UnsupportedTypeError
		if errors.As(err, &ue) && ue.Skipped {
			continue
		}
		if err != nil {
			return ks, d, err
		}
		k := dbKey{en.DB, string(en.Key)}
		if _, dup := ks[k]; dup {
			return ks, d, fmt.Errorf("key %v decoded twice", k)
		}
		ks[k] = normalized(en)
	}
}

// normalized returns a copy of en with unordered collections sorted, so
// two keyspaces compare with reflect-free equality.
func normalized(en *Entry) *Entry {
	c := *en
	c.Set = slices.Clone(en.Set)
	slices.SortFunc(c.Set, bytes.Compare)
	c.Hash = slices.Clone(en.Hash)
	slices.SortFunc(c.Hash, func(a, b HashField) int { return bytes.Compare(a.Field, b.Field) })
	c.ZSet = slices.Clone(en.ZSet)
	slices.SortFunc(c.ZSet, func(a, b ZMember) int { return bytes.Compare(a.Member, b.Member) })
	return &c
}

// diffKeyspaces describes how got differs from want, or returns "".
func diffKeyspaces(got, want keyspace) string {
	var out []string
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			out = append(out, fmt.Sprintf("missing key %v", k))
			continue
		}
		if d := diffEntry(g, w); d != "" {
			out = append(out, fmt.Sprintf("key %v: %s", k, d))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("unexpected key %v", k))
		}
	}
	slices.Sort(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("... and %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}

// diffEntry compares two normalized entries, ignoring DB and Key.
func diffEntry(g, w *Entry) string {
	switch {
	case g.Type != w.Type:
		return fmt.Sprintf("type %v, want %v", g.Type, w.Type)
	case g.ExpireAt != w.ExpireAt:
		return fmt.Sprintf("expire %d, want %d", g.ExpireAt, w.ExpireAt)
	}
	switch w.Type {
	case TypeString:
		if !bytes.Equal(g.Str, w.Str) {
			return fmt.Sprintf("value %q, want %q", short(g.Str), short(w.Str))
		}
	case TypeList:
		return diffBytesList(g.List, w.List)
	case TypeSet:
		return diffBytesList(g.Set, w.Set)
	case TypeHash:
		if !slices.EqualFunc(g.Hash, w.Hash, func(a, b HashField) bool {
			return bytes.Equal(a.Field, b.Field) && bytes.Equal(a.Value, b.Value)
		}) {
			return fmt.Sprintf("hash %d fields differs from want %d fields", len(g.Hash), len(w.Hash))
		}
	case TypeZSet:
		if !slices.EqualFunc(g.ZSet, w.ZSet, func(a, b ZMember) bool {
			return bytes.Equal(a.Member, b.Member) && a.Score == b.Score
		}) {
			return fmt.Sprintf("zset %v differs from want %v", zsetString(g.ZSet), zsetString(w.ZSet))
		}
	}
	return ""
}

func diffBytesList(g, w [][]byte) string {
	if len(g) != len(w) {
		return fmt.Sprintf("%d elements, want %d", len(g), len(w))
	}
	for i := range w {
		if !bytes.Equal(g[i], w[i]) {
			return fmt.Sprintf("element %d is %q, want %q", i, short(g[i]), short(w[i]))
		}
	}
	return ""
}

func short(b []byte) []byte {
	if len(b) > 40 {
		return append(slices.Clip(b[:40]), "..."...)
	}
	return b
}

func zsetString(z []ZMember) string {
	var sb strings.Builder
	for i, m := range z {
		if i == 8 {
			fmt.Fprintf(&sb, " ...(%d)", len(z))
			break
		}
		fmt.Fprintf(&sb, " %s=%v", short(m.Member), m.Score)
	}
	return sb.String()
}

// serverKeyspace reads every key of databases 0-15 of a running server
// through ordinary commands: TYPE, GET, LRANGE, SMEMBERS, HGETALL,
// ZRANGE WITHSCORES and PEXPIRETIME.
func serverKeyspace(t testing.TB, srv *redistest.Server) keyspace {
	t.Helper()
	c := srv.Client(t)
	do := func(args ...string) resp.Value {
		t.Helper()
		v, err := c.Do(args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if err := v.Err(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return v
	}
	ks := keyspace{}
	for db := 0; db < 16; db++ {
		do("SELECT", strconv.Itoa(db))
		for _, kv := range do("KEYS", "*").Elems {
			key := string(kv.Str)
			en := &Entry{DB: db, Key: []byte(key)}
			en.ExpireAt = do("PEXPIRETIME", key).Int
			switch typ := string(do("TYPE", key).Str); typ {
			case "string":
				en.Type, en.Str = TypeString, do("GET", key).Str
			case "list":
				en.Type, en.List = TypeList, bulks(do("LRANGE", key, "0", "-1"))
			case "set":
				en.Type, en.Set = TypeSet, bulks(do("SMEMBERS", key))
			case "hash":
				en.Type = TypeHash
				p := bulks(do("HGETALL", key))
				for i := 0; i+1 < len(p); i += 2 {
					en.Hash = append(en.Hash, HashField{p[i], p[i+1]})
				}
			case "zset":
				en.Type = TypeZSet
				p := bulks(do("ZRANGE", key, "0", "-1", "WITHSCORES"))
				for i := 0; i+1 < len(p); i += 2 {
					f, err := strconv.ParseFloat(string(p[i+1]), 64)
					if err != nil {
						t.Fatalf("score %q of %q: %v", p[i+1], key, err)
					}
					en.ZSet = append(en.ZSet, ZMember{p[i], f})
				}
			default:
				continue // streams and modules are not compared
			}
			ks[dbKey{db, key}] = normalized(en)
		}
	}
	return ks
}

func bulks(v resp.Value) [][]byte {
	out := make([][]byte, len(v.Elems))
	for i, e := range v.Elems {
		out[i] = e.Str
		if out[i] == nil {
			out[i] = []byte{}
		}
	}
	return out
}

// startWithRDB starts redis-server on a copy of an RDB file and fails the
// test if the server does not load it.
func startWithRDB(t testing.TB, data []byte, extra ...string) *redistest.Server {
	t.Helper()
	bin := redistest.Require(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--dbfilename", "dump.rdb"}, extra...)
	return redistest.StartIn(t, bin, dir, redistest.FreePort(t), args...)
}

// checkRDB runs redis-check-rdb on data and fails the test unless it says
// the file is fine. It only logs when the tool is not installed.
func checkRDB(t testing.TB, data []byte) {
	t.Helper()
	tool, err := exec.LookPath("redis-check-rdb")
	if err != nil {
		t.Log("redis-check-rdb is not installed: file not checked")
		return
	}
	path := filepath.Join(t.TempDir(), "check.rdb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, path).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("RDB looks OK")) {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}
}

// formatScore writes a score the way ZADD accepts it and that parses back
// to the same float64.
func formatScore(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// commandsFor returns the commands that build en on a server whose
// current database is en.DB.
func commandsFor(en *Entry) [][]string {
	k := string(en.Key)
	var cmds [][]string
	add := func(head []string, items []string) {
		const chunk = 200
		for len(items) > 0 {
			n := min(len(items), chunk)
			cmds = append(cmds, append(slices.Clone(head), items[:n]...))
			items = items[n:]
		}
	}
	switch en.Type {
	case TypeString:
		cmds = append(cmds, []string{"SET", k, string(en.Str)})
	case TypeList:
		add([]string{"RPUSH", k}, strs(en.List))
	case TypeSet:
		add([]string{"SADD", k}, strs(en.Set))
	case TypeHash:
		var items []string
		for _, f := range en.Hash {
			items = append(items, string(f.Field), string(f.Value))
		}
		add([]string{"HSET", k}, items)
	case TypeZSet:
		var items []string
		for _, m := range en.ZSet {
			items = append(items, formatScore(m.Score), string(m.Member))
		}
		add([]string{"ZADD", k}, items)
	}
	if en.ExpireAt >= 0 {
		cmds = append(cmds, []string{"PEXPIREAT", k, strconv.FormatInt(en.ExpireAt, 10)})
	}
	return cmds
}

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}

// load writes a dataset into a running server through commands.
func load(t testing.TB, srv *redistest.Server, entries []*Entry) {
	t.Helper()
	c := srv.Client(t)
	db := -1
	for _, en := range sortedByDB(entries) {
		if en.DB != db {
			db = en.DB
			if v, err := c.Do("SELECT", strconv.Itoa(db)); err != nil || v.Err() != nil {
				t.Fatalf("SELECT %d: %v %v", db, err, v.Err())
			}
		}
		for _, cmd := range commandsFor(en) {
			v, err := c.Do(cmd...)
			if err == nil {
				err = v.Err()
			}
			if err != nil {
				t.Fatalf("%.60q: %v", cmd, err)
			}
		}
	}
}

// sortedByDB returns the entries ordered by database, stably.
func sortedByDB(entries []*Entry) []*Entry {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b *Entry) int { return cmp.Compare(a.DB, b.DB) })
	return sorted
}

// keyspaceOf indexes entries the way decodeAll does.
func keyspaceOf(entries []*Entry) keyspace {
	ks := keyspace{}
	for _, en := range entries {
		ks[dbKey{en.DB, string(en.Key)}] = normalized(en)
	}
	return ks
}

var errEOF = io.EOF

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
