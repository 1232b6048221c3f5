package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The bit and cjson libraries Redis loads for scripts (LuaBitOp 1.0.2 and
// lua-cjson), written here over gopher-lua. cmsgpack and struct are not
// provided.

// toBit is LuaBitOp's tobit: the number rounded and wrapped to a signed
// 32-bit integer.
func toBit(L *lua.LState, i int) int32 {
	f := float64(L.CheckNumber(i))
	return int32(uint32(int64(math.RoundToEven(math.Mod(f, 4294967296)))))
}

func newBitLib(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	push := func(L *lua.LState, v int32) int { L.Push(lua.LNumber(v)); return 1 }
	fold := func(op func(a, b int32) int32) lua.LGFunction {
		return func(L *lua.LState) int {
			v := toBit(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				v = op(v, toBit(L, i))
			}
			return push(L, v)
		}
	}
	shift := func(op func(a int32, n uint) int32) lua.LGFunction {
		return func(L *lua.LState) int { return push(L, op(toBit(L, 1), uint(toBit(L, 2))&31)) }
	}
	fns := map[string]lua.LGFunction{
		"tobit":   func(L *lua.LState) int { return push(L, toBit(L, 1)) },
		"bnot":    func(L *lua.LState) int { return push(L, ^toBit(L, 1)) },
		"band":    fold(func(a, b int32) int32 { return a & b }),
		"bor":     fold(func(a, b int32) int32 { return a | b }),
		"bxor":    fold(func(a, b int32) int32 { return a ^ b }),
		"lshift":  shift(func(a int32, n uint) int32 { return int32(uint32(a) << n) }),
		"rshift":  shift(func(a int32, n uint) int32 { return int32(uint32(a) >> n) }),
		"arshift": shift(func(a int32, n uint) int32 { return a >> n }),
		"rol":     shift(func(a int32, n uint) int32 { u := uint32(a); return int32(u<<n | u>>((32-n)&31)) }),
		"ror":     shift(func(a int32, n uint) int32 { u := uint32(a); return int32(u>>n | u<<((32-n)&31)) }),
		"bswap": func(L *lua.LState) int {
			u := uint32(toBit(L, 1))
			return push(L, int32(u>>24|(u>>8)&0xff00|(u<<8)&0xff0000|u<<24))
		},
		"tohex": func(L *lua.LState) int {
			b := uint32(toBit(L, 1))
			n := int32(8)
			if L.GetTop() >= 2 {
				n = toBit(L, 2)
			}
			digits := "0123456789abcdef"
			if n < 0 {
				n = -n
				digits = "0123456789ABCDEF"
			}
			if n > 8 {
				n = 8
			}
			buf := make([]byte, n)
			for i := int(n) - 1; i >= 0; i-- {
				buf[i] = digits[b&15]
				b >>= 4
			}
			L.Push(lua.LString(buf))
			return 1
		},
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// cjsonNull is cjson.null.
var cjsonNull = &lua.LUserData{}

// cjsonConfig is lua-cjson's settings that Redis's tests change.
type cjsonConfig struct {
	encodeMaxDepth, decodeMaxDepth int
	encodeInvalidNumbers           bool
}

func newCjsonLib(L *lua.LState) *lua.LTable {
	cfg := &cjsonConfig{encodeMaxDepth: 1000, decodeMaxDepth: 1000}
	t := L.NewTable()
	t.RawSetString("encode", L.NewFunction(cfg.encode))
	t.RawSetString("decode", L.NewFunction(cfg.decode))
	t.RawSetString("null", cjsonNull)
	depth := func(p *int) lua.LGFunction {
		return func(L *lua.LState) int {
			if L.GetTop() >= 1 {
				*p = L.CheckInt(1)
			}
			L.Push(lua.LNumber(*p))
			return 1
		}
	}
	t.RawSetString("encode_max_depth", L.NewFunction(depth(&cfg.encodeMaxDepth)))
	t.RawSetString("decode_max_depth", L.NewFunction(depth(&cfg.decodeMaxDepth)))
	t.RawSetString("encode_invalid_numbers", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() >= 1 {
			cfg.encodeInvalidNumbers = L.ToBool(1)
		}
		L.Push(lua.LBool(cfg.encodeInvalidNumbers))
		return 1
	}))
	// The other settings are accepted; their defaults stay.
	for _, name := range []string{"encode_keep_buffer", "encode_number_precision",
		"encode_sparse_array", "decode_invalid_numbers"} {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int { return L.GetTop() }))
	}
	return t
}

