package node

import (
	"math/bits"

	"github.com/replscope/replscope/node/keyspace"
)

func init() {
	const w, r = cWrite, cReadOnly
	register(
		&command{name: "setbit", arity: 4, flags: w | cDenyOOM, firstKey: 1, lastKey: 1, acl: "@write @bitmap @slow", fn: cmdSetBit,
			summary: "Sets or clears the bit at offset of the string value. Creates the key if it doesn't exist.", group: "bitmap", since: "2.2.0"},
		&command{name: "getbit", arity: 3, flags: r | cFast, firstKey: 1, lastKey: 1, acl: "@read @bitmap @fast", fn: cmdGetBit,
			summary: "Returns a bit value by offset.", group: "bitmap", since: "2.2.0"},
		&command{name: "bitcount", arity: -2, flags: r, firstKey: 1, lastKey: 1, acl: "@read @bitmap @slow", fn: cmdBitCount,
			summary: "Counts the number of set bits (population counting) in a string.", group: "bitmap", since: "2.6.0"},
		&command{name: "bitpos", arity: -3, flags: r, firstKey: 1, lastKey: 1, acl: "@read @bitmap @slow", fn: cmdBitPos,
			summary: "Finds the first set (1) or clear (0) bit in a string.", group: "bitmap", since: "2.8.7"},
		&command{name: "bitop", arity: -4, flags: w | cDenyOOM, firstKey: 2, lastKey: -1, acl: "@write @bitmap @slow", fn: cmdBitOp,
			summary: "Performs bitwise operations on multiple strings, and stores the result.", group: "bitmap", since: "2.6.0"},
	)
}

const (
	errBitOffset = "ERR bit offset is not an integer or out of range"
	errBitValue  = "ERR bit is not an integer or out of range"
)

// bitOffset parses a bit offset as getBitOffsetFromArgument does: with
// hash set, "#N" means N*width bits (wrapping as C's multiplication
// does). Offsets past proto-max-bulk-len bytes are refused, except from
// our master, which Redis obeys; a hard cap still keeps a hostile master
// from making the node allocate without bound.
func (x *cmdCtx) bitOffset(arg []byte, hash bool, width int) (uint64, bool) {
	useHash := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	off, ok := parseInt(arg)
	if ok && useHash {
		off *= int64(width)
	}
	limit := x.n.cfg.ProtoMaxBulkLen
	if x.c.is(flagMaster) {
		limit = maxMasterBitmapBytes
	}
	if !ok || off < 0 || off>>3 >= limit {
		x.err(errBitOffset)
		return 0, false
	}
	return uint64(off), true
}

// maxMasterBitmapBytes bounds the strings a master's SETBIT/BITFIELD can
// make a replica allocate (Redis's own limit for a master is memory): a
// master may have a larger proto-max-bulk-len than ours, not a 4 GB one.
const maxMasterBitmapBytes = 1 << 32

// bitString looks a key up for a command that writes bits up to maxBit
// (lookupStringForBitCommand): it returns the entry, creating or
// zero-padding the string so that maxBit is addressable, and whether the
// string was created or grown. Bytes are private to the entry afterwards:
// in place when no snapshot can share them, copied otherwise.
func (x *cmdCtx) bitString(key []byte, maxBit uint64) (e *keyspace.Entry, grown, ok bool) {
	need := int(maxBit>>3) + 1
	e = x.lookupWrite(key)
	if e == nil {
		return x.db.Add(key, make([]byte, need), nil, 0), true, true
	}
	if e.Kind() != keyspace.KindString {
		x.wrongType()
		return nil, false, false
	}
	old := e.Str()
	x.db.Modify(e)
	switch {
	case len(old) >= need && !x.n.ks.Snapshotting():
		// Modified in place below: nothing else refers to the bytes.
	case len(old) >= need:
		e.SetStr(append([]byte(nil), old...))
	default:
		b := make([]byte, need)
		copy(b, old)
		e.SetStr(b)
		grown = true
	}
	return e, grown, true
}

