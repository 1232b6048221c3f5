package node

import (
	"math"

	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	register(
		&command{name: "bitfield", arity: -2, flags: cWrite | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @bitmap @slow", fn: cmdBitField,
			summary: "Performs arbitrary bitfield integer operations on strings.", group: "bitmap", since: "3.2.0"},
		&command{name: "bitfield_ro", arity: -2, flags: cReadOnly | cFast, firstKey: 1, lastKey: 1, acl: "@read @bitmap @fast", fn: cmdBitField,
			summary: "Performs arbitrary read-only bitfield integer operations on strings.", group: "bitmap", since: "6.0.0"},
	)
}

// Bitfield operations and overflow behaviours, as bitops.c numbers them.
const (
	bfGet = iota
	bfSet
	bfIncrBy
)

const (
	bfWrap = iota
	bfSat
	bfFail
)

type bitfieldOp struct {
	offset uint64
	value  int64 // SET value or INCRBY increment
	op     int
	over   int
	width  int
	signed bool
}

const errBitfieldType = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."

// bitfieldType parses "i<bits>" (1..64) or "u<bits>" (1..63). Like Redis,
// it reads the argument as a C string: a NUL ends it.
func (x *cmdCtx) bitfieldType(arg []byte) (signed bool, width int, ok bool) {
	arg = cString(arg)
	if len(arg) == 0 || (arg[0] != 'i' && arg[0] != 'u') {
		x.err(errBitfieldType)
		return false, 0, false
	}
	signed = arg[0] == 'i'
	n, ok := parseInt(arg[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		x.err(errBitfieldType)
		return false, 0, false
	}
	return signed, int(n), true
}

// parseBitfield parses the subcommands of BITFIELD into ops. It replies
// with the error and returns ok=false on a bad one.
func (x *cmdCtx) parseBitfield() (ops []bitfieldOp, highest uint64, readonly, ok bool) {
	over := bfWrap
	readonly = true
	args := x.args
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		sub := args[j]
		var op int
		switch {
		case eqFold(sub, "get") && rem >= 2:
			op = bfGet
		case eqFold(sub, "set") && rem >= 3:
			op = bfSet
		case eqFold(sub, "incrby") && rem >= 3:
			op = bfIncrBy
		case eqFold(sub, "overflow") && rem >= 1:
			j++
			switch {
			case eqFold(args[j], "wrap"):
				over = bfWrap
			case eqFold(args[j], "sat"):
				over = bfSat
			case eqFold(args[j], "fail"):
				over = bfFail
			default:
				x.err("ERR Invalid OVERFLOW type specified")
				return nil, 0, false, false
			}
			continue
		default:
			x.syntaxErr()
			return nil, 0, false, false
		}
		signed, width, ok := x.bitfieldType(args[j+1])
		if !ok {
			return nil, 0, false, false
		}
		off, ok := x.bitOffset(args[j+2], true, width)
		if !ok {
			return nil, 0, false, false
		}
		var v int64
		if op != bfGet {
			readonly = false
			highest = max(highest, off+uint64(width)-1)
			if v, ok = parseInt(args[j+3]); !ok {
				x.err(errNotInt)
				return nil, 0, false, false
			}
			j++
		}
		ops = append(ops, bitfieldOp{offset: off, value: v, op: op, over: over, width: width, signed: signed})
		j += 2
	}
	return ops, highest, readonly, true
}

// BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL]
// SET encoding offset value | INCRBY encoding offset increment ...]
// BITFIELD_RO key [GET encoding offset ...]
func cmdBitField(x *cmdCtx) {
	ops, highest, readonly, ok := x.parseBitfield()
	if !ok {
		return
	}
	key := x.args[1]
	var e *keyspace.Entry
	grown := false
	if readonly {
		if e = x.lookupRead(key); e != nil && e.Kind() != keyspace.KindString {
			x.wrongType()
			return
		}
	} else {
		if x.cmd.name == "bitfield_ro" {
			x.err("ERR BITFIELD_RO only supports the GET subcommand")
			return
		}
		if e, grown, ok = x.bitString(key, highest); !ok {
			return
		}
	}
	x.array(len(ops))
	changes := 0
	for _, op := range ops {
		if op.op == bfGet {
			x.int(bitfieldGet(e, op))
			continue
		}
		s := e.Str()
		oldU := getBits(s, op.offset, op.width)
		var newU uint64
		var ret int64
		var overflow bool
		if op.signed {
			old := signExtend(oldU, op.width)
			var nv int64
			if op.op == bfIncrBy {
				nv, overflow = signedOverflow(old, op.value, op.width, op.over)
				if !overflow {
					nv = old + op.value
				}
				ret = nv
			} else {
				nv, overflow = signedOverflow(op.value, 0, op.width, op.over)
				if !overflow {
					nv = op.value
				}
				ret = old
			}
			newU = uint64(nv)
		} else {
			var nv uint64
			if op.op == bfIncrBy {
				nv, overflow = unsignedOverflow(oldU, op.value, op.width, op.over)
				if !overflow {
					nv = oldU + uint64(op.value)
				}
				ret = int64(nv)
			} else {
				nv, overflow = unsignedOverflow(uint64(op.value), 0, op.width, op.over)
				if !overflow {
					nv = uint64(op.value)
				}
				ret = int64(oldU)
			}
			newU = nv
		}
		if overflow && op.over == bfFail {
			x.null()
			continue
		}
		x.int(ret)
		setBits(s, op.offset, op.width, newU)
		if grown || oldU != newU&widthMask(op.width) {
			changes++
		}
	}
	if changes > 0 {
		x.touch(key)
		x.dirty += changes - 1
		x.n.dirty += int64(changes - 1)
	}
}

// bitfieldGet reads one field of a (possibly missing) string: bits past
// its end read as zeros.
func bitfieldGet(e *keyspace.Entry, op bitfieldOp) int64 {
	var buf [9]byte
	byteOff := op.offset >> 3
	if e != nil {
		s := e.Str()
		if byteOff < uint64(len(s)) {
			copy(buf[:], s[byteOff:])
		}
	}
	v := getBits(buf[:], op.offset-byteOff*8, op.width)
	if op.signed {
		return signExtend(v, op.width)
	}
	return int64(v)
}

func widthMask(width int) uint64 {
	if width == 64 {
		return math.MaxUint64
	}
	return 1<<width - 1
}

// getBits reads width bits of p at bit offset off, most significant first.
func getBits(p []byte, off uint64, width int) uint64 {
	var v uint64
	for j := 0; j < width; j++ {
		b := p[off>>3] >> (7 - off&7) & 1
		v = v<<1 | uint64(b)
		off++
	}
	return v
}

// setBits writes the low width bits of v into p at bit offset off.
func setBits(p []byte, off uint64, width int, v uint64) {
	for j := 0; j < width; j++ {
		bit := byte(v>>(width-1-j)) & 1
		shift := 7 - off&7
		p[off>>3] = p[off>>3]&^(1<<shift) | bit<<shift
		off++
	}
}

func signExtend(v uint64, width int) int64 {
	if width < 64 && v&(1<<(width-1)) != 0 {
		v |= math.MaxUint64 << width
	}
	return int64(v)
}

// unsignedOverflow is checkUnsignedBitfieldOverflow: whether value+incr
// leaves the range of a width-bit unsigned field, and the value the
// overflow behaviour gives then.
func unsignedOverflow(value uint64, incr int64, width, over int) (uint64, bool) {
	maxV := widthMask(width)
	maxIncr := int64(maxV - value)
	minIncr := -int64(value)
	switch {
	case value > maxV || (incr > 0 && incr > maxIncr):
		if over == bfSat {
			return maxV, true
		}
	case incr < 0 && incr < minIncr:
		if over == bfSat {
			return 0, true
		}
	default:
		return 0, false
	}
	return (value + uint64(incr)) & maxV, true
}

// signedOverflow is checkSignedBitfieldOverflow for a width-bit signed
// field.
func signedOverflow(value, incr int64, width, over int) (int64, bool) {
	maxV := int64(math.MaxInt64)
	if width < 64 {
		maxV = 1<<(width-1) - 1
	}
	minV := -maxV - 1
	maxIncr := int64(uint64(maxV) - uint64(value))
	minIncr := minV - value
	switch {
	case value > maxV || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		if over == bfSat {
			return maxV, true
		}
	case value < minV || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		if over == bfSat {
			return minV, true
		}
	default:
		return 0, false
	}
	c := uint64(value) + uint64(incr)
	if width < 64 {
		mask := uint64(math.MaxUint64) << width
		if c&(1<<(width-1)) != 0 {
			c |= mask
		} else {
			c &^= mask
		}
	}
	return int64(c), true
}
