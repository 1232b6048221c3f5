package node

import (
	"bytes"
	"errors"
	"io"
	"net"
	"time"

	"github.com/tidwall/redcon"
)

// chunkConn is a net.Conn whose reads return the given chunks one at a
// time (at most max bytes per read when max > 0), then io.EOF; writes
// are kept.
type chunkConn struct {
	chunks [][]byte
	max    int
	wrote  bytes.Buffer
}

func (c *chunkConn) Read(p []byte) (int, error) {
	for len(c.chunks) > 0 && len(c.chunks[0]) == 0 {
		c.chunks = c.chunks[1:]
	}
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	if c.max > 0 && len(p) > c.max {
		p = p[:c.max]
	}
	k := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][k:]
	return k, nil
}

func (c *chunkConn) Write(p []byte) (int, error) { return c.wrote.Write(p) }
func (c *chunkConn) Close() error                { return nil }
func (c *chunkConn) LocalAddr() net.Addr         { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }
func (c *chunkConn) RemoteAddr() net.Addr        { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2} }

func (c *chunkConn) SetDeadline(time.Time) error      { return nil }
func (c *chunkConn) SetReadDeadline(time.Time) error  { return nil }
func (c *chunkConn) SetWriteDeadline(time.Time) error { return nil }

// GuardResult is what redcon gets through the input guard from a client's
// bytes: the commands, what the guard wrote back (a protocol error), and
// whether the guard refused the connection (as opposed to a clean EOF).
type GuardResult struct {
	Cmds    [][][]byte
	Reply   string
	Refused bool
}

// GuardFeed sends input through the input guard (with no node: default
// limits, no password) and redcon's reader, delivered as the given chunks,
// each read returning at most maxRead bytes when maxRead > 0.
func GuardFeed(chunks [][]byte, maxRead int) GuardResult {
	cc := &chunkConn{max: maxRead}
	for _, c := range chunks {
		cc.chunks = append(cc.chunks, append([]byte(nil), c...))
	}
	g := &guardConn{Conn: cc}
	rd := redcon.NewReader(g)
	var res GuardResult
	for {
		cmds, err := rd.ReadCommands()
		for _, c := range cmds {
			res.Cmds = append(res.Cmds, c.Args)
		}
		if err != nil {
			res.Refused = errors.Is(err, errGuardClosed)
			break
		}
	}
	res.Reply = cc.wrote.String()
	return res
}

// StreamResult is what a replica's stream parser made of its master's
// bytes.
type StreamResult struct {
	Args [][][]byte // commands (nil for empty lines and "*0")
	Raw  []byte     // the raw bytes of every parsed command, concatenated
	Err  error      // a protocol error (nil at a clean end of input)
}

// StreamFeed runs the replica's stream parser over input delivered in
// reads of at most maxRead bytes (all at once when maxRead <= 0), the way
// streamFromMaster drives it.
func StreamFeed(input []byte, maxRead int, maxBulk int64) StreamResult {
	cc := &chunkConn{chunks: [][]byte{append([]byte(nil), input...)}, max: maxRead}
	sr := newStreamReader(cc, nil, maxBulk)
	var res StreamResult
	var cmds []streamCmd
	for {
		var err error
		cmds, err = sr.parse(cmds[:0])
		for _, c := range cmds {
			var args [][]byte
			for _, a := range c.args {
				args = append(args, append([]byte(nil), a...))
			}
			res.Args = append(res.Args, args)
			res.Raw = append(res.Raw, c.raw...)
		}
		if err != nil {
			res.Err = err
			return res
		}
		if len(cmds) == 0 {
			if err := sr.fill(); err != nil {
				if !errors.Is(err, io.EOF) {
					res.Err = err
				}
				return res
			}
		}
	}
}

// ErrStreamProtocol is the stream parser's protocol error.
var ErrStreamProtocol = errStreamProtocol
