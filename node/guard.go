package node

import (
	"net"
	"sync/atomic"
)

// guardConn frames the RESP input of a client connection before redcon
// parses it, so that hostile input is refused the way Redis refuses it,
// before anything is allocated for it:
//
//   - a bulk length above proto-max-bulk-len, a multibulk count above
//     1048576 or a malformed length: "-ERR Protocol error: ..." and close;
//   - an inline request or length line over 64 KB without a newline:
//     "too big inline request" / "too big mbulk count string";
//   - the empty multibulks "*0" and "*-1" are dropped, as Redis ignores them.
//
// It also counts the bytes read for INFO's total_net_input_bytes.
type guardConn struct {
	net.Conn
	n *Node

	state   int   // what the next byte belongs to
	line    int   // bytes of the current header or inline line so far
	num     int64 // number being parsed in a header
	neg     bool
	digits  int
	kind    byte  // '*' or '$' header being parsed
	remain  int64 // bulks left in the current multibulk
	skip    int64 // payload bytes (plus CRLF) left to pass through
	pending string
	failed  bool
	carry   []byte // an unfinished "*N" header held back (see scan)
}

const (
	gStart    = iota // start of a request
	gHeader          // inside a '*' or '$' length line
	gHeaderLF        // saw '\r' of a length line
	gInline          // inside an inline request
	gBulk            // expecting '$' of the next bulk
	gPayload         // passing bulk payload through
)

const (
	inlineMax    = 64 << 10
	multibulkMax = 1024 * 1024
)

var netInputBytes atomic.Int64 // fallback when a guard has no node (tests)

func (g *guardConn) Read(p []byte) (int, error) {
	if g.failed {
		return 0, errGuardClosed
	}
	if g.pending != "" {
		g.fail()
		return 0, errGuardClosed
	}
	if len(g.carry) >= len(p) {
		// Cannot happen behind redcon's bufio.Reader (it reads at least
		// 4 KB); pass the held bytes on rather than lose them.
		c := copy(p, g.carry)
		g.carry = g.carry[c:]
		return c, nil
	}
	for {
		c := copy(p, g.carry)
		g.carry = g.carry[:0]
		k, err := g.Conn.Read(p[c:])
		if k > 0 {
			if g.n != nil {
				g.n.netInput.Add(int64(k))
			} else {
				netInputBytes.Add(int64(k))
			}
			out := g.scan(p[:c+k])
			if out > 0 || err != nil {
				return out, err
			}
			if g.pending != "" {
				g.fail()
				return 0, errGuardClosed
			}
			continue // everything read was dropped (empty multibulks)
		}
		if c > 0 {
			g.carry = append(g.carry[:0], p[:c]...)
		}
		return k, err
	}
}

type guardError struct{}

func (guardError) Error() string { return "protocol error" }

var errGuardClosed error = guardError{}

func (g *guardConn) fail() {
	g.failed = true
	if g.n != nil {
		g.n.logVerbose("Protocol error (%s) from client: addr=%s", g.pending, g.RemoteAddr())
	}
	_, _ = g.Conn.Write([]byte("-ERR Protocol error: " + g.pending + "\r\n"))
}

// scan checks p in place, compacting away dropped frames; it returns how
// many bytes of p to hand on. On an error it stops before the bad frame
// and sets pending.
func (g *guardConn) scan(p []byte) int {
	w := 0     // write position (compaction)
	frame := 0 // start in p of the frame being scanned (for dropping)
	keepFrom := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch g.state {
		case gStart:
			frame = i
			switch c {
			case '*':
				g.startHeader('*')
			case '\r', '\n':
				// empty lines between requests: redcon ignores them
			default:
				g.state = gInline
				g.line = 1
			}
		case gInline:
			if c == '\n' {
				g.state = gStart
				continue
			}
			g.line++
			if g.line > inlineMax {
				g.pending = "too big inline request"
				return w + copy(p[w:], p[keepFrom:frame])
			}
		case gHeader:
			switch {
			case c == '\r':
				g.state = gHeaderLF
			case c >= '0' && c <= '9' && g.digits < 19:
				g.num = g.num*10 + int64(c-'0')
				g.digits++
			case c == '-' && g.digits == 0 && !g.neg:
				g.neg = true
			default:
				g.line++
				if g.line > inlineMax {
					if g.kind == '*' {
						g.pending = "too big mbulk count string"
					} else {
						g.pending = "too big bulk count string"
					}
					return w + copy(p[w:], p[keepFrom:frame])
				}
				g.digits = 99 // not a number
			}
		case gHeaderLF:
			if c != '\n' {
				g.digits = 99
			}
			num := g.num
			if g.neg {
				num = -num
			}
			bad := g.digits == 0 || g.digits > 19 || c != '\n'
			if g.kind == '*' {
				switch {
				case bad || num > multibulkMax:
					g.pending = "invalid multibulk length"
					return w + copy(p[w:], p[keepFrom:frame])
				case num <= 0:
					// Redis ignores "*0" and "*-1": drop the frame.
					w += copy(p[w:], p[keepFrom:frame])
					keepFrom = i + 1
					g.state = gStart
				default:
					g.remain = num
					g.state = gBulk
				}
			} else {
				if bad || num < 0 || num > g.maxBulk() {
					g.pending = "invalid bulk length"
					return w + copy(p[w:], p[keepFrom:frame])
				}
				g.skip = num + 2
				g.state = gPayload
			}
		case gBulk:
			if c != '$' {
				g.pending = "expected '$', got '" + string(c) + "'"
				return w + copy(p[w:], p[keepFrom:frame])
			}
			g.startHeader('$')
		case gPayload:
			n := min(int64(len(p)-i), g.skip)
			g.skip -= n
			i += int(n) - 1
			if g.skip == 0 {
				g.remain--
				if g.remain == 0 {
					g.state = gStart
				} else {
					g.state = gBulk
				}
			}
		}
	}
	if (g.state == gHeader || g.state == gHeaderLF) && g.kind == '*' && g.line <= 22 && len(p)-frame < 64 {
		// Hold back an unfinished multibulk header so that a "*0" split
		// across reads can still be dropped whole: rescan it next time.
		g.carry = append(g.carry[:0], p[frame:]...)
		g.state = gStart
		return w + copy(p[w:], p[keepFrom:frame])
	}
	return w + copy(p[w:], p[keepFrom:])
}

func (g *guardConn) startHeader(kind byte) {
	g.kind = kind
	g.state = gHeader
	g.num, g.neg, g.digits, g.line = 0, false, 0, 1
}

func (g *guardConn) maxBulk() int64 {
	if g.n == nil {
		return 512 << 20
	}
	return g.n.protoMaxBulkLen.Load()
}

// guardListener wraps accepted connections in guardConn.
type guardListener struct {
	net.Listener
	n *Node
}

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &guardConn{Conn: c, n: l.n}, nil
}
