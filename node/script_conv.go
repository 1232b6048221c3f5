package node

import (
	"bytes"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// Conversions between RESP and Lua, by Redis 7.0's rules (RESP2).
//
// Redis to Lua (what redis.call returns): integer -> number, bulk string
// -> string, null bulk or null array -> false, array -> table, status ->
// {ok=status}, error -> {err=message}.
//
// Lua to Redis (what a script returns): number -> integer (truncated),
// string -> bulk string, true -> 1, false and nil -> null, a table with
// an err field -> error, with an ok field -> status, any other table ->
// array of its elements 1..n up to the first nil.

// replyToLua converts one command reply, as the script's client received
// it (RESP2, or RESP3 after redis.setresp(3)), to a Lua value.
func replyToLua(L *lua.LState, reply []byte) lua.LValue {
	v, _ := respToLua(L, reply, 0)
	return v
}

// respToLua converts the reply at b[i:] and returns the index after it.
// RESP3 types follow Redis 7.0: null -> nil, booleans as they are, maps
// -> {map={...}}, sets -> {set={member=true}}, doubles -> {double=n},
// big numbers -> {big_number=s}, verbatim strings ->
// {verbatim_string={format=, string=}}; attributes are skipped.
func respToLua(L *lua.LState, b []byte, i int) (lua.LValue, int) {
	if i >= len(b) {
		return lua.LFalse, i
	}
	kind := b[i]
	eol := bytes.Index(b[i:], []byte("\r\n"))
	if eol < 0 {
		return lua.LFalse, len(b)
	}
	line, next := b[i+1:i+eol], i+eol+2
	wrap := func(field string, v lua.LValue) lua.LValue {
		t := L.CreateTable(0, 1)
		t.RawSetString(field, v)
		return t
	}
	count := func() int {
		n, _ := strconv.Atoi(string(line))
		return n
	}
	switch kind {
	case '+':
		return wrap("ok", lua.LString(line)), next
	case '-':
		// The command counted its error: the script's reply will not.
		t := wrap("err", lua.LString(line)).(*lua.LTable)
		t.RawSetString(ignoreErrStats, lua.LTrue)
		return t, next
	case ':':
		n, _ := strconv.ParseInt(string(line), 10, 64)
		return lua.LNumber(n), next
	case '$', '=':
		n := count()
		if n < 0 {
			return lua.LFalse, next
		}
		str := string(b[next : next+n])
		next += n + 2
		if kind == '=' {
			t := L.CreateTable(0, 2)
			t.RawSetString("format", lua.LString(str[:min(3, len(str))]))
			t.RawSetString("string", lua.LString(str[min(4, len(str)):]))
			return wrap("verbatim_string", t), next
		}
		return lua.LString(str), next
	case '*', '>':
		n := count()
		if n < 0 {
			return lua.LFalse, next
		}
		t := L.CreateTable(n, 0)
		for j := 1; j <= n; j++ {
			var v lua.LValue
			v, next = respToLua(L, b, next)
			t.RawSetInt(j, v)
		}
		return t, next
	case '%', '~', '|':
		n := count()
		t := L.CreateTable(0, n)
		for j := 0; j < n; j++ {
			var k, v lua.LValue
			k, next = respToLua(L, b, next)
			if kind == '~' {
				v = lua.LTrue
			} else {
				v, next = respToLua(L, b, next)
			}
			if k != lua.LNil {
				t.RawSet(k, v)
			}
		}
		switch kind {
		case '%':
			return wrap("map", t), next
		case '~':
			return wrap("set", t), next
		}
		return respToLua(L, b, next) // an attribute precedes the reply
	case '_':
		return lua.LNil, next
	case '#':
		return lua.LBool(len(line) > 0 && line[0] == 't'), next
	case ',':
		f, err := strconv.ParseFloat(string(line), 64)
		if err != nil {
			switch string(line) {
			case "inf":
				f = math.Inf(1)
			case "-inf":
				f = math.Inf(-1)
			default:
				f = math.NaN()
			}
		}
		return wrap("double", lua.LNumber(f)), next
	case '(':
		return wrap("big_number", lua.LString(line)), next
	}
	return lua.LFalse, next
}

// luaToInteger is C's (long long) cast of a Lua number, with NaN and the
// out-of-range values giving LLONG_MIN as on x86-64.
func luaToInteger(f float64) int64 {
	if f != f || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return math.MinInt64
	}
	return int64(f)
}

// writeLuaReply writes a script's result to the caller
// (luaReplyToRedisReply). script3 is whether the script switched to RESP3
// (redis.setresp(3)): its booleans are then booleans.
func writeLuaReply(x *cmdCtx, v lua.LValue, script3 bool, depth int) {
	c, w := x.c, x.w
	switch v := v.(type) {
	case lua.LString:
		w.WriteBulk([]byte(v))
	case lua.LNumber:
		w.WriteInt64(luaToInteger(float64(v)))
	case lua.LBool:
		switch {
		case !script3 && bool(v):
			w.WriteInt64(1)
		case !script3:
			w.WriteRaw(c.nullReply(nullBulk))
		case c.resp3() && bool(v):
			w.WriteRaw([]byte("#t\r\n"))
		case c.resp3():
			w.WriteRaw([]byte("#f\r\n"))
		case bool(v):
			w.WriteInt64(1)
		default:
			w.WriteInt64(0)
		}
	case *lua.LTable:
		writeLuaTable(x, v, script3, depth)
	default:
		w.WriteRaw(c.nullReply(nullBulk))
	}
}

