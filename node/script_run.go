package node

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/redcon"
	lua "github.com/yuin/gopher-lua"
)

// A busy script. A script runs holding the node lock, like any command.
// Once it has run for busy-reply-threshold (lua-time-limit) it becomes
// busy: a timer marks n.scriptBusy and lets go of the lock on the
// script's behalf; from then on the script takes the lock only around
// each redis.call, and other clients, who now get the lock, are answered
// -BUSY by dispatch (refusal) except for the commands Redis lets through
// (allow-busy: SCRIPT KILL, SHUTDOWN NOSAVE, MULTI, DISCARD, WATCH, ...).
// When the script ends it takes the lock back and clears the mark.

const (
	errBusyScript   = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	errNotBusy      = "NOTBUSY No scripts in execution right now."
	errUnkillable   = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	errScriptKilled = "ERR Script killed by user with SCRIPT KILL..."
)

// scriptRun is one script being run.
type scriptRun struct {
	n      *Node
	e      *scriptEngine
	sha    string
	caller *Client
	w      *redcon.Writer // the script client's reply buffer
	// readOnly: EVAL_RO, EVALSHA_RO or a no-writes script.
	readOnly bool
	// wrote is set once a write command ran (SCRIPT KILL then refuses);
	// guarded by the node lock.
	wrote bool
	repl  int // redis.set_repl flags
	start time.Time
	// startMs is the node time the script started (unix ms): every
	// command it runs sees it.
	startMs int64

	ctx    context.Context
	cancel context.CancelFunc
	// killed is why the script was stopped ("" while it runs); set under
	// the node lock or by abort.
	killMu sync.Mutex
	killed string

	// mu orders the timer's switch to busy against the script's
	// redis.calls; busy and done are guarded by it.
	mu    sync.Mutex
	busy  bool
	done  bool
	timer *time.Timer
}

// begin starts the time limit.
func (r *scriptRun) begin(limit time.Duration) {
	r.timer = time.AfterFunc(limit, r.timedOut)
}

// timedOut runs on the timer's goroutine when the script passed the time
// limit: the node lock, held by the script's goroutine, is released on
// its behalf.
func (r *scriptRun) timedOut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done || r.busy {
		return
	}
	r.busy = true
	r.n.scriptBusy = true // the node lock is held (by the script) here
	r.n.scriptIdle = make(chan struct{})
	r.n.log.Warnf("Slow script detected: still in execution after %d milliseconds. You can try killing the script using the SCRIPT KILL command. Script name is: %s.",
		time.Since(r.start).Milliseconds(), r.sha)
	r.n.mu.Unlock()
}

// enterCall takes the node lock for a redis.call when the script is busy.
func (r *scriptRun) enterCall() {
	r.mu.Lock()
	if r.busy {
		r.n.mu.Lock()
	}
}

func (r *scriptRun) leaveCall() {
	if r.busy {
		r.n.mu.Unlock()
	}
	r.mu.Unlock()
}

// finish ends the run: the script's goroutine holds the node lock again
// on return.
func (r *scriptRun) finish() {
	r.timer.Stop()
	r.mu.Lock()
	r.done = true
	if r.busy {
		r.n.mu.Lock()
		r.n.scriptBusy = false
		close(r.n.scriptIdle)
		r.n.scriptIdle = nil
		r.busy = false
	}
	r.mu.Unlock()
	r.cancel()
}

// kill stops the script with the reason the caller will read.
func (r *scriptRun) kill(reason string) {
	r.killMu.Lock()
	if r.killed == "" {
		r.killed = reason
	}
	r.killMu.Unlock()
	r.cancel()
}

func (r *scriptRun) killReason() string {
	r.killMu.Lock()
	defer r.killMu.Unlock()
	return r.killed
}

// allowedBusy reports whether a command runs while a script is busy
// (Redis's allow-busy flag, including the SCRIPT KILL, FUNCTION KILL and
// FUNCTION STATS subcommands).
func allowedBusy(cmd *command, args [][]byte) bool {
	if cmd.flags&cAllowBusy != 0 {
		return true
	}
	if cmd.container && len(args) > 1 {
		return subcommandFlags(cmd, args[1])&cAllowBusy != 0
	}
	return false
}

