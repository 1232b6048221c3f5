package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// leaves is a graph's JSON object flattened: each leaf (a string,
// number, boolean, null or array) by its path, as raw JSON text.
type leaves map[string]string

// indexes gives each node (by id) and link (by master and replica) of a
// segment its N in paths: its position in the keyframe, or the next free
// one for a node or link seen later.
type indexes struct {
	nodes  map[string]int
	links  map[[2]string]int
	alerts map[[3]string]int
	// linkEnds are each link's master and replica ids, by prefix ("l3").
	linkEnds map[string][2]string
}

func newIndexes() *indexes {
	return &indexes{nodes: map[string]int{}, links: map[[2]string]int{}, alerts: map[[3]string]int{},
		linkEnds: map[string][2]string{}}
}

// relativeTimes are the node members kept as seconds before the graph's
// time rather than as times.
var relativeTimes = []string{"polled_at", "last_ok"}

// flatten parses a {"type":"graph"} object into its time and leaves,
// numbering nodes, links and alerts with ix.
func (ix *indexes) flatten(graph []byte) (time.Time, leaves, error) {
	dec := json.NewDecoder(bytes.NewReader(graph))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return time.Time{}, nil, err
	}
	s, _ := top["at"].(string)
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("graph time: %w", err)
	}
	out := leaves{}
	for k, v := range top {
		switch k {
		case "type", "at":
		case "nodes", "links", "alerts":
			items, ok := v.([]any)
			if !ok && v != nil {
				return at, nil, fmt.Errorf("%s: not a list", k)
			}
			for _, item := range items {
				obj, ok := item.(map[string]any)
				if !ok {
					return at, nil, fmt.Errorf("%s: not an object", k)
				}
				if err := flattenValue(out, ix.number(k, obj), obj); err != nil {
					return at, nil, err
				}
			}
		default:
			if err := flattenValue(out, k, v); err != nil {
				return at, nil, err
			}
		}
	}
	for k, v := range out { // nN/polled_at → seconds before at
		if k[0] == 'n' && slices.Contains(relativeTimes, k[strings.IndexByte(k, '/')+1:]) {
			var t time.Time
			if json.Unmarshal([]byte(v), &t) == nil {
				out[k] = strconv.FormatFloat(at.Sub(t).Seconds(), 'f', 3, 64)
			}
		}
	}
	return at, out, nil
}

// number returns the path prefix of a node ("nN"), link ("lN") or alert
// ("aN").
func (ix *indexes) number(kind string, obj map[string]any) string {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	switch kind {
	case "nodes":
		return "n" + strconv.Itoa(numberOf(ix.nodes, str("id")))
	case "alerts":
		return "a" + strconv.Itoa(numberOf(ix.alerts, [3]string{str("name"), str("node"), str("peer")}))
	}
	ends := [2]string{str("master"), str("replica")}
	p := "l" + strconv.Itoa(numberOf(ix.links, ends))
	ix.linkEnds[p] = ends
	return p
}

// numberOf returns key's number, giving it the next one when new.
func numberOf[K comparable](m map[K]int, key K) int {
	n, ok := m[key]
	if !ok {
		n = len(m)
		m[key] = n
	}
	return n
}

// widen adds to forced the entities measured together with those in it,
// so that what a replay shows at a step agrees with itself: the links of
// a forced node and of a forced link's ends, the ends of those links (a
// master's offset with its replicas', a replica's with its master's), and
// the alerts on every node so added.
func (ix *indexes) widen(forced map[string]bool) {
	name := func(id string) string {
		if n, ok := ix.nodes[id]; ok {
			return "n" + strconv.Itoa(n)
		}
		return ""
	}
	nodes := map[string]bool{}
	for p, ends := range ix.linkEnds {
		if forced[p] {
			nodes[name(ends[0])], nodes[name(ends[1])] = true, true
		}
	}
	for e := range forced {
		if e != "" && e[0] == 'n' {
			nodes[e] = true
		}
	}
	for p, ends := range ix.linkEnds {
		m, r := name(ends[0]), name(ends[1])
		if nodes[m] || nodes[r] {
			forced[p], forced[m], forced[r] = true, true, true
		}
	}
	for key, n := range ix.alerts {
		if forced[name(key[1])] {
			forced["a"+strconv.Itoa(n)] = true
		}
	}
	delete(forced, "")
}

// about returns the entities an event about node id concerns: the node
// and its links.
func (ix *indexes) about(id string) []string {
	var out []string
	if n, ok := ix.nodes[id]; ok {
		out = append(out, "n"+strconv.Itoa(n))
	}
	for p, ends := range ix.linkEnds {
		if ends[0] == id || ends[1] == id {
			out = append(out, p)
		}
	}
	return out
}

// flattenValue adds v at path: an object member by member, anything else
// as one leaf.
func flattenValue(out leaves, path string, v any) error {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			out[path] = "{}"
		}
		for k, m := range v {
			if err := flattenValue(out, path+"/"+k, m); err != nil {
				return err
			}
		}
	case json.Number:
		out[path] = string(v)
	case bool:
		out[path] = strconv.FormatBool(v)
	case nil:
		out[path] = "null"
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		out[path] = string(b)
	}
	return nil
}

// unflatten rebuilds the {"type":"graph"} object at time at from its
// leaves.
func unflatten(at time.Time, l leaves) ([]byte, error) {
	top := map[string]any{"type": typeGraph, "at": at}
	items := map[byte]map[int]map[string]any{'n': {}, 'l': {}, 'a': {}}
	for path, v := range l {
		parts := strings.Split(path, "/")
		var raw any = json.RawMessage(v)
		if len(parts) == 2 && parts[0][0] == 'n' && slices.Contains(relativeTimes, parts[1]) {
			if s, err := strconv.ParseFloat(v, 64); err == nil {
				raw = at.Add(-time.Duration(s * float64(time.Second)))
			}
		}
		obj := top
		if n, ok := itemNumber(parts[0]); ok && len(parts) > 1 {
			group := items[parts[0][0]]
			if group[n] == nil {
				group[n] = map[string]any{}
			}
			obj, parts = group[n], parts[1:]
		}
		for _, p := range parts[:len(parts)-1] {
			sub, ok := obj[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				obj[p] = sub
			}
			obj = sub
		}
		obj[parts[len(parts)-1]] = raw
	}
	for kind, name := range map[byte]string{'n': "nodes", 'l': "links", 'a': "alerts"} {
		group := items[kind]
		ns := make([]int, 0, len(group))
		for n := range group {
			ns = append(ns, n)
		}
		slices.Sort(ns)
		list := make([]any, 0, len(ns))
		for _, n := range ns {
			list = append(list, group[n])
		}
		top[name] = list
	}
	return json.Marshal(top)
}

// itemNumber parses "n12", "l3" or "a0".
func itemNumber(s string) (int, bool) {
	if len(s) < 2 || (s[0] != 'n' && s[0] != 'l' && s[0] != 'a') {
		return 0, false
	}
	n, err := strconv.Atoi(s[1:])
	return n, err == nil && n >= 0
}

// entity is the node, link or alert a path belongs to ("n3", "l0"), or the
// top-level member ("alerts").
func entity(path string) string {
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	return path
}
