package rdb

import (
	"errors"
	"fmt"
	"io"
)

// readerBufSize is the largest size of the Decoder's read buffer; it
// starts at readerMinBuf and doubles on each refill, so decoding a tiny
// file costs little.
const (
	readerBufSize = 64 << 10
	readerMinBuf  = 4 << 10
)

// reader is a buffered reader that counts the bytes it hands out and keeps
// their CRC-64. The CRC is computed lazily over large spans: bytes in
// buf[sum:r] have been consumed but are not in crc yet.
type reader struct {
	src  io.Reader
	buf  []byte
	r, w int
	sum  int
	crc  uint64
	base int64 // stream offset of buf[0]
	err  error // sticky error from src
}

func newReader(src io.Reader) *reader {
	return &reader{src: src, buf: make([]byte, readerMinBuf)}
}

// consumed returns the number of bytes handed out so far.
func (rd *reader) consumed() int64 { return rd.base + int64(rd.r) }

// checksum returns the CRC-64 of every byte handed out so far.
func (rd *reader) checksum() uint64 {
	if rd.sum < rd.r {
		rd.crc = crcUpdate(rd.crc, rd.buf[rd.sum:rd.r])
		rd.sum = rd.r
	}
	return rd.crc
}

// fill makes at least need (<= len(buf)) unread bytes available.
func (rd *reader) fill(need int) error {
	if rd.w-rd.r >= need {
		return nil
	}
	if rd.r > 0 {
		rd.checksum()
		dst := rd.buf
		if len(dst) < readerBufSize {
			dst = make([]byte, 2*len(dst))
		}
		n := copy(dst, rd.buf[rd.r:rd.w])
		rd.buf = dst
		rd.base += int64(rd.r)
		rd.w = n
		rd.r, rd.sum = 0, 0
	}
	for rd.w < need {
		if rd.err != nil {
			return rd.err
		}
		n, err := rd.src.Read(rd.buf[rd.w:])
		rd.w += n
		if err != nil {
			rd.err = readErr(err)
		} else if n == 0 {
			rd.err = fmt.Errorf("rdb: read: %w", io.ErrNoProgress)
		}
	}
	return nil
}

// readErr converts a source error: a clean end of input inside the file is
// a truncated file.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated file: %w", ErrCorrupt, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("rdb: read: %w", err)
}

// byte returns the next byte.
func (rd *reader) byte() (byte, error) {
	if rd.r == rd.w {
		if err := rd.fill(1); err != nil {
			return 0, err
		}
	}
	b := rd.buf[rd.r]
	rd.r++
	return b, nil
}

// next returns the next n (<= len(buf)) bytes; the slice is valid until
// the next call.
func (rd *reader) next(n int) ([]byte, error) {
	if err := rd.fill(n); err != nil {
		return nil, err
	}
	p := rd.buf[rd.r : rd.r+n : rd.r+n]
	rd.r += n
	return p, nil
}

// readFull fills dst. Large reads go straight from the source into dst.
func (rd *reader) readFull(dst []byte) error {
	k := copy(dst, rd.buf[rd.r:rd.w])
	rd.r += k
	if k == len(dst) {
		return nil
	}
	rest := dst[k:]
	if len(rest) < len(rd.buf)/2 {
		if err := rd.fill(len(rest)); err != nil {
			return err
		}
		rd.r += copy(rest, rd.buf[rd.r:rd.w])
		return nil
	}
	// The buffer is empty now; bypass it.
	rd.checksum()
	if rd.err != nil {
		return rd.err
	}
	n, err := io.ReadFull(rd.src, rest)
	rd.crc = crcUpdate(rd.crc, rest[:n])
	rd.base += int64(n)
	if err != nil {
		rd.err = readErr(err)
		return rd.err
	}
	return nil
}

// skip discards n bytes.
func (rd *reader) skip(n uint64) error {
	for n > 0 {
		if rd.r == rd.w {
			if err := rd.fill(1); err != nil {
				return err
			}
		}
		k := uint64(rd.w - rd.r)
		if k > n {
			k = n
		}
		rd.r += int(k)
		n -= k
	}
	return nil
}
