package node_test

import "strconv"

// The families of the commands added for issue 17 (bitmaps, SORT, COPY,
// OBJECT, FUNCTION, LCS, sorted-set algebra, multi-key and blocking pops,
// SWAPDB, MOVE, DUMP/RESTORE), appended to the generator's table.
func init() {
	families = append(families,
		family{"bitmaps", 4, bitmapCmds},
		family{"sorted-set algebra", 4, zsetAlgebraCmds},
		family{"pops", 4, popCmds},
		family{"keyspace extras", 4, keyspaceExtraCmds},
	)
	excludedCommands["MEMORY"] = "MEMORY USAGE reports allocator sizes, which differ by nature"
}

// badBitOffsets are bit offsets Redis refuses. Valid large ones are left
// out: each would make a 512 MB string on both servers.
var badBitOffsets = []string{"-1", "4294967296", "9223372036854775807", "-9223372036854775808", "abc", "", "1.5", "+1"}

// bitOffset is a bit or byte offset: mostly small, sometimes refused.
func (g *gen) bitOffset() string {
	if g.chance(0.15) {
		return g.pickOf(badBitOffsets)
	}
	return strconv.Itoa(g.intn(80))
}

// bitfieldOps returns a few BITFIELD subcommands (GET only when ro).
func (g *gen) bitfieldOps(ro bool) []string {
	var a []string
	for i := 0; i < 1+g.intn(3); i++ {
		typ := g.pick("u8", "i8", "u4", "i16", "u63", "i64", "u64", "x3", "i0")
		off := g.bitOffset()
		if g.chance(0.3) {
			off = "#" + strconv.Itoa(g.intn(4))
		}
		if ro {
			a = append(a, "GET", typ, off)
			continue
		}
		switch g.intn(4) {
		case 0:
			a = append(a, "GET", typ, off)
		case 1:
			a = append(a, "SET", typ, off, g.int())
		case 2:
			a = append(a, "INCRBY", typ, off, g.int())
		default:
			a = append(a, "OVERFLOW", g.pick("WRAP", "SAT", "FAIL", "NOPE"))
		}
	}
	return a
}

var bitmapCmds = []cmdSpec{
	spec("SETBIT", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.bitOffset(), g.pick("0", "1", "1", "2", "")) }),
	spec("GETBIT", cmpExact, func(g *gen) []string { return argv(g.key("s"), g.bitOffset()) }),
	spec("BITCOUNT", cmpExact, func(g *gen) []string {
		a := argv(g.key("s"))
		if g.chance(0.6) {
			a = append(a, g.int(), g.int())
			a = g.opt(0.4, a, g.pick("BYTE", "BIT", "bits"))
		}
		return a
	}),
	spec("BITPOS", cmpExact, func(g *gen) []string {
		a := argv(g.key("s"), g.pick("0", "1", "2"))
		if g.chance(0.6) {
			a = append(a, g.int())
			if g.chance(0.6) {
				a = append(a, g.int())
				a = g.opt(0.4, a, g.pick("BYTE", "BIT"))
			}
		}
		return a
	}),
	spec("BITOP", cmpExact, func(g *gen) []string {
		op := g.pick("AND", "OR", "XOR", "NOT", "nand")
		return cat(argv(op, g.key("s")), g.keys("s", 1, 3))
	}),
	spec("BITFIELD", cmpExact, func(g *gen) []string { return cat(argv(g.key("s")), g.bitfieldOps(false)) }),
	spec("BITFIELD_RO", cmpExact, func(g *gen) []string { return cat(argv(g.key("s")), g.bitfieldOps(true)) }),
	spec("LCS", cmpExact, func(g *gen) []string {
		a := argv(g.key("s"), g.key("s"))
		a = g.opt(0.3, a, "LEN")
		a = g.opt(0.3, a, "IDX")
		a = g.opt(0.3, a, "MINMATCHLEN", g.pick("0", "1", "3", "-1", "x"))
		return g.opt(0.3, a, "WITHMATCHLEN")
	}),
}

