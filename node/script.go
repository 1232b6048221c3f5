package node

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Scripting as Redis 7.0 runs it: one Lua 5.1 interpreter per node
// (gopher-lua), a cache of compiled scripts keyed by the SHA1 of their
// body, a sandbox whose globals cannot be created or replaced, and the
// redis.* library (script_redis.go). A script runs under the node lock
// like any command; past busy-reply-threshold it lets go of the lock
// between its redis.call()s so that other clients are answered -BUSY
// (script_busy.go).

// scriptEngine is the node's Lua state and script cache. It is guarded by
// the node lock; the Lua state itself is only touched by the goroutine
// running a script (one at a time: EVAL is refused while a script is busy).
type scriptEngine struct {
	L       *lua.LState
	globals *lua.LTable // the real globals, behind the read-only proxy
	env     *lua.LTable // the proxy every script runs in
	cache   map[string]*cachedScript
	// fake is the client redis.call runs commands as (Redis's lua_client).
	fake *Client
	// run is the script running now, nil between scripts.
	run *scriptRun
	// readonly are the tables scripts may not change (globals, libraries).
	readonly map[*lua.LTable]bool
	libs     map[*lua.LTable]*lua.LTable // library proxies and their tables
}

// cachedScript is one compiled script body.
type cachedScript struct {
	body  string
	fn    *lua.LFunction
	flags scriptFlags
}

// scriptFlags are a shebang's flags (#!lua flags=...).
type scriptFlags uint8

const (
	sfCompat         scriptFlags = 1 << iota // no shebang: Redis's eval compatibility mode
	sfNoWrites                               // no-writes
	sfAllowOOM                               // allow-oom
	sfAllowStale                             // allow-stale
	sfNoCluster                              // no-cluster
	sfAllowCrossSlot                         // allow-cross-slot-keys
)

var shebangFlags = map[string]scriptFlags{
	"no-writes": sfNoWrites, "allow-oom": sfAllowOOM, "allow-stale": sfAllowStale,
	"no-cluster": sfNoCluster, "allow-cross-slot-keys": sfAllowCrossSlot,
}

// parseShebang reads a script's "#!lua flags=a,b" first line as Redis
// 7.0's evalExtractShebangFlags does. It returns the flags and the length
// of the shebang (without its newline, which stays so that line numbers
// are kept), or Redis's error text.
func parseShebang(body string) (scriptFlags, int, string) {
	if !strings.HasPrefix(body, "#!") {
		return sfCompat, 0, ""
	}
	end := strings.IndexByte(body, '\n')
	if end < 0 {
		end = len(body)
	}
	parts := strings.Fields(body[:end])
	if len(parts) == 0 || parts[0] != "#!lua" {
		engine := body[:end]
		if len(parts) > 0 {
			engine = parts[0]
		}
		return 0, 0, "ERR Unexpected engine in script shebang: " + engine
	}
	var flags scriptFlags
	for _, p := range parts[1:] {
		list, ok := strings.CutPrefix(p, "flags=")
		if !ok {
			return 0, 0, "ERR Unknown lua shebang option: " + p
		}
		for _, f := range strings.Split(list, ",") {
			if f == "" {
				continue
			}
			bit, known := shebangFlags[f]
			if !known {
				return 0, 0, "ERR Unexpected flag in script shebang: " + f
			}
			flags |= bit
		}
	}
	return flags, end, ""
}

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// scriptsLocked returns the node's engine, creating the Lua state on
// first use.
func (n *Node) scriptsLocked() *scriptEngine {
	if n.scripts == nil {
		n.scripts = n.newScriptEngine()
	}
	return n.scripts
}

// globalNames are the globals Redis 7.0.15 leaves a script (base library
// minus print, dofile, loadfile, getfenv, setfenv, module, require...).
var globalNames = []string{
	"_G", "_VERSION", "assert", "collectgarbage", "coroutine", "error", "gcinfo",
	"getmetatable", "ipairs", "load", "loadstring", "next", "pairs", "pcall",
	"rawequal", "rawget", "rawset", "select", "setmetatable", "tonumber",
	"tostring", "type", "unpack", "xpcall",
}

