package node

import (
	"strings"

	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	register(
		&command{name: "object", arity: -2, firstKey: 0, lastKey: 0, acl: "@slow", fn: cmdObject,
			summary: "A container for object introspection commands.", group: "generic", since: "2.2.3",
			subs: []string{"encoding", "freq", "idletime", "refcount", "help"}, container: true},
	)
}

const (
	errNoLFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	errLFU   = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	// lfuInitVal is the logarithmic access counter Redis gives a new key
	// (LFU_INIT_VAL).
	lfuInitVal = 5
	// sharedRefcount is OBJ_SHARED_REFCOUNT: the refcount Redis reports for
	// its shared integers 0..9999.
	sharedRefcount   = 2147483647
	sharedIntegers   = 10000
	embstrSizeLimit  = 44
	maxIntEncodedLen = 20
)

// OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT key
// OBJECT HELP
func cmdObject(x *cmdCtx) {
	sub := strings.ToLower(string(x.args[1]))
	if sub == "help" {
		if len(x.args) != 2 {
			x.subcommandError()
			return
		}
		x.help("OBJECT",
			"ENCODING <key>",
			"    Return the kind of internal representation used in order to store the value",
			"    associated with a <key>.",
			"FREQ <key>",
			"    Return the access frequency index of the <key>. The returned integer is",
			"    proportional to the logarithm of the recent access frequency of the key.",
			"IDLETIME <key>",
			"    Return the idle time of the <key>, that is the approximated number of",
			"    seconds elapsed since the last access to the key.",
			"REFCOUNT <key>",
			"    Return the number of references of the value associated with the specified",
			"    <key>.")
		return
	}
	switch sub {
	case "encoding", "freq", "idletime", "refcount":
	default:
		x.subcommandError()
		return
	}
	if len(x.args) != 3 {
		x.subcommandError()
		return
	}
	x.noTouch = true
	e := x.lookupRead(x.args[2])
	if e == nil {
		x.null()
		return
	}
	lfu := x.n.access.lfu
	switch sub {
	case "encoding":
		x.bulkStr(objectEncoding(e))
	case "refcount":
		if objectEncoding(e) == "int" {
			noShared := x.n.cfg.Maxmemory != 0 && (strings.Contains(x.n.cfg.MaxmemoryPolicy, "lru") || lfu)
			if v, _ := parseInt(e.Str()); v >= 0 && v < sharedIntegers && !noShared {
				x.int(sharedRefcount)
				return
			}
		}
		x.int(1)
	case "idletime":
		if lfu {
			x.err(errLFU)
			return
		}
		x.int(x.n.idleSeconds(e))
	case "freq":
		if !lfu {
			x.err(errNoLFU)
			return
		}
		x.int(int64(lfuDecayed(e.Access(), x.now)))
	}
}

// help replies with a subcommand help text the way addReplyHelp does: a
// header naming the command, the lines, and the HELP entry.
func (x *cmdCtx) help(name string, lines ...string) {
	x.array(len(lines) + 3)
	x.status(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		x.status(l)
	}
	x.status("HELP")
	x.status("    Prints this help.")
}

// objectEncoding names the encoding Redis 7.0 would give the value. A
// string's is decided by its contents, as SET and RDB loading choose it
// (int, embstr up to 44 bytes, raw beyond); Redis keeps "raw" for a short
// string changed in place by APPEND, SETRANGE or the bit commands, which
// this does not track.
func objectEncoding(e *keyspace.Entry) string {
	switch e.Kind() {
	case keyspace.KindString:
		s := e.Str()
		if len(s) <= maxIntEncodedLen {
			if _, ok := parseInt(s); ok {
				return "int"
			}
		}
		if len(s) <= embstrSizeLimit {
			return "embstr"
		}
		return "raw"
	case keyspace.KindList:
		return "quicklist"
	case keyspace.KindHash:
		if e.Hash().Small() {
			return "listpack"
		}
		return "hashtable"
	case keyspace.KindSet:
		return e.Set().Encoding()
	case keyspace.KindZSet:
		return e.ZSet().Encoding()
	case keyspace.KindStream:
		return "stream"
	}
	return "unknown"
}

// applyEncodingLimits gives the keyspace the encoding thresholds of the
// config (at start and on CONFIG SET): values follow them at their next
// write, as Redis's do.
func (n *Node) applyEncodingLimits() {
	l := n.ks.Limits()
	l.HashEntries.Store(n.cfg.HashMaxListpackEntries)
	l.HashValue.Store(n.cfg.HashMaxListpackValue)
	l.SetIntset.Store(n.cfg.SetMaxIntsetEntries)
	l.ZSetEntries.Store(n.cfg.ZsetMaxListpackEntries)
	l.ZSetValue.Store(n.cfg.ZsetMaxListpackValue)
}