// zsetSources returns numkeys and the keys, sometimes with a wrong count.
func (g *gen) zsetSources() []string {
	ks := g.keys("z", 1, 3)
	if g.chance(0.1) {
		ks[0] = g.key("S") // a set takes part as scores of 1
	}
	n := strconv.Itoa(len(ks))
	if g.chance(0.1) {
		n = g.pick("0", "-1", "5", "abc")
	}
	return cat(argv(n), ks)
}

func (g *gen) zsetAlgebraOpts(withWeights, withScores bool) []string {
	var a []string
	if withWeights && g.chance(0.3) {
		a = append(a, "WEIGHTS", g.score(), g.score())
	}
	if withWeights && g.chance(0.3) {
		a = append(a, "AGGREGATE", g.pick("SUM", "MIN", "MAX", "AVG"))
	}
	if withScores && g.chance(0.5) {
		a = append(a, "WITHSCORES")
	}
	return a
}

var zsetAlgebraCmds = []cmdSpec{
	spec("ZUNION", cmpExact, func(g *gen) []string { return cat(g.zsetSources(), g.zsetAlgebraOpts(true, true)) }),
	spec("ZINTER", cmpExact, func(g *gen) []string { return cat(g.zsetSources(), g.zsetAlgebraOpts(true, true)) }),
	spec("ZDIFF", cmpExact, func(g *gen) []string { return cat(g.zsetSources(), g.zsetAlgebraOpts(false, true)) }),
	spec("ZUNIONSTORE", cmpExact, func(g *gen) []string {
		return cat(argv(g.key("z")), g.zsetSources(), g.zsetAlgebraOpts(true, false))
	}),
	spec("ZINTERSTORE", cmpExact, func(g *gen) []string {
		return cat(argv(g.key("z")), g.zsetSources(), g.zsetAlgebraOpts(true, false))
	}),
	spec("ZDIFFSTORE", cmpExact, func(g *gen) []string { return cat(argv(g.key("z")), g.zsetSources()) }),
	spec("ZINTERCARD", cmpExact, func(g *gen) []string {
		return g.opt(0.3, g.zsetSources(), "LIMIT", g.pick("0", "1", "3", "-1"))
	}),
}

// popTimeout is a blocking pop's timeout: short (the generator runs one
// connection, so nothing else can serve it), or a bad one.
func (g *gen) popTimeout() string {
	if g.chance(0.15) {
		return g.pick("-1", "abc", "", "inf", "1e400")
	}
	return "0.01"
}

func (g *gen) mpopArgs(pool, min, max string) []string {
	ks := g.keys(pool, 1, 3)
	n := strconv.Itoa(len(ks))
	if g.chance(0.1) {
		n = g.pick("0", "-1", "9", "x")
	}
	a := cat(argv(n), ks, argv(g.pick(min, max, min, "UP")))
	return g.opt(0.5, a, "COUNT", g.pick("1", "2", "10", "0", "-1", "x"))
}

var popCmds = []cmdSpec{
	spec("LMPOP", cmpExact, func(g *gen) []string { return g.mpopArgs("l", "LEFT", "RIGHT") }),
	spec("ZMPOP", cmpExact, func(g *gen) []string { return g.mpopArgs("z", "MIN", "MAX") }),
	spec("BLMPOP", cmpExact, func(g *gen) []string { return cat(argv(g.popTimeout()), g.mpopArgs("l", "LEFT", "RIGHT")) }),
	spec("BZMPOP", cmpExact, func(g *gen) []string { return cat(argv(g.popTimeout()), g.mpopArgs("z", "MIN", "MAX")) }),
	spec("BLPOP", cmpExact, func(g *gen) []string { return cat(g.keys("l", 1, 2), argv(g.popTimeout())) }),
	spec("BRPOP", cmpExact, func(g *gen) []string { return cat(g.keys("l", 1, 2), argv(g.popTimeout())) }),
	spec("BZPOPMIN", cmpExact, func(g *gen) []string { return cat(g.keys("z", 1, 2), argv(g.popTimeout())) }),
	spec("BZPOPMAX", cmpExact, func(g *gen) []string { return cat(g.keys("z", 1, 2), argv(g.popTimeout())) }),
	spec("BLMOVE", cmpExact, func(g *gen) []string {
		return argv(g.key("l"), g.key("l"), g.pick("LEFT", "RIGHT"), g.pick("LEFT", "RIGHT", "UP"), g.popTimeout())
	}),
	spec("BRPOPLPUSH", cmpExact, func(g *gen) []string { return argv(g.key("l"), g.key("l"), g.popTimeout()) }),
}