func (cfg *cjsonConfig) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.ArgError(1, "expected 1 argument")
	}
	var b bytes.Buffer
	if err := cfg.encodeJSON(&b, L.Get(1), 0); err != nil {
		L.RaiseError("Cannot serialise %s", err.Error())
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func (cfg *cjsonConfig) encodeJSON(b *bytes.Buffer, v lua.LValue, depth int) error {
	switch v := v.(type) {
	case lua.LBool:
		b.WriteString(strconv.FormatBool(bool(v)))
	case lua.LNumber:
		f := float64(v)
		if math.IsInf(f, 0) || f != f {
			if !cfg.encodeInvalidNumbers {
				return fmt.Errorf("number: must not be NaN or Inf")
			}
			b.WriteString(formatLuaNumber(f))
			return nil
		}
		b.WriteString(formatG14(f))
	case lua.LString:
		encodeJSONString(b, string(v))
	case *lua.LTable:
		if depth+1 > cfg.encodeMaxDepth {
			return fmt.Errorf("table: excessive nesting")
		}
		if n, ok := jsonArrayLen(v); ok {
			b.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					b.WriteByte(',')
				}
				if err := cfg.encodeJSON(b, v.RawGetInt(i), depth+1); err != nil {
					return err
				}
			}
			b.WriteByte(']')
			return nil
		}
		b.WriteByte('{')
		first := true
		var err error
		luaPairs(v, func(k, val lua.LValue) {
			if err != nil {
				return
			}
			var key string
			switch k := k.(type) {
			case lua.LString:
				key = string(k)
			case lua.LNumber:
				key = formatG14(float64(k))
			default:
				err = fmt.Errorf("table key must be a number or string")
				return
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			encodeJSONString(b, key)
			b.WriteByte(':')
			err = cfg.encodeJSON(b, val, depth+1)
		})
		b.WriteByte('}')
		return err
	default:
		if v == lua.LNil || v == cjsonNull {
			b.WriteString("null")
			return nil
		}
		return fmt.Errorf("%s", v.Type().String())
	}
	return nil
}

// jsonArrayLen is lua-cjson's array test: every key a positive integer,
// not too sparse; an empty table is an object.
func jsonArrayLen(t *lua.LTable) (int, bool) {
	maxKey, count, isArray := 0, 0, true
	luaPairs(t, func(k, _ lua.LValue) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || float64(n) != math.Floor(float64(n)) {
			isArray = false
			return
		}
		count++
		maxKey = max(maxKey, int(n))
	})
	if !isArray || count == 0 {
		return 0, false
	}
	if maxKey > 10 && maxKey > 2*count {
		return 0, false
	}
	return maxKey, true
}

func encodeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if ch < 0x20 || ch == 0x7f {
				fmt.Fprintf(b, `\u%04x`, ch)
			} else {
				b.WriteByte(ch)
			}
		}
	}
	b.WriteByte('"')
}

// formatG14 is lua-cjson's default number format, "%.14g".
func formatG14(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e14 {
		return strconv.FormatInt(int64(f), 10)
	}
	s := strconv.FormatFloat(f, 'g', 14, 64)
	if strings.ContainsAny(s, "e") {
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		sign := exp[0]
		digits := strings.TrimLeft(exp[1:], "0")
		for len(digits) < 2 {
			digits = "0" + digits
		}
		return mant + "e" + string(sign) + digits
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func (cfg *cjsonConfig) decode(L *lua.LState) int {
	s := L.CheckString(1)
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		L.RaiseError("Expected value but found invalid token at character 1")
	}
	if dec.More() {
		L.RaiseError("Expected the end but found invalid token")
	}
	if jsonDepth(v) > cfg.decodeMaxDepth {
		L.RaiseError("Found too many nested data structures")
	}
	L.Push(jsonToLua(L, v))
	return 1
}

func jsonToLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return cjsonNull
	case bool:
		return lua.LBool(v)
	case json.Number:
		f, _ := strconv.ParseFloat(string(v), 64)
		return lua.LNumber(f)
	case string:
		return lua.LString(v)
	case []any:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			t.RawSetInt(i+1, jsonToLua(L, e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSetString(k, jsonToLua(L, v[k]))
		}
		return t
	}
	return lua.LNil
}

func jsonDepth(v any) int {
	d := 0
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			d = max(d, jsonDepth(e))
		}
		return d + 1
	case map[string]any:
		for _, e := range v {
			d = max(d, jsonDepth(e))
		}
		return d + 1
	}
	return 0
}
