package node

import (
	"io"
	"math"
)

// cmdReader reads a client's requests from its guard, which hands on only
// well-formed multibulks ("*N\r\n" then N "$L\r\n<L bytes>\r\n"), with the
// node's one RESP reader (respReader). The arguments of a batch are slices
// of its buffer, valid until the next batch. Commands that keep an
// argument copy it (copyBytes, copyArgs), as they must.
type cmdReader struct {
	respReader
	queue [][][]byte // parsed commands not yet handed out by next
	stats *qbufStats // where CLIENT LIST reads the buffer's state; may be nil
}

func newCmdReader(src io.Reader) *cmdReader {
	// The guard judged the bulk lengths against proto-max-bulk-len.
	return &cmdReader{respReader: respReader{src: src, buf: make([]byte, readChunk), maxBulk: math.MaxInt64, rest: readChunk}}
}

// batch appends to out every complete request buffered now, reading when
// none is: one batch runs under one acquisition of the node's lock.
func (cr *cmdReader) batch(out [][][]byte) ([][][]byte, error) {
	cr.reset()
	for {
		var err error
		out, err = cr.parseBuffered(out)
		cr.note(cr.r)
		if err != nil || len(out) > 0 {
			return out, err
		}
		cr.compact()
		cr.grow()
		cr.note(0)
		if err = cr.fill(); err != nil {
			return out, err
		}
	}
}

// note shows the buffer's state in CLIENT LIST (qbuf, qbuf-free).
func (cr *cmdReader) note(r int) {
	if cr.stats != nil {
		cr.stats.note(len(cr.buf), cr.w, r)
	}
}

// parseBuffered appends to out every complete request in the buffer.
func (cr *cmdReader) parseBuffered(out [][][]byte) ([][][]byte, error) {
	for cr.r < cr.w {
		cmd, k, err := cr.parse(cr.buf[cr.r:cr.w])
		if err != nil || k == 0 {
			return out, err
		}
		cr.r += k
		if cmd.args != nil {
			out = append(out, cmd.args)
		}
	}
	return out, nil
}

// absorb takes in, without blocking, the requests the guard already holds
// and appends the complete ones to out: with the first request, they make
// the first batch, as one read would have made them in Redis.
func (cr *cmdReader) absorb(g *guardConn, out [][][]byte) [][][]byte {
	for {
		cr.grow()
		k, _ := g.readBuffered(cr.buf[cr.w:])
		if k == 0 {
			break
		}
		cr.w += k
	}
	out, _ = cr.parseBuffered(out) // a bad frame is met again by batch
	cr.note(cr.r)
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
