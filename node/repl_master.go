package node

import (
	"net"
	"runtime"
	"strconv"
	"time"

	"github.com/replscope/replscope/node/repl"
	"github.com/tidwall/redcon"
)

// peerState is a replica's state as the master's slaveN line shows it.
type peerState int

const (
	peerWaitBgsave peerState = iota // waiting for a full sync to start
	peerSendBulk                    // receiving the RDB
	peerOnline                      // streaming
)

func (s peerState) String() string {
	return [...]string{"wait_bgsave", "send_bulk", "online"}[s]
}

// replconfState is what a client told us with REPLCONF before PSYNC.
type replconfState struct {
	port       int
	ip         string
	capaEOF    bool
	capaPsync2 bool
	rdbOnly    bool
}

// replicaPeer is one replica attached to this node. Its writer goroutine
// owns every write to the connection; its reader goroutine handles ACKs.
// Fields are guarded by the node's lock.
type replicaPeer struct {
	c        *Client
	conn     net.Conn
	state    peerState
	conf     replconfState
	prePsync bool // came with SYNC: sends no ACKs

	ackOff    int64
	ackTime   int64 // unix ms of the last ACK (or of attaching)
	sendOff   int64 // next stream offset to send (or, before streaming, to keep)
	streaming bool  // the writer sends the stream from sendOff
	waitAck   bool  // EOF transfer done: the stream starts at the first ACK
	acked     bool  // an ACK arrived since the full sync started
	payload   bool  // the RDB payload header was queued: no more newlines

	out       chan []byte   // bytes to write before streaming (+FULLRESYNC, RDB chunks, newlines)
	wake      chan struct{} // new stream bytes
	quit      chan struct{} // closed when the peer is dropped
	softSince int64
	dropped   bool
	sentRDB   int64
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

// psyncCheck applies PSYNC/SYNC's refusals under the lock, replying to a
// refused request. ok means the client becomes a replica (attachReplica).
func (n *Node) psyncCheck(c *Client, w *redcon.Writer, args [][]byte) (req repl.Request, ok bool) {
	refuse := ""
	isPsync := eqFold(args[0], "psync")
	switch {
	case c.is(flagReplica):
		return req, false
	case n.isReplica() && n.repl.state != linkConnected:
		refuse = "NOMASTERLINK Can't SYNC while not connected with my master"
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

// attachReplica makes a client that passed psyncCheck a replica: it
// answers PSYNC (+CONTINUE or a full sync), starts the writer that owns
// the connection's writes from now on, and then reads the replica's ACKs
// on the calling goroutine until it goes. pending are the requests
// pipelined behind PSYNC. Call it without the lock.
func (n *Node) attachReplica(c *Client, isPsync bool, req repl.Request, next func() ([][]byte, error), pending [][][]byte) {
	n.mu.Lock()
	c.replica = &replicaPeer{c: c, conf: c.replconf, prePsync: !isPsync,
		out: make(chan []byte, 64), wake: make(chan struct{}, 1), quit: make(chan struct{}),
		ackTime: n.nowMs()}
	p := c.replica
	p.conn = c.netConn
	c.flags |= flagReplica
	c.lastCmd = "psync"
	if !isPsync {
		c.lastCmd = "sync"
	}
	n.log.Noticef("Replica %s asks for synchronization", p.name())
	n.handlers.Add(1)
	go n.replicaWriter(p, c.netConn)
	full := true
	if isPsync {
		d, reason, counted := n.repl.hist.Decide(req, n.repl.backlog.Window())
		if d == repl.Continue {
			n.continuePeer(p, req)
			full = false
		} else {
			if counted {
				n.stats.syncPartialErr++
			}
			if req.ReplID != "?" {
				n.log.Noticef("Partial resynchronization not accepted: %s", reason)
			}
		}
	}
	if full {
		n.fullResyncPeer(p)
	}
	n.mu.Unlock()
	n.replicaReader(p, next, pending)
}

// continuePeer accepts a partial resync: +CONTINUE and the backlog from the
// requested offset.
func (n *Node) continuePeer(p *replicaPeer, req repl.Request) {
	r := &n.repl
	n.stats.syncPartialOK++
	line := "+CONTINUE\r\n"
	if p.conf.capaPsync2 {
		line = "+CONTINUE " + r.hist.ReplID + "\r\n"
	}
	p.out <- []byte(line)
	p.state = peerOnline
	p.sendOff = req.Offset
	p.streaming = true
	p.payload = true
	p.ackOff = req.Offset - 1
	n.attachPeer(p)
	n.log.Noticef("Partial resynchronization request from %s accepted. Sending %d bytes of backlog starting from offset %d.",
		p.name(), r.hist.Offset+1-req.Offset, req.Offset)
	n.emit(Event{Kind: EventPartialSyncStarted, Peer: p.name(), Offset: req.Offset, Bytes: r.hist.Offset + 1 - req.Offset})
	n.emit(Event{Kind: EventReplicaOnline, Peer: p.name(), Offset: req.Offset - 1})
	n.signalPeer(p)
}

// attachPeer adds a replica to the list, creating the backlog (and a new
// replication ID) for the first one, as Redis does.
func (n *Node) attachPeer(p *replicaPeer) {
	r := &n.repl
	r.replicas = append(r.replicas, p)
	if r.backlog == nil {
		n.changeReplID()
		r.hist.ClearPrevious()
		n.createBacklog()
		n.log.Noticef("Replication backlog created, my new replication IDs are '%s' and '%s'", r.hist.ReplID, r.hist.ReplID2)
	}
	r.noReplicasSince = 0
}

// fullResyncPeer queues a replica for a full resync.
func (n *Node) fullResyncPeer(p *replicaPeer) {
	n.stats.syncFull++
	p.state = peerWaitBgsave
	n.attachPeer(p)
	disk := !n.cfg.ReplDisklessSync || !p.conf.capaEOF
	n.scheduleFullSync(p, disk)
}

// signalPeer wakes a replica's writer.
func (n *Node) signalPeer(p *replicaPeer) {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// wakeAllPeers wakes every replica writer after the stream grew.
func (n *Node) wakeAllPeers() {
	for _, p := range n.repl.replicas {
		if p.streaming {
			select {
			case p.wake <- struct{}{}:
			default:
			}
		}
	}
}

// dropPeer detaches a replica and closes its connection. Callers hold the
// lock.
func (n *Node) dropPeer(p *replicaPeer, reason string) {
	if p.dropped {
		return
	}
	p.dropped = true
	close(p.quit)
	_ = p.conn.Close()
	r := &n.repl
	for i, q := range r.replicas {
		if q == p {
			r.replicas = append(r.replicas[:i], r.replicas[i+1:]...)
			break
		}
	}
	for i, q := range r.waitingJobs {
		if q == p {
			r.waitingJobs = append(r.waitingJobs[:i], r.waitingJobs[i+1:]...)
			break
		}
	}
	if r.job != nil {
		r.job.removePeer(p)
	}
	if len(r.replicas) == 0 {
		r.noReplicasSince = n.nowMs()
	}
	n.removeClientLocked(p.c)
	if reason != "" {
		n.log.Noticef("Connection with replica %s lost (%s).", p.name(), reason)
	}
	n.emit(Event{Kind: EventReplicaDropped, Peer: p.name(), Reason: reason})
	if r.backlog != nil {
		n.trimBacklog()
	}
	n.notifyAck() // WAIT and SHUTDOWN re-count their replicas
}

// disconnectReplicas drops every replica (they reconnect and resync).
func (n *Node) disconnectReplicas(reason string) {
	for len(n.repl.replicas) > 0 {
		n.dropPeer(n.repl.replicas[0], reason)
	}
	for len(n.repl.waitingJobs) > 0 {
		n.dropPeer(n.repl.waitingJobs[0], reason)
	}
}

// replicaWriter owns writes to a replica: the pre-stream bytes queued on
// out (+FULLRESYNC, newlines, the RDB), then the stream from the backlog.
func (n *Node) replicaWriter(p *replicaPeer, conn net.Conn) {
	defer n.handlers.Done()
	var chunks [][]byte
	write := func(b []byte) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(n.replTimeout()))
		_, err := conn.Write(b)
		if err != nil {
			n.mu.Lock()
			n.dropPeer(p, "write error: "+err.Error())
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
		case b := <-p.out:
			if b == nil { // rdb-only replica: done after the RDB
				n.mu.Lock()
				n.dropPeer(p, "")
				n.mu.Unlock()
				return
			}
			if !write(b) {
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
			if p.dropped || !p.streaming || p.waitAck || len(p.out) > 0 {
				n.mu.Unlock()
				break
			}
			r := &n.repl
			if r.backlog == nil || !r.backlog.Retains(p.sendOff) {
				n.dropPeer(p, "stream data no longer available")
				n.mu.Unlock()
				return
			}
			chunks = r.backlog.Read(p.sendOff, 256<<10, chunks[:0])
			n.mu.Unlock()
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
			p.sendOff += int64(sent)
			n.stats.replOutputBytes += int64(sent)
			n.trimBacklog()
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
			n.dropPeer(p, "connection closed")
			n.mu.Unlock()
			return
		}
		if len(args) < 3 || !eqFold(args[0], "replconf") || !eqFold(args[1], "ack") {
			n.mu.Lock()
			n.log.Warnf("Replica %s generated a reply to the command '%s': dropping it", p.name(), truncArg(args[0], 32))
			n.dropPeer(p, "replica sent a command")
			n.mu.Unlock()
			return
		}
		off, ok := parseInt(args[2])
		if !ok {
			continue
		}
		n.mu.Lock()
		if off > p.ackOff {
			p.ackOff = off
		}
		p.acked = true
		p.ackTime = n.nowMs()
		p.c.lastSeen = p.ackTime
		if p.waitAck && p.state == peerOnline {
			p.waitAck = false
			n.signalPeer(p)
		}
		n.notifyAck()
		n.mu.Unlock()
	}
}

func (n *Node) replTimeout() time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return time.Duration(max(n.cfg.ReplTimeout, 1)) * time.Second
}