// evalGeneric runs EVAL, EVALSHA, EVAL_RO and EVALSHA_RO.
func (x *cmdCtx) evalGeneric(bySha, ro bool) {
	n := x.n
	numkeys, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	if numkeys > int64(len(x.args)-3) {
		x.err("ERR Number of keys can't be greater than number of args")
		return
	}
	if numkeys < 0 {
		x.err("ERR Number of keys can't be negative")
		return
	}
	e := n.scriptsLocked()
	var s *cachedScript
	var sha string
	if bySha {
		sha = strings.ToLower(string(x.args[1]))
		if len(sha) == 40 {
			s = e.cache[sha]
		}
		if s == nil {
			x.err("NOSCRIPT No matching script. Please use EVAL.")
			return
		}
	} else {
		body := string(x.args[1])
		sha = sha1hex(body)
		var msg string
		if s, msg = e.compile(sha, body); s == nil {
			x.err(msg)
			return
		}
	}
	if msg := n.scriptRefusal(x.c, s.flags, ro); msg != "" {
		x.err(msg)
		return
	}
	if n.closed || e.run != nil {
		x.err(errBusyScript)
		return
	}
	n.runScript(x, e, s, sha, ro || s.flags&sfNoWrites != 0, int(numkeys))
}

// scriptRefusal is scriptPrepareForRun's check of a script that declared
// flags (a shebang): one that may write is refused where a write would be.
func (n *Node) scriptRefusal(c *Client, flags scriptFlags, ro bool) string {
	if flags&sfCompat != 0 || flags&sfNoWrites != 0 {
		return ""
	}
	switch {
	case n.isReplica() && n.cfg.ReplicaReadOnly && !c.is(flagMaster):
		return "READONLY Can not run script with write flag on readonly replica"
	case !n.isReplica() && n.cfg.StopWritesOnBgsaveError && len(n.cfg.Save) > 0 && !n.persist.lastBgsaveOK:
		return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts."
	case ro:
		return "ERR Can not execute a script with write flag using *_ro command."
	case !n.isReplica() && n.cfg.MinReplicasToWrite > 0 && n.repl.core.GoodReplicas(n.nowMs()) < n.cfg.MinReplicasToWrite:
		return errNoReplicas
	}
	return ""
}

// runScript calls a compiled script with its KEYS and ARGV and replies
// with its result.
func (n *Node) runScript(x *cmdCtx, e *scriptEngine, s *cachedScript, sha string, ro bool, numkeys int) {
	L := e.L
	keys := L.CreateTable(numkeys, 0)
	for i, k := range x.args[3 : 3+numkeys] {
		keys.RawSetInt(i+1, lua.LString(k))
	}
	argv := L.CreateTable(len(x.args)-3-numkeys, 0)
	for i, a := range x.args[3+numkeys:] {
		argv.RawSetInt(i+1, lua.LString(a))
	}
	e.globals.RawSetString("KEYS", keys)
	e.globals.RawSetString("ARGV", argv)
	e.fake.db = x.c.db
	e.fake.proto = 2
	ctx, cancel := context.WithCancel(context.Background())
	r := &scriptRun{n: n, e: e, sha: sha, caller: x.c, w: newScriptWriter(), readOnly: ro,
		repl: replAll, start: time.Now(), startMs: x.now, ctx: ctx, cancel: cancel}
	e.run = r
	n.runningScript.Store(r)
	L.SetContext(ctx)
	defer func() {
		if v := recover(); v != nil {
			// A Go panic out of the interpreter: the lock is taken back,
			// the Lua state (maybe broken) dropped, and the panic goes on
			// to the command guard (crash.go).
			r.finish()
			n.runningScript.Store(nil)
			e.run = nil
			e.close()
			if n.scripts == e {
				n.scripts = nil
			}
			panic(v)
		}
	}()
	limit := time.Duration(n.cfg.BusyReplyThreshold) * time.Millisecond
	r.begin(limit)
	L.Push(s.fn)
	err := L.PCall(0, 1, L.NewFunction(e.errHandler))
	r.finish()
	L.RemoveContext()
	n.runningScript.Store(nil)
	e.run = nil
	e.globals.RawSetString("KEYS", lua.LNil)
	e.globals.RawSetString("ARGV", lua.LNil)
	if err != nil {
		n.replyScriptError(x, sha, err)
		L.SetTop(0)
		return
	}
	res := L.Get(-1)
	L.SetTop(0)
	writeLuaReply(x, res, e.fake.proto == 3, 0)
}

