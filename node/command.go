package node

import (
	"slices"
	"strings"

	"github.com/replscope/replscope/node/cmddocs"
	"github.com/tidwall/redcon"
)

// How to write a command handler (every family follows these rules):
//
//   - Register it in the family's cmd_<family>.go init() with Redis 7.0's
//     arity, flags, key positions and ACL categories; document the handler
//     with the Redis syntax line.
//   - Read keys with x.lookupRead, look them up before writes with
//     x.lookupWrite; check the entry's Kind and reply x.wrongType().
//   - Before changing an entry's value in place, call x.db.Modify(e): it
//     keeps BGSAVE / full-sync snapshots point-in-time (copy-on-write).
//     Store private copies of arguments (copyBytes), never x.args slices.
//   - Delete a key that became empty (x.db.DeleteEntry), as Redis does.
//   - Call x.touch(key) once for every key actually changed: it counts the
//     change, invalidates WATCH and makes the command replicate. Touch
//     nothing when nothing changed.
//   - The command replicates as executed unless x.prop holds a rewritten
//     argv (Redis's rewriteClientCommandVector), or x.noProp is set after
//     queuing several effects with x.n.alsoPropagate.
//   - Differential scripts in testdata/diff/*.txt compare every reply with
//     the installed redis-server byte for byte (internal/difftest).

// cmdFlag describes a command for dispatch checks and COMMAND INFO.
type cmdFlag uint32

const (
	cWrite         cmdFlag = 1 << iota // changes the dataset
	cReadOnly                          // reads the dataset
	cDenyOOM                           // may grow memory
	cAdmin                             // administrative
	cPubSub                            // pub/sub related
	cNoScript                          // not allowed from scripts
	cLoading                           // allowed while loading
	cStale                             // allowed on a replica with a stale dataset
	cFast                              // O(1) or O(log N)
	cNoAuth                            // allowed before AUTH
	cNoMulti                           // not queued inside MULTI (runs at once)
	cMayReplicate                      // may write to the replication stream
	cSkipMonitor                       // not shown by MONITOR
	cSkipSlowlog                       // not logged by SLOWLOG
	cAllowBusy                         // allowed while busy
	cBlocking                          // may block: runs outside the lock
	cDetach                            // takes over the connection (PSYNC, SUBSCRIBE)
	cArbitraryKeys                     // may expire arbitrary keys (KEYS, SCAN, RANDOMKEY): effects not wrapped in MULTI
	cBlocksOnKeys                      // COMMAND INFO's "blocking": may block on keys (BLPOP...)
)

var flagNames = []struct {
	f    cmdFlag
	name string
}{
	{cWrite, "write"}, {cReadOnly, "readonly"}, {cDenyOOM, "denyoom"}, {cAdmin, "admin"},
	{cPubSub, "pubsub"}, {cNoScript, "noscript"}, {cBlocksOnKeys, "blocking"}, {cLoading, "loading"}, {cStale, "stale"},
	{cSkipMonitor, "skip_monitor"}, {cSkipSlowlog, "skip_slowlog"}, {cFast, "fast"}, {cNoAuth, "no_auth"},
	{cMayReplicate, "may_replicate"}, {cNoMulti, "no_multi"}, {cAllowBusy, "allow_busy"},
}

// command is one row of the command table.
type command struct {
	name     string // lowercase
	arity    int    // >0 exact argc, <0 at least -arity
	flags    cmdFlag
	firstKey int
	lastKey  int
	step     int
	acl      string // ACL categories, space separated, e.g. "@write @string @slow"
	summary  string // one line for COMMAND DOCS
	group    string // COMMAND DOCS group
	since    string
	fn       func(*cmdCtx)
	// block runs a cBlocking command outside the lock (fn is its form
	// inside MULTI/EXEC, which must not block).
	block func(n *Node, c *Client, w *redcon.Writer, args [][]byte)
	subs  []string // known subcommands (lowercase) for COMMAND INFO and errors
	// container is a command that is only a group of subcommands (CLIENT,
	// CONFIG, PUBSUB): Redis gives it no flags of its own in COMMAND INFO.
	container bool
	id        int // index of the command's INFO commandstats counters (cmdstats.go)
}

// commandTable is the static table of every command the node serves,
// keyed by lowercase name. Families register their rows in their files.
var commandTable = map[string]*command{}

func register(cmds ...*command) {
	for _, c := range cmds {
		if c.step == 0 && c.firstKey != 0 {
			c.step = 1
		}
		c.id = len(commandTable)
		commandTable[c.name] = c
	}
}

// lookupCommand finds a command by name, case-insensitively, without
// allocating.
func lookupCommand(name []byte) *command {
	var buf [24]byte
	if len(name) > len(buf) {
		return commandTable[strings.ToLower(string(name))]
	}
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	if c := commandTable[string(buf[:len(name)])]; c != nil {
		return c
	}
	return testCommands[string(buf[:len(name)])]
}

// testCommands are commands only the package's tests register (in an
// init, before any node runs): they are looked up after the real table
// misses and are not listed by COMMAND, so that a test binary still
// matches redis-server's command set.
var testCommands map[string]*command