func writeLuaTable(x *cmdCtx, t *lua.LTable, script3 bool, depth int) {
	c, w, n := x.c, x.w, x.n
	if e := t.RawGetString("err"); e.Type() == lua.LTString {
		x.scriptErr(t, sanitizeError(string(e.(lua.LString))))
		return
	}
	if ok := t.RawGetString("ok"); ok.Type() == lua.LTString {
		w.WriteString(sanitizeStatus(string(ok.(lua.LString))))
		return
	}
	if depth > 1000 {
		n.replyErr(w, "ERR reached lua stack limit")
		return
	}
	if d, ok := t.RawGetString("double").(lua.LNumber); ok {
		b := appendDouble(nil, float64(d))
		if c.resp3() {
			w.WriteRaw(append(append([]byte{','}, b...), '\r', '\n'))
		} else {
			w.WriteBulk(b)
		}
		return
	}
	if big, ok := t.RawGetString("big_number").(lua.LString); ok {
		if c.resp3() {
			w.WriteRaw([]byte("(" + sanitizeStatus(string(big)) + "\r\n"))
		} else {
			w.WriteBulkString(string(big))
		}
		return
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		var keys, vals []lua.LValue
		luaPairs(m, func(k, v lua.LValue) { keys, vals = append(keys, k), append(vals, v) })
		writeMapLen(w, c.resp3(), len(keys))
		for i := range keys {
			writeLuaReply(x, keys[i], script3, depth+1)
			writeLuaReply(x, vals[i], script3, depth+1)
		}
		return
	}
	if set, ok := t.RawGetString("set").(*lua.LTable); ok {
		var keys []lua.LValue
		luaPairs(set, func(k, _ lua.LValue) { keys = append(keys, k) })
		if c.resp3() {
			w.WriteRaw(appendLen(nil, '~', len(keys)))
		} else {
			w.WriteArray(len(keys))
		}
		for _, k := range keys {
			writeLuaReply(x, k, script3, depth+1)
		}
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		format, _ := vt.RawGetString("format").(lua.LString)
		str, _ := vt.RawGetString("string").(lua.LString)
		if c.resp3() && len(format) == 3 {
			b := appendLen(nil, '=', len(str)+4)
			b = append(append(append(b, format...), ':'), str...)
			w.WriteRaw(append(b, '\r', '\n'))
		} else {
			w.WriteBulkString(string(str))
		}
		return
	}
	count := 0
	for t.RawGetInt(count+1) != lua.LNil {
		count++
	}
	w.WriteArray(count)
	for i := 1; i <= count; i++ {
		writeLuaReply(x, t.RawGetInt(i), script3, depth+1)
	}
}

// sanitizeStatus keeps a status one line, as addReplyStatusLength's
// callers do: CR and LF become spaces.
func sanitizeStatus(s string) string {
	if bytes.ContainsAny([]byte(s), "\r\n") {
		b := []byte(s)
		for i, ch := range b {
			if ch == '\r' || ch == '\n' {
				b[i] = ' '
			}
		}
		return string(b)
	}
	return s
}

// luaArgString converts a redis.call argument: strings as they are,
// numbers as "%.17g" (Redis 7.0's luaArgsToRedisArgv).
func luaArgString(v lua.LValue) ([]byte, bool) {
	switch v := v.(type) {
	case lua.LString:
		return []byte(v), true
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && math.Abs(f) < 1e17 {
			return strconv.AppendInt(nil, int64(f), 10), true
		}
		return strconv.AppendFloat(nil, f, 'g', 17, 64), true
	}
	return nil, false
}

// luaPairs calls fn for each key and value of t in next()'s order, the
// insertion order gopher-lua keeps (its ForEach walks Go maps, whose
// order changes from run to run).
func luaPairs(t *lua.LTable, fn func(k, v lua.LValue)) {
	k, v := t.Next(lua.LNil)
	for k != lua.LNil {
		fn(k, v)
		k, v = t.Next(k)
	}
}

// ignoreErrStats marks an error table whose error was already counted in
// INFO errorstats (a command's error, a refused redis.call): returned or
// raised by the script, it is not counted again (Redis 7.0's
// ignore_error_stats_update).
const ignoreErrStats = "ignore_error_stats_update"

// scriptErr replies a script's error t: counted, or, when its error was
// counted already, only the script's command marked failed, as Redis's
// afterErrorReply does with ERR_REPLY_FLAG_NO_STATS_UPDATE.
func (x *cmdCtx) scriptErr(t *lua.LTable, msg string) {
	if t == nil || t.RawGetString(ignoreErrStats) != lua.LTrue {
		x.err(msg)
		return
	}
	x.w.WriteError(msg)
	if st := x.n.cmdStatFor(x.cmd, x.args); st != nil {
		st.failed++
	}
}
