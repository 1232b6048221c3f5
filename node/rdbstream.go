package node

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// rdbStreamBuf is the size of the buffer between a master's connection
// and the loader.
const rdbStreamBuf = 64 << 10

// rdbFromMaster hands a full sync's RDB payload to the loader as it comes
// off the master's connection: size bytes (the $<len> form), or every byte
// before the 40-byte EOF mark (the $EOF: form). In the EOF form the last
// 40 bytes read are held back until more arrive; the payload ends when a
// read ends with the mark (the master sends nothing after it until the
// replica's first ACK, which is how Redis finds it too).
type rdbFromMaster struct {
	br       *bufio.Reader
	deadline func()          // re-arms the connection's deadline before a read
	progress func(got int64) // bytes read from the connection so far
	size     int64           // payload bytes; -1 in the EOF form
	mark     []byte

	buf  []byte
	r, w int   // buf[r:w] read and not handed out
	got  int64 // bytes read from the connection
	done bool  // the payload's end is in buf
	err  error // the connection's error (io.ErrUnexpectedEOF for a close)
}

func newRDBFromMaster(br *bufio.Reader, size int64, mark string, deadline func(), progress func(int64)) *rdbFromMaster {
	return &rdbFromMaster{br: br, deadline: deadline, progress: progress, size: size, mark: []byte(mark),
		buf: make([]byte, rdbStreamBuf), done: size == 0}
}

// Read hands out payload bytes; io.EOF after the last.
func (s *rdbFromMaster) Read(p []byte) (int, error) {
	for {
		avail := s.w - s.r
		if !s.done && s.size < 0 {
			avail -= len(s.mark)
		}
		if avail > 0 {
			k := copy(p, s.buf[s.r:s.r+avail])
			s.r += k
			return k, nil
		}
		if s.done {
			return 0, io.EOF
		}
		if s.err != nil {
			return 0, s.err
		}
		s.fill()
	}
}

// fill reads once from the connection.
func (s *rdbFromMaster) fill() {
	if s.r > 0 {
		s.w = copy(s.buf, s.buf[s.r:s.w])
		s.r = 0
	}
	room := s.buf[s.w:]
	if s.size >= 0 && int64(len(room)) > s.size-s.got {
		room = room[:s.size-s.got]
	}
	s.deadline()
	k, err := s.br.Read(room)
	s.w += k
	s.got += int64(k)
	if k > 0 && s.progress != nil {
		s.progress(s.got)
	}
	switch {
	case s.size >= 0:
		s.done = s.got == s.size
	case k > 0 && s.w >= len(s.mark) && bytes.Equal(s.buf[s.w-len(s.mark):s.w], s.mark):
		s.done = true
		s.w -= len(s.mark)
	}
	if err != nil && !s.done {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		s.err = fmt.Errorf("read RDB payload: %w", err)
	}
}

// finish reads past whatever the loader left of the payload (nothing, in
// a file that ends where its EOF opcode and checksum do), so that the
// command stream starts right after it. It returns the payload's size.
func (s *rdbFromMaster) finish() (int64, error) {
	for !s.done {
		if s.err != nil {
			return 0, s.err
		}
		s.r = s.w - min(s.w-s.r, len(s.mark)) // drop what the loader left
		s.fill()
	}
	if s.size >= 0 {
		return s.size, nil
	}
	return s.got - int64(len(s.mark)), nil
}

// ioError returns the connection's error, if reading it failed.
func (s *rdbFromMaster) ioError() error { return s.err }
