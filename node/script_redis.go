package node

import (
	"strings"

	"github.com/replscope/replscope/node/cmddocs"
	"github.com/tidwall/redcon"
	lua "github.com/yuin/gopher-lua"
)

// Redis's replication flags for redis.set_repl and its log levels.
const (
	replNone  = 0
	replAOF   = 1
	replSlave = 2
	replAll   = replAOF | replSlave
)

// newRedisLib builds the redis table scripts see.
func (n *Node) newRedisLib(L *lua.LState, e *scriptEngine) *lua.LTable {
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return e.redisCall(L, true) },
		"pcall":              func(L *lua.LState) int { return e.redisCall(L, false) },
		"error_reply":        redisErrorReply,
		"status_reply":       redisStatusReply,
		"sha1hex":            redisSha1hex,
		"log":                func(L *lua.LState) int { return n.redisLog(L) },
		"setresp":            func(L *lua.LState) int { return e.redisSetresp(L) },
		"set_repl":           func(L *lua.LState) int { return e.redisSetRepl(L) },
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
	}
	fns["acl_check_cmd"] = func(L *lua.LState) int {
		// No ACL users: the default user may run every command.
		if L.GetTop() < 1 {
			L.Error(luaError(L, "Please specify at least one argument for this redis lib call"), 0)
		}
		if lookupCommand([]byte(L.CheckString(1))) == nil {
			L.Error(luaError(L, "Invalid command passed to redis.acl_check_cmd()"), 0)
		}
		L.Push(lua.LTrue)
		return 1
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	t.RawSetString("REDIS_VERSION", lua.LString("7.0.15"))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(0x07000f))
	for name, v := range map[string]int{
		"REPL_NONE": replNone, "REPL_AOF": replAOF, "REPL_SLAVE": replSlave,
		"REPL_REPLICA": replSlave, "REPL_ALL": replAll,
		"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	return t
}

// luaError builds Redis's error table for msg (luaPushErrorBuff): a
// "-CODE text" message keeps its code, any other gets "ERR".
func luaError(L *lua.LState, msg string) *lua.LTable {
	if strings.HasPrefix(msg, "-") {
		if code, text, ok := strings.Cut(msg[1:], " "); ok {
			msg = code + " " + text
		} else {
			msg = "ERR " + msg[1:]
		}
	} else {
		msg = "ERR " + msg
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(strings.TrimRight(msg, "\r\n")))
	return t
}

// redis.error_reply(msg)
func redisErrorReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(luaError(L, "wrong number or type of arguments"))
		return 1
	}
	msg := L.ToString(1)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(luaError(L, msg))
	return 1
}

// redis.status_reply(msg)
func redisStatusReply(L *lua.LState) int {
	if L.GetTop() != 1 || L.Get(1).Type() != lua.LTString {
		L.Push(luaError(L, "wrong number or type of arguments"))
		return 1
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", L.Get(1))
	L.Push(t)
	return 1
}

// redis.sha1hex(string)
func redisSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.RaiseError("wrong number of arguments")
	}
	L.Push(lua.LString(sha1hex(L.ToString(1))))
	return 1
}

// redis.log(level, message...)
func (n *Node) redisLog(L *lua.LState) int {
	argc := L.GetTop()
	if argc < 2 {
		L.Error(luaError(L, "redis.log() requires two arguments or more."), 0)
	}
	lv, ok := L.Get(1).(lua.LNumber)
	if !ok {
		L.Error(luaError(L, "First argument must be a number (log level)."), 0)
	}
	if lv < 0 || lv > 3 {
		L.Error(luaError(L, "Invalid debug level."), 0)
	}
	parts := make([]string, 0, argc-1)
	for i := 2; i <= argc; i++ {
		parts = append(parts, L.ToString(i))
	}
	msg := strings.Join(parts, " ")
	switch lv {
	case 3:
		n.log.Warnf("%s", msg)
	case 2:
		n.log.Noticef("%s", msg)
	}
	return 0
}

// redis.setresp(2|3): the protocol redis.call's replies come in.
func (e *scriptEngine) redisSetresp(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.Error(luaError(L, "redis.setresp() requires one argument."), 0)
	}
	v, _ := L.Get(1).(lua.LNumber)
	if v != 2 && v != 3 {
		L.Error(luaError(L, "RESP version must be 2 or 3."), 0)
	}
	e.fake.proto = int(v)
	return 0
}

// redis.set_repl(flags)
func (e *scriptEngine) redisSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.Error(luaError(L, "redis.set_repl() requires one argument."), 0)
	}
	v, _ := L.Get(1).(lua.LNumber)
	if v < 0 || int(v)&^replAll != 0 || float64(v) != float64(int(v)) {
		L.Error(luaError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."), 0)
	}
	if e.run != nil {
		e.run.repl = int(v)
	}
	return 0
}

