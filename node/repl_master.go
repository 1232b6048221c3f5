package node

import (
	"net"
	"runtime"
	"strconv"
	"time"

	"github.com/replscope/replscope/node/repl"
	"github.com/tidwall/redcon"
)

// replconfState is what a client told us with REPLCONF before PSYNC.
type replconfState struct {
	port       int
	ip         string
	capaEOF    bool
	capaPsync2 bool
	rdbOnly    bool
}

// replicaPeer is one replica attached to this node: the rules' view of it
// (repl.Peer, changed only by the core) and its connection. Its writer
// goroutine owns every write to the connection; its reader goroutine
// handles ACKs. Guarded by the node's lock.
type replicaPeer struct {
	*repl.Peer
	c    *Client
	conn net.Conn
	conf replconfState

	out  chan outItem  // bytes to write before streaming (+FULLRESYNC, RDB chunks, newlines)
	wake chan struct{} // new stream bytes
	quit chan struct{} // closed when the peer is dropped
}

// addr returns the replica's announced address for INFO and ROLE.
func (p *replicaPeer) ip() string {
	if p.conf.ip != "" {
		return p.conf.ip
	}
	host, _, err := net.SplitHostPort(p.c.addr)
	if err != nil {
		return p.c.addr
	}
	return host
}

func (p *replicaPeer) name() string {
	return net.JoinHostPort(p.ip(), strconv.Itoa(p.conf.port))
}

// psyncCheckLocked applies PSYNC/SYNC's refusals under the lock, replying to a
// refused request. ok means the client becomes a replica (attachReplica).
func (n *Node) psyncCheckLocked(c *Client, w *redcon.Writer, args [][]byte) (req repl.Request, ok bool) {
	refuse := n.repl.core.SyncRefusal()
	isPsync := eqFold(args[0], "psync")
	switch {
	case c.is(flagReplica):
		return req, false
	case refuse != "":
	case replyLen(w) > 0:
		// replies to earlier commands not yet written (clientHasPendingReplies)
		refuse = "ERR SYNC and PSYNC are invalid with pending output"
	case isPsync:
		off, ok := parseInt(args[2])
		if !ok {
			refuse = errNotInt
		}
		req = repl.Request{ReplID: string(args[1]), Offset: off}
	default:
		req.ReplID = "" // SYNC: a full sync, no PSYNC request
	}
	if refuse != "" {
		n.replyErr(w, refuse)
		return req, false
	}
	return req, true
}

// attachReplica makes a client that passed psyncCheckLocked a replica: the
// rules answer PSYNC (+CONTINUE or a full sync), a writer goroutine owns
// the connection's writes from now on, and the calling goroutine reads the
// replica's ACKs until it goes. pending are the requests pipelined behind
// PSYNC. Call it without the lock.
func (n *Node) attachReplica(c *Client, isPsync bool, req repl.Request, next func() ([][]byte, error), pending [][][]byte) {
	n.mu.Lock()
	p := &replicaPeer{c: c, conn: c.netConn, conf: c.replconf,
		out: make(chan outItem, outQueueLen), wake: make(chan struct{}, 1), quit: make(chan struct{})}
	c.replica = p
	c.flags |= flagReplica
	c.lastCmd = "psync"
	if !isPsync {
		c.lastCmd = "sync"
	}
	info := repl.PeerInfo{ID: c.id, Name: p.name(), Addr: c.addr,
		CapaEOF: p.conf.capaEOF, CapaPsync2: p.conf.capaPsync2, RDBOnly: p.conf.rdbOnly}
	n.repl.peers[c.id] = p
	n.handlers.Add(1)
	go n.replicaWriter(p, c.netConn)
	p.Peer = n.repl.core.Psync(n.nowMs(), info, isPsync, req)
	n.carryOutLocked()
	n.mu.Unlock()
	n.replicaReader(p, next, pending)
}

// signal wakes a replica's writer.
func (p *replicaPeer) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// dropPeerLocked detaches a replica and closes its connection.
func (n *Node) dropPeerLocked(p *replicaPeer, reason string) {
	n.repl.core.DropPeer(n.nowMs(), p.Peer, reason)
	n.carryOutLocked()
}

