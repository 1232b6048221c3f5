package node_test

import (
	"sort"
	"strconv"
)

// cmpMode says how two replies to the same command are compared. Every
// mode other than cmpExact exists because Redis documents part of the
// reply as unspecified; the reason is given where the mode is used.
type cmpMode int

const (
	cmpExact     cmpMode = iota // byte for byte
	cmpUnordered                // an array whose elements come in hash-table order
	cmpPairs                    // an array of field/value pairs in hash-table order
	cmpSeconds                  // a TTL in seconds: the servers ran it a moment apart
	cmpMillis                   // a TTL in milliseconds: the same
	cmpPick                     // a random pick: same kind and size, not the same members
	cmpScan                     // a SCAN page: cursor and page split are unspecified
	cmpMaskID                   // HELLO's map: the "id" value is each server's client id
	cmpSortErrno                // a numeric SORT: Redis may fail it on a stale errno (sameSortErrno)
)

// cmdSpec is one command the generator sends. args returns the arguments
// after the name. alone marks commands that only run as a single
// operation, outside pipelines and MULTI, because the runner acts on their
// reply (SPOP: the two servers popped different members, and the runner
// brings the node's set back in step with Redis's).
type cmdSpec struct {
	name  string
	args  func(g *gen) []string
	mode  cmpMode
	alone bool
}

// family is one entry of the generator: a group of commands and how often
// the group is drawn. Adding a family (bitmaps, SORT, COPY...) is one entry
// in families; commands the node does not list in COMMAND LIST are left
// out at run time.
type family struct {
	name   string
	weight int
	cmds   []cmdSpec
}

func spec(name string, mode cmpMode, args func(g *gen) []string) cmdSpec {
	return cmdSpec{name: name, args: args, mode: mode}
}

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func argv(s ...string) []string { return s }

