package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Limits bound what a Reader accepts so that a hostile or broken peer
// cannot make it allocate without bound.
type Limits struct {
	MaxBulk  int64 // longest bulk string; default 512 MB
	MaxElems int64 // most elements in one array; default 1<<24
	MaxDepth int   // deepest array nesting; default 16
	MaxLine  int   // longest header/simple line; default 64 KB
}

func (l Limits) withDefaults() Limits {
	if l.MaxBulk <= 0 {
		l.MaxBulk = 512 << 20
	}
	if l.MaxElems <= 0 {
		l.MaxElems = 1 << 24
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 16
	}
	if l.MaxLine <= 0 {
		l.MaxLine = 64 << 10
	}
	return l
}

// ErrProtocol reports a reply that does not follow RESP2.
var ErrProtocol = errors.New("resp: protocol error")

// Reader decodes RESP2 replies from a buffered stream.
type Reader struct {
	br     *bufio.Reader
	limits Limits
}

// NewReader returns a Reader over r with default limits.
func NewReader(r io.Reader) *Reader {
	return NewReaderLimits(r, Limits{})
}

// NewReaderLimits returns a Reader over r with the given limits.
func NewReaderLimits(r io.Reader, l Limits) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 32<<10)
	}
	return &Reader{br: br, limits: l.withDefaults()}
}

// Buffered returns the underlying buffered reader, for callers that switch
// from replies to raw bytes (an RDB payload after +FULLRESYNC).
func (r *Reader) Buffered() *bufio.Reader { return r.br }

// ReadLine reads one CRLF- or LF-terminated line without its terminator.
func (r *Reader) ReadLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			line = append(line, chunk...)
			if len(line) > r.limits.MaxLine {
				return nil, fmt.Errorf("%w: line longer than %d bytes", ErrProtocol, r.limits.MaxLine)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if line == nil {
			line = chunk
		} else {
			line = append(line, chunk...)
		}
		break
	}
	if len(line) > r.limits.MaxLine {
		return nil, fmt.Errorf("%w: line longer than %d bytes", ErrProtocol, r.limits.MaxLine)
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// ReadValue reads one complete reply.
func (r *Reader) ReadValue() (Value, error) {
	return r.readValue(0)
}

func (r *Reader) readValue(depth int) (Value, error) {
	line, err := r.ReadLine()
	if err != nil {
		return Value{}, err
	}
	if len(line) == 0 {
		return Value{}, fmt.Errorf("%w: empty line", ErrProtocol)
	}
	kind := Kind(line[0])
	body := line[1:]
	switch kind {
	case SimpleString, Error:
		return Value{Kind: kind, Str: append([]byte(nil), body...)}, nil
	case Integer:
		n, err := strconv.ParseInt(string(body), 10, 64)
		if err != nil {
			return Value{}, fmt.Errorf("%w: bad integer %q", ErrProtocol, body)
		}
		return Value{Kind: Integer, Int: n}, nil
	case BulkString:
		n, err := strconv.ParseInt(string(body), 10, 64)
		if err != nil || n < -1 {
			return Value{}, fmt.Errorf("%w: bad bulk length %q", ErrProtocol, body)
		}
		if n == -1 {
			return Value{Kind: BulkString, Null: true}, nil
		}
		if n > r.limits.MaxBulk {
			return Value{}, fmt.Errorf("%w: bulk length %d over limit", ErrProtocol, n)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r.br, buf); err != nil {
			return Value{}, unexpected(err)
		}
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return Value{}, fmt.Errorf("%w: bulk string not terminated by CRLF", ErrProtocol)
		}
		return Value{Kind: BulkString, Str: buf[:n:n]}, nil
	case Array:
		n, err := strconv.ParseInt(string(body), 10, 64)
		if err != nil || n < -1 {
			return Value{}, fmt.Errorf("%w: bad array length %q", ErrProtocol, body)
		}
		if n == -1 {
			return Value{Kind: Array, Null: true}, nil
		}
		if n > r.limits.MaxElems {
			return Value{}, fmt.Errorf("%w: array length %d over limit", ErrProtocol, n)
		}
		if depth >= r.limits.MaxDepth {
			return Value{}, fmt.Errorf("%w: arrays nested deeper than %d", ErrProtocol, r.limits.MaxDepth)
		}
		elems := make([]Value, 0, min(n, 1024))
		for i := int64(0); i < n; i++ {
			e, err := r.readValue(depth + 1)
			if err != nil {
				return Value{}, unexpected(err)
			}
			elems = append(elems, e)
		}
		return Value{Kind: Array, Elems: elems}, nil
	default:
		return Value{}, fmt.Errorf("%w: unexpected byte %q", ErrProtocol, line[0])
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadRaw reads one complete reply and returns its bytes exactly as
// received, for byte-for-byte comparisons. It knows RESP3 types too (maps,
// sets, pushes, nulls, doubles, booleans, verbatim strings).
func (r *Reader) ReadRaw() ([]byte, error) {
	var out []byte
	err := r.readRaw(&out, 0)
	return out, err
}

func (r *Reader) readRaw(out *[]byte, depth int) error {
	line, err := r.ReadLine()
	if err != nil {
		return err
	}
	*out = append(*out, line...)
	*out = append(*out, '\r', '\n')
	if len(line) == 0 {
		return fmt.Errorf("%w: empty line", ErrProtocol)
	}
	switch line[0] {
	case '+', '-', ':', '_', ',', '#', '(': // RESP3 null, double, boolean, big number
		return nil
	case '$', '=', '!': // RESP3 verbatim string and bulk error are bulk-like
		n, err := strconv.ParseInt(string(line[1:]), 10, 64)
		if err != nil || n < -1 || n > r.limits.MaxBulk {
			return fmt.Errorf("%w: bad bulk length %q", ErrProtocol, line)
		}
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r.br, buf); err != nil {
			return unexpected(err)
		}
		*out = append(*out, buf...)
		return nil
	case '*', '~', '>', '%': // RESP3 set, push and map (of n pairs)
		n, err := strconv.ParseInt(string(line[1:]), 10, 64)
		if err != nil || n < -1 || n > r.limits.MaxElems || depth >= r.limits.MaxDepth {
			return fmt.Errorf("%w: bad array header %q", ErrProtocol, line)
		}
		if line[0] == '%' {
			n *= 2
		}
		for i := int64(0); i < n; i++ {
			if err := r.readRaw(out, depth+1); err != nil {
				return unexpected(err)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: unexpected byte %q", ErrProtocol, line[0])
}
