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
	lzfMaxLit   = 1 << 5
	lzfMaxOff   = 1 << 13
	lzfMaxRef   = (1 << 8) + (1 << 3)
	lzfMaxRatio = lzfMaxRef / 3 // 88
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
		// Overlapping (op-ref < n) is a pattern of period op-ref repeated:
		// byte by byte, out[op+i] = out[ref+i]. Copying the op-ref bytes
		// from ref on gives the same bytes, and doubles the pattern behind
		// op; so copy in chunks that double, from the same ref. (A run of
		// one repeated byte, as in a 100-byte value of zeros, took one
		// loop turn per byte.)
		for n > 0 {
			k := min(n, op-ref)
			copy(out[op:op+k], out[ref:ref+k])
			op += k
			n -= k
		}
	}
	if op != len(out) {
		return fmt.Errorf("lzf: %d bytes decompressed, %d declared", op, len(out))
	}
	return nil
}
