package node

import (
	"strings"
)

func init() {
	const evalFlags = cNoScript | cSkipMonitor | cStale
	register(
		&command{name: "eval", arity: -3, flags: evalFlags | cMayReplicate, acl: "@slow @scripting", fn: cmdEval,
			summary: "Execute a Lua script server side", group: "scripting", since: "2.6.0"},
		&command{name: "evalsha", arity: -3, flags: evalFlags | cMayReplicate, acl: "@slow @scripting", fn: cmdEvalsha,
			summary: "Execute a Lua script server side", group: "scripting", since: "2.6.0"},
		&command{name: "eval_ro", arity: -3, flags: evalFlags | cReadOnly, acl: "@slow @scripting", fn: cmdEvalRO,
			summary: "Execute a read-only Lua script server side", group: "scripting", since: "7.0.0"},
		&command{name: "evalsha_ro", arity: -3, flags: evalFlags | cReadOnly, acl: "@slow @scripting", fn: cmdEvalshaRO,
			summary: "Execute a read-only Lua script server side", group: "scripting", since: "7.0.0"},
		&command{name: "script", arity: -2, acl: "@slow", fn: cmdScript,
			summary: "A container for Lua scripts management commands", group: "scripting", since: "2.6.0",
			subs: []string{"debug", "exists", "flush", "help", "kill", "load"}, container: true},
	)
}

// EVAL script numkeys [key [key ...]] [arg [arg ...]]
func cmdEval(x *cmdCtx) { x.evalGeneric(false, false) }

// EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
func cmdEvalsha(x *cmdCtx) { x.evalGeneric(true, false) }

// EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]
func cmdEvalRO(x *cmdCtx) { x.evalGeneric(false, true) }

// EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]
func cmdEvalshaRO(x *cmdCtx) { x.evalGeneric(true, true) }

// SCRIPT LOAD script | EXISTS sha1 [sha1 ...] | FLUSH [ASYNC|SYNC] | KILL | DEBUG YES|SYNC|NO | HELP
func cmdScript(x *cmdCtx) {
	sub := strings.ToLower(string(x.args[1]))
	switch {
	case sub == "help" && len(x.args) == 2:
		x.help("SCRIPT",
			"DEBUG (YES|SYNC|NO)",
			"    Set the debug mode for subsequent scripts executed.",
			"EXISTS <sha1> [<sha1> ...]",
			"    Return information about the existence of the scripts in the script cache.",
			"FLUSH [ASYNC|SYNC]",
			"    Flush the Lua scripts cache. Very dangerous on replicas.",
			"    When called without the optional mode argument, the behavior is determined by the",
			"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
			"    * ASYNC: Asynchronously flush the scripts cache.",
			"    * SYNC: Synchronously flush the scripts cache.",
			"KILL",
			"    Kill the currently executing Lua script.",
			"LOAD <script>",
			"    Load a script into the scripts cache without executing it.")
	case sub == "flush" && len(x.args) <= 3:
		if len(x.args) == 3 && !eqFold(x.args[2], "sync") && !eqFold(x.args[2], "async") {
			x.err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
			return
		}
		if e := x.n.scripts; e != nil && e.run == nil {
			e.close()
			x.n.scripts = nil
		}
		x.ok()
	case sub == "exists" && len(x.args) >= 3:
		x.array(len(x.args) - 2)
		e := x.n.scripts
		for _, a := range x.args[2:] {
			found := e != nil && e.cache[strings.ToLower(string(a))] != nil
			if found {
				x.int(1)
			} else {
				x.int(0)
			}
		}
	case sub == "load" && len(x.args) == 3:
		body := string(x.args[1+1])
		sha := sha1hex(body)
		if _, msg := x.n.scriptsLocked().compile(sha, body); msg != "" {
			x.err(msg)
			return
		}
		x.bulkStr(sha)
	case sub == "kill" && len(x.args) == 2:
		x.scriptKillLocked()
	case sub == "debug" && len(x.args) == 3:
		switch {
		case eqFold(x.args[2], "no"):
			x.ok()
		case eqFold(x.args[2], "yes"), eqFold(x.args[2], "sync"):
			x.err("ERR SCRIPT DEBUG is not supported by this node")
		default:
			x.err("ERR Use SCRIPT DEBUG YES/SYNC/NO")
		}
	default:
		x.subcommandError()
	}
}
