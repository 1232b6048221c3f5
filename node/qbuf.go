package node

import (
	"strconv"
	"sync/atomic"
)

// qbufStats is what CLIENT LIST says of a client's query buffer. The
// client's reader goroutine stores it as it reads and parses; CLIENT LIST
// loads it from another goroutine.
type qbufStats struct {
	size atomic.Int64 // bytes the read buffer holds (Redis's sdsalloc)
	used atomic.Int64 // bytes read into it since it was last compacted
	left atomic.Int64 // of those, bytes not parsed into commands yet
}

// note records the reader's buffer state.
func (q *qbufStats) note(size, w, r int) {
	q.size.Store(int64(size))
	q.used.Store(int64(w))
	q.left.Store(int64(w - r))
}

// queryBufIdleMs is how long a client must be idle before Redis's
// clientsCron frees its query buffer (idletime > 2 s).
const queryBufIdleMs = 3000

// queryBufFields renders CLIENT LIST's qbuf, qbuf-free and argv-mem as
// Redis 7.0 reports them: the client running the command sees its own
// request still in the buffer (qbuf) and its arguments' bytes (argv-mem);
// another client shows only the bytes of a request not complete yet; a
// client idle for more than 2 s with nothing pending has given its
// buffer back (0 and 0). Callers hold the lock.
func (n *Node) queryBufFields(c *Client) string {
	size, used, left := c.qbuf.size.Load(), c.qbuf.used.Load(), c.qbuf.left.Load()
	var args [][]byte
	for i := n.callDepth - 1; i >= 0; i-- {
		if n.ctxs[i].c == c {
			args = n.ctxs[i].args
			break
		}
	}
	qbuf := left
	if args != nil {
		qbuf = used
	} else if left == 0 && n.nowMs()-c.lastSeen >= queryBufIdleMs {
		size = 0
	}
	argvMem := 0
	for _, a := range args {
		argvMem += len(a)
	}
	return "qbuf=" + strconv.FormatInt(qbuf, 10) +
		" qbuf-free=" + strconv.FormatInt(max(size-qbuf, 0), 10) +
		" argv-mem=" + strconv.Itoa(argvMem)
}