// arityOK reports whether argc fits the command's arity.
func (c *command) arityOK(argc int) bool {
	if c.arity > 0 {
		return argc == c.arity
	}
	return argc >= -c.arity
}

// unknownCommandError renders Redis 7.0's message for an unknown command
// (commandCheckExistence): each argument is printed with "%.*s", so it
// stops at a NUL, and the 128-byte budget counts the quoted arguments
// only.
func unknownCommandError(args [][]byte) string {
	var list []byte
	for _, a := range args[1:] {
		if len(list) >= 128 {
			break
		}
		list = append(list, '\'')
		list = append(list, truncArg(cString(a), 128-len(list)+1)...)
		list = append(list, "' "...)
	}
	return sanitizeError("ERR unknown command '" + truncArg(cString(args[0]), 128) + "', with args beginning with: " + string(list))
}

func truncArg(a []byte, n int) string {
	if n < 0 {
		n = 0
	}
	if len(a) > n {
		a = a[:n]
	}
	return string(a)
}

// sanitizeError keeps an error one RESP line as Redis's
// addReplyErrorFormat does: CR and LF at the end are trimmed, the others
// become spaces.
func sanitizeError(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.TrimRight(s, "\r\n")
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	return s
}

func wrongArgsError(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// Common error replies, as Redis words them.
const (
	errWrongType   = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errSyntax      = "ERR syntax error"
	errNotInt      = "ERR value is not an integer or out of range"
	errNotFloat    = "ERR value is not a valid float"
	errOverflow    = "ERR increment or decrement would overflow"
	errNoSuchKey   = "ERR no such key"
	errDBIndex     = "ERR DB index is out of range"
	errNoAuth      = "NOAUTH Authentication required."
	errReadOnly    = "READONLY You can't write against a read only replica."
	errMasterDown  = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
	errNoReplicas  = "NOREPLICAS Not enough good replicas to write."
	errLoading     = "LOADING Redis is loading the dataset in memory"
	errMisconf     = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	errIndexRange  = "ERR index out of range"
	errNotPositive = "ERR value is out of range, must be positive"
)

// parseInt parses a Redis integer argument: optional '-', decimal digits,
// no leading zeros or '+', fitting in int64 (string2ll semantics).
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] >= '0' && b[0] <= '9' {
		return int64(b[0] - '0'), true
	}
	neg := false
	i := 0
	if b[0] == '-' {
		neg = true
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v = v*10 + uint64(d)
		if v < uint64(d) {
			return 0, false
		}
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// parseFloat parses a Redis double argument as getDoubleFromObject does
// (C strtod: hex and inf accepted, no leading space, no trailing bytes,
// overflow, underflow and NaN refused).
func parseFloat(b []byte) (float64, bool) { return parseScore(b) }

// eqFold reports whether argument b is the option or word s (lower
// case), as Redis's strcasecmp(argv, "s") does: b is read up to its first
// NUL, so "EX\x00junk" is EX.
func eqFold(b []byte, s string) bool {
	if len(b) > len(s) && b[len(s)] == 0 {
		b = b[:len(s)]
	}
	return eqFoldExact(b, s)
}

// eqFoldExact is eqFold over all of b (binary-safe lookups: command names).
func eqFoldExact(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// subcommandError replies to a container command (CLIENT, CONFIG, ...)
// whose subcommand is unknown or has the wrong number of arguments, in
// Redis 7.0's words.
func (x *cmdCtx) subcommandError() {
	sub := strings.ToLower(string(x.args[1]))
	for _, s := range x.cmd.subs {
		if s == sub {
			x.rejected = true
			x.err(wrongArgsError(x.cmd.name + "|" + sub))
			return
		}
	}
	x.err(sanitizeError("ERR unknown subcommand '" + truncArg(cString(x.args[1]), 128) + "'. Try " + strings.ToUpper(x.cmd.name) + " HELP."))
}

// subcommandRefusal is what Redis 7.0.15's processCommand answers before
// running (or queuing, inside MULTI) a container command: an unknown
// subcommand, or the wrong number of arguments for a known one, with
// Redis's arities. known reports that Redis has the subcommand. A
// subcommand Redis has and the node does not passes: its handler
// answers.
func subcommandRefusal(cmd *command, args [][]byte) (msg string, known bool) {
	sub := strings.ToLower(string(args[1]))
	d := cmddocs.Lookup(cmd.name + "|" + sub)
	if d == nil {
		if slices.Contains(cmd.subs, sub) {
			return "", true
		}
		return sanitizeError("ERR unknown subcommand '" + truncArg(cString(args[1]), 128) + "'. Try " + strings.ToUpper(cmd.name) + " HELP."), false
	}
	if n := len(args); d.Arity > 0 && n != d.Arity || d.Arity < 0 && n < -d.Arity {
		return wrongArgsError(cmd.name + "|" + sub), true
	}
	return "", true
}

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError: a known
// subcommand whose arguments its handler refuses.
func (x *cmdCtx) subcommandSyntaxError() {
	x.err(sanitizeError("ERR unknown subcommand or wrong number of arguments for '" + truncArg(cString(x.args[1]), 128) + "'. Try " + strings.ToUpper(x.cmd.name) + " HELP."))
}