// SETBIT key offset value
func cmdSetBit(x *cmdCtx) {
	off, ok := x.bitOffset(x.args[2], false, 0)
	if !ok {
		return
	}
	on, ok := parseInt(x.args[3])
	if !ok || on&^1 != 0 {
		x.err(errBitValue)
		return
	}
	e, grown, ok := x.bitString(x.args[1], off)
	if !ok {
		return
	}
	s := e.Str()
	byteIdx, mask := off>>3, byte(1)<<(7-off&7)
	old := s[byteIdx]&mask != 0
	if grown || old != (on == 1) {
		if on == 1 {
			s[byteIdx] |= mask
		} else {
			s[byteIdx] &^= mask
		}
		x.touch(x.args[1])
	}
	if old {
		x.int(1)
	} else {
		x.int(0)
	}
}

// bitZeroRaw is GETBIT's and BITCOUNT's reply for a missing key.
var bitZeroRaw = []byte(":0\r\n")

// GETBIT key offset
func cmdGetBit(x *cmdCtx) {
	off, ok := x.bitOffset(x.args[2], false, 0)
	if !ok {
		return
	}
	e := x.entryOrReply(x.args[1], keyspace.KindString, false, bitZeroRaw)
	if e == nil {
		return
	}
	s := e.Str()
	if off>>3 < uint64(len(s)) && s[off>>3]&(1<<(7-off&7)) != 0 {
		x.int(1)
		return
	}
	x.int(0)
}

// bitRange turns BITCOUNT/BITPOS start and end into an inclusive bit
// range over a string of n bytes, as Redis clamps them: negative values
// count from the end, in bytes or (isBit) in bits. empty reports a range
// that selects nothing.
func bitRange(start, end, n int64, isBit bool) (first, last int64, empty bool) {
	total := n
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	if start > end {
		return 0, 0, true
	}
	if !isBit {
		return start << 3, end<<3 | 7, false
	}
	return start, end, false
}

// bitMode parses the optional BYTE|BIT argument.
func (x *cmdCtx) bitMode(arg []byte) (isBit, ok bool) {
	switch {
	case eqFold(arg, "bit"):
		return true, true
	case eqFold(arg, "byte"):
		return false, true
	}
	x.syntaxErr()
	return false, false
}

// BITCOUNT key [start end [BYTE | BIT]]
func cmdBitCount(x *cmdCtx) {
	e := x.entryOrReply(x.args[1], keyspace.KindString, false, bitZeroRaw)
	if e == nil {
		return
	}
	s := e.Str()
	first, last := int64(0), int64(len(s))*8-1
	switch len(x.args) {
	case 2:
	case 4, 5:
		start, ok1 := parseInt(x.args[2])
		if !ok1 {
			x.err(errNotInt)
			return
		}
		end, ok2 := parseInt(x.args[3])
		if !ok2 {
			x.err(errNotInt)
			return
		}
		if start < 0 && end < 0 && start > end {
			x.int(0)
			return
		}
		isBit := false
		if len(x.args) == 5 {
			var ok bool
			if isBit, ok = x.bitMode(x.args[4]); !ok {
				return
			}
		}
		var empty bool
		if first, last, empty = bitRange(start, end, int64(len(s)), isBit); empty {
			x.int(0)
			return
		}
	default:
		x.syntaxErr()
		return
	}
	x.int(countBits(s, first, last))
}

// countBits counts the set bits of s from bit first to bit last inclusive.
func countBits(s []byte, first, last int64) int64 {
	if first > last {
		return 0
	}
	fb, lb := first>>3, last>>3
	var n int
	for _, b := range s[fb : lb+1] {
		n += bits.OnesCount8(b)
	}
	n -= bits.OnesCount8(s[fb] & ^byte(0xff>>(first&7)))
	n -= bits.OnesCount8(s[lb] & (0xff >> (last&7 + 1)))
	return int64(n)
}

