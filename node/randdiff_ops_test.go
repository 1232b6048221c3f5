package node_test

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/resp"
)

// multi runs a transaction: maybe WATCH, maybe a conflicting write from
// the second client, MULTI, queued commands (some invalid, some refused in
// MULTI), then EXEC or DISCARD.
func (r *run) multi() {
	g := r.g
	if g.chance(0.5) {
		if _, _, ok := r.exchange(mainConn, []gcmd{{args: cat(argv("WATCH"), g.keys("", 1, 3))}}); !ok {
			return
		}
	}
	if g.chance(0.3) {
		other := func(s *side) *resp.Client { return s.other }
		if _, _, ok := r.exchange(other, []gcmd{r.h.next(g, false, false)}); !ok {
			return
		}
	}
	if _, _, ok := r.exchange(mainConn, []gcmd{{args: argv("MULTI")}}); !ok {
		return
	}
	var queued []gcmd
	for i := g.intn(7); i > 0; i-- {
		c := r.h.next(g, false, true)
		switch {
		case g.chance(0.03):
			c = gcmd{args: argv("MULTI")}
		case g.chance(0.03):
			c = gcmd{args: cat(argv("WATCH"), g.keys("", 1, 1))}
		case strings.EqualFold(c.args[0], "SELECT"):
			c.args = argv("PING")
		case strings.EqualFold(c.args[0], "EXEC") || strings.EqualFold(c.args[0], "DISCARD"):
			r.endMulti(c.args, queued) // a drawn EXEC or DISCARD ends the transaction
			return
		}
		rr, _, ok := r.exchange(mainConn, []gcmd{c})
		if !ok {
			r.exchange(mainConn, []gcmd{{args: argv("DISCARD")}})
			return
		}
		if string(rr[0]) == "+QUEUED\r\n" {
			queued = append(queued, c)
		}
	}
	end := argv("EXEC")
	switch x := g.intn(20); {
	case x < 3:
		end = argv("DISCARD")
	case x == 3:
		end = append(end, g.val())
	}
	r.endMulti(end, queued)
}

// endMulti sends EXEC (its replies compared per queued command) or
// DISCARD, or EXEC with arguments unless knownDifferences lists it.
func (r *run) endMulti(args []string, queued []gcmd) {
	if !*rdKnown {
		if k := matchKnown(args, true); k != nil {
			r.h.skippedKnown[k.name]++
			args = args[:1]
		}
	}
	end := gcmd{args: args}
	if strings.EqualFold(args[0], "EXEC") {
		end.queued = append([]gcmd{}, queued...)
	}
	r.exchange(mainConn, []gcmd{end})
}

// sameReply compares two raw replies under c's mode.
func sameReply(c gcmd, a, b []byte) bool {
	if c.queued != nil {
		ha, ea, oka := splitArray(a)
		hb, eb, okb := splitArray(b)
		if !oka || !okb || len(ea) != len(c.queued) || string(ha) != string(hb) {
			return string(a) == string(b)
		}
		for i := range ea {
			if !sameReply(c.queued[i], ea[i], eb[i]) {
				return false
			}
		}
		return true
	}
	if string(a) == string(b) {
		return true
	}
	if c.mode == cmpSortErrno {
		return sameSortErrno(c.args, a, b)
	}
	if len(a) == 0 || len(b) == 0 || a[0] != b[0] || a[0] == '-' {
		return false
	}
	switch c.mode {
	case cmpUnordered:
		return sameSorted(a, b, 1)
	case cmpPairs:
		return sameSorted(a, b, 2)
	case cmpSeconds:
		return closeInts(a, b, 2)
	case cmpMillis:
		return closeInts(a, b, 2000)
	case cmpPick:
		_, ea, oka := splitArray(a)
		_, eb, okb := splitArray(b)
		if oka && okb {
			return len(ea) == len(eb)
		}
		return (string(a) == "$-1\r\n") == (string(b) == "$-1\r\n") && a[0] != ':'
	case cmpMaskID:
		return string(maskID(a)) == string(maskID(b))
	case cmpScan:
		// Only a walk from cursor 0 that both finish in one page has
		// comparable contents.
		if scanCursor(c.args) != "0" {
			return a[0] == '*'
		}
		_, ea, oka := splitArray(a)
		_, eb, okb := splitArray(b)
		if !oka || !okb || len(ea) != 2 || len(eb) != 2 {
			return false
		}
		if string(ea[0]) == "$1\r\n0\r\n" && string(eb[0]) == "$1\r\n0\r\n" {
			return sameSorted(ea[1], eb[1], 1)
		}
		return ea[1][0] == '*' && eb[1][0] == '*'
	}
	return false
}

// errSortConv is SORT's error for an element that is not a number.
const errSortConv = "-ERR One or more scores can't be converted into double\r\n"

// sameSortErrno accepts a numeric SORT that Redis 7.0.15 failed although
// every element converts. sortCommandGeneric tests errno == ERANGE after
// strtod without clearing errno first, so a command run earlier in the
// same event-loop iteration whose argument overflowed strtod or strtoul
// (SCAN 18446744073709551616, ZADD k 1e309 m, ...) makes a valid numeric
// sort fail: "MULTI; SCAN 18446744073709551616; SORT_RO z; EXEC" with z =
// {100} answers the conversion error, the same SORT_RO alone answers 100.
// Redis's reply then depends on what its C library left in errno, which
// is unspecified; the node answers as Redis does without the leftover.
// Only a plain sort of the members themselves (no BY, GET, LIMIT, STORE
// or ALPHA) can be checked: every element the node returned must convert.
func sameSortErrno(args []string, a, b []byte) bool {
	if string(a) != errSortConv || len(b) == 0 || b[0] != '*' {
		return false
	}
	for _, x := range args[1:] {
		switch strings.ToUpper(x) {
		case "BY", "GET", "LIMIT", "STORE", "ALPHA":
			return false
		}
	}
	_, elems, ok := splitArray(b)
	if !ok {
		return false
	}
	for _, e := range elems {
		if len(e) == 0 || e[0] != '$' {
			return false
		}
		s := bulkText(e)
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || strings.TrimSpace(s) != s {
			return false
		}
	}
	return true
}

