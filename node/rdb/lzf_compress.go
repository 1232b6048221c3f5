package rdb

import (
	"encoding/binary"
	"math/bits"
)

// lzfHashLog is liblzf's HLOG as Redis builds it: a 64 Ki-slot table.
const lzfHashLog = 16

// lzfCompressor is liblzf's lzf_compress as Redis 7.0.15 builds it
// (HLOG 16, VERY_FAST, not ULTRA_FAST), step for step, so that its output
// is byte for byte what Redis writes into an RDB or a DUMP payload.
//
// liblzf leaves its hash table uninitialised; this one starts every call
// empty (what a fresh table gives): slots hold base+position+1 and a slot
// below base belongs to an earlier input. Redis can, rarely, differ
// where a stale slot of an earlier call happened to match.
type lzfCompressor struct {
	htab [1 << lzfHashLog]uint64
	base uint64
}

// lzfIdx is liblzf's IDX(h) for VERY_FAST: h holds the last bytes read,
// the newest in the low byte.
func lzfIdx(h uint32) uint32 { return ((h >> (3*8 - lzfHashLog)) - h*5) & (1<<lzfHashLog - 1) }

// compress writes the LZF form of in to out and returns its length, or 0
// when it does not fit in len(out) bytes (the caller then stores in raw).
func (c *lzfCompressor) compress(in, out []byte) int {
	n := len(in)
	if n == 0 || len(out) == 0 {
		return 0
	}
	base := c.base
	c.base += uint64(n) + 1
	slot := func(h uint32, ip int) (ref int) {
		s := &c.htab[lzfIdx(h)]
		ref = -1
		if *s > base {
			ref = int(*s - base - 1)
		}
		*s = base + uint64(ip) + 1
		return ref
	}
	outEnd := len(out)
	op, ip, lit := 1, 0, 0 // out[0]: the control byte of the first run
	hval := uint32(in[0])<<8 | uint32(at(in, 1))
	for ip < n-2 {
		hval = hval<<8 | uint32(in[ip+2])
		ref := slot(hval, ip)
		off := ip - ref - 1
		if ref > 0 && ref < ip && off < lzfMaxOff &&
			in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			length := 2
			maxLen := min(n-ip-length, lzfMaxRef)
			if op+3+1 >= outEnd {
				if op-b2i(lit == 0)+3+1 >= outEnd {
					return 0
				}
			}
			out[op-lit-1] = byte(lit - 1)
			op -= b2i(lit == 0)
			length = lzfMatchLen(in, ref, ip, maxLen)
			length -= 2
			ip++
			if length < 7 {
				out[op] = byte(off>>8 + length<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(length - 7)
				op += 2
			}
			out[op] = byte(off)
			op++
			lit = 0
			op++ // start run
			ip += length + 1
			if ip >= n-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			c.htab[lzfIdx(hval)] = base + uint64(ip) + 1
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			c.htab[lzfIdx(hval)] = base + uint64(ip) + 1
			ip++
			continue
		}
		if op >= outEnd {
			return 0
		}
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > outEnd {
		return 0
	}
	for ip < n {
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	op -= b2i(lit == 0)
	return op
}

// lzfMatchLen is liblzf's match loop: the index of the first byte after
// position 2 where in[ref:] and in[ip:] differ, capped at maxLen — except
// that, as liblzf's unrolled first 16 steps do not look at maxLen, a match
// may run to index 18 (and then 19) when maxLen is 17 or 18. It compares
// eight bytes at a time (a 100-byte value of one repeated byte is one
// 98-byte match, which took a loop turn per byte).
func lzfMatchLen(in []byte, ref, ip, maxLen int) int {
	if maxLen > 16 {
		if i := lzfFirstDiff(in, ref, ip, 3, 19); i < 19 {
			return i
		}
		if 19 >= maxLen {
			return 19
		}
		return lzfFirstDiff(in, ref, ip, 19, maxLen)
	}
	if 3 >= maxLen {
		return 3
	}
	return lzfFirstDiff(in, ref, ip, 3, maxLen)
}

// lzfFirstDiff returns the first i in [from, to) where in[ref+i] and
// in[ip+i] differ, or to when none does (ref < ip, ip+to <= len(in)).
func lzfFirstDiff(in []byte, ref, ip, from, to int) int {
	i := from
	for ; i+8 <= to; i += 8 {
		if x := binary.LittleEndian.Uint64(in[ref+i:]) ^ binary.LittleEndian.Uint64(in[ip+i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for ; i < to; i++ {
		if in[ref+i] != in[ip+i] {
			return i
		}
	}
	return to
}

// at returns p[i], or 0 past its end (liblzf's FRST reads one byte past a
// 1-byte input, harmlessly: the loop never runs).
func at(p []byte, i int) byte {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
