package node

import (
	"strings"
	"testing"
)

// TestQuickFrame: the fast path takes only requests the byte-by-byte checks
// would hand on unchanged; everything else is left to them (0). Whether
// the two paths agree is FuzzCommandPath's check (whole reads take the
// fast path, a byte per read never does).
func TestQuickFrame(t *testing.T) {
	set := "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n"
	cases := []struct {
		in   string
		want int
	}{
		{set, len(set)},
		{set + "*1\r\n$4\r\nPING\r\n", len(set)}, // one request at a time
		{"*1\r\n$0\r\n\r\n", 10},                 // an empty argument
		{set[:len(set)-1], 0},                    // incomplete
		{"*0\r\n", 0},                            // dropped by the checks
		{"*-1\r\n", 0},
		{"*03\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", 0},  // not string2ll's form
		{"*3\r\n$+3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", 0},  // nor this
		{"*3\n\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", 0},   // the byte after '\r' is re-encoded
		{"*1\r\n$3\r\nSETxx", 0},                           // payload not ended by CRLF
		{"*1\r\n#3\r\nSET\r\n", 0},                         // expected '$'
		{"*11\r\n" + strings.Repeat("$1\r\nx\r\n", 11), 0}, // over the unauthenticated count
		{"*1\r\n$16385\r\n" + strings.Repeat("x", 16385) + "\r\n", 0},
		{"*1\r\n$16384\r\n" + strings.Repeat("x", 16384) + "\r\n", 16384 + 14},
		{"PING\r\n", 0},      // inline
		{"*1\r\n$-1\r\n", 0}, // a null bulk is no argument
	}
	for _, c := range cases {
		if got := quickFrame([]byte(c.in), 512<<20); got != c.want {
			t.Errorf("quickFrame(%.40q) = %d, want %d", c.in, got, c.want)
		}
	}
	if got := quickFrame([]byte("*1\r\n$5\r\nhello\r\n"), 4); got != 0 {
		t.Errorf("a bulk over proto-max-bulk-len took the fast path (%d)", got)
	}
}