// dumpPayloads are RESTORE payloads: valid ones of each kind, a bad
// checksum and a bad body with a good checksum.
var dumpPayloads = []string{
	"\x00\x03bar\n\x00\xe6\xbeI`\xeef\xfd\x17",
	"\x10\x0c\x0c\x00\x00\x00\x02\x00\x81a\x02\x01\x01\xff\n\x00\x84\xa6\x93\xe8\xaa\x17\xe4\xdb",
	"\x11\x0c\x0c\x00\x00\x00\x02\x00\x81m\x02\x00\x01\xff\n\x008>[\x06V\x98j\xfe",
	"\x00\x03bar\n\x00\x0e\x1a\xb0\xd8\xe4\x14\x01\xd3",
	"\x10\x05hello\n\x00H\xab'P\xd9>\xdb\xd6",
	"",
}

var keyspaceExtraCmds = []cmdSpec{
	spec("COPY", cmpExact, func(g *gen) []string {
		a := argv(g.key(""), g.key(""))
		a = g.opt(0.3, a, "DB", g.pick("0", "1", "16", "-1", "x"))
		return g.opt(0.4, a, "REPLACE")
	}),
	// OBJECT ENCODING: a short string changed in place (APPEND, SETRANGE,
	// SETBIT) stays "raw" in Redis and reads "embstr" on the node, which
	// does not track it (see objectEncoding): only nil versus a name.
	spec("OBJECT", cmpPick, func(g *gen) []string { return argv("ENCODING", g.key("")) }),
	spec("OBJECT", cmpExact, func(g *gen) []string {
		return g.pick3(argv("REFCOUNT", g.key("")), argv(g.pick("HELP", "FREQ", "NOSUCH")), argv("FREQ", g.key("")))
	}),
	// IDLETIME counts seconds since the key's last touching lookup: the
	// servers run each command a moment apart, so within 2 s.
	spec("OBJECT", cmpSeconds, func(g *gen) []string { return argv("IDLETIME", g.key("")) }),
	spec("FUNCTION", cmpExact, func(g *gen) []string {
		return g.pick3(argv("LIST"), argv("FLUSH", g.pick("ASYNC", "SYNC", "X")), argv("LIST", "LIBRARYNAME", "x"))
	}),
	spec("SORT", cmpSortErrno, func(g *gen) []string {
		a := argv(g.key(g.pick("l", "S", "z", "s")))
		a = g.opt(0.4, a, "ALPHA")
		a = g.opt(0.3, a, g.pick("ASC", "DESC"))
		a = g.opt(0.3, a, "LIMIT", g.int(), g.int())
		return g.opt(0.2, a, "STORE", g.key("l"))
	}),
	spec("SORT_RO", cmpSortErrno, func(g *gen) []string {
		a := argv(g.key(g.pick("l", "S", "z")))
		a = g.opt(0.5, a, "ALPHA")
		return g.opt(0.3, a, "LIMIT", g.int(), g.int())
	}),
	spec("MOVE", cmpExact, func(g *gen) []string { return argv(g.key(""), g.pick("0", "1", "1", "2", "16", "-1", "x")) }),
	spec("SWAPDB", cmpExact, func(g *gen) []string {
		return argv(g.pick("0", "1", "1", "2", "-1", "16", "x"), g.pick("0", "1", "2"))
	}),
	// DUMP of a hash table (large hashes, sets) lists its elements in
	// Redis's random hash order: only nil versus a payload is compared.
	spec("DUMP", cmpPick, func(g *gen) []string { return argv(g.key("")) }),
	spec("RESTORE", cmpExact, func(g *gen) []string {
		a := argv(g.key(""), g.pick("0", "0", "100000", "-1", "x"), g.pickOf(dumpPayloads))
		a = g.opt(0.4, a, "REPLACE")
		a = g.opt(0.1, a, "ABSTTL")
		return g.opt(0.2, a, g.pick("IDLETIME", "FREQ"), g.pick("1", "-1", "300"))
	}),
}