// BITPOS key bit [start [end [BYTE | BIT]]]
func cmdBitPos(x *cmdCtx) {
	bit, ok := parseInt(x.args[2])
	if !ok {
		x.err(errNotInt)
		return
	}
	if bit != 0 && bit != 1 {
		x.err("ERR The bit argument must be 1 or 0.")
		return
	}
	e := x.lookupRead(x.args[1])
	if e == nil {
		x.int(-bit) // 0 for a clear bit, -1 for a set one
		return
	}
	if e.Kind() != keyspace.KindString {
		x.wrongType()
		return
	}
	s := e.Str()
	n := int64(len(s))
	first, last, endGiven := int64(0), n*8-1, false
	switch len(x.args) {
	case 3:
	case 4, 5, 6:
		start, ok := parseInt(x.args[3])
		if !ok {
			x.err(errNotInt)
			return
		}
		isBit := false
		if len(x.args) == 6 {
			if isBit, ok = x.bitMode(x.args[5]); !ok {
				return
			}
		}
		end := n - 1
		if isBit {
			end = n<<3 + 7
		}
		if len(x.args) >= 5 {
			if end, ok = parseInt(x.args[4]); !ok {
				x.err(errNotInt)
				return
			}
			endGiven = true
		}
		var empty bool
		if first, last, empty = bitRange(start, end, n, isBit); empty {
			x.int(-1)
			return
		}
	default:
		x.syntaxErr()
		return
	}
	if first > last {
		x.int(-1)
		return
	}
	if pos := findBit(s, first, last, bit == 1); pos >= 0 {
		x.int(pos)
		return
	}
	// Not found. Looking for a clear bit with no end given, Redis answers
	// the first bit past the range: the string is treated as padded with
	// zeros on the right.
	if bit == 0 && !endGiven {
		x.int((last>>3 + 1) << 3)
		return
	}
	x.int(-1)
}

// findBit returns the position of the first bit equal to want between
// bits first and last inclusive, or -1.
func findBit(s []byte, first, last int64, want bool) int64 {
	for i := first; i <= last; {
		b := s[i>>3]
		if !want {
			b = ^b
		}
		if i&7 == 0 && b == 0 && i+7 <= last {
			i += 8
			continue
		}
		if b&(0x80>>(i&7)) != 0 {
			return i
		}
		i++
	}
	return -1
}

// BITOP AND | OR | XOR | NOT destkey key [key ...]
func cmdBitOp(x *cmdCtx) {
	op := x.args[1]
	var fn func(a, b byte) byte
	switch {
	case eqFold(op, "and"):
		fn = func(a, b byte) byte { return a & b }
	case eqFold(op, "or"):
		fn = func(a, b byte) byte { return a | b }
	case eqFold(op, "xor"):
		fn = func(a, b byte) byte { return a ^ b }
	case eqFold(op, "not"):
		if len(x.args) != 4 {
			x.err("ERR BITOP NOT must be called with a single source key.")
			return
		}
	default:
		x.syntaxErr()
		return
	}
	srcs := make([][]byte, 0, len(x.args)-3)
	maxLen := 0
	for _, k := range x.args[3:] {
		e := x.lookupRead(k)
		if e == nil {
			srcs = append(srcs, nil)
			continue
		}
		if e.Kind() != keyspace.KindString {
			x.wrongType()
			return
		}
		srcs = append(srcs, e.Str())
		maxLen = max(maxLen, len(e.Str()))
	}
	dest := x.args[2]
	if maxLen == 0 {
		if e := x.lookupWrite(dest); e != nil {
			x.db.DeleteEntry(e)
			x.touch(dest)
		}
		x.int(0)
		return
	}
	res := make([]byte, maxLen)
	copy(res, srcs[0])
	if fn == nil {
		for i := range res {
			res[i] = ^res[i]
		}
	} else {
		for _, s := range srcs[1:] {
			for i := range res {
				var b byte
				if i < len(s) {
					b = s[i]
				}
				res[i] = fn(res[i], b)
			}
		}
	}
	x.db.SetStringEntry(x.lookupWrite(dest), dest, res, 0, false)
	x.touch(dest)
	x.int(int64(maxLen))
}