// replicaWriter owns writes to a replica: the pre-stream bytes queued on
// out (+FULLRESYNC, newlines, the RDB), then the stream from the backlog.
func (n *Node) replicaWriter(p *replicaPeer, conn net.Conn) {
	defer n.handlers.Done()
	defer func() {
		// the stream slices it may hold can be freed (and reused) now
		n.mu.Lock()
		n.repl.core.Release(p.Peer)
		n.mu.Unlock()
	}()
	var chunks [][]byte
	write := func(b []byte) bool {
		n.mu.Lock()
		timeout := n.replTimeoutLocked()
		n.mu.Unlock()
		_ = conn.SetWriteDeadline(time.Now().Add(timeout))
		_, err := conn.Write(b)
		if err != nil {
			n.mu.Lock()
			n.dropPeerLocked(p, "write error: "+err.Error())
			n.mu.Unlock()
			return false
		}
		n.netOutput.Add(int64(len(b)))
		return true
	}
	for {
		select {
		case <-p.quit:
			return
		case it := <-p.out:
			if it.b == nil { // rdb-only replica: done after the RDB
				n.mu.Lock()
				n.dropPeerLocked(p, "")
				n.mu.Unlock()
				return
			}
			ok := write(it.b)
			if it.chunk != nil {
				it.chunk.release()
			}
			if !ok {
				return
			}
		case <-p.wake:
			// Let the clients that are ready run first, as Redis writes to
			// replicas once per event-loop turn: their commands then leave
			// in one write, not one write (and one replica read) each.
			// With one serving thread and 50 -P1 clients this took SET
			// with a replica from ~45k to ~70k/s.
			runtime.Gosched()
		}
		// Stream what is there, without blocking other sends queued on out.
		for {
			n.mu.Lock()
			if p.Dropped || len(p.out) > 0 {
				n.mu.Unlock()
				break
			}
			var ok bool
			chunks, ok = n.repl.core.NextChunk(p.Peer, 256<<10, chunks[:0])
			n.carryOutLocked()
			n.mu.Unlock()
			if !ok {
				return
			}
			if len(chunks) == 0 {
				break
			}
			sent := 0
			for _, b := range chunks {
				if !write(b) {
					return
				}
				sent += len(b)
			}
			n.mu.Lock()
			n.repl.core.Sent(p.Peer, sent)
			n.mu.Unlock()
		}
	}
}

// replicaReader reads what a replica sends: REPLCONF ACK <offset>, never
// answered. Like Redis 7, it drops a replica that sends anything that
// would need a reply (a replica never expects one); a non-numeric ACK is
// ignored. pending are commands pipelined behind PSYNC.
func (n *Node) replicaReader(p *replicaPeer, next func() ([][]byte, error), pending [][][]byte) {
	read := func() ([][]byte, error) {
		if len(pending) > 0 {
			args := pending[0]
			pending = pending[1:]
			return args, nil
		}
		return next()
	}
	for {
		args, err := read()
		if err != nil {
			n.mu.Lock()
			n.dropPeerLocked(p, "connection closed")
			n.mu.Unlock()
			return
		}
		if len(args) < 3 || !eqFold(args[0], "replconf") || !eqFold(args[1], "ack") {
			n.mu.Lock()
			n.log.Warnf("Replica %s generated a reply to the command '%s': dropping it", p.name(), truncArg(args[0], 32))
			n.dropPeerLocked(p, "replica sent a command")
			n.mu.Unlock()
			return
		}
		off, ok := parseInt(args[2])
		if !ok {
			continue
		}
		n.mu.Lock()
		now := n.nowMs()
		p.c.lastSeen = now
		n.repl.core.Ack(now, p.Peer, off)
		n.carryOutLocked()
		n.mu.Unlock()
	}
}

func (n *Node) replTimeoutLocked() time.Duration {
	return time.Duration(max(n.cfg.ReplTimeout, 1)) * time.Second
}
