package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
)

// encodeReq writes args in the canonical multibulk form the guard hands on.
func encodeReq(args ...string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.Bytes()
}

// TestCmdReaderSplitReads feeds requests one byte per Read, with one
// argument larger than the initial buffer, and checks every request comes
// out whole and in order, then the end of the stream.
func TestCmdReaderSplitReads(t *testing.T) {
	big := string(bytes.Repeat([]byte("v"), 40<<10))
	reqs := [][]string{
		{"SET", "k", "v"},
		{"GET", "k"},
		{"SET", "big", big},
		{"ECHO", ""},
		{"PING"},
	}
	var stream []byte
	for _, r := range reqs {
		stream = append(stream, encodeReq(r...)...)
	}
	for _, src := range []struct {
		name string
		r    io.Reader
	}{
		{"one-byte", iotest.OneByteReader(bytes.NewReader(stream))},
		{"whole", bytes.NewReader(stream)},
	} {
		t.Run(src.name, func(t *testing.T) {
			cr := newCmdReader(src.r)
			for i, want := range reqs {
				args, err := cr.next()
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				if len(args) != len(want) {
					t.Fatalf("request %d: %d args, want %d", i, len(args), len(want))
				}
				for j := range want {
					if string(args[j]) != want[j] {
						t.Fatalf("request %d arg %d: got %.20q, want %.20q", i, j, args[j], want[j])
					}
				}
			}
			if _, err := cr.next(); !errors.Is(err, io.EOF) {
				t.Fatalf("after the last request: err %v, want EOF", err)
			}
		})
	}
}

// TestCmdReaderBatch checks one Read holding several requests yields them
// as one batch, and a request cut at the end waits for its rest.
func TestCmdReaderBatch(t *testing.T) {
	whole := append(encodeReq("SET", "a", "1"), encodeReq("SET", "b", "2")...)
	cut := encodeReq("GET", "a")
	r := io.MultiReader(bytes.NewReader(append(whole, cut[:5]...)), bytes.NewReader(cut[5:]))
	cr := newCmdReader(r)
	b, err := cr.batch(nil)
	if err != nil || len(b) != 2 {
		t.Fatalf("first batch: %d requests, err %v; want 2", len(b), err)
	}
	if string(b[1][1]) != "b" {
		t.Fatalf("second request key %q, want b", b[1][1])
	}
	b, err = cr.batch(b[:0])
	if err != nil || len(b) != 1 || string(b[0][0]) != "GET" {
		t.Fatalf("second batch: %q, err %v; want the GET", b, err)
	}
}

// TestCmdReaderRejectsForeignForm: bytes not in the guard's form are an
// error, never a panic or a guess.
func TestCmdReaderRejectsForeignForm(t *testing.T) {
	for _, in := range []string{"PING\r\n", "*1\r\n+PING\r\n", "*-3\r\n", "*1\r\n$-1\r\n", "*1\r\n$x\r\n"} {
		cr := newCmdReader(bytes.NewReader([]byte(in)))
		if _, err := cr.next(); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestParseHeaderString2ll: the fast path for the usual header line and
// the slow one agree with Redis's string2ll: no leading zeros, no '+',
// no "-0", 19 digits only below the int64 limit; an incomplete line waits.
func TestParseHeaderString2ll(t *testing.T) {
	for _, tc := range []struct {
		in     string
		v      int64
		n      int
		ok     bool
		reason string
	}{
		{"$0\r\n", 0, 4, true, "zero"},
		{"$100\r\n", 100, 6, true, "usual"},
		{"$123456789012345678\r\n", 123456789012345678, 21, true, "18 digits"},
		{"$9223372036854775807\r\n", 9223372036854775807, 22, true, "19 digits, at the limit"},
		{"$9223372036854775808\r\n", 0, 0, false, "over the limit"},
		{"$01\r\n", 0, 0, false, "leading zero"},
		{"$+1\r\n", 0, 0, false, "plus sign"},
		{"$-0\r\n", 0, 0, false, "minus zero"},
		{"$-1\r\n", -1, 5, true, "negative"},
		{"$12\r", 0, 0, true, "incomplete after CR"},
		{"$12", 0, 0, true, "incomplete digits"},
		{"$12\n", 0, 0, false, "LF without CR"},
		{"$1x\r\n", 0, 0, false, "not a digit"},
	} {
		v, n, ok := parseHeader([]byte(tc.in), '$')
		if v != tc.v && tc.ok || n != tc.n || ok != tc.ok {
			t.Errorf("%s: parseHeader(%q) = %d, %d, %v; want %d, %d, %v", tc.reason, tc.in, v, n, ok, tc.v, tc.n, tc.ok)
		}
	}
}
