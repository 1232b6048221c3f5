package node

import (
	"math"
	"slices"
	"strings"

	"github.com/replscope/replscope/node/cmddocs"
)

// COMMAND GETKEYS and GETKEYSANDFLAGS find a command's keys as Redis
// 7.0.15's getKeysFromCommandWithSpecs does: from the key specs when they
// are complete and their flags fixed, otherwise (or when a spec does not
// fit the arguments) from the command's getkeys function, of which
// getKeysProcs holds those of the node's commands.

// getKeysProc is a Redis getkeys function: the keys of argv (argv[0] is
// the command's name), nil when the arguments name none.
type getKeysProc func(argv [][]byte) []cmddocs.KeyRef

var getKeysProcs = map[string]getKeysProc{
	"set":         setGetKeys,
	"bitfield":    bitfieldGetKeys,
	"sort":        sortGetKeys,
	"sort_ro":     func([][]byte) []cmddocs.KeyRef { return []cmddocs.KeyRef{{Pos: 1, Flags: []string{"RO", "ACCESS"}}} },
	"zunion":      genericGetKeys(0, 1, 2),
	"zinter":      genericGetKeys(0, 1, 2),
	"zdiff":       genericGetKeys(0, 1, 2),
	"zintercard":  genericGetKeys(0, 1, 2),
	"zunionstore": genericGetKeys(1, 2, 3),
	"zinterstore": genericGetKeys(1, 2, 3),
	"zdiffstore":  genericGetKeys(1, 2, 3),
	"sintercard":  genericGetKeys(0, 1, 2),
	"lmpop":       genericGetKeys(0, 1, 2),
	"zmpop":       genericGetKeys(0, 1, 2),
	"blmpop":      genericGetKeys(0, 2, 3),
	"bzmpop":      genericGetKeys(0, 2, 3),
	"xread":       xreadGetKeys,
	"xreadgroup":  xreadGetKeys,
}

// COMMAND GETKEYS command [arg ...] / COMMAND GETKEYSANDFLAGS command [arg ...]
func (x *cmdCtx) commandGetKeys(withFlags bool) {
	argv := x.args[2:]
	name, d := getKeysTarget(argv)
	if d == nil {
		x.err("ERR Invalid command specified")
		return
	}
	proc := getKeysProcs[name]
	if proc == nil && !d.HasKeySpec() {
		x.err("ERR The command has no key arguments")
		return
	}
	if d.Arity > 0 && d.Arity != len(argv) || len(argv) < -d.Arity {
		x.err("ERR Invalid number of arguments specified for command")
		return
	}
	var keys []cmddocs.KeyRef
	ok := false
	if d.HasKeySpec() && !d.HasVariableFlags() {
		keys, ok = d.KeysBySpecs(argv)
	}
	if !ok {
		keys = nil
		if proc != nil {
			keys = proc(argv)
		}
	}
	if len(keys) == 0 {
		if slices.Contains(d.CommandFlags, "NO_MANDATORY_KEYS") {
			x.array(0)
			return
		}
		x.err("ERR Invalid arguments specified for command")
		return
	}
	x.array(len(keys))
	for _, k := range keys {
		if !withFlags {
			x.bulk(argv[k.Pos])
			continue
		}
		x.array(2)
		x.bulk(argv[k.Pos])
		flags := cmddocs.KeyFlagNames(k.Flags)
		x.setLen(len(flags))
		for _, f := range flags {
			x.status(f)
		}
	}
}

// getKeysTarget resolves argv's command as lookupCommand does (a
// container's subcommand when there is a second argument) among the
// node's commands, with Redis's facts about it.
func getKeysTarget(argv [][]byte) (string, *cmddocs.Command) {
	base := strings.ToLower(string(argv[0]))
	c := commandTable[base]
	if c == nil {
		return "", nil
	}
	d := cmddocs.Lookup(base)
	if d == nil || len(argv) == 1 || len(d.Subcommands) == 0 {
		return base, d
	}
	sub := strings.ToLower(string(argv[1]))
	if !slices.Contains(c.subs, sub) {
		return "", nil
	}
	return base + "|" + sub, d.Subcommands[sub]
}

