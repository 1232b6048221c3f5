package node_test

import (
	"math/rand"
	"strconv"
	"strings"
)

// gen draws the arguments of random commands. Its pools are small on
// purpose: few keys per type (so commands meet existing keys, each other's
// types and WRONGTYPE), edge integers and floats (±2^63, 2^63-1, ±2^31,
// not-quite-numbers), empty and binary strings.
type gen struct {
	r *rand.Rand
}

func (g *gen) intn(n int) int            { return g.r.Intn(n) }
func (g *gen) chance(p float64) bool     { return g.r.Float64() < p }
func (g *gen) pick(xs ...string) string  { return xs[g.r.Intn(len(xs))] }
func (g *gen) pickOf(xs []string) string { return xs[g.r.Intn(len(xs))] }

// keyPools: one prefix per type, so most keys keep one type; key() mixes
// them now and then to reach WRONGTYPE paths.
var keyPools = []string{"s", "l", "h", "S", "z"}

// lexKey returns a key of the "x" pool: sorted sets whose members all have
// score 0, the only ones on which lex ranges are specified ("if the
// elements have different scores, the returned elements are
// unspecified"). Only ZADD with score 0 and the lex commands reach them.
func (g *gen) lexKey() string { return "x:" + strconv.Itoa(g.intn(3)) }

// key returns a key of pool ("" for any pool).
func (g *gen) key(pool string) string {
	switch {
	case pool == "" || g.chance(0.1):
		pool = g.pickOf(keyPools)
	case g.chance(0.01):
		return g.pick("", "\x00k", "k k")
	}
	return pool + ":" + strconv.Itoa(g.intn(4))
}

func (g *gen) keys(pool string, lo, hi int) []string {
	n := lo + g.intn(hi-lo+1)
	out := make([]string, n)
	for i := range out {
		out[i] = g.key(pool)
	}
	return out
}

var long70 = strings.Repeat("L", 70) // longer than the listpack value limit (64)

// genEdgeInts are the integer texts that reach overflow checks and parsers.
var genEdgeInts = []string{
	"0", "1", "-1", "2", "-2", "3", "7", "100",
	"2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296",
	"9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807",
	"9223372036854775808", "-9223372036854775809", "18446744073709551616",
	"", " 1", "1 ", "+1", "01", "-0", "0x10", "1e3", "1.5", "abc", "1a",
}

// edgeFloats are the float texts that reach strtold-style parsers.
var edgeFloats = []string{
	"0", "1", "-1", "1.5", "-2.25", "1e3", "-0", "3.0000000000000001", "5.0e3", "17179869184.5",
	"inf", "-inf", "+inf", "nan", "NaN", "infinity", "1e308", "1e309", "-1e309", "0x10", "0x1p3",
	"1e-5000", "", " 1", "1 ", "abc", "9223372036854775807", "-9223372036854775808",
}

// int returns an integer argument: usually small, often an edge.
func (g *gen) int() string {
	if g.chance(0.35) {
		return g.pickOf(genEdgeInts)
	}
	return strconv.Itoa(g.intn(12) - 3)
}

// nonneg returns a small non-negative integer or, rarely, an edge one.
func (g *gen) small() string {
	if g.chance(0.1) {
		return g.pickOf(genEdgeInts)
	}
	return strconv.Itoa(g.intn(8))
}

// count returns a count for SRANDMEMBER/HRANDFIELD/ZRANDMEMBER. Redis
// itself emits |count| replies for a negative count, so negatives stay
// small (or -2^63, which it refuses).
func (g *gen) count() string {
	switch g.intn(10) {
	case 0:
		return g.pick("9223372036854775807", "2147483648", "-9223372036854775808", "abc", "", "1.5", "0")
	case 1, 2, 3:
		return strconv.Itoa(-1 - g.intn(12))
	}
	return strconv.Itoa(g.intn(12))
}

func (g *gen) float() string {
	if g.chance(0.4) {
		return g.pickOf(edgeFloats)
	}
	return strconv.FormatFloat(float64(g.intn(2000)-1000)/8, 'f', -1, 64)
}

func (g *gen) val() string {
	switch g.intn(12) {
	case 0:
		return g.pickOf(genEdgeInts)
	case 1:
		return g.pickOf(edgeFloats)
	case 2:
		return g.pick("", "\x00bin\xff", long70, "hello world", "\r\n")
	}
	return g.pick("a", "b", "v", "xyz", "1", "10", "-5", "3.5")
}

// getKeysShape returns a command line for COMMAND GETKEYS: key specs,
// keyword searches, numkeys arguments (edge integers included) and the
// getkeys functions Redis falls back to.
func (g *gen) getKeysShape() []string {
	switch g.intn(8) {
	case 0:
		return argv("SET", "k", "v", g.pick("GET", "EX", "g", "NX"))
	case 1:
		return argv(g.pick("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"), "d", g.pickOf(genEdgeInts), "a", "b")
	case 2:
		return argv(g.pick("ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD", "SINTERCARD", "LMPOP", "ZMPOP"), g.pickOf(genEdgeInts), "a", "b")
	case 3:
		return argv("SORT", "k", g.pick("BY", "GET", "LIMIT", "STORE"), "x", g.pick("STORE", "ASC"), "d")
	case 4:
		return argv(g.pick("XREAD", "XREADGROUP"), g.pick("GROUP", "COUNT", "STREAMS"), "g", "c", "STREAMS", "a", "0")
	case 5:
		return argv("BITFIELD", "k", g.pick("GET", "SET", "OVERFLOW", "INCRBY"), "u8", "0", g.pick("GET", "1"))
	case 6:
		return argv(g.pick("GET", "MSET", "DEL", "PING", "CONFIG", "OBJECT", "LCS", "BLMPOP"), g.pick("a", "GET", "ENCODING", "1"), "b")
	}
	return argv(g.pick("nosuch", "XINFO", "RENAME", "COPY"), g.pick("STREAM", "a"), "b")
}

