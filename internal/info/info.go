// Package info parses the text of an INFO reply — Redis's or a node's —
// into fields: the one INFO parser of replscope. Readers that give the
// fields a meaning (the topology model, tests, tools) build on it.
package info

import (
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Info is a parsed INFO reply: every "field:value" line of every section,
// by field name. Field names are unique across Redis's sections.
type Info struct {
	fields   map[string]string
	sections []string    // lower-case section names, in order
	indexed  [][2]string // slaveN, dbN, masterN lines, also in fields
}

// Parse parses the text of an INFO reply (CRLF or LF lines, "# Section"
// headers, "field:value" lines). Lines it does not understand are skipped.
func Parse(text string) Info {
	inf := Info{fields: make(map[string]string, 128)}
	for len(text) > 0 {
		var line string
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			line, text = text, ""
		}
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if line[0] == '#' {
			inf.sections = append(inf.sections, strings.ToLower(strings.TrimSpace(line[1:])))
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			inf.fields[k] = v
			if len(k) > 2 && k[len(k)-1] >= '0' && k[len(k)-1] <= '9' {
				inf.indexed = append(inf.indexed, [2]string{k, v})
			}
		}
	}
	return inf
}

// Fields returns a copy of every field by name.
func (i Info) Fields() map[string]string { return maps.Clone(i.fields) }

// Has reports whether the field is present.
func (i Info) Has(key string) bool {
	_, ok := i.fields[key]
	return ok
}

// HasSection reports whether the reply had a "# Name" section header
// (case-insensitive).
func (i Info) HasSection(name string) bool {
	for _, s := range i.sections {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// Str returns a field's value, "" when absent.
func (i Info) Str(key string) string { return i.fields[key] }

// Int returns a field as an integer, def when absent or malformed.
func (i Info) Int(key string, def int64) int64 {
	v, ok := i.fields[key]
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return def
	}
	return n
}

// Float returns a field as a float, def when absent or malformed.
func (i Info) Float(key string, def float64) float64 {
	v, ok := i.fields[key]
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return def
	}
	return f
}

// Seconds returns a field counted in seconds as a Duration; a negative
// value (Redis's -1 for "never") stays negative. def when absent.
func (i Info) Seconds(key string, def time.Duration) time.Duration {
	n := i.Int(key, -1<<62)
	if n == -1<<62 {
		return def
	}
	return time.Duration(n) * time.Second
}

// Numbered is one "prefixN:a=1,b=2" line: a slaveN, dbN or masterN line.
type Numbered struct {
	N      int               // the number after the prefix
	Fields map[string]string // its comma-separated a=b pairs
}

// Numbered returns the lines whose field is prefix followed by decimal
// digits only ("slave0", "db12"; not "slave_read_only"), in N order.
func (i Info) Numbered(prefix string) []Numbered {
	var out []Numbered
	for _, kv := range i.indexed {
		if n, ok := numberAfter(kv[0], prefix); ok {
			out = append(out, Numbered{N: n, Fields: SplitPairs(kv[1])})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].N < out[b].N })
	return out
}

// DBs returns the numbers of the databases the keyspace section lists
// ("db3:keys=…"), in order.
func (i Info) DBs() []int {
	var dbs []int
	for _, l := range i.Numbered("db") {
		dbs = append(dbs, l.N)
	}
	return dbs
}

// Keys returns the number of keys over all dbN lines of the keyspace
// section, and false when the reply had no keyspace section at all.
func (i Info) Keys() (int64, bool) {
	var total int64
	dbs := i.Numbered("db")
	for _, l := range dbs {
		n, _ := strconv.ParseInt(l.Fields["keys"], 10, 64)
		total += n
	}
	return total, len(dbs) > 0 || i.HasSection("keyspace")
}

// numberAfter reports whether key is prefix followed by decimal digits
// only, and the number.
func numberAfter(key, prefix string) (int, bool) {
	if len(key) <= len(prefix) || !strings.HasPrefix(key, prefix) {
		return 0, false
	}
	n := 0
	for _, c := range key[len(prefix):] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// SplitPairs splits "a=1,b=2" into a map.
func SplitPairs(s string) map[string]string {
	out := make(map[string]string, 6)
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, ",")
		if k, v, ok := strings.Cut(part, "="); ok {
			out[k] = v
		}
	}
	return out
}