func (n *Node) newScriptEngine() *scriptEngine {
	// The registry (the value stack) grows to 256k slots: Redis's tests
	// unpack() tables of 8000 elements into redis.call's arguments.
	L := lua.NewState(lua.Options{SkipOpenLibs: true, RegistrySize: 1024 * 20,
		RegistryMaxSize: 256 * 1024, RegistryGrowStep: 32 * 1024, CallStackSize: 1024})
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	all := L.G.Global
	g := L.NewTable()
	for _, name := range globalNames {
		g.RawSetString(name, all.RawGetString(name))
	}
	g.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	g.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int { L.Push(lua.LNumber(0)); return 1 }))
	g.RawSetString("error", L.NewFunction(luaErrorFn))
	unpack := all.RawGetString("unpack").(*lua.LFunction)
	g.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int {
		// Past maxUnpack the interpreter's stack would overflow (a Go
		// panic in gopher-lua): refuse as Lua does past its C stack.
		t := L.CheckTable(1)
		i, j := L.OptInt(2, 1), L.OptInt(3, t.Len())
		if j-i >= maxUnpack {
			L.RaiseError("too many results to unpack")
		}
		return unpack.GFunction(L)
	}))
	g.RawSetString("tostring", L.NewFunction(luaTostring))
	e := &scriptEngine{L: L, globals: g, cache: map[string]*cachedScript{}, readonly: map[*lua.LTable]bool{}, libs: map[*lua.LTable]*lua.LTable{}}
	// setmetatable and rawset refuse the read-only tables too (Redis's
	// Lua enforces read-only tables in the VM itself).
	for _, name := range []string{"setmetatable", "rawset"} {
		orig := all.RawGetString(name).(*lua.LFunction)
		g.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if t, ok := L.Get(1).(*lua.LTable); ok && e.readonly[t] {
				L.Error(lua.LString("Attempt to modify a readonly table"), 0)
			}
			return orig.GFunction(L)
		}))
	}
	setRandom(L, all.RawGetString("math").(*lua.LTable))
	// Strings' metatable is a table of its own, not the string library
	// with an __index field that scripts would see.
	strlib := all.RawGetString("string").(*lua.LTable)
	strlib.RawSetString("__index", lua.LNil)
	strMeta := L.NewTable()
	strMeta.RawSetString("__index", strlib)
	L.SetMetatable(lua.LString(""), strMeta)
	libs := map[string]lua.LValue{
		"table": all.RawGetString("table"), "string": all.RawGetString("string"),
		"math": all.RawGetString("math"), "coroutine": all.RawGetString("coroutine"),
		"bit": newBitLib(L), "cjson": newCjsonLib(L), "cmsgpack": newMsgpackLib(L), "redis": n.newRedisLib(L, e),
	}
	for name, lib := range libs {
		g.RawSetString(name, e.readOnlyTable(L, lib.(*lua.LTable)))
	}
	g.RawSetString("__redis__err__handler", L.NewFunction(scriptErrHandler))
	// The proxy: reading a missing global and creating any global are
	// errors, as in Redis 7.0 (its globals table is read-only).
	env := L.NewTable()
	meta := L.NewTable()
	meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckAny(2)
		if v := g.RawGet(name); v != lua.LNil {
			L.Push(v)
			return 1
		}
		L.RaiseError("Script attempted to access nonexistent global variable '%s'", lua.LVAsString(name))
		return 0
	}))
	meta.RawSetString("__newindex", L.NewFunction(refuseWrite))
	e.protect(L, env, meta)
	g.RawSetString("_G", env)
	e.env = env
	e.seeThroughGlobals(L, all, g, env)
	L.G.Global = env
	L.Env = env
	e.fake = &Client{id: -1, authed: true, flags: flagScript}
	return e
}

