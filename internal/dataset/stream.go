package dataset

import (
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/resp"
)

// streamText renders a stream read by XRANGE (its entries), then reads
// and adds what else a replica must agree on: XINFO STREAM without
// radix-tree-nodes (which Redis's tree shape alone decides), each group's
// XINFO GROUPS row and its pending entries (id, consumer, deliveries;
// idle times left out). c must be on the stream's database.
func (r *reader) streamText(key string, entries resp.Value) (string, error) {
	parts := []string{flatten(entries)}
	v, err := pipeline(r.c, [][]string{{"XINFO", "STREAM", key}, {"XINFO", "GROUPS", key}})
	if err != nil {
		return "", err
	}
	stream, groups := v[0], v[1]
	for i := 0; i+1 < len(stream.Elems); i += 2 {
		if f := string(stream.Elems[i].Str); f != "radix-tree-nodes" {
			parts = append(parts, f+"="+flatten(stream.Elems[i+1]))
		}
	}
	var pending [][]string
	for _, g := range groups.Elems {
		parts = append(parts, "group="+flatten(g))
		if len(g.Elems) > 1 {
			pending = append(pending, []string{"XPENDING", key, string(g.Elems[1].Str), "-", "+", "1000000"})
		}
	}
	rows, err := pipeline(r.c, pending)
	if err != nil {
		return "", err
	}
	for _, p := range rows {
		for _, row := range p.Elems {
			if len(row.Elems) == 4 {
				parts = append(parts, "pending="+flatten(row.Elems[0])+","+flatten(row.Elems[1])+","+flatten(row.Elems[3]))
			}
		}
	}
	return strings.Join(parts, " "), nil
}

// flatten renders a reply as one line: arrays bracketed, integers bare,
// strings quoted.
func flatten(v resp.Value) string {
	switch v.Kind {
	case resp.Array:
		var sb strings.Builder
		sb.WriteByte('[')
		for i, e := range v.Elems {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(flatten(e))
		}
		sb.WriteByte(']')
		return sb.String()
	case resp.Integer:
		return strconv.FormatInt(v.Int, 10)
	}
	return strconv.Quote(string(v.Str))
}
