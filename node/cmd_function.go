package node

import (
	"strings"
)

func init() {
	register(
		&command{name: "function", arity: -2, acl: "@slow", fn: cmdFunction,
			summary: "A container for function commands.", group: "scripting", since: "7.0.0",
			subs: []string{"flush", "list", "help"}, container: true},
	)
}

// FUNCTION FLUSH [ASYNC | SYNC] | LIST [LIBRARYNAME pattern] [WITHCODE] | HELP
//
// A node runs no scripts: its library set is always empty. FLUSH still
// counts as a change and replicates, as Redis's does.
func cmdFunction(x *cmdCtx) {
	sub := strings.ToLower(string(x.args[1]))
	switch {
	case sub == "flush":
		x.functionFlush()
	case sub == "list":
		x.functionList()
	case sub == "help" && len(x.args) == 2:
		x.help("FUNCTION",
			"LOAD [REPLACE] <FUNCTION CODE>",
			"    Create a new library with the given library name and code.",
			"DELETE <LIBRARY NAME>",
			"    Delete the given library.",
			"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
			"    Return general information on all the libraries:",
			"    * Library name",
			"    * The engine used to run the Library",
			"    * Library description",
			"    * Functions list",
			"    * Library code (if WITHCODE is given)",
			"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
			"STATS",
			"    Return information about the current function running:",
			"    * Function name",
			"    * Command used to run the function",
			"    * Duration in MS that the function is running",
			"    If no function is running, return nil",
			"    In addition, returns a list of available engines.",
			"KILL",
			"    Kill the current running function.",
			"FLUSH [ASYNC|SYNC]",
			"    Delete all the libraries.",
			"    When called without the optional mode argument, the behavior is determined by the",
			"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
			"    * ASYNC: Asynchronously flush the libraries.",
			"    * SYNC: Synchronously flush the libraries.",
			"DUMP",
			"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
			"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
			"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
			"    control how to handle existing libraries (default APPEND):",
			"    * FLUSH: delete all existing libraries.",
			"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
			"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
			"      libraries with the new libraries (notice that even on this option there is a chance of failure",
			"      in case of functions name collision with another library).")
	default:
		x.subcommandError()
	}
}

func (x *cmdCtx) functionFlush() {
	switch {
	case len(x.args) > 3:
		x.err("ERR unknown subcommand or wrong number of arguments for '" + truncArg(x.args[1], 128) + "'. Try FUNCTION HELP.")
		return
	case len(x.args) == 3 && !eqFold(x.args[2], "sync") && !eqFold(x.args[2], "async"):
		x.err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	if x.n.isReplica() && x.n.cfg.ReplicaReadOnly && !x.c.is(flagMaster) {
		// FUNCTION FLUSH is a write: a read-only replica refuses it.
		x.err(errReadOnly)
		return
	}
	x.changed(1)
	x.forceProp = true // the container has no write flag of its own
	x.ok()
}

func (x *cmdCtx) functionList() {
	withCode, named := false, false
	for i := 2; i < len(x.args); i++ {
		a := x.args[i]
		switch {
		case !withCode && eqFold(a, "withcode"):
			withCode = true
		case !named && eqFold(a, "libraryname"):
			if i >= len(x.args)-1 {
				x.err("ERR library name argument was not given")
				return
			}
			named = true
			i++
		default:
			x.err("ERR Unknown argument " + string(cString(a)))
			return
		}
	}
	x.array(0)
}