// redisCall is redis.call (raise) and redis.pcall.
func (e *scriptEngine) redisCall(L *lua.LState, raise bool) int {
	r := e.run
	argc := L.GetTop()
	fail := func(msg string) int {
		t := luaError(L, msg)
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	if argc == 0 || r == nil {
		return fail("Please specify at least one argument for this redis lib call")
	}
	args := make([][]byte, argc)
	for i := range args {
		b, ok := luaArgString(L.Get(i + 1))
		if !ok {
			return fail("Lua redis lib command arguments must be strings or integers")
		}
		args[i] = b
	}
	r.enterCall()
	reply, msg := r.n.scriptCallLocked(r, args)
	r.leaveCall()
	if msg != "" {
		t := luaError(L, msg)
		t.RawSetString(ignoreErrStats, lua.LTrue) // counted by scriptCallLocked
		if raise {
			L.Error(t, 0)
		}
		L.Push(t)
		return 1
	}
	v := replyToLua(L, reply)
	if t, ok := v.(*lua.LTable); ok && raise {
		if errv := t.RawGetString("err"); errv.Type() == lua.LTString {
			L.Error(t, 0)
		}
	}
	L.Push(v)
	return 1
}

// scriptCallLocked runs one redis.call command as the script's client,
// after the checks Redis 7.0's scriptCall makes, and returns the raw
// reply, or the error text for the script.
func (n *Node) scriptCallLocked(r *scriptRun, args [][]byte) ([]byte, string) {
	cmd := lookupCommand(args[0])
	reply, msg := n.scriptCallChecked(r, cmd, args)
	if msg != "" {
		// Refused before it ran: the error is counted now, the command
		// rejected (scriptCall's error path in Redis 7.0).
		n.replyErr(discardWriter(), strings.TrimPrefix(luaErrorText(msg), "-"))
		if cmd != nil {
			n.noteRejected(cmd, args)
		} else {
			n.stats.prevErrors = n.stats.errorReplies
		}
	}
	return reply, msg
}

// luaErrorText is the "CODE message" text luaError makes of msg.
func luaErrorText(msg string) string {
	if strings.HasPrefix(msg, "-") {
		if _, _, ok := strings.Cut(msg[1:], " "); ok {
			return msg[1:]
		}
		return "ERR " + msg[1:]
	}
	return "ERR " + msg
}

func (n *Node) scriptCallChecked(r *scriptRun, cmd *command, args [][]byte) ([]byte, string) {
	if cmd == nil {
		return nil, "Unknown Redis command called from script"
	}
	if !cmd.arityOK(len(args)) {
		return nil, "Wrong number of args calling Redis command from script"
	}
	flags := cmd.flags
	if cmd.container && len(args) > 1 {
		flags = subcommandFlags(cmd, args[1])
	}
	if flags&cNoScript != 0 || cmd.fn == nil {
		return nil, "This Redis command is not allowed from script"
	}
	if r.readOnly && flags&(cWrite|cMayReplicate) != 0 {
		return nil, "Write commands are not allowed from read-only scripts."
	}
	if flags&cWrite != 0 && !r.wrote {
		switch {
		case n.isReplica() && n.cfg.ReplicaReadOnly && !r.caller.is(flagMaster):
			return nil, "-" + errReadOnly
		case !n.isReplica() && n.cfg.StopWritesOnBgsaveError && len(n.cfg.Save) > 0 && !n.persist.lastBgsaveOK:
			return nil, "-" + errMisconf
		case !n.isReplica() && n.cfg.MinReplicasToWrite > 0 && n.repl.core.GoodReplicas(n.nowMs()) < n.cfg.MinReplicasToWrite:
			return nil, "-" + errNoReplicas
		}
	}
	if flags&cWrite != 0 {
		r.wrote = true
	}
	if n.batchNow != r.startMs {
		// Every command of the script sees the time it started (Redis
		// 7.0 fixes the time for a script: keys do not expire under it),
		// even after other clients' batches ran while it was busy.
		saved := n.batchNow
		n.batchNow = r.startMs
		defer func() { n.batchNow = saved }()
	}
	fake := r.e.fake
	w := r.w
	w.SetBuffer(w.Buffer()[:0])
	mark := n.repl.core.PendingLen()
	n.call(fake, w, cmd, args)
	if r.repl&replSlave == 0 {
		n.repl.core.DropPending(mark)
	}
	return w.Buffer(), ""
}

// subcommandFlags are the flags Redis's facts give a container's
// subcommand (CONFIG SET, CLIENT KILL...).
func subcommandFlags(cmd *command, sub []byte) cmdFlag {
	d := cmddocs.Lookup(cmd.name + "|" + strings.ToLower(string(sub)))
	if d == nil {
		return 0
	}
	var f cmdFlag
	for _, s := range d.CommandFlags {
		switch s {
		case "NOSCRIPT":
			f |= cNoScript
		case "WRITE":
			f |= cWrite
		case "MAY_REPLICATE":
			f |= cMayReplicate
		case "ALLOW_BUSY":
			f |= cAllowBusy
		}
	}
	return f
}

// newScriptWriter is the reply buffer of the script's client.
func newScriptWriter() *redcon.Writer { return redcon.NewWriter(nopWriter{}) }
