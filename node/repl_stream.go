package node

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// streamReader parses the command stream a master sends with the node's
// one RESP reader (respReader), keeping each command's raw bytes: a
// replica counts its offset on them and forwards them verbatim to its own
// replicas, so that a chain shares one offset space. Unlike Redis, which
// exempts its master from proto-max-bulk-len, it refuses longer bulks so
// that a broken master cannot make it buffer without bound.
type streamReader struct {
	respReader
	err error // a protocol error met after the commands parse returned
}

// streamCmd is one parsed command: its arguments (valid until the next
// parse or fill; nil for bytes that carry no command) and its raw bytes.
type streamCmd = respCmd

// errStreamProtocol is a protocol error in the master's stream.
var errStreamProtocol = errors.New("protocol error in the master's stream")

func newStreamReader(r io.Reader, initial []byte, maxBulk int64) *streamReader {
	s := &streamReader{respReader: respReader{src: r, buf: make([]byte, max(64<<10, len(initial))), maxBulk: maxBulk}}
	s.w = copy(s.buf, initial)
	return s
}

// parse returns the complete commands buffered now (none if the next one
// is incomplete). The commands before a protocol error are returned
// first, so that they are applied as Redis applies them; the error comes
// with the next call.
func (s *streamReader) parse(out []streamCmd) ([]streamCmd, error) {
	if s.err != nil {
		return out, s.err
	}
	s.reset()
	for s.r < s.w {
		cmd, k, err := s.respReader.parse(s.buf[s.r:s.w])
		if err != nil {
			err = fmt.Errorf("%w: %s", errStreamProtocol, strings.TrimPrefix(err.Error(), errProtocol.Error()+": "))
			if len(out) > 0 {
				s.err = err
				return out, nil
			}
			return out, err
		}
		if k == 0 {
			break
		}
		s.r += k
		out = append(out, cmd)
	}
	return out, nil
}
