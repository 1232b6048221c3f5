package node

import (
	"slices"
	"sort"
	"strings"

	"github.com/replscope/replscope/node/cmddocs"
	"github.com/replscope/replscope/node/config"
)

// COMMAND [COUNT | DOCS [name ...] | INFO [name ...] | LIST [FILTERBY ...] |
// GETKEYS command [arg ...] | GETKEYSANDFLAGS command [arg ...]]
func cmdCommand(x *cmdCtx) {
	if len(x.args) == 1 {
		names := sortedCommandNames()
		x.array(len(names))
		for _, name := range names {
			x.commandInfoOrFacts(commandTable[name])
		}
		return
	}
	sub := strings.ToLower(string(x.args[1]))
	switch {
	case sub == "count" && len(x.args) == 2:
		x.int(int64(len(commandTable)))
	case sub == "list":
		x.commandList()
	case sub == "getkeys" || sub == "getkeysandflags":
		x.commandGetKeys(sub == "getkeysandflags")
	case sub == "info":
		names := x.args[2:]
		if len(names) == 0 {
			all := sortedCommandNames()
			x.array(len(all))
			for _, name := range all {
				x.commandInfoOrFacts(commandTable[name])
			}
			return
		}
		x.array(len(names))
		for _, a := range names {
			if name, d := factsFor(a); d != nil {
				x.writeFacts(name, d, false)
			} else if c := lookupCommand(a); c != nil {
				x.commandInfo(c)
			} else {
				x.null() // a null bulk, as Redis 7.0 answers
			}
		}
	case sub == "docs":
		var names [][]byte
		if len(x.args) == 2 {
			for _, name := range sortedCommandNames() {
				names = append(names, []byte(name))
			}
		} else {
			names = x.args[2:]
		}
		var list []cmddocsEntry // facts, or the node's own command
		for _, a := range names {
			if name, d := factsFor(a); d != nil {
				list = append(list, cmddocsEntry{name: name, c: d})
			} else if c := lookupCommand(a); c != nil {
				list = append(list, cmddocsEntry{name: c.name, own: c})
			}
		}
		x.mapLen(len(list))
		for _, d := range list {
			x.bulkStr(d.name)
			if d.own == nil {
				x.writeFacts(d.name, d.c, true)
				continue
			}
			x.mapLen(3)
			x.bulkStr("summary")
			x.bulkStr(d.own.summary)
			x.bulkStr("since")
			x.bulkStr(d.own.since)
			x.bulkStr("group")
			x.bulkStr(d.own.group)
		}
	case sub == "help" && len(x.args) == 2:
		x.help("COMMAND",
			"(no subcommand)", "    Return details about all Redis commands.",
			"COUNT", "    Return the total number of commands in this Redis server.",
			"LIST", "    Return a list of all commands in this Redis server.",
			"INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
			"    If no command names are given, documentation details for all",
			"    commands are returned.",
			"DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
			"    If no command names are given, documentation details for all",
			"    commands are returned.",
			"GETKEYS <full-command>", "    Return the keys from a full Redis command.",
			"GETKEYSANDFLAGS <full-command>", "    Return the keys and the access flags from a full Redis command.")
	default:
		x.subcommandError()
	}
}

func sortedCommandNames() []string {
	names := make([]string, 0, len(commandTable))
	for name := range commandTable {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// commandInfo writes one COMMAND INFO entry in Redis 7's ten-element form:
// name, arity, flags, first key, last key, step, ACL categories, tips, key
// specs, subcommands.
func (x *cmdCtx) commandInfo(c *command) {
	x.array(10)
	x.bulkStr(c.name)
	x.int(int64(c.arity))
	var flags []string
	cats := strings.Fields(c.acl)
	if c.container {
		// A container (CLIENT, CONFIG, ...) has no flags of its own in
		// Redis 7: its subcommands carry them.
		cats = []string{"@slow"}
	} else {
		for _, f := range flagNames {
			if c.flags&f.f != 0 {
				flags = append(flags, f.name)
			}
		}
	}
	x.setLen(len(flags))
	for _, f := range flags {
		x.status(f)
	}
	x.int(int64(c.firstKey))
	x.int(int64(c.lastKey))
	x.int(int64(c.step))
	x.setLen(len(cats))
	for _, cat := range cats {
		x.status(cat)
	}
	x.setLen(0) // tips
	x.setLen(0) // key specs
	x.array(len(c.subs))
	for _, s := range c.subs {
		x.array(10)
		x.bulkStr(c.name + "|" + s)
		x.int(-2)
		x.setLen(0) // flags
		x.int(0)
		x.int(0)
		x.int(0)
		x.setLen(0) // ACL categories
		x.setLen(0) // tips
		x.setLen(0) // key specs
		x.array(0)  // subcommands
	}
}

// commandList is COMMAND LIST [FILTERBY MODULE name | ACLCAT category |
// PATTERN pattern]: every command and subcommand ("config|get") of the
// node, as Redis lists its own (in its hash table's order, here sorted).
// No command comes from a module; an unknown category matches nothing.
func (x *cmdCtx) commandList() {
	filter, arg := "", ""
	for i := 2; i < len(x.args); i += 3 {
		if !eqFold(x.args[i], "filterby") || len(x.args)-1-i != 2 {
			x.syntaxErr()
			return
		}
		filter, arg = strings.ToLower(string(x.args[i+1])), string(x.args[i+2])
		switch filter {
		case "module", "aclcat", "pattern":
		default:
			x.syntaxErr()
			return
		}
	}
	var names []string
	for _, name := range sortedCommandNames() {
		c := commandTable[name]
		full := []string{name}
		for _, s := range c.subs {
			if d := cmddocs.Lookup(name); d != nil && d.Subcommands[s] != nil {
				full = append(full, name+"|"+s)
			}
		}
		for _, f := range full {
			if keepInList(f, filter, arg) {
				names = append(names, f)
			}
		}
	}
	x.array(len(names))
	for _, n := range names {
		x.bulkStr(n)
	}
}

// keepInList reports whether COMMAND LIST's filter keeps the command
// named full.
func keepInList(full, filter, arg string) bool {
	switch filter {
	case "module":
		return false
	case "aclcat":
		d := cmddocs.Lookup(full)
		return d != nil && slices.Contains(d.Categories(), "@"+strings.ToLower(arg))
	case "pattern":
		return config.Match(arg, full, true)
	}
	return true
}
