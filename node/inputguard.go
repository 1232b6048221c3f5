package node

import (
	"errors"
	"math"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/replscope/replscope/node/config"
)

// guardConn reads a client connection for redcon and hands it the requests
// re-encoded as plain RESP multibulks, after judging them the way Redis
// 7.0's processInlineBuffer / processMultibulkBuffer do, so that hostile
// input gets Redis's answer, word for word:
//
//   - lengths are read with Redis's string2ll (no '+', no leading zeros, no
//     "-0"); a bad multibulk count or one above INT_MAX, or a bulk length
//     that is negative or above proto-max-bulk-len, is
//     "-ERR Protocol error: invalid ..." and the connection closes;
//   - "*0" and "*-1" (any count <= 0) are dropped, even split across reads;
//   - a line (inline request, count or length) with no end after more than
//     64 KB is "too big inline request" / "too big mbulk count string" /
//     "too big bulk count string"; a NUL byte in such a line hides its end
//     from Redis's strchr, so the line runs on until that limit too;
//   - the byte after a header's '\r' and the two after a bulk payload are
//     skipped unchecked, as Redis skips them;
//   - inline requests are split with sdssplitargs's rules (quotes, \xHH
//     escapes, tabs); unbalanced quotes are a protocol error;
//   - before AUTH, with a password set, a count above 10 or a bulk above
//     16384 bytes is "unauthenticated multibulk/bulk length";
//   - a request growing past client-query-buffer-limit closes the
//     connection without a reply.
//
// A multibulk of more than 1024 arguments is held until it is complete:
// redcon walks the whole count each time it re-parses an incomplete
// command, so "*2147483647" followed by a trickle of bytes would cost
// seconds of CPU per read.
//
// Requests before a bad one are handed on (and answered) first: an error
// stops the scan at the bad request and is written on the next Read, which
// redcon makes only once it has run everything handed on before.
//
// It also counts the bytes read for INFO's total_net_input_bytes.
type guardConn struct {
	net.Conn
	n *Node

	rbuf []byte // raw bytes read from the connection
	in   []byte // raw bytes read but not scanned yet (a deferred check)
	out  []byte // re-encoded bytes not handed on yet
	dst  []byte // the caller's buffer, filled during a scan
	hold []byte // a long multibulk held until it is complete
	rerr error  // read error to return once the bytes before it are handed on

	state    int
	kind     byte   // line being read: '*' or '$' header, 0 for inline
	first    byte   // first byte of a bulk header line (should be '$')
	line     []byte // an inline line, or the number of a header line
	lineLen  int64  // bytes of the current line so far (64 KB limit)
	frameLen int64  // bytes of the current request so far (query buffer)
	frameOut int    // bytes handed on in this Read before the current request
	remain   int64  // bulks left in the current multibulk
	skip     int64  // payload bytes left, plus the two after them
	qlimit   int64  // client-query-buffer-limit, read once per request
	holding  bool   // the current multibulk goes to hold
	pending  string // protocol error to report
	quiet    bool   // close without a reply (query buffer limit)
	failed   bool
	client   *Client
	// oneFrame holds every Read to at most one request (split only when
	// the request is larger than the caller's buffer) until the client
	// loop takes the connection over from redcon: redcon's reader then
	// holds nothing beyond the requests it has parsed, so no byte is lost
	// when the connection is detached.
	oneFrame bool
	// stamped reads the socket with its kernel arrival times (arrival.go);
	// arrival is that of the last data read (unix ns), 0 when unknown.
	stamped *stampReader
	arrival int64
	// noSocket is set while readBuffered hands on requests before the ones
	// already handed on have run: checks that depend on them (AUTH) wait.
	noSocket bool
}

const (
	gStart      = iota // start of a request
	gInline            // inside an inline request
	gHeader            // inside a '*' or '$' line, before its '\r'
	gHeaderLF          // saw the '\r' of a header line: one more byte
	gHeaderDone        // a header line read, its checks deferred
	gBulk              // expecting the '$' line of the next bulk
	gPayload           // passing a bulk payload through
	gStuck             // a NUL hid the end of the line: swallow until 64 KB
)

