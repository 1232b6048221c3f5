package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// streamReader parses the command stream a master sends, keeping each
// command's raw bytes: a replica counts its offset on them and forwards
// them verbatim to its own replicas, so that a chain shares one offset
// space.
type streamReader struct {
	r    io.Reader
	buf  []byte
	pos  int // start of unparsed data
	end  int
	read int64 // bytes read from r
	max  int64 // proto-max-bulk-len
	err  error // a protocol error met after the commands parse returned
}

func newStreamReader(r io.Reader, initial []byte, maxBulk int64) *streamReader {
	s := &streamReader{r: r, buf: make([]byte, max(64<<10, len(initial))), max: maxBulk}
	s.end = copy(s.buf, initial)
	return s
}

// streamCmd is one parsed command: its arguments (valid until the next
// fill) and its raw bytes.
type streamCmd struct {
	args [][]byte
	raw  []byte
}

var errStreamProtocol = errors.New("protocol error in the master's stream")

// fill reads more bytes, growing the buffer when a command does not fit.
func (s *streamReader) fill() error {
	if s.pos > 0 && s.pos == s.end {
		s.pos, s.end = 0, 0
	}
	if s.end == len(s.buf) {
		if s.pos > 0 {
			copy(s.buf, s.buf[s.pos:s.end])
			s.end -= s.pos
			s.pos = 0
		} else {
			nb := make([]byte, len(s.buf)*2)
			copy(nb, s.buf[:s.end])
			s.buf = nb
		}
	}
	n, err := s.r.Read(s.buf[s.end:])
	s.end += n
	s.read += int64(n)
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// parse returns the complete commands buffered now (none if the next one
// is incomplete). The returned slices stay valid until the next fill. The
// commands before a protocol error are returned first, so that they are
// applied as Redis applies them; the error comes with the next call.
func (s *streamReader) parse(out []streamCmd) ([]streamCmd, error) {
	if s.err != nil {
		return out, s.err
	}
	for {
		cmd, n, err := parseOne(s.buf[s.pos:s.end], s.max)
		if err != nil {
			if len(out) > 0 {
				s.err = err
				return out, nil
			}
			return out, err
		}
		if n == 0 {
			return out, nil
		}
		if cmd.args != nil {
			out = append(out, cmd)
		} else {
			// an empty line or "*0": stream bytes that carry no command
			out = append(out, streamCmd{raw: s.buf[s.pos : s.pos+n]})
		}
		s.pos += n
	}
}

// parseOne parses one command at the start of b; n is 0 when it is
// incomplete. It reads lengths with Redis's string2ll rules and, like a
// Redis replica, refuses inline commands from its master (only the empty
// lines of keepalives are allowed). Unlike Redis, which exempts its master
// from proto-max-bulk-len, it refuses longer bulks so that a broken master
// cannot make it buffer without bound.
func parseOne(b []byte, maxBulk int64) (streamCmd, int, error) {
	if len(b) == 0 {
		return streamCmd{}, 0, nil
	}
	switch b[0] {
	case '*':
	case '\n':
		return streamCmd{raw: b[:1]}, 1, nil
	case '\r':
		if len(b) == 1 {
			return streamCmd{}, 0, nil
		}
		if b[1] == '\n' {
			return streamCmd{raw: b[:2]}, 2, nil
		}
		fallthrough
	default:
		return streamCmd{}, 0, fmt.Errorf("%w: master using the inline protocol", errStreamProtocol)
	}
	count, pos, ok := parseHeader(b, '*')
	switch {
	case !ok || count > multibulkMax:
		return streamCmd{}, 0, fmt.Errorf("%w: invalid multibulk length", errStreamProtocol)
	case pos == 0:
		return streamCmd{}, 0, nil
	case count <= 0:
		return streamCmd{raw: b[:pos]}, pos, nil
	}
	// Every argument takes at least 6 bytes ("$0\r\n\r\n"): do not let a
	// count that the buffer cannot hold yet allocate for it.
	args := make([][]byte, 0, min(count, int64(len(b)-pos)/6+1))
	for i := int64(0); i < count; i++ {
		size, n, ok := parseHeader(b[pos:], '$')
		if !ok || size < 0 || size > maxBulk {
			return streamCmd{}, 0, fmt.Errorf("%w: invalid bulk length", errStreamProtocol)
		}
		if n == 0 {
			return streamCmd{}, 0, nil
		}
		pos += n
		if int64(len(b)-pos)-2 < size {
			return streamCmd{}, 0, nil
		}
		end := pos + int(size)
		if b[end] != '\r' || b[end+1] != '\n' {
			return streamCmd{}, 0, fmt.Errorf("%w: bulk not terminated by CRLF", errStreamProtocol)
		}
		args = append(args, b[pos:end])
		pos = end + 2
	}
	return streamCmd{args: args, raw: b[:pos]}, pos, nil
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
