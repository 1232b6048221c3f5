package cmddocs

import (
	_ "embed"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed commands.json
var commandsJSON []byte

var table = sync.OnceValue(func() map[string]*Command {
	var m map[string]*Command
	if err := json.Unmarshal(commandsJSON, &m); err != nil {
		panic("cmddocs: commands.json: " + err.Error())
	}
	return m
})

// Lookup returns the facts of a command by name ("get", "config|get"),
// case-insensitively, or nil.
func Lookup(name string) *Command {
	name = strings.ToLower(name)
	parent, sub, isSub := strings.Cut(name, "|")
	c := table()[parent]
	if c == nil || !isSub {
		return c
	}
	return c.Subcommands[sub]
}

// Encoder renders replies in RESP2, or RESP3 (maps and sets) when RESP3
// is set.
type Encoder struct {
	RESP3 bool
	B     []byte
}

func (e *Encoder) head(c byte, n int) {
	e.B = append(e.B, c)
	e.B = strconv.AppendInt(e.B, int64(n), 10)
	e.B = append(e.B, '\r', '\n')
}

func (e *Encoder) array(n int) { e.head('*', n) }

func (e *Encoder) set(n int) {
	if e.RESP3 {
		e.head('~', n)
	} else {
		e.head('*', n)
	}
}

func (e *Encoder) mapLen(n int) {
	if e.RESP3 {
		e.head('%', n)
	} else {
		e.head('*', 2*n)
	}
}

func (e *Encoder) bulk(s string) {
	e.head('$', len(s))
	e.B = append(e.B, s...)
	e.B = append(e.B, '\r', '\n')
}

func (e *Encoder) status(s string) {
	e.B = append(e.B, '+')
	e.B = append(e.B, s...)
	e.B = append(e.B, '\r', '\n')
}

func (e *Encoder) int(n int) { e.head(':', n) }

// flagNames lists command flags in the order COMMAND INFO prints them;
// hidden flags (may_replicate, sentinel, protected, ...) are left out.
var flagNames = []string{
	"WRITE", "READONLY", "DENYOOM", "MODULE", "ADMIN", "PUBSUB", "NOSCRIPT", "BLOCKING",
	"LOADING", "STALE", "SKIP_MONITOR", "SKIP_SLOWLOG", "ASKING", "FAST", "NO_AUTH",
	"NO_MANDATORY_KEYS", "NO_ASYNC_LOADING", "NO_MULTI", "MOVABLE_KEYS", "ALLOW_BUSY",
}

// aclCategories lists ACL categories in the order Redis prints them.
var aclCategories = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
	"hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
	"dangerous", "connection", "transaction", "scripting",
}

var keyFlagNames = []string{"RO", "RW", "OW", "RM", "ACCESS", "UPDATE", "INSERT", "DELETE", "NOT_KEY", "INCOMPLETE", "VARIABLE_FLAGS"}