// close releases the Lua state (SCRIPT FLUSH, node close).
func (e *scriptEngine) close() { e.L.Close() }

// maxUnpack bounds unpack()'s results, well inside the registry.
const maxUnpack = 100000

var parseErrLine = regexp.MustCompile(`(?s)line:(\d+)\(column:\d+\) near '(.*)':\s*(.*)$`)

// compile turns a script body into a cached function, as
// luaCreateFunction does; the error is Redis's reply text.
func (e *scriptEngine) compile(sha, body string) (*cachedScript, string) {
	if s := e.cache[sha]; s != nil {
		return s, ""
	}
	flags, shebang, msg := parseShebang(body)
	if msg != "" {
		return nil, msg
	}
	src := body[shebang:]
	chunk, err := parse.Parse(strings.NewReader(src), "user_script")
	if err != nil {
		return nil, "ERR Error compiling script (new function): " + compileMessage(err)
	}
	proto, err := lua.Compile(chunk, "user_script")
	if err != nil {
		return nil, "ERR Error compiling script (new function): " + compileMessage(err)
	}
	fn := e.L.NewFunctionFromProto(proto)
	fn.Env = e.env
	s := &cachedScript{body: body, fn: fn, flags: flags}
	e.cache[sha] = s
	return s, ""
}

// compileMessage renders a gopher-lua parse error in Lua 5.1's shape,
// "user_script:LINE: message near 'token'", as near as it can.
func compileMessage(err error) string {
	s := err.Error()
	if m := parseErrLine.FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("user_script:%s: %s near '%s'", m[1], strings.TrimSpace(m[3]), m[2])
	}
	s = strings.ReplaceAll(s, "\n", " ")
	if rest, ok := strings.CutPrefix(s, "user_script at EOF:"); ok {
		return "user_script: " + strings.TrimSpace(rest) + " near '<eof>'"
	}
	return strings.TrimSpace(s)
}

// scriptErrHandler is Redis's __redis__err__handler: it turns whatever a
// script raised into an error table {err=, source=, line=}, a string
// becoming "ERR <string>", with the position of the innermost Lua frame.
func scriptErrHandler(L *lua.LState) int {
	v := L.Get(1)
	t, ok := v.(*lua.LTable)
	if !ok {
		msg := "nil"
		if v != lua.LNil {
			msg = lua.LVAsString(v)
			if _, isStr := v.(lua.LString); !isStr {
				if _, isNum := v.(lua.LNumber); !isNum {
					msg = v.String()
				}
			}
		}
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+msg))
	}
	for lvl := 1; ; lvl++ {
		dbg, ok := L.GetStack(lvl)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" {
			continue
		}
		t.RawSetString("source", lua.LString("@"+dbg.Source))
		t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		break
	}
	L.Push(t)
	return 1
}

// readOnlyTable is a proxy for t that refuses new fields, as Redis 7.0's
// read-only library tables do.
func (e *scriptEngine) readOnlyTable(L *lua.LState, t *lua.LTable) *lua.LTable {
	proxy := L.NewTable()
	meta := L.NewTable()
	meta.RawSetString("__index", t)
	meta.RawSetString("__newindex", L.NewFunction(refuseWrite))
	e.protect(L, proxy, meta)
	e.libs[proxy] = t
	return proxy
}

// protect gives t the metatable meta, which getmetatable shows as a
// read-only copy; t and its metatable refuse setmetatable and rawset.
func (e *scriptEngine) protect(L *lua.LState, t, meta *lua.LTable) {
	shown := L.NewTable()
	shownMeta := L.NewTable()
	shownMeta.RawSetString("__index", meta)
	shownMeta.RawSetString("__newindex", L.NewFunction(refuseWrite))
	shownMeta.RawSetString("__metatable", lua.LFalse)
	L.SetMetatable(shown, shownMeta)
	meta.RawSetString("__metatable", shown)
	L.SetMetatable(t, meta)
	e.readonly[t], e.readonly[shown] = true, true
}

