package node

import (
	"bytes"
	"math"
	"strconv"

	"github.com/replscope/replscope/internal/resp"
	"github.com/tidwall/redcon"
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

// replyToLua converts one command reply, as the fake client received it,
// to a Lua value.
func replyToLua(L *lua.LState, reply []byte) lua.LValue {
	v, err := resp.NewReaderLimits(bytes.NewReader(reply), resp.Limits{MaxBulk: math.MaxInt64, MaxElems: math.MaxInt64, MaxDepth: 1 << 20}).ReadValue()
	if err != nil {
		return lua.LFalse
	}
	return respValueToLua(L, v)
}

func respValueToLua(L *lua.LState, v resp.Value) lua.LValue {
	switch v.Kind {
	case resp.Integer:
		return lua.LNumber(v.Int)
	case resp.BulkString:
		if v.Null {
			return lua.LFalse
		}
		return lua.LString(v.Str)
	case resp.SimpleString:
		t := L.CreateTable(0, 1)
		t.RawSetString("ok", lua.LString(v.Str))
		return t
	case resp.Error:
		t := L.CreateTable(0, 1)
		t.RawSetString("err", lua.LString(v.Str))
		return t
	case resp.Array:
		if v.Null {
			return lua.LFalse
		}
		t := L.CreateTable(len(v.Elems), 0)
		for i, e := range v.Elems {
			t.RawSetInt(i+1, respValueToLua(L, e))
		}
		return t
	}
	return lua.LFalse
}

// luaToInteger is C's (long long) cast of a Lua number, with NaN and the
// out-of-range values giving LLONG_MIN as on x86-64.
func luaToInteger(f float64) int64 {
	if f != f || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return math.MinInt64
	}
	return int64(f)
}

// writeLuaReply writes a script's result to the caller (luaReplyToRedisReply).
func writeLuaReply(c *Client, w *redcon.Writer, n *Node, v lua.LValue, depth int) {
	switch v := v.(type) {
	case lua.LString:
		w.WriteBulk([]byte(v))
	case lua.LNumber:
		w.WriteInt64(luaToInteger(float64(v)))
	case lua.LBool:
		if v {
			w.WriteInt64(1)
		} else {
			w.WriteRaw(c.nullReply(nullBulk))
		}
	case *lua.LTable:
		if e := v.RawGetString("err"); e.Type() == lua.LTString {
			msg := string(e.(lua.LString))
			if len(msg) > 0 && msg[0] == '-' {
				msg = msg[1:]
			}
			n.replyErr(w, sanitizeError(msg))
			return
		}
		if ok := v.RawGetString("ok"); ok.Type() == lua.LTString {
			w.WriteString(sanitizeStatus(string(ok.(lua.LString))))
			return
		}
		if depth > 1000 {
			n.replyErr(w, "ERR reached lua stack limit")
			return
		}
		count := 0
		for v.RawGetInt(count+1) != lua.LNil {
			count++
		}
		w.WriteArray(count)
		for i := 1; i <= count; i++ {
			writeLuaReply(c, w, n, v.RawGetInt(i), depth+1)
		}
	default:
		w.WriteRaw(c.nullReply(nullBulk))
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