// maskID replaces the integer after an "id" element of HELLO's reply, an
// array (RESP2) or a map (RESP3).
func maskID(raw []byte) []byte {
	const idKey = "$2\r\nid\r\n:"
	at := bytes.Index(raw, []byte(idKey))
	if at < 0 {
		return raw
	}
	start := at + len(idKey)
	end := bytes.Index(raw[start:], []byte("\r\n"))
	if end < 0 {
		return raw
	}
	out := append([]byte(nil), raw[:start]...)
	out = append(out, "ID"...)
	return append(out, raw[start+end:]...)
}

// execCulprit returns, for an EXEC whose replies differ, the queued
// command whose reply differs first, and that reply on each side.
func execCulprit(c gcmd, a, b []byte) (gcmd, []byte, []byte, bool) {
	if c.queued == nil {
		return c, a, b, false
	}
	_, ea, oka := splitArray(a)
	_, eb, okb := splitArray(b)
	if !oka || !okb || len(ea) != len(c.queued) || len(eb) != len(ea) {
		return c, a, b, false
	}
	for i := range ea {
		if !sameReply(c.queued[i], ea[i], eb[i]) {
			return c.queued[i], ea[i], eb[i], true
		}
	}
	return c, a, b, false
}

// scanCursor returns the cursor argument of a SCAN-family command.
func scanCursor(args []string) string {
	i := 2
	if strings.EqualFold(args[0], "SCAN") {
		i = 1
	}
	if len(args) <= i {
		return ""
	}
	return args[i]
}

// splitArray returns an aggregate reply's header and its elements, raw: an
// array, or RESP3's set, push or map (whose pairs come flattened).
func splitArray(raw []byte) (header []byte, elems [][]byte, ok bool) {
	r := resp.NewReader(strings.NewReader(string(raw)))
	line, err := r.ReadLine()
	if err != nil || len(line) < 2 || !strings.ContainsRune("*~%>", rune(line[0])) || line[1] == '-' {
		return nil, nil, false
	}
	n := 0
	for _, d := range line[1:] {
		n = n*10 + int(d-'0')
	}
	if line[0] == '%' { // a RESP3 map: n pairs
		n *= 2
	}
	for i := 0; i < n; i++ {
		e, err := r.ReadRaw()
		if err != nil {
			return nil, nil, false
		}
		elems = append(elems, e)
	}
	return line, elems, true
}

// sameSorted compares two arrays as multisets of groups of width
// elements.
func sameSorted(a, b []byte, width int) bool {
	ha, ea, oka := splitArray(a)
	hb, eb, okb := splitArray(b)
	if !oka || !okb || string(ha) != string(hb) {
		return false
	}
	return strings.Join(groups(ea, width), "\x00") == strings.Join(groups(eb, width), "\x00")
}

func groups(elems [][]byte, width int) []string {
	var out []string
	for i := 0; i+width <= len(elems); i += width {
		var b strings.Builder
		for _, e := range elems[i : i+width] {
			b.Write(e)
		}
		out = append(out, b.String())
	}
	sort.Strings(out)
	return out
}

// closeInts compares two integer replies: exactly when either is negative
// (-1 no TTL, -2 no key), else within tol.
func closeInts(a, b []byte, tol int64) bool {
	if a[0] != ':' {
		return false
	}
	x, err1 := strconv.ParseInt(strings.TrimSpace(string(a[1:])), 10, 64)
	y, err2 := strconv.ParseInt(strings.TrimSpace(string(b[1:])), 10, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	if x < 0 || y < 0 {
		return x == y
	}
	d := x - y
	return d <= tol && d >= -tol
}

// realignSpop brings the node's set back in step after SPOP popped
// different members on the two servers (the pick is random): the node
// gets back what it popped and loses what Redis popped.
func (r *run) realignSpop(c gcmd, redis, repl []byte) {
	if string(redis) == string(repl) || len(c.args) < 2 {
		return
	}
	popped := func(raw []byte) []string {
		if _, elems, ok := splitArray(raw); ok {
			var out []string
			for _, e := range elems {
				out = append(out, bulkText(e))
			}
			return out
		}
		if raw[0] == '$' && string(raw) != "$-1\r\n" {
			return []string{bulkText(raw)}
		}
		return nil
	}
	a, b := popped(redis), popped(repl)
	if len(a) == 0 || len(b) == 0 {
		return
	}
	key := c.args[1]
	r.exchangeNodeOnly(cat(argv("SADD", key), b))
	r.exchangeNodeOnly(cat(argv("SREM", key), a))
}

// exchangeNodeOnly runs one command on the node's main connection alone.
func (r *run) exchangeNodeOnly(args []string) {
	if _, err := r.roundTrip(r.h.repl, r.h.repl.main, []gcmd{{args: args}}); err != nil {
		r.nodeFailed(err, []gcmd{{args: args}})
	}
}

// bulkText returns the payload of a raw bulk reply.
func bulkText(raw []byte) string {
	_, rest, ok := strings.Cut(string(raw), "\r\n")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(rest, "\r\n")
}
