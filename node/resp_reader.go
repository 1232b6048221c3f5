package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// respReader is the node's one buffered reader of RESP commands: client
// requests (behind the guard, which hands on only plain multibulks) and,
// on a replica, the master's stream. It parses in place in one reused
// buffer: a command's arguments and raw bytes are slices of that buffer,
// valid until the next fill, and the argument slices of the commands read
// since the last reset share one arena, so parsing does not allocate.
// Commands that keep an argument copy it (copyBytes, copyArgs).
//
// Lengths are read with Redis's string2ll rules. Inline commands are
// refused: the guard turns a client's into multibulks, and a Redis replica
// refuses them from its master, except the empty lines of keepalives.
type respReader struct {
	src     io.Reader
	buf     []byte
	r, w    int      // unparsed bytes are buf[r:w]
	maxBulk int64    // longest bulk accepted
	rest    int      // size a grown buffer returns to (0: kept grown)
	arena   [][]byte // argument slices since the last reset
}

// respCmd is one parsed command: its arguments (nil for stream bytes that
// carry no command: an empty line, "*0") and its raw bytes.
type respCmd struct {
	args [][]byte
	raw  []byte
}

// errProtocol is a command not in RESP's multibulk form; its text after
// "protocol error: " says what is wrong.
var errProtocol = errors.New("protocol error")

// reset lets the next commands reuse the arena: the arguments handed out
// before are no longer used.
func (rr *respReader) reset() { rr.arena = rr.arena[:0] }

// buffered returns how many bytes are read but not parsed yet.
func (rr *respReader) buffered() int { return rr.w - rr.r }

// fill compacts the buffer, grows it when a command does not fit, and
// reads more; the slices handed out before are invalid after it.
func (rr *respReader) fill() error {
	rr.compact()
	rr.grow()
	k, err := rr.src.Read(rr.buf[rr.w:])
	rr.w += k
	if rr.rest > 0 && len(rr.buf) > 4*rr.rest && rr.w <= rr.rest {
		// Give back a buffer a big command grew once smaller ones follow
		// (not while idle: Redis keeps a client's until its next reads
		// show a lower peak, and CLIENT LIST shows that).
		nb := make([]byte, rr.rest)
		copy(nb, rr.buf[:rr.w])
		rr.buf = nb
	}
	if k > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// compact moves the unparsed bytes to the start of the buffer.
func (rr *respReader) compact() {
	if rr.r > 0 {
		copy(rr.buf, rr.buf[rr.r:rr.w])
		rr.w -= rr.r
		rr.r = 0
	}
}

// grow doubles a full buffer.
func (rr *respReader) grow() {
	if rr.w == len(rr.buf) {
		nb := make([]byte, max(2*len(rr.buf), 4096))
		copy(nb, rr.buf[:rr.w])
		rr.buf = nb
	}
}

// parse reads one command at the start of b (a non-empty part of the
// unparsed bytes); k is 0 when it is incomplete. Its arguments go to the
// arena.
func (rr *respReader) parse(b []byte) (cmd respCmd, k int, err error) {
	switch b[0] {
	case '*':
	case '\n':
		return respCmd{raw: b[:1]}, 1, nil
	case '\r':
		if len(b) == 1 {
			return respCmd{}, 0, nil
		}
		if b[1] == '\n' {
			return respCmd{raw: b[:2]}, 2, nil
		}
		fallthrough
	default:
		return respCmd{}, 0, fmt.Errorf("%w: using the inline protocol", errProtocol)
	}
	count, pos, ok := parseHeader(b, '*')
	switch {
	case !ok || count > multibulkMax:
		return respCmd{}, 0, fmt.Errorf("%w: invalid multibulk length", errProtocol)
	case pos == 0:
		return respCmd{}, 0, nil
	case count <= 0:
		return respCmd{raw: b[:pos]}, pos, nil
	}
	arena := rr.arena
	start := len(arena)
	for i := int64(0); i < count; i++ {
		size, n, ok := parseHeader(b[pos:], '$')
		if !ok || size < 0 || size > rr.maxBulk {
			return respCmd{}, 0, fmt.Errorf("%w: invalid bulk length", errProtocol)
		}
		if n == 0 {
			return respCmd{}, 0, nil
		}
		pos += n
		if int64(len(b)-pos)-2 < size {
			return respCmd{}, 0, nil
		}
		end := pos + int(size)
		if b[end] != '\r' || b[end+1] != '\n' {
			return respCmd{}, 0, fmt.Errorf("%w: bulk not terminated by CRLF", errProtocol)
		}
		arena = append(arena, b[pos:end:end])
		pos = end + 2
	}
	rr.arena = arena
	return respCmd{args: arena[start:len(arena):len(arena)], raw: b[:pos]}, pos, nil
}

// parseHeader reads "<kind><int>\r\n" at the start of b; n is 0 when the
// line is incomplete.
func parseHeader(b []byte, kind byte) (v int64, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, true
	}
	if b[0] != kind {
		return 0, 0, false
	}
	// The usual line: up to 18 digits (no overflow), no leading zero,
	// then "\r\n".
	d := 1
	for d < len(b) && d < 19 && b[d] >= '0' && b[d] <= '9' {
		v = v*10 + int64(b[d]-'0')
		d++
	}
	if d > 1 && (b[1] != '0' || d == 2) && d+1 < len(b) && b[d] == '\r' && b[d+1] == '\n' {
		return v, d + 2, true
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if len(b) > 32 {
			return 0, 0, false
		}
		return 0, 0, true
	}
	if i < 2 || b[i-1] != '\r' {
		return 0, 0, false
	}
	v, ok = parseInt(b[1 : i-1])
	if !ok {
		return 0, 0, false
	}
	return v, i + 1, true
}