func (g *gen) member() string {
	if g.chance(0.05) {
		return g.pick("", "x\x00y", long70, "9223372036854775807", "-0", "1.0")
	}
	return g.pick("a", "b", "c", "d", "e", "f", "1", "2", "3", "-1", "10", "100")
}

func (g *gen) members(lo, hi int) []string {
	n := lo + g.intn(hi-lo+1)
	out := make([]string, n)
	for i := range out {
		out[i] = g.member()
	}
	return out
}

// many returns n distinct members: enough to convert an encoding.
func (g *gen) many(n int, ints bool) []string {
	out := make([]string, n)
	for i := range out {
		if ints {
			out[i] = strconv.Itoa(i*7 - 50)
		} else {
			out[i] = "m" + strconv.Itoa(i)
		}
	}
	return out
}

func (g *gen) score() string {
	if g.chance(0.2) {
		return g.pickOf(edgeFloats)
	}
	return strconv.Itoa(g.intn(10) - 3)
}

func (g *gen) scoreBound() string {
	switch g.intn(8) {
	case 0:
		return g.pick("-inf", "+inf", "inf", "nan", "(", "((1", "abc", "", "(inf", "(-inf")
	case 1:
		return "(" + strconv.Itoa(g.intn(8)-3)
	}
	return strconv.Itoa(g.intn(10) - 4)
}

func (g *gen) lexBound() string {
	switch g.intn(6) {
	case 0:
		return g.pick("-", "+", "a", "", "(", "[", "[\x00")
	case 1:
		return "(" + g.member()
	}
	return "[" + g.member()
}

func (g *gen) pattern() string {
	return g.pick("*", "s:*", "l:?", "h:[0-1]", "*:3", "[", "\\", "z:[^0]", "S*", "nomatch", "*\\*", "[a-", "")
}

func (g *gen) channel() string {
	return g.pick("ch1", "ch2", "news.a", "news.b", "", "x")
}

func (g *gen) chanPattern() string {
	return g.pick("ch*", "news.*", "*", "[cn]*", "x", "\\", "[")
}

// opt appends args when chance holds.
func (g *gen) opt(p float64, args []string, more ...string) []string {
	if g.chance(p) {
		return append(args, more...)
	}
	return args
}

// ttlOpt returns an expiry option for SET/GETEX: long relative times,
// absolute times far in the future or in the past, edge values. Nothing
// expires on its own while a run lasts, so both servers stay in step.
func (g *gen) ttlOpt(getex bool) []string {
	switch g.intn(9) {
	case 0:
		return []string{"EX", g.pick("100000", "1000000", "0", "-1", "", "9223372036854775807", "9223372036854775", "abc")}
	case 1:
		return []string{"PX", g.pick("100000000", "0", "-5", "", "9223372036854775807", "9223372036854775806")}
	case 2:
		return []string{"EXAT", g.pick("4102444800", "1", "0", "-1", "", "9223372036854775807")}
	case 3:
		return []string{"PXAT", g.pick("4102444800000", "1", "0", "", "9223372036854775807")}
	case 4:
		if getex {
			return []string{"PERSIST"}
		}
		return []string{"KEEPTTL"}
	case 5:
		return []string{g.pick("EX", "PX")}
	}
	return nil
}

// relTTL returns a relative expire time (seconds, or ms when ms) for
// EXPIRE-like commands: long, zero/negative (deletes at once) or edge. A
// short positive time would expire the key between two steps on one
// server and not the other, so none is drawn.
func (g *gen) relTTL(ms bool) string {
	t := g.pick("100000", "500000", "86400000")
	switch g.intn(4) {
	case 0:
		t = g.pickOf(genEdgeInts)
	case 1:
		t = g.pick("0", "-1", "-100")
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil && n > 0 && n < 100000 {
		t = "100000"
	}
	if ms && t == "100000" {
		t = "100000000"
	}
	return t
}

// absTTL returns an absolute unix time (s or ms): the past or 2100.
func (g *gen) absTTL(ms bool) string {
	switch g.intn(4) {
	case 0:
		return g.pickOf(genEdgeInts)
	case 1:
		return g.pick("1", "100")
	}
	if ms {
		return "4102444800000"
	}
	return "4102444800"
}

func (g *gen) expireFlags() []string {
	if g.chance(0.3) {
		return []string{g.pick("NX", "XX", "GT", "LT", "nx", "BOGUS")}
	}
	if g.chance(0.03) {
		return []string{"NX", "XX"}
	}
	return nil
}
