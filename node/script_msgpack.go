package node

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The cmsgpack library Redis loads for scripts (lua-cmsgpack 0.4.0):
// pack(...) and unpack(s), unpack_one(s, offset), unpack_limit(s, limit,
// offset), with lua-cmsgpack's choice of encodings.

// msgpackMaxNesting is LUACMSGPACK_MAX_NESTING: deeper tables pack as nil.
const msgpackMaxNesting = 16

func newMsgpackLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(msgpackPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return msgpackUnpack(L, 0, 0, true) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, 1, L.OptInt(2, 0), false)
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		return msgpackUnpack(L, L.CheckInt(2), L.OptInt(3, 0), false)
	}))
	return t
}

func msgpackPack(L *lua.LState) int {
	if L.GetTop() == 0 {
		L.RaiseError("bad argument #0 to 'pack' (MessagePack pack needs input.)")
	}
	var buf []byte
	for i := 1; i <= L.GetTop(); i++ {
		buf = msgpackEncode(buf, L.Get(i), 0)
	}
	L.Push(lua.LString(buf))
	return 1
}

func msgpackEncode(b []byte, v lua.LValue, level int) []byte {
	switch v := v.(type) {
	case lua.LBool:
		if v {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(v)
		if !math.IsInf(f, 0) && f == f && f >= -9.223372036854775808e18 && f < 9.223372036854775807e18 && float64(int64(f)) == f {
			return msgpackInt(b, int64(f))
		}
		if float64(float32(f)) == f {
			b = append(b, 0xca)
			return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(f)))
		}
		b = append(b, 0xcb)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	case lua.LString:
		n := len(v)
		switch {
		case n < 32:
			b = append(b, 0xa0|byte(n))
		case n <= 0xff:
			b = append(b, 0xd9, byte(n))
		case n <= 0xffff:
			b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
		default:
			b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
		}
		return append(b, v...)
	case *lua.LTable:
		if level == msgpackMaxNesting {
			return append(b, 0xc0)
		}
		if msgpackIsArray(v) {
			n := v.Len()
			b = msgpackHeader(b, n, 0x90, 0xdc, 0xdd)
			for i := 1; i <= n; i++ {
				b = msgpackEncode(b, v.RawGetInt(i), level+1)
			}
			return b
		}
		n := 0
		luaPairs(v, func(_, _ lua.LValue) { n++ })
		b = msgpackHeader(b, n, 0x80, 0xde, 0xdf)
		luaPairs(v, func(k, val lua.LValue) {
			b = msgpackEncode(b, k, level+1)
			b = msgpackEncode(b, val, level+1)
		})
		return b
	}
	return append(b, 0xc0)
}

func msgpackHeader(b []byte, n int, fix, m16, m32 byte) []byte {
	switch {
	case n <= 15:
		return append(b, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, m16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, m32), uint32(n))
}

func msgpackInt(b []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(b, byte(n))
		case n <= 0xff:
			return append(b, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(b, byte(int8(n)))
	case n >= -128:
		return append(b, 0xd0, byte(int8(n)))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(int16(n)))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(int32(n)))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

// msgpackIsArray is lua-cmsgpack's table_is_an_array: every key a
// positive integer and as many keys as the largest one.
func msgpackIsArray(t *lua.LTable) bool {
	count, maxKey, ok := 0, 0.0, true
	luaPairs(t, func(k, _ lua.LValue) {
		n, isNum := k.(lua.LNumber)
		if !isNum || n <= 0 || float64(n) != math.Trunc(float64(n)) {
			ok = false
			return
		}
		count++
		maxKey = max(maxKey, float64(n))
	})
	return ok && float64(count) == maxKey
}

