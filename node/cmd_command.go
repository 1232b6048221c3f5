package node

import (
	"sort"
	"strings"
)

// COMMAND [COUNT | DOCS [name ...] | INFO [name ...] | LIST]
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
		names := sortedCommandNames()
		x.array(len(names))
		for _, name := range names {
			x.bulkStr(name)
		}
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
		lines := []string{
			"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"(no subcommand)", "    Return details about all Redis commands.",
			"COUNT", "    Return the total number of commands in this Redis server.",
			"LIST", "    Return a list of all commands in this Redis server.",
			"INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
			"DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
			"HELP", "    Print this help.",
		}
		x.array(len(lines))
		for _, l := range lines {
			x.status(l)
		}
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
