package node

import (
	"strconv"

	"github.com/tidwall/redcon"
)

// RESP3 replies (HELLO 3). A client speaks RESP2 until HELLO 3 and again
// after HELLO 2 or RESET; each helper here writes the RESP3 type to a
// RESP3 client and the RESP2 form Redis 7.0 falls back to otherwise
// (addReplyMapLen, addReplySetLen, addReplyDouble, addReplyNull...).

var (
	emptyMapRaw = []byte("%0\r\n")
	emptySetRaw = []byte("~0\r\n")
)

// rowsLen starts n rows: pairs (pairsLen) when pairs is set, a plain
// array of n otherwise.
func (x *cmdCtx) rowsLen(n int, pairs bool) {
	if pairs {
		x.pairsLen(n)
		return
	}
	x.w.WriteArray(n)
}

func (c *Client) resp3() bool { return c != nil && c.proto == 3 }

// nullReply is the null a client gets for a missing reply: RESP3's "_"
// for both the null bulk and the null array of RESP2 (raw is one of them,
// or any other raw reply, which passes through unchanged).
func (c *Client) nullReply(raw []byte) []byte {
	if c.resp3() && (len(raw) == 5 && raw[1] == '-' && raw[2] == '1') {
		return nullResp3
	}
	return raw
}

func (x *cmdCtx) resp3() bool { return x.c.resp3() }

// mapLen starts a map of n key/value pairs: "%n" in RESP3, a flat array
// of 2n elements in RESP2.
func (x *cmdCtx) mapLen(n int) { writeMapLen(x.w, x.c.resp3(), n) }

func writeMapLen(w *redcon.Writer, resp3 bool, n int) {
	if resp3 {
		w.WriteRaw(appendLen(nil, '%', n))
		return
	}
	w.WriteArray(2 * n)
}

// setLen starts a set of n elements: "~n" in RESP3, an array in RESP2.
func (x *cmdCtx) setLen(n int) {
	if x.resp3() {
		x.w.WriteRaw(appendLen(x.n.scratch[:0], '~', n))
		return
	}
	x.w.WriteArray(n)
}

// writePushLen starts an out-of-band push message of n elements: ">n" in
// RESP3, an array in RESP2 (pub/sub messages and confirmations).
func writePushLen(w *redcon.Writer, resp3 bool, n int) {
	w.WriteRaw(appendPushLen(nil, resp3, n))
}

func appendPushLen(dst []byte, resp3 bool, n int) []byte {
	if resp3 {
		return appendLen(dst, '>', n)
	}
	return redcon.AppendArray(dst, n)
}

// pubsubRestricted reports whether a subscribed client may only run the
// pub/sub commands: in RESP2, where replies and messages share the
// array type; a RESP3 client tells them apart and may run anything.
func (c *Client) pubsubRestricted() bool { return c.is(flagPubSub) && !c.resp3() }

// pairsLen starts n pairs (ZRANGE WITHSCORES, HRANDFIELD WITHVALUES): an
// array of n two-element arrays in RESP3, a flat array of 2n in RESP2;
// each pair then starts with pair().
func (x *cmdCtx) pairsLen(n int) {
	if x.resp3() {
		x.w.WriteArray(n)
		return
	}
	x.w.WriteArray(2 * n)
}

// pair starts one pair of a pairsLen reply (nothing in RESP2).
func (x *cmdCtx) pair() {
	if x.resp3() {
		x.w.WriteArray(2)
	}
}

// double replies with a double as Redis's addReplyDouble: ",1.5" in RESP3,
// a bulk string in RESP2 (same "%.17g" text, "inf" and "-inf").
func (x *cmdCtx) double(f float64) {
	if x.resp3() {
		b := append(x.n.scratch[:0], ',')
		b = appendDouble(b, f)
		x.w.WriteRaw(append(b, '\r', '\n'))
		return
	}
	x.w.WriteBulk(appendDouble(x.n.scratch[:0], f))
}

// verbatim replies with a text as Redis's addReplyVerbatim: "=len\r\ntxt:..."
// in RESP3, a bulk string in RESP2.
func (x *cmdCtx) verbatim(s string, ext string) {
	if !x.resp3() {
		x.bulkStr(s)
		return
	}
	b := appendLen(nil, '=', len(s)+4)
	b = append(b, ext...)
	b = append(b, ':')
	b = append(b, s...)
	x.w.WriteRaw(append(b, '\r', '\n'))
}

func appendLen(dst []byte, prefix byte, n int) []byte {
	dst = append(dst, prefix)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}