// families is the generator's table.
var families = []family{
	{"strings", 14, []cmdSpec{
		spec("SET", cmpExact, func(g *gen) []string {
			a := argv(g.key("s"), g.val())
			a = g.opt(0.2, a, g.pick("NX", "XX", "nx"))
			a = append(a, g.ttlOpt(false)...)
			return g.opt(0.15, a, "GET")
		}),
		spec("GET", cmpExact, func(g *gen) []string { return argv(g.key("s")) }),
		spec("APPEND", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.val()) }),
		spec("INCR", cmpExact, func(g *gen) []string { return argv(g.key("s")) }),
		spec("DECR", cmpExact, func(g *gen) []string { return argv(g.key("s")) }),
		spec("INCRBY", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.int()) }),
		spec("DECRBY", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.int()) }),
		spec("INCRBYFLOAT", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.float()) }),
		spec("GETRANGE", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.int(), g.int()) }),
		spec("SUBSTR", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.int(), g.int()) }),
		spec("SETRANGE", cmpExact, func(g *gen) []string {
			off := g.small()
			if g.chance(0.2) {
				off = g.pickOf(edgeInts)
			}
			return argv(g.key("s"), off, g.val())
		}),
		spec("STRLEN", cmpExact, func(g *gen) []string { return argv(g.key("s")) }),
		spec("GETSET", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.val()) }),
		spec("GETDEL", cmpExact, func(g *gen) []string { return argv(g.key("s")) }),
		spec("GETEX", cmpExact, func(g *gen) []string { return cat(argv(g.key("s")), g.ttlOpt(true)) }),
		spec("SETNX", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.val()) }),
		spec("SETEX", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.relTTL(false), g.val()) }),
		spec("PSETEX", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.relTTL(true), g.val()) }),
		spec("MGET", cmpExact, func(g *gen) []string { return g.keys("s", 1, 4) }),
		spec("MSET", cmpExact, func(g *gen) []string { return msetArgs(g) }),
		spec("MSETNX", cmpExact, func(g *gen) []string { return msetArgs(g) }),
	}},
	{"keys", 8, []cmdSpec{
		spec("DEL", cmpExact, func(g *gen) []string { return g.keys("", 1, 3) }),
		spec("UNLINK", cmpExact, func(g *gen) []string { return g.keys("", 1, 3) }),
		spec("EXISTS", cmpExact, func(g *gen) []string { return g.keys("", 1, 3) }),
		spec("TOUCH", cmpExact, func(g *gen) []string { return g.keys("", 1, 3) }),
		spec("TYPE", cmpExact, func(g *gen) []string { return argv(g.key("")) }),
		spec("EXPIRE", cmpExact, func(g *gen) []string { return cat(argv(g.key(""), g.relTTL(false)), g.expireFlags()) }),
		spec("PEXPIRE", cmpExact, func(g *gen) []string { return cat(argv(g.key(""), g.relTTL(true)), g.expireFlags()) }),
		spec("EXPIREAT", cmpExact, func(g *gen) []string { return cat(argv(g.key(""), g.absTTL(false)), g.expireFlags()) }),
		spec("PEXPIREAT", cmpExact, func(g *gen) []string { return cat(argv(g.key(""), g.absTTL(true)), g.expireFlags()) }),
		spec("PERSIST", cmpExact, func(g *gen) []string { return argv(g.key("")) }),
		// TTLs are read a moment apart on the two servers: compared within 2 s.
		spec("TTL", cmpSeconds, func(g *gen) []string { return argv(g.key("")) }),
		spec("PTTL", cmpMillis, func(g *gen) []string { return argv(g.key("")) }),
		spec("EXPIRETIME", cmpSeconds, func(g *gen) []string { return argv(g.key("")) }),
		spec("PEXPIRETIME", cmpMillis, func(g *gen) []string { return argv(g.key("")) }),
		spec("RENAME", cmpExact, func(g *gen) []string { return argv(g.key(""), g.key("")) }),
		spec("RENAMENX", cmpExact, func(g *gen) []string { return argv(g.key(""), g.key("")) }),
		// KEYS walks the hash table: order unspecified.
		spec("KEYS", cmpUnordered, func(g *gen) []string { return argv(g.pattern()) }),
		// RANDOMKEY picks any key: only nil versus a key is compared.
		spec("RANDOMKEY", cmpPick, func(g *gen) []string { return nil }),
		// SCAN: cursor values and page split are unspecified.
		spec("SCAN", cmpScan, func(g *gen) []string { return scanArgs(g, true) }),
		spec("DBSIZE", cmpExact, func(g *gen) []string { return nil }),
		spec("SELECT", cmpExact, func(g *gen) []string {
			if g.chance(0.8) {
				return argv(g.pick("0", "1"))
			}
			return argv(g.pickOf(edgeInts))
		}),
	}},
	{"lists", 12, []cmdSpec{
		spec("LPUSH", cmpExact, func(g *gen) []string { return cat(argv(g.key("l")), g.members(1, 4)) }),
		spec("RPUSH", cmpExact, func(g *gen) []string { return cat(argv(g.key("l")), g.members(1, 4)) }),
		spec("LPUSHX", cmpExact, func(g *gen) []string { return cat(argv(g.key("l")), g.members(1, 3)) }),
		spec("RPUSHX", cmpExact, func(g *gen) []string { return cat(argv(g.key("l")), g.members(1, 3)) }),
		spec("LPOP", cmpExact, func(g *gen) []string { return g.opt(0.4, argv(g.key("l")), g.int()) }),
		spec("RPOP", cmpExact, func(g *gen) []string { return g.opt(0.4, argv(g.key("l")), g.int()) }),
		spec("LLEN", cmpExact, func(g *gen) []string { return argv(g.key("l")) }),
		spec("LRANGE", cmpExact, func(g *gen) []string { return argv(g.key("l"), g.int(), g.int()) }),
		spec("LINDEX", cmpExact, func(g *gen) []string { return argv(g.key("l"), g.int()) }),
		spec("LSET", cmpExact, func(g *gen) []string { return argv(g.key("l"), g.int(), g.member()) }),
		spec("LTRIM", cmpExact, func(g *gen) []string { return argv(g.key("l"), g.int(), g.int()) }),
		spec("LREM", cmpExact, func(g *gen) []string { return argv(g.key("l"), g.int(), g.member()) }),
		spec("LINSERT", cmpExact, func(g *gen) []string {
			return argv(g.key("l"), g.pick("BEFORE", "AFTER", "after", "MIDDLE"), g.member(), g.member())
		}),
		spec("LPOS", cmpExact, func(g *gen) []string {
			a := argv(g.key("l"), g.member())
			a = g.opt(0.3, a, "RANK", g.int())
			a = g.opt(0.3, a, "COUNT", g.int())
			return g.opt(0.2, a, "MAXLEN", g.int())
		}),
		spec("LMOVE", cmpExact, func(g *gen) []string {
			return argv(g.key("l"), g.key("l"), g.pick("LEFT", "RIGHT"), g.pick("LEFT", "RIGHT", "UP"))
		}),
		spec("RPOPLPUSH", cmpExact, func(g *gen) []string { return argv(g.key("l"), g.key("l")) }),
		spec("RPUSH", cmpExact, func(g *gen) []string { return cat(argv(g.key("l")), g.many(200, false)) }),
	}},
	{"hashes", 12, []cmdSpec{
		spec("HSET", cmpExact, func(g *gen) []string { return cat(argv(g.key("h")), fieldVals(g, 1, 3)) }),
		spec("HMSET", cmpExact, func(g *gen) []string { return cat(argv(g.key("h")), fieldVals(g, 1, 3)) }),
		spec("HSETNX", cmpExact, func(g *gen) []string { return argv(g.key("h"), g.member(), g.val()) }),
		spec("HGET", cmpExact, func(g *gen) []string { return argv(g.key("h"), g.member()) }),
		spec("HMGET", cmpExact, func(g *gen) []string { return cat(argv(g.key("h")), g.members(1, 3)) }),
		spec("HDEL", cmpExact, func(g *gen) []string { return cat(argv(g.key("h")), g.members(1, 3)) }),
		spec("HEXISTS", cmpExact, func(g *gen) []string { return argv(g.key("h"), g.member()) }),
		spec("HLEN", cmpExact, func(g *gen) []string { return argv(g.key("h")) }),
		spec("HSTRLEN", cmpExact, func(g *gen) []string { return argv(g.key("h"), g.member()) }),
		spec("HINCRBY", cmpExact, func(g *gen) []string { return argv(g.key("h"), g.member(), g.int()) }),
		spec("HINCRBYFLOAT", cmpExact, func(g *gen) []string { return argv(g.key("h"), g.member(), g.float()) }),
		// HKEYS/HVALS/HGETALL walk the hash table once it is not a listpack.
		spec("HKEYS", cmpUnordered, func(g *gen) []string { return argv(g.key("h")) }),
		spec("HVALS", cmpUnordered, func(g *gen) []string { return argv(g.key("h")) }),
		spec("HGETALL", cmpPairs, func(g *gen) []string { return argv(g.key("h")) }),
		// HRANDFIELD picks at random.
		spec("HRANDFIELD", cmpPick, func(g *gen) []string {
			a := argv(g.key("h"))
			if g.chance(0.7) {
				a = append(a, g.count())
				a = g.opt(0.4, a, "WITHVALUES")
			}
			return a
		}),
		spec("HSCAN", cmpScan, func(g *gen) []string { return cat(argv(g.key("h")), scanArgs(g, false)) }),
		spec("HSET", cmpExact, func(g *gen) []string {
			a := argv(g.key("h"))
			for _, m := range g.many(130, false) {
				a = append(a, m, "v")
			}
			return a
		}),
	}},
	{"sets", 12, []cmdSpec{
		spec("SADD", cmpExact, func(g *gen) []string { return cat(argv(g.key("S")), g.members(1, 4)) }),
		spec("SREM", cmpExact, func(g *gen) []string { return cat(argv(g.key("S")), g.members(1, 3)) }),
		spec("SCARD", cmpExact, func(g *gen) []string { return argv(g.key("S")) }),
		spec("SISMEMBER", cmpExact, func(g *gen) []string { return argv(g.key("S"), g.member()) }),
		spec("SMISMEMBER", cmpExact, func(g *gen) []string { return cat(argv(g.key("S")), g.members(1, 3)) }),
		// Set replies walk the hash table once it is not an intset.
		spec("SMEMBERS", cmpUnordered, func(g *gen) []string { return argv(g.key("S")) }),
		spec("SINTER", cmpUnordered, func(g *gen) []string { return g.keys("S", 1, 3) }),
		spec("SUNION", cmpUnordered, func(g *gen) []string { return g.keys("S", 1, 3) }),
		spec("SDIFF", cmpUnordered, func(g *gen) []string { return g.keys("S", 1, 3) }),
		spec("SINTERSTORE", cmpExact, func(g *gen) []string { return cat(argv(g.key("S")), g.keys("S", 1, 3)) }),
		spec("SUNIONSTORE", cmpExact, func(g *gen) []string { return cat(argv(g.key("S")), g.keys("S", 1, 3)) }),
		spec("SDIFFSTORE", cmpExact, func(g *gen) []string { return cat(argv(g.key("S")), g.keys("S", 1, 3)) }),
		spec("SINTERCARD", cmpExact, func(g *gen) []string {
			ks := g.keys("S", 1, 3)
			n := strconv.Itoa(len(ks))
			if g.chance(0.15) {
				n = g.int()
			}
			return g.opt(0.3, cat(argv(n), ks), "LIMIT", g.int())
		}),
		spec("SMOVE", cmpExact, func(g *gen) []string { return argv(g.key("S"), g.key("S"), g.member()) }),
		// SRANDMEMBER picks at random.
		spec("SRANDMEMBER", cmpPick, func(g *gen) []string { return g.opt(0.7, argv(g.key("S")), g.count()) }),
		// SPOP pops at random; the runner re-aligns the node's set.
		{name: "SPOP", mode: cmpPick, alone: true, args: func(g *gen) []string {
			return g.opt(0.6, argv(g.key("S")), g.pick("0", "1", "2", "5", "-1", "9223372036854775807", "abc"))
		}},
		spec("SSCAN", cmpScan, func(g *gen) []string { return cat(argv(g.key("S")), scanArgs(g, false)) }),
		spec("SADD", cmpExact, func(g *gen) []string { return cat(argv(g.key("S")), g.many(g.intn(2)*520+10, g.chance(0.5))) }),
	}},
	{"zsets", 14, zsetCmds},
	{"streams", 6, streamCmds},
	{"transactions", 2, []cmdSpec{
		spec("WATCH", cmpExact, func(g *gen) []string { return g.keys("", 1, 2) }),
		spec("UNWATCH", cmpExact, func(g *gen) []string { return nil }),
		spec("EXEC", cmpExact, func(g *gen) []string { return nil }),
		spec("DISCARD", cmpExact, func(g *gen) []string { return nil }),
	}},
	{"pubsub", 2, []cmdSpec{
		// PUBLISH runs as its own operation (run.publish), which reads the
		// messages it delivers.
		// PUBSUB CHANNELS walks the channel dict.
		spec("PUBSUB", cmpUnordered, func(g *gen) []string {
			return g.pick3(argv("CHANNELS"), argv("CHANNELS", g.chanPattern()), argv("NUMPAT"))
		}),
		spec("PUBSUB", cmpExact, func(g *gen) []string { return cat(argv("NUMSUB"), g.keysOf(g.channel, 0, 3)) }),
	}},
	{"server", 3, []cmdSpec{
		spec("PING", cmpExact, func(g *gen) []string { return g.opt(0.5, nil, g.val()) }),
		spec("ECHO", cmpExact, func(g *gen) []string { return argv(g.val()) }),
		spec("CLIENT", cmpExact, func(g *gen) []string {
			return g.pick3(argv("GETNAME"), argv("SETNAME", g.pick("conn", "", "a b", "x")), argv("NOSUCH"))
		}),
		spec("AUTH", cmpExact, func(g *gen) []string { return g.opt(0.5, argv("pw"), "x") }),
		spec("WAIT", cmpExact, func(g *gen) []string {
			// numreplicas above 0 with a timeout of 0 blocks on both: only
			// shapes that answer at once.
			return argv(g.pick("0", "-1", "-9223372036854775808", "abc", "9223372036854775808"), g.pickOf(edgeInts))
		}),
		spec("NOSUCHCMD", cmpExact, func(g *gen) []string { return g.members(0, 2) }),
		spec("ROLE", cmpExact, func(g *gen) []string { return nil }),
		// CONFIG GET answers pairs in dict order.
		spec("CONFIG", cmpPairs, func(g *gen) []string {
			return argv("GET", g.pick("maxmemory", "*max-*-entries", "timeout", "*listpack*", "nosuch", "list-max-listpack-size"))
		}),
		spec("CONFIG", cmpExact, func(g *gen) []string {
			a := argv("SET", g.pick("hash-max-listpack-entries", "hash-max-listpack-value", "zset-max-listpack-entries",
				"zset-max-listpack-value", "set-max-intset-entries", "list-max-listpack-size", "nosuch"), g.int())
			return g.opt(0.1, a, g.pick("timeout", "x"))
		}),
		spec("COMMAND", cmpExact, func(g *gen) []string {
			return g.pick3(argv(g.pick("INFO", "DOCS"), g.pick("nosuch", "get", "zadd", "config|get", "xreadgroup")),
				argv(g.pick("COUNT", "NOSUCH", "DOCS", "LIST", "HELP")),
				append(argv(g.pick("GETKEYS", "GETKEYSANDFLAGS")), g.getKeysShape()...))
		}),
		// HELLO answers the client id: compared with the id masked.
		spec("HELLO", cmpMaskID, func(g *gen) []string {
			return g.pick3(argv(g.pick("4", "abc", "0", "-1", "1", "3")), argv("2", "AUTH", "a", "b"), argv("2", "SETNAME"))
		}),
		{name: "RESET", mode: cmpExact, alone: true, args: func(g *gen) []string { return nil }},
		spec("FLUSHDB", cmpExact, func(g *gen) []string { return g.opt(0.3, nil, g.pick("ASYNC", "SYNC", "x")) }),
	}},
}