const (
	inlineMax       = 64 << 10 // PROTO_INLINE_MAX_SIZE
	multibulkMax    = math.MaxInt32
	unauthMultibulk = 10
	unauthBulk      = 16384
	readChunk       = 16 << 10 // PROTO_IOBUF_LEN
	bigPayload      = 16 << 10 // payloads at least this long skip the scan
	queryBufFloor   = 1 << 20  // the smallest client-query-buffer-limit
	headerDigits    = 21       // string2ll refuses longer numbers
	holdArgs        = 1024     // multibulks with more arguments are held
)

var netInputBytes atomic.Int64 // fallback when a guard has no node (tests)

func (g *guardConn) Read(p []byte) (int, error) { return g.read(p, true) }

// readBuffered is Read without touching the socket: it hands on what the
// guard already holds (and 0 when it holds nothing).
func (g *guardConn) readBuffered(p []byte) (int, error) {
	g.noSocket = true
	defer func() { g.noSocket = false }()
	return g.read(p, false)
}

func (g *guardConn) read(p []byte, socket bool) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if len(g.out) > 0 {
			k := copy(p, g.out)
			g.out = g.out[k:]
			if len(g.out) == 0 && cap(g.out) > readChunk {
				g.out = nil
			}
			return k, nil
		}
		if !socket && (g.failed || g.pending != "" || g.quiet) {
			// an error is written only when the requests before it ran:
			// on the next real Read
			return 0, nil
		}
		if g.failed {
			return 0, errGuardClosed
		}
		if g.pending != "" {
			g.fail()
			return 0, errGuardClosed
		}
		if g.quiet {
			g.failed = true
			return 0, errGuardClosed
		}
		g.frameOut = 0
		g.dst = p[:0:len(p)] // never past len(p), whatever p's capacity
		switch {
		case len(g.in) > 0 || g.state == gHeaderDone:
			in := g.in
			g.in = nil
			g.scan(in)
		case g.rerr != nil:
			return 0, g.rerr
		case !socket:
			return 0, nil
		case g.state == gPayload && g.skip-2 >= bigPayload && !g.holding:
			// the middle of a large payload: straight through
			k, err := g.Conn.Read(p[:min(int64(len(p)), g.skip-2)])
			g.counted(k)
			g.skip -= int64(k)
			g.frameLen += int64(k)
			g.checkQueryBuf()
			if k > 0 {
				g.rerr = err
				return k, nil
			}
			return 0, err
		default:
			raw, err := g.readRaw(len(p))
			g.rerr = err
			if len(raw) == 0 && err != nil {
				return 0, err
			}
			g.scan(raw)
			g.checkLimits()
		}
		k := len(g.dst)
		g.dst = nil
		if k > 0 || !socket {
			return k, nil
		}
		// everything read was held back or dropped: read on
	}
}

// readRaw reads from the connection into rbuf: as much as the caller
// asked for (at least 4 KB), or Redis's 16 KB while a line runs long, so
// that the 64 KB limit on lines is judged after reads of Redis's size.
func (g *guardConn) readRaw(want int) ([]byte, error) {
	size := min(max(want, 4096), readChunk)
	if g.lineLen > 4096 {
		size = readChunk
	}
	if cap(g.rbuf) < size {
		g.rbuf = make([]byte, size)
	}
	if g.stamped != nil {
		k, ts, err := g.stamped.read(g.rbuf[:size])
		g.counted(k)
		if ts != 0 {
			g.arrival = ts
		}
		return g.rbuf[:k], err
	}
	k, err := g.Conn.Read(g.rbuf[:size])
	g.counted(k)
	return g.rbuf[:k], err
}

func (g *guardConn) counted(k int) {
	if k <= 0 {
		return
	}
	if g.n != nil {
		g.n.netInput.Add(int64(k))
	} else {
		netInputBytes.Add(int64(k))
	}
}

type guardError struct{}

func (guardError) Error() string { return "protocol error" }

var errGuardClosed error = guardError{}

