package node_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node"
)

// FuzzMasterStream feeds arbitrary bytes to the replica's parser of its
// master's stream: no panic (also with proto-max-bulk-len at its
// largest), the raw bytes it reports are exactly a prefix of its input,
// the result does not depend on how the bytes arrive, and a valid
// multibulk stream built from the input parses back to the same commands
// and the same bytes.
func FuzzMasterStream(f *testing.F) {
	for _, s := range []string{
		"*1\r\n$4\r\nping\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "\n", "\r\n", "*0\r\n", "*-1\r\n",
		"*1\r\n$4\r\nPINGxx", "SET inline 1\r\n", "*abc\r\n", "*2147483648\r\n", "*+1\r\n$4\r\nPING\r\n",
		"*1\r\n$-1\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n", "*2\r\n$3\r\nGET\r\n:1\r\n",
		"*1\r\n$4\r\nping\r\n*1\r\n$4\r\nping\r\n\xff", "*1\r\n$9223372036854775807\r\n",
		"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(data)()
		const maxBulk = 1 << 20
		whole := node.StreamFeed(data, 0, maxBulk)
		if len(whole.Raw) > len(data) || !bytes.Equal(whole.Raw, data[:len(whole.Raw)]) {
			t.Fatalf("raw bytes %q are not a prefix of the input %q", whole.Raw, data)
		}
		if whole.Err != nil && !errors.Is(whole.Err, node.ErrStreamProtocol) {
			t.Fatalf("unexpected error %v", whole.Err)
		}
		for _, size := range readSizes(len(data)) {
			if got := node.StreamFeed(data, size, maxBulk); summary(got) != summary(whole) {
				t.Fatalf("reads of %d bytes: %s\nwhole: %s", size, summary(got), summary(whole))
			}
		}
		node.StreamFeed(data, 3, math.MaxInt64)

		var want [][][]byte
		var wire []byte
		for _, cmd := range bytes.Split(data, []byte{0xff}) {
			args := bytes.Split(cmd, []byte{0})
			wire = resp.AppendCommandBytes(wire, args)
			want = append(want, args)
		}
		got := node.StreamFeed(wire, 5, maxBulk)
		if got.Err != nil || !bytes.Equal(got.Raw, wire) || fmt.Sprintf("%q", got.Args) != fmt.Sprintf("%q", want) {
			t.Fatalf("round trip of %q: %s", wire, summary(got))
		}
	})
}

// watchdog turns a hang into a crash that the fuzzer records: it panics
// if the returned stop function is not called within 20 seconds.
func watchdog(data []byte) (stop func()) {
	t := time.AfterFunc(20*time.Second, func() { panic(fmt.Sprintf("no answer after 20s for %q", data)) })
	return func() { t.Stop() }
}

// readSizes are the read sizes a fuzz input is also fed with: a byte at
// a time only for small inputs, as re-parsing is quadratic then.
func readSizes(n int) []int {
	if n <= 4096 {
		return []int{1, 7}
	}
	return []int{7, 100}
}

func summary(r node.StreamResult) string {
	return fmt.Sprintf("args=%q raw=%q err=%v", r.Args, r.Raw, r.Err != nil)
}
