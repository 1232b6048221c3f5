package node

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// chunked reads src in pieces of the given sizes, in turn, as a
// connection delivers them.
type chunked struct {
	src   []byte
	sizes []int
	i     int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.src) == 0 {
		return 0, io.EOF
	}
	k := min(len(p), len(c.src), c.sizes[c.i%len(c.sizes)])
	c.i++
	copy(p, c.src[:k])
	c.src = c.src[k:]
	return k, nil
}

func TestRDBFromMaster(t *testing.T) {
	mark := strings.Repeat("0123456789", 4)
	payload := bytes.Repeat([]byte("rdb payload bytes "), 9000) // crosses the 64 KB buffer
	stream := []byte("*1\r\n$4\r\nPING\r\n")
	cases := []struct {
		name  string
		wire  []byte
		size  int64
		mark  string
		sizes []int
	}{
		{"EOF form, large reads", append(bytes.Clone(payload), mark...), -1, mark, []int{1 << 20}},
		{"EOF form, mark split over reads", append(bytes.Clone(payload), mark...), -1, mark, []int{4093, 7, 39}},
		{"EOF form, one byte at a time", append(bytes.Clone(payload[:300]), mark...), -1, mark, []int{1}},
		{"length form, stream behind", append(bytes.Clone(payload), stream...), int64(len(payload)), "", []int{5000, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := payload
			if c.sizes[0] == 1 {
				want = payload[:300]
			}
			br := bufio.NewReaderSize(&chunked{src: c.wire, sizes: c.sizes}, 16)
			var seen int64
			s := newRDBFromMaster(br, c.size, c.mark, func() {}, func(got int64) { seen = got })
			got, err := io.ReadAll(iotest.HalfReader(s))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes (err %v), want the %d payload bytes", len(got), err, len(want))
			}
			n, err := s.finish()
			if err != nil || n != int64(len(want)) {
				t.Fatalf("finish = %d, %v; want %d", n, err, len(want))
			}
			if c.size >= 0 {
				rest, _ := io.ReadAll(br)
				if !bytes.Equal(rest, stream) {
					t.Fatalf("the stream after the payload was read as payload: %q left", rest)
				}
			} else if seen != int64(len(want)+len(mark)) {
				t.Fatalf("progress saw %d bytes off the connection, want %d", seen, len(want)+len(mark))
			}
		})
	}
}

// TestRDBFromMasterLeftover: finish reads past payload bytes the loader
// did not need, up to the payload's end, so the stream starts after it.
func TestRDBFromMasterLeftover(t *testing.T) {
	mark := strings.Repeat("m", 40)
	for _, size := range []int64{-1, 5000} {
		wire := append(bytes.Repeat([]byte("x"), 5000), mark...)
		m := mark
		if size >= 0 {
			wire, m = append(bytes.Repeat([]byte("x"), 5000), "+stream"...), ""
		}
		br := bufio.NewReader(&chunked{src: wire, sizes: []int{333}})
		s := newRDBFromMaster(br, size, m, func() {}, nil)
		if _, err := io.ReadFull(s, make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		if n, err := s.finish(); err != nil || n != 5000 {
			t.Fatalf("size %d: finish = %d, %v", size, n, err)
		}
		if rest, _ := io.ReadAll(br); size >= 0 && string(rest) != "+stream" {
			t.Fatalf("size %d: %q left after the payload", size, rest)
		}
	}
}

// TestRDBFromMasterCut: a connection that closes inside the payload is an
// I/O error the loader sees, and finish reports it too.
func TestRDBFromMasterCut(t *testing.T) {
	for _, size := range []int64{-1, 1 << 20} {
		br := bufio.NewReader(&chunked{src: bytes.Repeat([]byte("y"), 10000), sizes: []int{4096}})
		s := newRDBFromMaster(br, size, strings.Repeat("m", 40), func() {}, nil)
		_, err := io.ReadAll(s)
		if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.Is(s.ioError(), io.ErrUnexpectedEOF) {
			t.Fatalf("size %d: read error %v, ioError %v; want an unexpected EOF", size, err, s.ioError())
		}
		if _, err := s.finish(); err == nil {
			t.Fatalf("size %d: finish after a cut succeeded", size)
		}
	}
}