// fail reports the pending protocol error and ends the connection. Like
// Redis, it writes nothing to a replica: its connection carries the
// replication stream.
func (g *guardConn) fail() {
	g.failed = true
	if g.n != nil {
		g.n.logVerbose("Protocol error (%s) from client: addr=%s", g.pending, g.RemoteAddr())
		if g.isReplica() {
			return
		}
	}
	_, _ = g.Conn.Write([]byte("-ERR Protocol error: " + g.pending + "\r\n"))
}

// isReplica reports whether this connection is a replica's.
func (g *guardConn) isReplica() bool {
	n := g.n
	n.mu.Lock()
	defer n.mu.Unlock()
	g.lookupClientLocked()
	return g.client != nil && g.client.is(flagReplica)
}

// lookupClientLocked finds the node's client for this connection.
func (g *guardConn) lookupClientLocked() {
	if g.client != nil {
		return
	}
	for _, c := range g.n.clients {
		if c.netConn == net.Conn(g) {
			g.client = c
			return
		}
	}
}

// emit hands bytes on: into the caller's buffer while it has room, the
// rest into out.
func (g *guardConn) emit(b []byte) {
	if g.holding {
		g.hold = append(g.hold, b...)
		return
	}
	if len(g.out) == 0 {
		k := copy(g.dst[len(g.dst):cap(g.dst)], b)
		g.dst = g.dst[:len(g.dst)+k]
		b = b[k:]
		if len(b) == 0 {
			return
		}
	}
	g.out = append(g.out, b...)
}

func (g *guardConn) emitHeader(kind byte, v int64) {
	var buf [24]byte
	b := append(buf[:0], kind)
	b = strconv.AppendInt(b, v, 10)
	g.emit(append(b, '\r', '\n'))
}

// handed returns how many bytes this Read has handed on so far.
func (g *guardConn) handed() int { return len(g.dst) + len(g.out) }

// scan judges and re-encodes b. It stops at the first error, and before a
// request whose check must wait until the requests before it have run.
func (g *guardConn) scan(b []byte) {
	if g.state == gHeaderDone && !g.endHeader() {
		g.in = b
		return
	}
	for i := 0; i < len(b); {
		if g.pending != "" {
			return
		}
		switch g.state {
		case gStart:
			if g.oneFrame && g.handed() > 0 {
				g.in = b[i:] // the next request waits for the next Read
				return
			}
			g.frameLen, g.qlimit = 0, 0
			g.frameOut = g.handed()
			if k := quickFrame(b[i:], g.maxBulk()); k > 0 {
				g.emit(b[i : i+k]) // already as the checks would re-encode it
				i += k
				continue
			}
			if b[i] == '*' {
				g.startLine('*')
				g.lineLen, g.frameLen = 1, 1
				i++
			} else {
				g.startLine(0)
				g.state = gInline
			}
		case gInline:
			var ended bool
			if i, ended = g.takeLine(b, i, '\n', math.MaxInt); !ended {
				break
			}
			if b[i] == 0 {
				g.state = gStuck
				break
			}
			i++ // the '\n'
			g.endInline()
		case gBulk:
			g.startLine('$')
			g.first = b[i]
			g.lineLen = 1
			g.frameLen++
			switch b[i] {
			case 0:
				g.state = gStuck
			case '\r':
				g.state = gHeaderLF
			}
			i++
		case gHeader:
			var ended bool
			if i, ended = g.takeLine(b, i, '\r', headerDigits-len(g.line)); !ended {
				break
			}
			if b[i] == 0 {
				g.state = gStuck
				break
			}
			g.state = gHeaderLF
			g.frameLen++
			i++ // the '\r'
		case gHeaderLF:
			// Redis skips the byte after '\r' without looking at it.
			g.frameLen++
			i++
			g.state = gHeaderDone
			if !g.endHeader() {
				g.in = b[i:]
				return
			}
		case gPayload:
			k := min(int64(len(b)-i), g.skip)
			if data := min(k, g.skip-2); data > 0 {
				g.emit(b[i : i+int(data)])
			}
			g.skip -= k
			g.frameLen += k
			i += int(k)
			if g.skip == 0 {
				// the two bytes after the payload are not checked
				g.emit(crlf)
				g.endBulk()
			}
		case gStuck:
			k := int64(len(b) - i)
			g.lineLen += k
			g.frameLen += k
			i = len(b)
		}
	}
}

