package node

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
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
// is incomplete). The returned slices stay valid until the next fill.
func (s *streamReader) parse(out []streamCmd) ([]streamCmd, error) {
	for {
		cmd, n, err := parseOne(s.buf[s.pos:s.end], s.max)
		if err != nil {
			return out, err
		}
		if n == 0 {
			return out, nil
		}
		if cmd.args != nil {
			out = append(out, cmd)
		} else {
			// an empty line: counts as stream bytes, carries no command
			out = append(out, streamCmd{raw: s.buf[s.pos : s.pos+n]})
		}
		s.pos += n
	}
}

// parseOne parses one command at the start of b; n is 0 when it is
// incomplete.
func parseOne(b []byte, maxBulk int64) (streamCmd, int, error) {
	if len(b) == 0 {
		return streamCmd{}, 0, nil
	}
	if b[0] != '*' {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(b) > inlineMax {
				return streamCmd{}, 0, fmt.Errorf("%w: inline line too long", errStreamProtocol)
			}
			return streamCmd{}, 0, nil
		}
		line := bytes.TrimRight(b[:i], "\r")
		fields := bytes.Fields(line)
		if len(fields) == 0 {
			return streamCmd{raw: b[:i+1]}, i + 1, nil
		}
		return streamCmd{args: fields, raw: b[:i+1]}, i + 1, nil
	}
	pos := 0
	count, n, ok := parseHeader(b, '*')
	if !ok {
		return streamCmd{}, 0, fmt.Errorf("%w: bad multibulk header", errStreamProtocol)
	}
	if n == 0 {
		return streamCmd{}, 0, nil
	}
	if count > multibulkMax {
		return streamCmd{}, 0, fmt.Errorf("%w: multibulk count %d", errStreamProtocol, count)
	}
	pos += n
	args := make([][]byte, 0, max(count, 0))
	for i := int64(0); i < count; i++ {
		size, n, ok := parseHeader(b[pos:], '$')
		if !ok || size < 0 || size > maxBulk {
			return streamCmd{}, 0, fmt.Errorf("%w: bad bulk length", errStreamProtocol)
		}
		if n == 0 {
			return streamCmd{}, 0, nil
		}
		pos += n
		if int64(len(b)-pos) < size+2 {
			return streamCmd{}, 0, nil
		}
		if b[pos+int(size)] != '\r' || b[pos+int(size)+1] != '\n' {
			return streamCmd{}, 0, fmt.Errorf("%w: bulk not terminated by CRLF", errStreamProtocol)
		}
		args = append(args, b[pos:pos+int(size)])
		pos += int(size) + 2
	}
	if count <= 0 {
		return streamCmd{raw: b[:pos]}, pos, nil
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
	v, err := strconv.ParseInt(string(b[1:i-1]), 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return v, i + 1, true
}
