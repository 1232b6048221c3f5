package node

import (
	"slices"
	"strings"

	"github.com/replscope/replscope/node/cmddocs"
)

// The COMMAND INFO and COMMAND DOCS entries of the node's commands come
// from Redis 7.0.15's command facts (node/cmddocs), restricted to what
// the node runs: a container lists only the subcommands the node has.
// Commands Redis does not know keep the node's own short description.

type cmddocsEntry struct {
	name string
	c    *cmddocs.Command
	own  *command // a command Redis's facts do not describe
}

// factsFor resolves a COMMAND INFO/DOCS name ("get", "config|get") to
// the node's command and Redis's facts about it, or "", nil.
func factsFor(arg []byte) (string, *cmddocs.Command) {
	name := strings.ToLower(string(arg))
	parent, sub, isSub := strings.Cut(name, "|")
	c := commandTable[parent]
	if c == nil || isSub && !slices.Contains(c.subs, sub) {
		return "", nil
	}
	d := cmddocs.Lookup(name)
	if d == nil {
		return "", nil
	}
	if !isSub && len(d.Subcommands) > 0 {
		own := *d
		own.Subcommands = map[string]*cmddocs.Command{}
		for _, s := range c.subs {
			if sd := d.Subcommands[s]; sd != nil {
				own.Subcommands[s] = sd
			}
		}
		d = &own
	}
	return name, d
}

// writeFacts writes a COMMAND INFO entry, or a COMMAND DOCS map.
func (x *cmdCtx) writeFacts(name string, d *cmddocs.Command, docs bool) {
	e := cmddocs.Encoder{RESP3: x.resp3()}
	if docs {
		e.AppendDocs(name, d)
	} else {
		e.AppendInfo(name, d)
	}
	x.w.WriteRaw(e.B)
}

// commandInfoOrFacts writes c's COMMAND INFO entry from Redis's facts
// when there are some.
func (x *cmdCtx) commandInfoOrFacts(c *command) {
	if name, d := factsFor([]byte(c.name)); d != nil {
		x.writeFacts(name, d, false)
		return
	}
	x.commandInfo(c)
}