// excludedCommands are the commands the node has that the generator does
// not send, with the reason.
var excludedCommands = map[string]string{
	"INFO":         "uptime, memory, counters and client ids differ by nature",
	"TIME":         "the clock",
	"LASTSAVE":     "the clock",
	"DEBUG":        "internals, and DEBUG SLEEP/RELOAD stop the server",
	"SAVE":         "disk I/O; the replies are clock-dependent with BGSAVE",
	"BGSAVE":       "disk I/O in the background",
	"SHUTDOWN":     "stops the server",
	"REPLICAOF":    "changes the role",
	"SLAVEOF":      "changes the role",
	"SYNC":         "starts a replication stream on the connection",
	"PSYNC":        "starts a replication stream on the connection",
	"REPLCONF":     "replication handshake; ACK has no reply",
	"FLUSHALL":     "sent by the runner itself now and then (run.op)",
	"MULTI":        "sent by the runner's transactions (run.multi)",
	"SUBSCRIBE":    "sent on the subscriber connection (run.pubsub)",
	"PSUBSCRIBE":   "sent on the subscriber connection (run.pubsub)",
	"UNSUBSCRIBE":  "sent on the subscriber connection (run.pubsub)",
	"PUNSUBSCRIBE": "sent on the subscriber connection (run.pubsub)",
	"PUBLISH":      "sent by run.publish, which reads the messages",
	"QUIT":         "closes the connection",
}