var crlf = []byte("\r\n")

// indexLineEnd finds the end of a line (c) or a NUL, which hides the end
// of the line from Redis's strchr.
// quickFrame returns the length of the complete multibulk at the start of
// b when the checks below would pass it and hand it on byte for byte: 1 to
// unauthMultibulk arguments of at most unauthBulk bytes each (so that no
// AUTH or size check applies), every count and length in string2ll's form
// and every line and payload ended by "\r\n". Otherwise it returns 0 and
// the request is judged byte by byte. A pipelined batch of ordinary
// requests is then handed on with one copy per request, not a re-encoding
// of each header.
func quickFrame(b []byte, maxBulk int64) int {
	// parseHeader (the RESP reader's) takes string2ll's form ended by
	// "\r\n"; k == 0 is an incomplete line.
	n, i, ok := parseHeader(b, '*')
	if !ok || i == 0 || n < 1 || n > unauthMultibulk {
		return 0
	}
	for ; n > 0; n-- {
		l, k, ok := parseHeader(b[i:], '$')
		if !ok || k == 0 || l < 0 || l > unauthBulk || l > maxBulk {
			return 0
		}
		end := i + k + int(l)
		if end+2 > len(b) || b[end] != '\r' || b[end+1] != '\n' {
			return 0
		}
		i = end + 2
	}
	return i
}

func indexLineEnd(b []byte, c byte) int {
	for i, x := range b {
		if x == c || x == 0 {
			return i
		}
	}
	return -1
}

func (g *guardConn) startLine(kind byte) {
	g.kind = kind
	g.state = gHeader
	g.line = g.line[:0]
	g.lineLen = 0
}

// endHeader checks a complete '*' or '$' line and moves on. It reports
// false when a check must wait for the requests handed on before this one
// to run (AUTH may be among them).
func (g *guardConn) endHeader() bool {
	v, ok := parseInt(g.line)
	if g.kind == '*' {
		switch {
		case !ok || v > multibulkMax:
			g.pending = "invalid multibulk length"
		case v > unauthMultibulk && g.authRequired():
			if g.frameOut > 0 || g.noSocket {
				return false
			}
			g.pending = "unauthenticated multibulk length"
		case v <= 0:
			g.state = gStart // Redis ignores "*0" and "*-1"
		default:
			g.holding = v > holdArgs
			g.emitHeader('*', v)
			g.remain = v
			g.state = gBulk
		}
		return true
	}
	switch {
	case g.first != '$':
		c := g.first
		if c == '\r' || c == '\n' {
			c = ' ' // addReplyErrorFormat maps newlines to spaces
		}
		g.pending = "expected '$', got '" + string([]byte{c}) + "'"
	case !ok || v < 0 || v > g.maxBulk():
		g.pending = "invalid bulk length"
	case v > unauthBulk && g.authRequired():
		if g.frameOut > 0 || g.noSocket {
			return false
		}
		g.pending = "unauthenticated bulk length"
	default:
		g.emitHeader('$', v)
		g.skip = v + 2
		g.state = gPayload
	}
	return true
}

func (g *guardConn) endBulk() {
	g.remain--
	if g.remain > 0 {
		g.state = gBulk
		return
	}
	g.state = gStart
	if g.holding {
		// hand the held request on without copying it twice
		g.holding = false
		k := 0
		if len(g.out) == 0 {
			k = copy(g.dst[len(g.dst):cap(g.dst)], g.hold)
			g.dst = g.dst[:len(g.dst)+k]
			if k < len(g.hold) {
				g.out = g.hold[k:]
			}
		} else {
			g.out = append(g.out, g.hold...)
		}
		g.hold = nil
	}
}