// msgpackUnpack decodes up to limit objects (0: all) from offset. The
// limited forms return the offset after them first (-1 at the end).
func msgpackUnpack(L *lua.LState, limit, offset int, all bool) int {
	s := L.CheckString(1)
	if offset < 0 || limit < 0 {
		L.ArgError(2, "offset and limit must be non-negative")
	}
	if offset > len(s) {
		L.ArgError(2, "Start offset greater than input length")
	}
	d := msgpackDecoder{L: L, b: []byte(s), i: offset}
	var out []lua.LValue
	for d.i < len(d.b) && (limit == 0 || len(out) < limit) {
		out = append(out, d.value())
	}
	if !all {
		next := d.i
		if next >= len(d.b) {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range out {
		L.Push(v)
	}
	if all {
		return len(out)
	}
	return len(out) + 1
}

type msgpackDecoder struct {
	L *lua.LState
	b []byte
	i int
}

func (d *msgpackDecoder) take(n int) []byte {
	if n < 0 || d.i+n > len(d.b) {
		d.L.RaiseError("Missing bytes in input.")
	}
	p := d.b[d.i : d.i+n]
	d.i += n
	return p
}

func (d *msgpackDecoder) u8() int     { return int(d.take(1)[0]) }
func (d *msgpackDecoder) u16() int    { return int(binary.BigEndian.Uint16(d.take(2))) }
func (d *msgpackDecoder) u32() int    { return int(binary.BigEndian.Uint32(d.take(4))) }
func (d *msgpackDecoder) u64() uint64 { return binary.BigEndian.Uint64(d.take(8)) }

func (d *msgpackDecoder) value() lua.LValue {
	c := d.take(1)[0]
	switch {
	case c <= 0x7f:
		return lua.LNumber(c)
	case c >= 0xe0:
		return lua.LNumber(int8(c))
	case c&0xe0 == 0xa0:
		return lua.LString(d.take(int(c & 0x1f)))
	case c&0xf0 == 0x90:
		return d.array(int(c & 0x0f))
	case c&0xf0 == 0x80:
		return d.dict(int(c & 0x0f))
	}
	switch c {
	case 0xc0:
		return lua.LNil
	case 0xc2:
		return lua.LFalse
	case 0xc3:
		return lua.LTrue
	case 0xcc:
		return lua.LNumber(d.u8())
	case 0xcd:
		return lua.LNumber(d.u16())
	case 0xce:
		return lua.LNumber(d.u32())
	case 0xcf:
		return lua.LNumber(float64(d.u64()))
	case 0xd0:
		return lua.LNumber(int8(d.u8()))
	case 0xd1:
		return lua.LNumber(int16(d.u16()))
	case 0xd2:
		return lua.LNumber(int32(d.u32()))
	case 0xd3:
		return lua.LNumber(float64(int64(d.u64())))
	case 0xca:
		return lua.LNumber(math.Float32frombits(uint32(d.u32())))
	case 0xcb:
		return lua.LNumber(math.Float64frombits(d.u64()))
	case 0xd9, 0xc4:
		return lua.LString(d.take(d.u8()))
	case 0xda, 0xc5:
		return lua.LString(d.take(d.u16()))
	case 0xdb, 0xc6:
		return lua.LString(d.take(d.u32()))
	case 0xdc:
		return d.array(d.u16())
	case 0xdd:
		return d.array(d.u32())
	case 0xde:
		return d.dict(d.u16())
	case 0xdf:
		return d.dict(d.u32())
	}
	d.L.RaiseError("Bad data format in input.")
	return lua.LNil
}

func (d *msgpackDecoder) array(n int) lua.LValue {
	t := d.L.CreateTable(min(n, 1<<16), 0)
	for j := 1; j <= n; j++ {
		t.RawSetInt(j, d.value())
	}
	return t
}

func (d *msgpackDecoder) dict(n int) lua.LValue {
	t := d.L.CreateTable(0, min(n, 1<<16))
	for j := 0; j < n; j++ {
		k := d.value()
		v := d.value()
		if k != lua.LNil {
			t.RawSet(k, v)
		}
	}
	return t
}
