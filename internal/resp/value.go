// Package resp reads and writes the RESP2 wire format from the client side:
// the replies a Redis server sends and the commands a client sends. It is
// used by the replica's link to its master, by topology polling and by tests.
package resp

import (
	"strconv"
	"strings"
)

// Kind is the RESP2 type of a Value.
type Kind byte

// The RESP2 kinds, named by their leading byte.
const (
	SimpleString Kind = '+'
	Error        Kind = '-'
	Integer      Kind = ':'
	BulkString   Kind = '$'
	Array        Kind = '*'
)

// Value is one decoded RESP2 reply.
type Value struct {
	Kind  Kind
	Str   []byte  // SimpleString, Error, BulkString payload
	Int   int64   // Integer
	Elems []Value // Array elements
	Null  bool    // null bulk string ($-1) or null array (*-1)
}

// String renders v the way redis-cli does in its raw mode, for messages
// and tests: strings as-is, integers in decimal, nil as "(nil)", arrays
// one element per line.
func (v Value) String() string {
	switch v.Kind {
	case Integer:
		return strconv.FormatInt(v.Int, 10)
	case Array:
		if v.Null {
			return "(nil)"
		}
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = e.String()
		}
		return strings.Join(parts, "\n")
	default:
		if v.Null {
			return "(nil)"
		}
		return string(v.Str)
	}
}

// Err returns the reply as a Go error when it is a RESP error, else nil.
func (v Value) Err() error {
	if v.Kind == Error {
		return ServerError(v.Str)
	}
	return nil
}

// ServerError is an error reply from a server, without the leading '-'.
type ServerError string

func (e ServerError) Error() string { return string(e) }

// Prefix returns the error code, the first word of the message ("ERR",
// "NOAUTH", "LOADING", ...).
func (e ServerError) Prefix() string {
	s := string(e)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// AppendCommand appends args to dst as a RESP multibulk command.
func AppendCommand(dst []byte, args ...string) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// AppendCommandBytes is AppendCommand for byte-slice arguments.
func AppendCommandBytes(dst []byte, args [][]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}