func has(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Categories returns the command's ACL categories ("@read", ...) in
// Redis's order, with the implicit ones Redis adds
// (setImplicitACLCategories).
func (c *Command) Categories() []string {
	set := map[string]bool{}
	for _, a := range c.ACLCategories {
		set[strings.ToLower(a)] = true
	}
	f := c.CommandFlags
	if has(f, "WRITE") {
		set["write"] = true
	}
	if has(f, "READONLY") && !set["scripting"] {
		set["read"] = true
	}
	if has(f, "ADMIN") {
		set["admin"], set["dangerous"] = true, true
	}
	if has(f, "PUBSUB") {
		set["pubsub"] = true
	}
	if has(f, "FAST") {
		set["fast"] = true
	}
	if has(f, "BLOCKING") {
		set["blocking"] = true
	}
	if !set["fast"] {
		set["slow"] = true
	}
	var out []string
	for _, name := range aclCategories {
		if set[name] {
			out = append(out, "@"+name)
		}
	}
	return out
}

// legacyRange computes COMMAND INFO's first key, last key and step from
// the key specs, and whether the keys are movable, as Redis's
// populateCommandLegacyRangeSpec does.
func (c *Command) legacyRange() (first, last, step int, movable bool) {
	specs := c.KeySpecs
	if len(specs) == 0 {
		return 0, 0, 0, false
	}
	plain := func(s KeySpec) bool { return s.BeginSearch.Index != nil && s.FindKeys.Range != nil }
	if len(specs) == 1 && plain(specs[0]) {
		s := specs[0]
		first, last = s.BeginSearch.Index.Pos, s.FindKeys.Range.Lastkey
		if last >= 0 {
			last += first
		}
		return first, last, s.FindKeys.Range.Step, has(s.Flags, "INCOMPLETE")
	}
	firstkey, lastkey, prevLast := math.MaxInt32, int32(0), int32(0)
	for _, s := range specs {
		if !plain(s) {
			movable = true
			continue
		}
		pos := s.BeginSearch.Index.Pos
		if s.FindKeys.Range.Step != 1 || prevLast != 0 && int(prevLast) != pos-1 {
			movable = true
			continue
		}
		if has(s.Flags, "INCOMPLETE") {
			movable = true
		}
		firstkey = min(firstkey, pos)
		abs := int32(s.FindKeys.Range.Lastkey)
		if abs >= 0 {
			abs += int32(pos)
		}
		if uint32(abs) > uint32(lastkey) { // unsigned: a negative last key wins
			lastkey = abs
		}
		prevLast = lastkey
	}
	if firstkey == math.MaxInt32 {
		return 0, 0, 0, true
	}
	rel := int(lastkey)
	if lastkey >= 0 {
		rel = int(lastkey) - firstkey
	}
	first, last = firstkey, rel
	if last >= 0 {
		last += first
	}
	return first, last, 1, movable
}

// KeyRange returns COMMAND INFO's first key, last key and step.
func (c *Command) KeyRange() (first, last, step int) {
	first, last, step, _ = c.legacyRange()
	return first, last, step
}

// Flags returns the flags COMMAND INFO shows, lower case, in Redis's
// order, "movablekeys" included when the key specs make the keys movable.
func (c *Command) Flags() []string {
	_, _, _, movable := c.legacyRange()
	var flags []string
	for _, f := range flagNames {
		switch {
		case f == "MOVABLE_KEYS" && movable:
			flags = append(flags, "movablekeys")
		case has(c.CommandFlags, f):
			flags = append(flags, strings.ToLower(f))
		}
	}
	return flags
}

// AppendInfo renders a COMMAND INFO entry for c, whose full name is name
// ("get", "config|get"); subcommands follow in name order (Redis prints
// them in its hash table's order, which varies from run to run).
func (e *Encoder) AppendInfo(name string, c *Command) {
	first, last, step := c.KeyRange()
	e.array(10)
	e.bulk(name)
	e.int(c.Arity)
	flags := c.Flags()
	e.set(len(flags))
	for _, f := range flags {
		e.status(f)
	}
	e.int(first)
	e.int(last)
	e.int(step)
	cats := c.Categories()
	e.set(len(cats))
	for _, cat := range cats {
		e.status(cat)
	}
	e.set(len(c.Tips))
	for _, t := range c.Tips {
		e.bulk(t)
	}
	e.keySpecs(c.KeySpecs)
	if len(c.Subcommands) == 0 {
		e.set(0)
		return
	}
	subs := sortedSubs(c)
	e.array(len(subs))
	for _, s := range subs {
		e.AppendInfo(name+"|"+s, c.Subcommands[s])
	}
}

func sortedSubs(c *Command) []string {
	names := make([]string, 0, len(c.Subcommands))
	for s := range c.Subcommands {
		names = append(names, s)
	}
	sort.Strings(names)
	return names
}

func (e *Encoder) flagSet(flags, order []string, lower bool) {
	var out []string
	for _, f := range order {
		if has(flags, f) {
			if lower {
				f = strings.ToLower(f)
			}
			out = append(out, f)
		}
	}
	e.set(len(out))
	for _, f := range out {
		e.status(f)
	}
}

func (e *Encoder) keySpecs(specs []KeySpec) {
	e.set(len(specs))
	for _, s := range specs {
		n := 3
		if s.Notes != "" {
			n++
		}
		e.mapLen(n)
		if s.Notes != "" {
			e.bulk("notes")
			e.bulk(s.Notes)
		}
		e.bulk("flags")
		flags := KeyFlagNames(s.Flags)
		e.set(len(flags))
		for _, f := range flags {
			e.status(f)
		}
		e.bulk("begin_search")
		e.mapLen(2)
		e.bulk("type")
		switch bs := s.BeginSearch; {
		case bs.Index != nil:
			e.bulk("index")
			e.bulk("spec")
			e.mapLen(1)
			e.bulk("index")
			e.int(bs.Index.Pos)
		case bs.Keyword != nil:
			e.bulk("keyword")
			e.bulk("spec")
			e.mapLen(2)
			e.bulk("keyword")
			e.bulk(bs.Keyword.Keyword)
			e.bulk("startfrom")
			e.int(bs.Keyword.Startfrom)
		default:
			e.bulk("unknown")
			e.bulk("spec")
			e.mapLen(0)
		}
		e.bulk("find_keys")
		e.mapLen(2)
		e.bulk("type")
		switch fk := s.FindKeys; {
		case fk.Range != nil:
			e.bulk("range")
			e.bulk("spec")
			e.mapLen(3)
			e.bulk("lastkey")
			e.int(fk.Range.Lastkey)
			e.bulk("keystep")
			e.int(fk.Range.Step)
			e.bulk("limit")
			e.int(fk.Range.Limit)
		case fk.Keynum != nil:
			e.bulk("keynum")
			e.bulk("spec")
			e.mapLen(3)
			e.bulk("keynumidx")
			e.int(fk.Keynum.Keynumidx)
			e.bulk("firstkey")
			e.int(fk.Keynum.Firstkey)
			e.bulk("keystep")
			e.int(fk.Keynum.Step)
		default:
			e.bulk("unknown")
			e.bulk("spec")
			e.mapLen(0)
		}
	}
}

// AppendDocs renders c's COMMAND DOCS map (the value that follows its
// name), subcommands in name order.
func (e *Encoder) AppendDocs(name string, c *Command) {
	n := 2 // group, and summary (every Redis command has one)
	for _, present := range []bool{c.Since != "", c.Complexity != "", len(c.DocFlags) > 0,
		c.DeprecatedSince != "", c.ReplacedBy != "", len(c.History) > 0, len(c.Arguments) > 0, len(c.Subcommands) > 0} {
		if present {
			n++
		}
	}
	if c.Summary == "" {
		n--
	}
	e.mapLen(n)
	if c.Summary != "" {
		e.bulk("summary")
		e.bulk(c.Summary)
	}
	if c.Since != "" {
		e.bulk("since")
		e.bulk(c.Since)
	}
	e.bulk("group")
	e.bulk(strings.ReplaceAll(c.Group, "_", "-")) // sorted_set is "sorted-set"
	if c.Complexity != "" {
		e.bulk("complexity")
		e.bulk(c.Complexity)
	}
	if len(c.DocFlags) > 0 {
		e.bulk("doc_flags")
		e.flagSet(c.DocFlags, []string{"DEPRECATED", "SYSCMD"}, true)
	}
	if c.DeprecatedSince != "" {
		e.bulk("deprecated_since")
		e.bulk(c.DeprecatedSince)
	}
	if c.ReplacedBy != "" {
		e.bulk("replaced_by")
		e.bulk(c.ReplacedBy)
	}
	if len(c.History) > 0 {
		e.bulk("history")
		e.set(len(c.History))
		for _, h := range c.History {
			e.array(2)
			e.bulk(h[0])
			e.bulk(h[1])
		}
	}
	if len(c.Arguments) > 0 {
		e.bulk("arguments")
		e.args(c.Arguments)
	}
	if len(c.Subcommands) > 0 {
		e.bulk("subcommands")
		subs := sortedSubs(c)
		e.mapLen(len(subs))
		for _, s := range subs {
			e.bulk(name + "|" + s)
			e.AppendDocs(name+"|"+s, c.Subcommands[s])
		}
	}
}

func (e *Encoder) args(args []Arg) {
	e.array(len(args))
	for _, a := range args {
		n := 2
		for _, present := range []bool{a.KeySpecIndex != nil, a.Token != "", a.Summary != "", a.Since != "",
			a.DeprecatedSince != "", a.Optional || a.Multiple || a.MultipleToken, a.Type == "oneof" || a.Type == "block"} {
			if present {
				n++
			}
		}
		e.mapLen(n)
		e.bulk("name")
		e.bulk(strings.ToLower(a.Name))
		e.bulk("type")
		e.bulk(a.Type)
		if a.KeySpecIndex != nil {
			e.bulk("key_spec_index")
			e.int(*a.KeySpecIndex)
		}
		if a.Token != "" {
			e.bulk("token")
			e.bulk(strings.ToUpper(a.Token))
		}
		if a.Summary != "" {
			e.bulk("summary")
			e.bulk(a.Summary)
		}
		if a.Since != "" {
			e.bulk("since")
			e.bulk(a.Since)
		}
		if a.DeprecatedSince != "" {
			e.bulk("deprecated_since")
			e.bulk(a.DeprecatedSince)
		}
		if a.Optional || a.Multiple || a.MultipleToken {
			var flags []string
			if a.Optional {
				flags = append(flags, "optional")
			}
			if a.Multiple {
				flags = append(flags, "multiple")
			}
			if a.MultipleToken {
				flags = append(flags, "multiple_token")
			}
			e.bulk("flags")
			e.set(len(flags))
			for _, f := range flags {
				e.status(f)
			}
		}
		if a.Type == "oneof" || a.Type == "block" {
			e.bulk("arguments")
			e.args(a.Arguments)
		}
	}
}