// errHandler is the error handler scripts run under: a killed script
// reports why it was killed.
func (e *scriptEngine) errHandler(L *lua.LState) int {
	if r := e.run; r != nil {
		if why := r.killReason(); why != "" {
			L.SetTop(0)
			t := L.CreateTable(0, 3)
			t.RawSetString("err", lua.LString(why))
			L.Push(t)
		}
	}
	return scriptErrHandler(L)
}

// replyScriptError writes a failed script's error as luaCallFunction
// does: "-<err> script: <sha>, on <source>:<line>.".
func (n *Node) replyScriptError(x *cmdCtx, sha string, err error) {
	apiErr, ok := err.(*lua.ApiError)
	if !ok {
		x.err("ERR Error running script " + sha + ", " + err.Error())
		return
	}
	t, ok := apiErr.Object.(*lua.LTable)
	if !ok {
		msg := apiErr.Object.String()
		if len(msg) > 100 {
			msg = msg[:100]
		}
		x.err(sanitizeError("ERR Error running script " + sha + ", " + msg))
		return
	}
	msg := lua.LVAsString(t.RawGetString("err"))
	src, line := t.RawGetString("source"), t.RawGetString("line")
	if src != lua.LNil && line != lua.LNil {
		msg += " script: " + sha + ", on " + lua.LVAsString(src) + ":" + lua.LVAsString(line) + "."
	}
	x.scriptErr(t, sanitizeError(msg))
}

// scriptKillLocked is SCRIPT KILL.
func (x *cmdCtx) scriptKillLocked() {
	e := x.n.scripts
	if e == nil || e.run == nil || !x.n.scriptBusy {
		x.err(errNotBusy)
		return
	}
	if e.run.wrote {
		x.err(errUnkillable)
		return
	}
	e.run.kill(errScriptKilled)
	x.ok()
}

// abortScript stops a running script whatever it did (node close,
// SHUTDOWN NOSAVE). It does not need the node lock.
func (n *Node) abortScript() {
	if r := n.runningScript.Load(); r != nil {
		r.kill("ERR Script killed by a server shutdown")
	}
}

// shutdownRefusedByScript is SHUTDOWN's check while a script is busy:
// only SHUTDOWN NOSAVE is obeyed, and it stops the script.
func (n *Node) shutdownRefusedByScript(nosave bool) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.scriptBusy {
		return ""
	}
	if !nosave {
		return errBusyScript
	}
	n.abortScript()
	return ""
}

// ScriptRunning reports whether a script is running on the node.
func (n *Node) ScriptRunning() bool { return n.runningScript.Load() != nil }

// scriptMemoryLocked returns INFO memory's number_of_cached_scripts,
// used_memory_scripts_eval (the bodies' size) and used_memory_lua (an
// estimate: gopher-lua's heap is Go's).
func (n *Node) scriptMemoryLocked() (count, bodies, vm int64) {
	vm = 32 << 10 // an empty Lua state, as Redis reports it
	if n.scripts == nil {
		return 0, 0, vm
	}
	for _, s := range n.scripts.cache {
		bodies += int64(len(s.body))
	}
	return int64(len(n.scripts.cache)), bodies, vm + bodies
}

// waitScriptIdleLocked returns once no script is busy, letting go of the
// node lock while one is: a replica applies nothing from its master under
// a running script, as Redis reads nothing from its master then.
func (n *Node) waitScriptIdleLocked() {
	for n.scriptBusy {
		idle := n.scriptIdle
		n.mu.Unlock()
		<-idle
		n.mu.Lock()
	}
}
