package node

import (
	"errors"
	"io"
)

// cmdReader reads a client's requests from its guard, which hands on only
// well-formed multibulks ("*N\r\n" then N "$L\r\n<L bytes>\r\n"). It
// parses them in place in one reused buffer: the arguments of a batch are
// slices of that buffer, valid until the next call. Commands that keep an
// argument copy it (copyBytes, copyArgs), as they must.
type cmdReader struct {
	src   io.Reader
	buf   []byte
	r, w  int
	arena [][]byte   // argument slices of the current batch
	queue [][][]byte // parsed commands not yet handed out by next
	stats *qbufStats // where CLIENT LIST reads the buffer's state; may be nil
}

func newCmdReader(src io.Reader) *cmdReader {
	return &cmdReader{src: src, buf: make([]byte, 16<<10)}
}

var errBadFrame = errors.New("client request not in the guard's form")

// batch appends to out every complete request buffered now, reading when
// none is: one batch runs under one acquisition of the node's lock.
func (cr *cmdReader) batch(out [][][]byte) ([][][]byte, error) {
	cr.arena = cr.arena[:0]
	for {
		var err error
		out, err = cr.parseBuffered(out)
		if cr.stats != nil {
			cr.stats.note(len(cr.buf), cr.w, cr.r)
		}
		if err != nil || len(out) > 0 {
			return out, err
		}
		if err = cr.fill(); err != nil {
			return out, err
		}
	}
}

// parseBuffered appends to out every complete request in the buffer.
func (cr *cmdReader) parseBuffered(out [][][]byte) ([][][]byte, error) {
	for cr.r < cr.w {
		args, k, err := cr.parse(cr.buf[cr.r:cr.w])
		if err != nil || k == 0 {
			return out, err
		}
		cr.r += k
		if args != nil {
			out = append(out, args)
		}
	}
	return out, nil
}

// absorb takes in, without blocking, the requests the guard already holds
// and appends the complete ones to out: with the first request, they make
// the first batch, as one read would have made them in Redis.
func (cr *cmdReader) absorb(g *guardConn, out [][][]byte) [][][]byte {
	for {
		if cr.w == len(cr.buf) {
			nb := make([]byte, len(cr.buf)*2)
			copy(nb, cr.buf[:cr.w])
			cr.buf = nb
		}
		k, _ := g.readBuffered(cr.buf[cr.w:])
		if k == 0 {
			break
		}
		cr.w += k
	}
	out, _ = cr.parseBuffered(out) // a bad frame is met again by batch
	if cr.stats != nil {
		cr.stats.note(len(cr.buf), cr.w, cr.r)
	}
	return out
}

// next returns one request; its arguments are valid until the next call.
func (cr *cmdReader) next() ([][]byte, error) {
	if len(cr.queue) == 0 {
		q, err := cr.batch(cr.queue[:0])
		if len(q) == 0 {
			return nil, err
		}
		cr.queue = q
	}
	args := cr.queue[0]
	cr.queue = cr.queue[1:]
	return args, nil
}

// fill compacts the buffer, grows it when a request does not fit, and
// reads more.
func (cr *cmdReader) fill() error {
	if cr.r > 0 {
		copy(cr.buf, cr.buf[cr.r:cr.w])
		cr.w -= cr.r
		cr.r = 0
	}
	if cr.w == len(cr.buf) {
		nb := make([]byte, len(cr.buf)*2)
		copy(nb, cr.buf[:cr.w])
		cr.buf = nb
	}
	if cr.stats != nil {
		cr.stats.note(len(cr.buf), cr.w, 0)
	}
	k, err := cr.src.Read(cr.buf[cr.w:])
	cr.w += k
	if len(cr.buf) > 64<<10 && cr.w <= 16<<10 {
		// Give back a buffer a big request grew once smaller requests
		// follow (not while idle: Redis keeps it until the client's next
		// reads show a lower peak, and CLIENT LIST shows that).
		nb := make([]byte, 16<<10)
		copy(nb, cr.buf[:cr.w])
		cr.buf = nb
	}
	if k > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// parse reads one request at the start of b: k is 0 when it is not
// complete yet. The guard vouches for the form; the bounds are still
// checked so that a broken invariant can never index out of range.
func (cr *cmdReader) parse(b []byte) (args [][]byte, k int, err error) {
	if b[0] != '*' {
		return nil, 0, errBadFrame
	}
	n, pos, ok := readLen(b, 1)
	if !ok {
		return nil, 0, nil
	}
	if n < 0 {
		return nil, 0, errBadFrame
	}
	if n == 0 {
		return nil, pos, nil // nothing to run (the guard drops these anyway)
	}
	start := len(cr.arena)
	for i := int64(0); i < n; i++ {
		if pos >= len(b) {
			cr.arena = cr.arena[:start]
			return nil, 0, nil
		}
		if b[pos] != '$' {
			return nil, 0, errBadFrame
		}
		size, p, ok := readLen(b, pos+1)
		if !ok {
			cr.arena = cr.arena[:start]
			return nil, 0, nil
		}
		if size < 0 {
			return nil, 0, errBadFrame
		}
		if int64(len(b)-p) < size+2 {
			cr.arena = cr.arena[:start]
			return nil, 0, nil
		}
		end := p + int(size)
		cr.arena = append(cr.arena, b[p:end:end])
		pos = end + 2
	}
	return cr.arena[start:len(cr.arena):len(cr.arena)], pos, nil
}

// readLen reads the decimal number at b[i:] up to "\r\n" and returns the
// position after it; ok is false when the line is not complete.
func readLen(b []byte, i int) (v int64, next int, ok bool) {
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			if i+1 >= len(b) {
				return 0, 0, false
			}
			if neg {
				v = -v
			}
			return v, i + 2, true
		}
		if c < '0' || c > '9' || v > 1<<40 {
			return -1, i, true // not the guard's form
		}
		v = v*10 + int64(c-'0')
	}
	return 0, 0, false
}