// takeLine consumes b[i:] up to the first stop byte or NUL (see
// indexLineEnd), counting what it consumes and keeping at most keep bytes
// of it in g.line. It returns where it stopped and whether the line ended
// there (b[end] is then the stop byte or a NUL).
func (g *guardConn) takeLine(b []byte, i int, stop byte, keep int) (end int, ended bool) {
	j := indexLineEnd(b[i:], stop)
	end = len(b)
	if j >= 0 {
		end = i + j
	}
	if keep = min(keep, end-i); keep > 0 {
		g.line = append(g.line, b[i:i+keep]...)
	}
	g.lineLen += int64(end - i)
	g.frameLen += int64(end - i)
	return end, j >= 0
}

// endInline splits a complete inline line and hands it on as a multibulk.
func (g *guardConn) endInline() {
	line := g.line
	if k := len(line); k > 0 && line[k-1] == '\r' {
		line = line[:k-1]
	}
	// Redis splits an inline request with sdssplitargs, as it splits a
	// redis.conf line.
	args, err := config.SplitArgs(string(line))
	if err != nil {
		g.pending = "unbalanced quotes in request"
		return
	}
	if len(args) > 0 {
		g.emitHeader('*', int64(len(args)))
		for _, a := range args {
			g.emitHeader('$', int64(len(a)))
			g.emit([]byte(a))
			g.emit(crlf)
		}
	}
	if cap(g.line) > 4096 {
		g.line = nil
	}
	g.state = gStart
}

// checkLimits applies, after each read as Redis does, the 64 KB limit on
// a line whose end has not come, and the query buffer limit.
func (g *guardConn) checkLimits() {
	switch g.state {
	case gInline, gHeader, gStuck:
		if g.lineLen > inlineMax && g.pending == "" {
			switch g.kind {
			case '*':
				g.pending = "too big mbulk count string"
			case '$':
				g.pending = "too big bulk count string"
			default:
				g.pending = "too big inline request"
			}
		}
	}
	g.checkQueryBuf()
}

// checkQueryBuf closes a client whose request outgrew
// client-query-buffer-limit, without a reply, as Redis does.
func (g *guardConn) checkQueryBuf() {
	if g.frameLen <= queryBufFloor || g.state == gStart {
		return
	}
	if g.qlimit == 0 {
		g.qlimit = 1 << 30
		if g.n != nil {
			g.n.mu.Lock()
			g.qlimit = g.n.cfg.ClientQueryBufferLimit
			g.n.mu.Unlock()
		}
	}
	if g.qlimit > 0 && g.frameLen > g.qlimit && !g.quiet {
		g.quiet = true
		if g.n != nil {
			g.n.log.Warnf("Closing client that reached max query buffer length: addr=%s qbuf=%d (limit %d)",
				g.RemoteAddr(), g.frameLen, g.qlimit)
		}
	}
}

func (g *guardConn) maxBulk() int64 {
	if g.n == nil {
		return 512 << 20
	}
	return g.n.protoMaxBulkLen.Load()
}

// authRequired reports whether the client still has to AUTH (Redis's
// authRequired): a password is set and it has not authenticated.
func (g *guardConn) authRequired() bool {
	n := g.n
	if n == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cfg.RequirePass == "" {
		return false
	}
	g.lookupClientLocked()
	return g.client == nil || !g.client.authed
}

// watchHangup reads ahead while the client's goroutine waits in a
// blocking command (WAIT), so that a client that hangs up is noticed, as
// Redis's event loop notices it; what it reads is kept, unscanned, for the
// next Read. stop must be called before that Read: it interrupts the read
// and waits for the reading goroutine.
func (g *guardConn) watchHangup() (hungUp <-chan struct{}, stop func()) {
	hung := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for len(g.in) < 1<<20 { // a client pipelining that much is not gone
			k, err := g.Conn.Read(buf)
			g.counted(k)
			g.in = append(g.in, buf[:k]...)
			if err != nil {
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					g.rerr = err
					close(hung)
				}
				return
			}
		}
	}()
	return hung, func() {
		_ = g.Conn.SetReadDeadline(time.Now())
		<-done
		_ = g.Conn.SetReadDeadline(time.Time{})
	}
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
	return &guardConn{Conn: c, n: l.n, oneFrame: true, stamped: stampConn(c)}, nil
}