// setGetKeys: SET's key is read too when GET is given.
func setGetKeys(argv [][]byte) []cmddocs.KeyRef {
	for _, a := range argv[min(3, len(argv)):] {
		if eqFold(a, "get") {
			return []cmddocs.KeyRef{{Pos: 1, Flags: []string{"RW", "ACCESS", "UPDATE"}}}
		}
	}
	return []cmddocs.KeyRef{{Pos: 1, Flags: []string{"OW", "UPDATE"}}}
}

// bitfieldGetKeys: BITFIELD's key is read only when every operation is a
// GET (an unknown or short operation counts as a write).
func bitfieldGetKeys(argv [][]byte) []cmddocs.KeyRef {
	readonly := true
	for i := 2; i < len(argv); i++ {
		rem := len(argv) - i - 1
		switch a := argv[i]; {
		case eqFold(a, "get") && rem >= 2:
			i += 2
		case (eqFold(a, "set") || eqFold(a, "incrby")) && rem >= 3:
			readonly = false
		case eqFold(a, "overflow") && rem >= 1:
			i++
			continue
		default:
			readonly = false
		}
		if !readonly {
			break
		}
	}
	if readonly {
		return []cmddocs.KeyRef{{Pos: 1, Flags: []string{"RO", "ACCESS"}}}
	}
	return []cmddocs.KeyRef{{Pos: 1, Flags: []string{"RW", "ACCESS", "UPDATE"}}}
}

// sortGetKeys: SORT's key, and the last STORE destination, found by
// skipping the arguments of LIMIT, GET and BY as sortGetKeys does.
func sortGetKeys(argv [][]byte) []cmddocs.KeyRef {
	keys := []cmddocs.KeyRef{{Pos: 1, Flags: []string{"RO", "ACCESS"}}}
	store := 0
	for i := 2; i < len(argv); i++ {
		switch a := argv[i]; {
		case eqFold(a, "limit"):
			i += 2
		case eqFold(a, "get"), eqFold(a, "by"):
			i++
		case eqFold(a, "store") && i+1 < len(argv):
			store = i + 1
		}
	}
	if store != 0 {
		keys = append(keys, cmddocs.KeyRef{Pos: store, Flags: []string{"OW", "UPDATE"}})
	}
	return keys
}

// genericGetKeys is Redis's genericGetKeys for a numkeys argument at
// countAt, keys from firstAt and an optional destination at storeAt; the
// keys carry no flags.
func genericGetKeys(storeAt, countAt, firstAt int) getKeysProc {
	return func(argv [][]byte) []cmddocs.KeyRef {
		num := cAtoi(argv[countAt])
		if num < 1 || num > (len(argv)-firstAt) {
			return nil
		}
		keys := make([]cmddocs.KeyRef, 0, num+1)
		for i := range num {
			keys = append(keys, cmddocs.KeyRef{Pos: firstAt + i})
		}
		if storeAt != 0 {
			keys = append(keys, cmddocs.KeyRef{Pos: storeAt})
		}
		return keys
	}
}

// xreadGetKeys: the keys after the STREAMS option, half of what follows
// it, found by skipping the options before it.
func xreadGetKeys(argv [][]byte) []cmddocs.KeyRef {
	streams := -1
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		if eqFold(a, "block") || eqFold(a, "count") {
			i++
		} else if eqFold(a, "group") {
			i += 2
		} else if eqFold(a, "noack") {
			continue
		} else {
			if eqFold(a, "streams") {
				streams = i
			}
			break
		}
	}
	num := len(argv) - streams - 1
	if streams == -1 || num == 0 || num%2 != 0 {
		return nil
	}
	keys := make([]cmddocs.KeyRef, 0, num/2)
	for i := streams + 1; i < len(argv)-num/2; i++ {
		keys = append(keys, cmddocs.KeyRef{Pos: i})
	}
	return keys
}

// cAtoi is C's atoi as glibc runs it: leading white space, a sign, the
// digits that follow (strtol, clamped to a long), cast to int.
func cAtoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v uint64
	over := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			over = true
			continue
		}
		v = v*10 + d
	}
	var l int64
	switch {
	case neg && (over || v > 1<<63):
		l = math.MinInt64
	case !neg && (over || v > math.MaxInt64):
		l = math.MaxInt64
	case neg:
		l = -int64(v)
	default:
		l = int64(v)
	}
	return int(int32(l))
}