func refuseWrite(L *lua.LState) int {
	L.RaiseError("Attempt to modify a readonly table")
	return 0
}

// luaErrorFn is Lua 5.1's error(message [, level]): any value, nil
// included, with the position prepended to a string at level > 0.
func luaErrorFn(L *lua.LState) int {
	L.Error(L.Get(1), L.OptInt(2, 1))
	return 0
}

// luaTostring is tostring with Lua 5.1's number format ("%.14g").
func luaTostring(L *lua.LState) int {
	v := L.CheckAny(1)
	if num, ok := v.(lua.LNumber); ok {
		L.Push(lua.LString(formatLuaNumber(float64(num))))
		return 1
	}
	if mt := L.GetMetaField(v, "__tostring"); mt != lua.LNil {
		L.Push(mt)
		L.Push(v)
		L.Call(1, 1)
		return 1
	}
	L.Push(lua.LString(lua.LVAsString(v)))
	if _, isStr := v.(lua.LString); !isStr {
		L.Pop(1)
		L.Push(lua.LString(v.String()))
	}
	return 1
}

// formatLuaNumber is Lua 5.1's LUAI_NUMFFORMAT, "%.14g".
func formatLuaNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f != f:
		return "nan"
	case f == 0 && math.Signbit(f):
		return "-0"
	}
	return formatG14(f)
}

// setRandom gives math.random and math.randomseed Lua 5.1's argument
// rules (a numeric string is a number) over a PRNG of the engine's own.
func setRandom(L *lua.LState, m *lua.LTable) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	m.RawSetString("randomseed", L.NewFunction(func(L *lua.LState) int {
		seed := L.CheckNumber(1)
		rng = rand.New(rand.NewPCG(uint64(int64(seed)), 0))
		return 0
	}))
	m.RawSetString("random", L.NewFunction(func(L *lua.LState) int {
		r := rng.Float64()
		switch L.GetTop() {
		case 0:
			L.Push(lua.LNumber(r))
		case 1:
			u := float64(L.CheckNumber(1))
			if u < 1 {
				L.RaiseError("bad argument #1 to 'random' (interval is empty)")
			}
			L.Push(lua.LNumber(math.Floor(r*u) + 1))
		case 2:
			l, u := float64(L.CheckNumber(1)), float64(L.CheckNumber(2))
			if l > u {
				L.RaiseError("bad argument #2 to 'random' (interval is empty)")
			}
			L.Push(lua.LNumber(math.Floor(r*(u-l+1)) + l))
		default:
			L.RaiseError("wrong number of arguments")
		}
		return 1
	}))
}

// seeThroughGlobals makes the functions that bypass metatables (rawget,
// next, pairs, getmetatable) see _G's contents, and the library tables
// without a metatable, as in Redis, where they are plain read-only tables.
func (e *scriptEngine) seeThroughGlobals(L *lua.LState, all, g, env *lua.LTable) {
	real := func(v lua.LValue) lua.LValue {
		if v == env {
			return g
		}
		if t, ok := v.(*lua.LTable); ok {
			if lib, ok := e.libs[t]; ok {
				return lib
			}
		}
		return v
	}
	for _, name := range []string{"rawget", "next"} {
		orig := all.RawGetString(name).(*lua.LFunction)
		g.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			L.Replace(1, real(L.CheckAny(1)))
			return orig.GFunction(L)
		}))
	}
	next := g.RawGetString("next")
	g.RawSetString("pairs", L.NewFunction(func(L *lua.LState) int {
		L.Push(next)
		L.Push(real(L.CheckTable(1)))
		L.Push(lua.LNil)
		return 3
	}))
	getmeta := all.RawGetString("getmetatable").(*lua.LFunction)
	g.RawSetString("getmetatable", L.NewFunction(func(L *lua.LState) int {
		if t, ok := L.Get(1).(*lua.LTable); ok && e.libs[t] != nil {
			L.Push(lua.LNil)
			return 1
		}
		return getmeta.GFunction(L)
	}))
}