// uncovered lists the commands of supported that neither families nor
// excludedCommands name.
func uncovered(supported map[string]bool) []string {
	in := map[string]bool{}
	for _, f := range families {
		for _, c := range f.cmds {
			in[c.name] = true
		}
	}
	var out []string
	for name := range supported {
		if _, ok := excludedCommands[name]; !ok && !in[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func (g *gen) pick3(a, b, c []string) []string {
	switch g.intn(3) {
	case 0:
		return a
	case 1:
		return b
	}
	return c
}

func (g *gen) keysOf(f func() string, lo, hi int) []string {
	n := lo + g.intn(hi-lo+1)
	out := make([]string, n)
	for i := range out {
		out[i] = f()
	}
	return out
}

func msetArgs(g *gen) []string {
	var a []string
	for i := 0; i <= g.intn(3); i++ {
		a = append(a, g.key("s"), g.val())
	}
	return a
}

func fieldVals(g *gen, lo, hi int) []string {
	var a []string
	for _, m := range g.members(lo, hi) {
		a = append(a, m, g.val())
	}
	return a
}

// scanArgs returns a cursor and options for SCAN (keys: TYPE too) and
// SSCAN/HSCAN/ZSCAN.
func scanArgs(g *gen, keys bool) []string {
	a := argv(g.pick("0", "0", "0", "1", "-1", "abc", "18446744073709551615", "18446744073709551616", ""))
	a = g.opt(0.4, a, "COUNT", g.pick("1", "3", "10", "1000", "0", "-1", "9223372036854775807", "abc"))
	a = g.opt(0.3, a, "MATCH", g.pattern())
	if keys {
		a = g.opt(0.2, a, "TYPE", g.pick("string", "list", "hash", "set", "zset", "bogus", "STRING", ""))
	}
	return g.opt(0.03, a, "NOSUCHOPT")
}

var zsetCmds = []cmdSpec{
	spec("ZADD", cmpExact, func(g *gen) []string {
		a := argv(g.key("z"))
		for _, o := range []string{"NX", "XX", "GT", "LT", "CH", "INCR"} {
			a = g.opt(0.08, a, o)
		}
		for i := 0; i <= g.intn(3); i++ {
			a = append(a, g.score(), g.member())
		}
		return a
	}),
	spec("ZADD", cmpExact, func(g *gen) []string {
		a := argv(g.key("z"))
		for i, m := range g.many(130, false) {
			a = append(a, strconv.Itoa(i%17), m)
		}
		return a
	}),
	spec("ZINCRBY", cmpExact, func(g *gen) []string { return argv(g.key("z"), g.score(), g.member()) }),
	spec("ZREM", cmpExact, func(g *gen) []string { return cat(argv(g.key("z")), g.members(1, 3)) }),
	spec("ZCARD", cmpExact, func(g *gen) []string { return argv(g.key("z")) }),
	spec("ZSCORE", cmpExact, func(g *gen) []string { return argv(g.key("z"), g.member()) }),
	spec("ZMSCORE", cmpExact, func(g *gen) []string { return cat(argv(g.key("z")), g.members(1, 3)) }),
	spec("ZRANK", cmpExact, func(g *gen) []string { return argv(g.key("z"), g.member()) }),
	spec("ZREVRANK", cmpExact, func(g *gen) []string { return argv(g.key("z"), g.member()) }),
	spec("ZCOUNT", cmpExact, func(g *gen) []string { return argv(g.key("z"), g.scoreBound(), g.scoreBound()) }),
	spec("ZLEXCOUNT", cmpExact, func(g *gen) []string { return argv(g.lexKey(), g.lexBound(), g.lexBound()) }),
	spec("ZADD", cmpExact, func(g *gen) []string { return cat(argv(g.lexKey()), zeroScored(g.members(1, 4))) }),
	spec("ZREM", cmpExact, func(g *gen) []string { return cat(argv(g.lexKey()), g.members(1, 2)) }),
	spec("ZRANGE", cmpExact, func(g *gen) []string {
		a := argv(g.lexKey(), g.lexBound(), g.lexBound(), "BYLEX")
		a = g.opt(0.3, a, "REV")
		return g.opt(0.3, a, "LIMIT", g.int(), g.int())
	}),
	spec("ZRANGE", cmpExact, func(g *gen) []string { return zrangeArgs(g, argv(g.key("z"))) }),
	spec("ZRANGESTORE", cmpExact, func(g *gen) []string { return zrangeArgs(g, argv(g.key("z"), g.key("z"))) }),
	spec("ZREVRANGE", cmpExact, func(g *gen) []string {
		return g.opt(0.4, argv(g.key("z"), g.int(), g.int()), "WITHSCORES")
	}),
	spec("ZRANGEBYSCORE", cmpExact, func(g *gen) []string { return byArgs(g, g.key("z"), g.scoreBound(), g.scoreBound(), true) }),
	spec("ZREVRANGEBYSCORE", cmpExact, func(g *gen) []string { return byArgs(g, g.key("z"), g.scoreBound(), g.scoreBound(), true) }),
	spec("ZRANGEBYLEX", cmpExact, func(g *gen) []string { return byArgs(g, g.lexKey(), g.lexBound(), g.lexBound(), false) }),
	spec("ZREVRANGEBYLEX", cmpExact, func(g *gen) []string { return byArgs(g, g.lexKey(), g.lexBound(), g.lexBound(), false) }),
	spec("ZREMRANGEBYRANK", cmpExact, func(g *gen) []string { return argv(g.key("z"), g.int(), g.int()) }),
	spec("ZREMRANGEBYSCORE", cmpExact, func(g *gen) []string { return argv(g.key("z"), g.scoreBound(), g.scoreBound()) }),
	spec("ZREMRANGEBYLEX", cmpExact, func(g *gen) []string { return argv(g.lexKey(), g.lexBound(), g.lexBound()) }),
	spec("ZPOPMIN", cmpExact, func(g *gen) []string { return g.opt(0.5, argv(g.key("z")), g.int()) }),
	spec("ZPOPMAX", cmpExact, func(g *gen) []string { return g.opt(0.5, argv(g.key("z")), g.int()) }),
	// ZRANDMEMBER picks at random.
	spec("ZRANDMEMBER", cmpPick, func(g *gen) []string {
		a := argv(g.key("z"))
		if g.chance(0.7) {
			a = append(a, g.count())
			a = g.opt(0.4, a, "WITHSCORES")
		}
		return a
	}),
	spec("ZSCAN", cmpScan, func(g *gen) []string { return cat(argv(g.key("z")), scanArgs(g, false)) }),
}

// zrangeArgs appends ZRANGE's start, stop and options to a.
func zrangeArgs(g *gen, a []string) []string {
	switch g.intn(2) {
	case 0:
		a = append(a, g.scoreBound(), g.scoreBound(), "BYSCORE")
	default:
		a = append(a, g.int(), g.int())
	}
	a = g.opt(0.3, a, "REV")
	a = g.opt(0.3, a, "LIMIT", g.int(), g.int())
	return g.opt(0.3, a, "WITHSCORES")
}

// byArgs builds ZRANGEBYSCORE/ZRANGEBYLEX-style arguments.
func byArgs(g *gen, key, min, max string, scores bool) []string {
	a := argv(key, min, max)
	if scores {
		a = g.opt(0.3, a, "WITHSCORES")
	}
	return g.opt(0.3, a, "LIMIT", g.int(), g.int())
}

func zeroScored(members []string) []string {
	var a []string
	for _, m := range members {
		a = append(a, "0", m)
	}
	return a
}

// streamID is an explicit entry ID: generated IDs come from each server's
// clock, so the generator never sends "*".
func streamID(g *gen) string {
	switch {
	case g.chance(0.05):
		return g.pick("0-0", "-", "+", "0", "x", "18446744073709551615-18446744073709551615")
	case g.chance(0.3):
		return strconv.Itoa(g.intn(40))
	}
	return strconv.Itoa(g.intn(40)) + "-" + g.pick("0", "1", "*", "2")
}

func streamBound(g *gen) string {
	b := streamID(g)
	if g.chance(0.2) {
		b = "(" + b
	}
	return b
}

func streamTrim(g *gen) []string {
	if !g.chance(0.3) {
		return nil
	}
	a := argv(g.pick("MAXLEN", "MINID", "maxlen"))
	if g.chance(0.5) {
		a = append(a, g.pick("~", "="))
	}
	if a[0] == "MINID" {
		a = append(a, streamID(g))
	} else {
		a = append(a, g.pick("0", "1", "3", "10", "-1"))
	}
	if g.chance(0.2) {
		a = append(a, "LIMIT", g.pick("0", "1", "5"))
	}
	return a
}

// streamCmds exercise entries and groups with explicit IDs; replies that
// hold idle times or delivery times (XPENDING's extended form, XINFO
// CONSUMERS, XINFO STREAM FULL) are left out.
var streamCmds = []cmdSpec{
	spec("XADD", cmpExact, func(g *gen) []string {
		a := argv(g.key("t"))
		if g.chance(0.1) {
			a = append(a, "NOMKSTREAM")
		}
		a = append(cat(a, streamTrim(g)), streamID(g))
		return cat(a, argv(g.pick("f", "g"), g.val()), g.opt(0.3, nil, "h", g.val()))
	}),
	spec("XLEN", cmpExact, func(g *gen) []string { return argv(g.key("t")) }),
	spec("XRANGE", cmpExact, func(g *gen) []string {
		return cat(argv(g.key("t"), streamBound(g), streamBound(g)), g.opt(0.3, nil, "COUNT", g.count()))
	}),
	spec("XREVRANGE", cmpExact, func(g *gen) []string {
		return cat(argv(g.key("t"), streamBound(g), streamBound(g)), g.opt(0.3, nil, "COUNT", g.count()))
	}),
	spec("XDEL", cmpExact, func(g *gen) []string { return argv(g.key("t"), streamID(g), streamID(g)) }),
	spec("XTRIM", cmpExact, func(g *gen) []string { return cat(argv(g.key("t")), streamTrim(g)) }),
	spec("XREAD", cmpExact, func(g *gen) []string {
		return cat(g.opt(0.3, nil, "COUNT", g.count()), argv("STREAMS", g.key("t"), g.pick("0", "$", "5-0", "20")))
	}),
	spec("XGROUP", cmpExact, func(g *gen) []string {
		switch g.intn(5) {
		case 0:
			return cat(argv("CREATE", g.key("t"), g.pick("g1", "g2"), g.pick("$", "0", "10")), g.opt(0.5, nil, "MKSTREAM"))
		case 1:
			return argv("SETID", g.key("t"), g.pick("g1", "g2"), g.pick("$", "0", "15-0"))
		case 2:
			return argv("DESTROY", g.key("t"), g.pick("g1", "g2"))
		case 3:
			return argv("CREATECONSUMER", g.key("t"), g.pick("g1", "g2"), g.pick("a", "b"))
		}
		return argv("DELCONSUMER", g.key("t"), g.pick("g1", "g2"), g.pick("a", "b"))
	}),
	spec("XREADGROUP", cmpExact, func(g *gen) []string {
		return cat(argv("GROUP", g.pick("g1", "g2"), g.pick("a", "b", "c")), g.opt(0.3, nil, "COUNT", g.count()),
			g.opt(0.2, nil, "NOACK"), argv("STREAMS", g.key("t"), g.pick(">", ">", "0")))
	}),
	spec("XACK", cmpExact, func(g *gen) []string { return argv(g.key("t"), g.pick("g1", "g2"), streamID(g), streamID(g)) }),
	spec("XPENDING", cmpExact, func(g *gen) []string { return argv(g.key("t"), g.pick("g1", "g2")) }),
	spec("XCLAIM", cmpExact, func(g *gen) []string {
		return cat(argv(g.key("t"), g.pick("g1", "g2"), g.pick("a", "b", "c"), "0", streamID(g)), argv("JUSTID"))
	}),
	spec("XAUTOCLAIM", cmpExact, func(g *gen) []string {
		return argv(g.key("t"), g.pick("g1", "g2"), g.pick("a", "b"), "0", g.pick("0", "5-0"), "COUNT", g.pick("1", "3"), "JUSTID")
	}),
	spec("XINFO", cmpExact, func(g *gen) []string { return argv(g.pick("STREAM", "GROUPS"), g.key("t")) }),
	spec("XSETID", cmpExact, func(g *gen) []string { return argv(g.key("t"), streamID(g)) }),
}
