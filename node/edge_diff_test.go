package node_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/replscope/replscope/internal/difftest"
)

// edgeInts are the client-given integers where offset and range
// arithmetic overflows or clamps: the int64 and int32 edges, one past
// them, byte and word boundaries, and non-numbers.
var edgeInts = []string{
	"0", "1", "-1", "7", "8", "-8", "63", "64", "-64", "2147483647", "2147483648", "-2147483649",
	"4294967295", "4294967296", "9223372036854775807", "-9223372036854775808",
	"9223372036854775808", "-9223372036854775809", "abc", "",
}

// TestEdgeIntegersMatchRedis sends every edge integer in every integer
// position of BITCOUNT, BITPOS, GETBIT, BITFIELD GET, SORT LIMIT, COPY DB,
// MEMORY USAGE SAMPLES and LCS MINMATCHLEN to redis-server and a node and
// compares the replies byte for byte: each must be Redis's exact value or
// error, never a panic or a hang. (Writes at huge offsets are left out:
// they would make both servers allocate hundreds of megabytes.)
func TestEdgeIntegersMatchRedis(t *testing.T) {
	p := difftest.Start(t)
	var b strings.Builder
	b.WriteString("SET s \"\\xff\\x0f\\x00\\xaa\\x55\"\nRPUSH l 3 1 2 5 4\nZADD z 1 a 2 b 3 c\nSET t ohmytext\n")
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	for _, a := range edgeInts {
		fmt.Fprintf(&b, "GETBIT s %s\nSETBIT n %s 2\n", q(a), q(a))
		fmt.Fprintf(&b, "BITPOS s %s\nBITPOS s 0 %s\nBITPOS s 1 %s BIT\n", q(a), q(a), q(a))
		fmt.Fprintf(&b, "? MEMORY USAGE l SAMPLES %s\nCOPY s s2 DB %s\nLCS s t IDX MINMATCHLEN %s\n", q(a), q(a), q(a))
		fmt.Fprintf(&b, "BITFIELD s GET u8 %s GET i64 #%s\nBITFIELD_RO s GET u%s 0\n", q(a), q(a), q(a))
		for _, c := range edgeInts {
			fmt.Fprintf(&b, "BITCOUNT s %s %s\nBITCOUNT s %s %s BIT\n", q(a), q(c), q(a), q(c))
			fmt.Fprintf(&b, "BITPOS s 0 %s %s\nBITPOS s 1 %s %s BIT\n", q(a), q(c), q(a), q(c))
			fmt.Fprintf(&b, "SORT l LIMIT %s %s\nSORT z BY nosort DESC LIMIT %s %s\n", q(a), q(c), q(a), q(c))
			fmt.Fprintf(&b, "SORT_RO l BY nosort LIMIT %s %s\n", q(a), q(c))
		}
	}
	p.RunScript(t, "edge-integers", b.String())
}
