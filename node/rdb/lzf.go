package rdb

import "fmt"

// LZF, the compression Redis applies to RDB strings (liblzf's format):
//
//	000LLLLL <L+1 literal bytes>                  literal run, 1..32 bytes
//	LLLOOOOO OOOOOOOO                             back-reference, L in 1..6
//	111OOOOO LLLLLLLL OOOOOOOO                    back-reference, length 7+L
//
// A back-reference copies length+2 bytes starting offset+1 bytes behind the
// output position; source and destination may overlap (a run). The longest
// reference is 3 bytes expanding to 7+255+2 = 264, so no LZF stream expands
// more than 88 times.
const (
	lzfMaxLit    = 1 << 5
	lzfMaxOff    = 1 << 13
	lzfMaxRef    = (1 << 8) + (1 << 3)
	lzfMaxRatio  = lzfMaxRef / 3 // 88
	lzfHashLog   = 14
	lzfHashShift = 32 - lzfHashLog
)

// lzfDecompress expands in into out, which must come out exactly full with
// every input byte used, as Redis requires of LZF strings. Every run and
// back-reference is checked against both buffers.
func lzfDecompress(in, out []byte) error {
	ip, op := 0, 0
	for ip < len(in) {
		ctrl := int(in[ip])
		ip++
		if ctrl < lzfMaxLit {
			n := ctrl + 1
			if ip+n > len(in) {
				return fmt.Errorf("lzf: literal run of %d bytes at input %d overruns the input", n, ip-1)
			}
			if op+n > len(out) {
				return fmt.Errorf("lzf: output longer than the declared %d bytes", len(out))
			}
			copy(out[op:], in[ip:ip+n])
			ip += n
			op += n
			continue
		}
		n := ctrl >> 5
		if ip >= len(in) {
			return fmt.Errorf("lzf: back-reference at input %d is truncated", ip-1)
		}
		if n == 7 {
			n += int(in[ip])
			ip++
			if ip >= len(in) {
				return fmt.Errorf("lzf: back-reference at input %d is truncated", ip-2)
			}
		}
		ref := op - (ctrl&0x1f)<<8 - 1 - int(in[ip])
		ip++
		n += 2
		if op+n > len(out) {
			return fmt.Errorf("lzf: output longer than the declared %d bytes", len(out))
		}
		if ref < 0 {
			return fmt.Errorf("lzf: back-reference %d bytes before the start of the output", -ref)
		}
		if op-ref >= n {
			copy(out[op:op+n], out[ref:ref+n])
			op += n
			continue
		}
		for ; n > 0; n-- { // overlapping: a repeated pattern
			out[op] = out[ref]
			op++
			ref++
		}
	}
	if op != len(out) {
		return fmt.Errorf("lzf: %d bytes decompressed, %d declared", op, len(out))
	}
	return nil
}

// lzfCompressor holds the hash table of recent 3-byte sequences. Stale
// entries from earlier inputs need no clearing: a candidate is used only
// when it lies before the current position, within reach, and its bytes
// match the current input.
type lzfCompressor struct {
	htab [1 << lzfHashLog]uint32
}

// lzfSeq packs the 3 bytes at p[i:] into one value, the unit both hashed
// and compared.
func lzfSeq(p []byte, i int) uint32 {
	_ = p[i+2]
	return uint32(p[i])<<16 | uint32(p[i+1])<<8 | uint32(p[i+2])
}

func lzfHash(seq uint32) uint32 { return seq * 2654435761 >> lzfHashShift }

// compress writes the LZF form of in to out and returns its length, or 0
// when it does not fit in len(out) bytes (the caller then stores in raw).
func (c *lzfCompressor) compress(in, out []byte) int {
	n := len(in)
	if n == 0 || len(out) < 2 {
		return 0
	}
	op := 1 // out[0] is the control byte of the first literal run
	lit := 0
	ip := 0
	for ip+2 < n {
		seq := lzfSeq(in, ip)
		h := lzfHash(seq)
		ref := int(c.htab[h])
		c.htab[h] = uint32(ip)
		off := ip - ref - 1
		if ref < ip && off < lzfMaxOff && lzfSeq(in, ref) == seq {
			maxLen := n - ip
			if maxLen > lzfMaxRef {
				maxLen = lzfMaxRef
			}
			l := 3
			for l < maxLen && in[ref+l] == in[ip+l] {
				l++
			}
			if op+4 > len(out) { // reference plus the next control byte
				return 0
			}
			if lit == 0 {
				op-- // drop the unused control byte
			} else {
				out[op-lit-1] = byte(lit - 1)
			}
			code := l - 2
			if code < 7 {
				out[op] = byte(code<<5 | off>>8)
				op++
			} else {
				out[op] = byte(7<<5 | off>>8)
				out[op+1] = byte(code - 7)
				op += 2
			}
			out[op] = byte(off)
			op++
			// Remember the sequences that end the match, as liblzf does.
			end := ip + l
			if end+2 < n {
				c.htab[lzfHash(lzfSeq(in, end-1))] = uint32(end - 1)
			}
			ip = end
			op++ // control byte of the next literal run
			lit = 0
			continue
		}
		if op >= len(out) {
			return 0
		}
		out[op] = in[ip]
		op++
		ip++
		lit++
		if lit == lzfMaxLit {
			out[op-lit-1] = lzfMaxLit - 1
			lit = 0
			if op >= len(out) {
				return 0
			}
			op++
		}
	}
	for ; ip < n; ip++ {
		if op >= len(out) {
			return 0
		}
		out[op] = in[ip]
		op++
		lit++
		if lit == lzfMaxLit {
			out[op-lit-1] = lzfMaxLit - 1
			lit = 0
			if op >= len(out) && ip+1 < n {
				return 0
			}
			op++
		}
	}
	if lit == 0 {
		op--
	} else {
		out[op-lit-1] = byte(lit - 1)
	}
	return op
}
