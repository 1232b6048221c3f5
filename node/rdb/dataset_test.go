package rdb

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// farFuture is 2100-01-01T00:00:00Z in unix ms: TTLs in the datasets are
// set with PEXPIREAT relative to it, so fixtures stay valid and keys never
// expire while a test runs.
const farFuture = 4102444800000

// prng is a small deterministic generator (xorshift64*), so datasets are
// identical on every run and every Go version.
type prng uint64

func (p *prng) next() uint64 {
	x := uint64(*p)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*p = prng(x)
	return x * 2685821657736338717
}

// bytes returns n pseudo-random bytes covering all 256 values.
func (p *prng) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(p.next() >> 56)
	}
	return b
}

// pattern returns n compressible bytes: numbered, repeating words.
func pattern(word string, n int) []byte {
	var b []byte
	for i := 0; len(b) < n; i++ {
		b = fmt.Appendf(b, "%s-%04d|", word, i%50)
	}
	return b[:n]
}

func str(db int, key, val string, expireAt int64) *Entry {
	return &Entry{DB: db, Key: []byte(key), ExpireAt: expireAt, Type: TypeString, Str: []byte(val)}
}

func list(db int, key string, expireAt int64, elems ...[]byte) *Entry {
	return &Entry{DB: db, Key: []byte(key), ExpireAt: expireAt, Type: TypeList, List: elems}
}

func set(db int, key string, expireAt int64, elems ...[]byte) *Entry {
	return &Entry{DB: db, Key: []byte(key), ExpireAt: expireAt, Type: TypeSet, Set: elems}
}

func hash(db int, key string, expireAt int64, kv ...string) *Entry {
	en := &Entry{DB: db, Key: []byte(key), ExpireAt: expireAt, Type: TypeHash}
	for i := 0; i+1 < len(kv); i += 2 {
		en.Hash = append(en.Hash, HashField{[]byte(kv[i]), []byte(kv[i+1])})
	}
	return en
}

func zset(db int, key string, expireAt int64, members ...ZMember) *Entry {
	return &Entry{DB: db, Key: []byte(key), ExpireAt: expireAt, Type: TypeZSet, ZSet: members}
}

func bs(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func ints(vs ...int64) [][]byte {
	out := make([][]byte, len(vs))
	for i, v := range vs {
		out[i] = strconv.AppendInt(nil, v, 10)
	}
	return out
}

// mixedDataset is the deterministic dataset of the Redis fixtures and the
// interop tests: every value kind in its small and large encodings, integer
// and LZF strings, binary and empty strings, ±inf scores, TTLs and three
// databases. large is the size of the "large" collections: above the
// server's listpack/intset limits it forces hashtable and skiplist
// encodings.
func mixedDataset(large int) []*Entry {
	r := prng(0x9e3779b97f4a7c15)
	inf, ninf := math.Inf(1), math.Inf(-1)
	es := []*Entry{
		// Strings: int8/16/32 encodings, an int64 that must stay a string,
		// non-canonical decimals, LZF, binary, empty, and one long enough
		// for a 32-bit length when stored raw.
		str(0, "str:int8", "-7", -1),
		str(0, "str:int16", "12345", -1),
		str(0, "str:int32", "2147483647", -1),
		str(0, "str:int64", "9223372036854775807", -1),
		str(0, "str:lead0", "007", -1),
		str(0, "str:short", "hello world", -1),
		str(0, "str:long", string(bytes.Repeat([]byte("abcdefgh"), 50)), -1),
		str(0, "str:binary", "a\x00b\r\nc\xff\xfe\x00", -1),
		str(0, "str:empty", "", -1),
		str(0, "str:random", string(r.bytes(300)), -1),
		str(0, "str:big", string(pattern("big", 16500)), -1),
		str(0, "12345", "integer key", -1),
		// Lists: a small one over two nodes, listpack integers of every
		// width, listpack strings of every length class, a plain node.
		list(0, "list:small", -1, bs("a", "1", "-2", "", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")...),
		list(0, "list:ints", -1, ints(0, 127, 128, -1, 4095, -4096, 4096, 32767, -32768,
			8388607, -8388608, 2147483647, -2147483648, math.MaxInt64, math.MinInt64)...),
		list(0, "list:lpstrings", -1, [][]byte{pattern("a", 63), pattern("b", 64), pattern("c", 4095), pattern("d", 4096), []byte("12a")}...),
		list(0, "list:plain", -1, [][]byte{[]byte("head"), pattern("plain", 10000), []byte("tail")}...),
		// Sets: intsets of width 2 and 8, a hashtable of integers, strings.
		set(0, "set:intset16", -1, ints(3, 1, 2)...),
		set(0, "set:intset64", -1, ints(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -5, 70000, 5000000000)...),
		set(0, "set:strings", -1, bs("a", "b", "", "\x00bin", "\r\n")...),
		// Hashes: a listpack and two hashtables (many fields; a long value).
		hash(0, "hash:small", -1, "f1", "v1", "int", "42", "empty", "", "bin", "\x00\r\n", "neg", "-100000"),
		hash(0, "hash:longval", -1, "f", string(pattern("value", 100))),
		// Sorted sets: a listpack with special scores, a skiplist below.
		zset(0, "zset:small", -1,
			ZMember{[]byte("a"), 1}, ZMember{[]byte("b"), -2.5}, ZMember{[]byte("c"), 0},
			ZMember{[]byte("d"), 0.1}, ZMember{[]byte("e"), inf}, ZMember{[]byte("f"), ninf},
			ZMember{[]byte("g"), 1e300}, ZMember{[]byte("h"), 3}),
		// TTLs on every kind.
		str(0, "ttl:str", "expiring", farFuture+123),
		list(0, "ttl:list", farFuture+1, bs("x", "y")...),
		set(0, "ttl:set", farFuture+2, bs("m")...),
		hash(0, "ttl:hash", farFuture+3, "f", "v"),
		zset(0, "ttl:zset", farFuture+4, ZMember{[]byte("m"), 1}),
		// Other databases.
		str(3, "db3:str", "three", -1),
		list(3, "db3:list", farFuture+3000, bs("p", "q", "r")...),
		set(3, "db3:set", -1, ints(300, 200, 100)...),
		hash(15, "db15:hash", -1, "a", "1", "b", "2"),
		zset(15, "db15:zset", farFuture+15000, ZMember{[]byte("z"), -1e-300}),
	}
	lst := list(0, "list:large", -1)
	st := set(0, "set:large", -1)
	hs := hash(0, "hash:large", -1)
	zs := zset(0, "zset:large", -1, ZMember{[]byte("plus"), inf}, ZMember{[]byte("minus"), ninf})
	for i := 0; i < large; i++ {
		lst.List = append(lst.List, fmt.Appendf(nil, "item-%d", i))
		st.Set = append(st.Set, strconv.AppendInt(nil, int64(i*7919), 10))
		hs.Hash = append(hs.Hash, HashField{fmt.Appendf(nil, "field-%d", i), fmt.Appendf(nil, "%d", i*i)})
		zs.ZSet = append(zs.ZSet, ZMember{fmt.Appendf(nil, "m-%d", i), float64(i)/4 - 3})
	}
	return append(es, lst, st, hs, zs)
}
