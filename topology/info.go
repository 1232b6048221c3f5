package topology

import (
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

// ParseInfo parses the text of an INFO reply (CRLF or LF lines, "# Section"
// headers, "field:value" lines). Lines it does not understand are skipped.
func ParseInfo(text string) Info {
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

// Replicas returns the slaveN lines in N order.
func (i Info) Replicas() []ReplicaLine {
	type numbered struct {
		n int
		l ReplicaLine
	}
	var lines []numbered
	for _, kv := range i.indexed {
		k, v := kv[0], kv[1]
		n, ok := indexed(k, "slave")
		if !ok {
			continue
		}
		kv := parseKV(v)
		port, _ := strconv.Atoi(kv["port"])
		off, _ := strconv.ParseInt(kv["offset"], 10, 64)
		lag, _ := strconv.ParseInt(kv["lag"], 10, 64)
		l := ReplicaLine{
			IP: kv["ip"], Port: port, State: kv["state"], AckOffset: off,
			AckAge: time.Duration(lag) * time.Second, Pending: -1,
		}
		l.Addr = JoinAddr(l.IP, strconv.Itoa(port))
		lines = append(lines, numbered{n, l})
	}
	sort.Slice(lines, func(a, b int) bool { return lines[a].n < lines[b].n })
	out := make([]ReplicaLine, len(lines))
	for j, x := range lines {
		out[j] = x.l
	}
	return out
}

// Keys returns the number of keys over all dbN lines of the keyspace
// section, and false when the reply had no keyspace section at all.
func (i Info) Keys() (int64, bool) {
	var total int64
	seen := i.HasSection("keyspace")
	for _, kv := range i.indexed {
		k, v := kv[0], kv[1]
		if _, ok := indexed(k, "db"); !ok {
			continue
		}
		seen = true
		n, _ := strconv.ParseInt(parseKV(v)["keys"], 10, 64)
		total += n
	}
	return total, seen
}

// SentinelMasters returns a Sentinel's masterN lines in N order.
func (i Info) SentinelMasters() []MonitoredMaster {
	type numbered struct {
		n int
		m MonitoredMaster
	}
	var ms []numbered
	for _, kv := range i.indexed {
		k, v := kv[0], kv[1]
		n, ok := indexed(k, "master")
		if !ok {
			continue
		}
		kv := parseKV(v)
		reps, _ := strconv.Atoi(kv["slaves"])
		sents, _ := strconv.Atoi(kv["sentinels"])
		ms = append(ms, numbered{n, MonitoredMaster{
			Name: kv["name"], Addr: CanonAddr(kv["address"]), Status: kv["status"],
			Replicas: reps, Sentinels: sents,
		}})
	}
	sort.Slice(ms, func(a, b int) bool { return ms[a].n < ms[b].n })
	out := make([]MonitoredMaster, len(ms))
	for j, x := range ms {
		out[j] = x.m
	}
	return out
}

// indexed reports whether key is prefix followed by decimal digits only
// ("slave0", "db12"), and the number.
func indexed(key, prefix string) (int, bool) {
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

// parseKV splits "a=1,b=2" into a map.
func parseKV(s string) map[string]string {
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
