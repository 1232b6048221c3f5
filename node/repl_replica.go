package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/node/config"
	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/repl"
	"github.com/tidwall/redcon"
)

// masterLink is one run of the replica's connection loop to a master. A
// new REPLICAOF replaces it; the old one notices and exits.
type masterLink struct {
	target repl.Addr
	ctx    context.Context
	cancel context.CancelFunc

	conn atomic.Pointer[net.Conn] // the current connection, if any
	wmu  sync.Mutex               // serializes writes (ACKs, keepalives)
}

func (l *masterLink) setConn(c net.Conn) {
	if c == nil {
		l.conn.Store(nil)
		return
	}
	l.conn.Store(&c)
}

// write sends bytes to the master (ACKs, keepalives) from any goroutine.
func (l *masterLink) write(b []byte) error {
	p := l.conn.Load()
	if p == nil {
		return net.ErrClosed
	}
	l.wmu.Lock()
	defer l.wmu.Unlock()
	_ = (*p).SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := (*p).Write(b)
	return err
}

// kill closes the current connection; the loop reconnects. It never
// waits: it may be called with the node's lock held.
func (l *masterLink) kill() bool {
	p := l.conn.Load()
	if p == nil {
		return false
	}
	_ = (*p).Close()
	return true
}

// setMasterLocked is REPLICAOF host port: it points the node at a master
// (the rules cache its own history first when it was a master, so that it
// can continue partially). Replicas of this node stay attached.
func (n *Node) setMasterLocked(host string, port int) {
	wasMaster := !n.isReplica()
	n.stopLinkLocked()
	n.disconnectBlockedClientsLocked() // clients blocked on the old master's data
	n.cfg.ReplicaOf = &config.HostPort{Host: host, Port: port}
	if wasMaster {
		n.log.SetRole('S')
	}
	n.repl.core.SetMaster(n.nowMs(), repl.Addr{Host: host, Port: port})
	n.carryOutLocked()
	n.startLinkLocked()
}

// unsetMasterLocked is REPLICAOF NO ONE: the node becomes a master, keeps
// its data, shifts its replication ID (the old one stays valid up to the
// current offset) and drops its replicas so they learn the new ID.
func (n *Node) unsetMasterLocked() {
	if !n.isReplica() {
		return
	}
	n.stopLinkLocked()
	n.cfg.ReplicaOf = nil
	n.repl.core.UnsetMaster(n.nowMs())
	n.carryOutLocked() // the replicas' drops are logged in the old role
	n.log.SetRole('M')
}

func (n *Node) startLinkLocked() {
	ctx, cancel := context.WithCancel(context.Background())
	l := &masterLink{target: *n.repl.core.Replica().Master, ctx: ctx, cancel: cancel}
	n.repl.link = l
	n.bg.Add(1)
	go n.runLink(l)
}

// stopLinkLocked ends the current link: its goroutine exits on its own.
func (n *Node) stopLinkLocked() {
	r := &n.repl
	if r.link == nil {
		return
	}
	r.link.cancel()
	r.link.kill()
	r.link = nil
	if r.conn != nil {
		n.linkLostLocked()
	}
}

// killMasterLinkLocked closes the link to the master (CLIENT KILL TYPE master);
// the replica reconnects.
func (n *Node) killMasterLinkLocked() bool {
	if n.repl.link == nil {
		return false
	}
	return n.repl.link.kill()
}

// runLink is the replica's connection loop: connect, handshake, sync,
// stream; on any failure wait a second and start again.
func (n *Node) runLink(l *masterLink) {
	defer n.bg.Done()
	retry := time.Duration(0)
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-n.closing:
			return
		case <-time.After(retry):
		}
		err := n.syncWithMaster(l)
		n.mu.Lock()
		current := n.isCurrentLinkLocked(l)
		wasUp := current && n.masterLinkUp()
		if current {
			if n.masterLinkUp() || n.repl.conn != nil {
				n.linkLostLocked()
			}
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			n.repl.core.AttemptEnded(n.nowMs(), msg, errors.Is(err, errStreamProtocol))
			n.carryOutLocked()
		}
		n.mu.Unlock()
		l.setConn(nil)
		if !current {
			return
		}
		// A link that was streaming reconnects at once, as Redis 7 does
		// (replicationHandleMasterDisconnection: waiting would risk the
		// backlog moving on); failed attempts retry once a second, as
		// replicationCron does.
		retry = time.Second
		if wasUp {
			retry = 0
		}
	}
}

// linkLostLocked ends the master's client after the link broke; the
// rules cache the master so the next attempt can continue partially.
func (n *Node) linkLostLocked() {
	r := &n.repl
	db := 0
	if mc := r.conn; mc != nil {
		db = mc.db
		n.removeClientLocked(mc)
	}
	r.conn = nil
	r.core.LinkLost(n.nowMs(), db)
	n.carryOutLocked()
}

// syncWithMaster runs one connection to the master until it breaks:
// connect, handshake, PSYNC, then a full sync or not, then the stream.
func (n *Node) syncWithMaster(l *masterLink) error {
	n.mu.Lock()
	timeout := n.replTimeoutLocked()
	n.setLinkStateLocked(l, repl.LinkConnecting)
	n.mu.Unlock()
	conn, err := n.dialMaster(l, timeout)
	if err != nil {
		return err
	}
	l.setConn(conn)
	defer conn.Close()
	if l.ctx.Err() != nil {
		return nil
	}
	n.log.Noticef("MASTER <-> REPLICA sync started")
	br := bufio.NewReaderSize(conn, 64<<10)
	rd := resp.NewReader(br)
	deadline := func() { _ = conn.SetDeadline(time.Now().Add(timeout)) }

	n.mu.Lock()
	n.setLinkStateLocked(l, repl.LinkHandshake)
	n.mu.Unlock()
	n.log.Noticef("Non blocking connect for SYNC fired the event.")
	if err := n.handshake(conn, rd, deadline); err != nil {
		return err
	}
	n.mu.Lock()
	replid, off := n.repl.core.PsyncArgs(n.nowMs()) // last_successful_sync_duration_ms counts from here
	n.carryOutLocked()
	n.mu.Unlock()
	deadline()
	if _, err := conn.Write(resp.AppendCommand(nil, "PSYNC", replid, off)); err != nil {
		return fmt.Errorf("send PSYNC to master: %w", err)
	}
	line, err := readNonEmptyLine(rd, deadline)
	if err != nil {
		return fmt.Errorf("read PSYNC reply from master: %w", err)
	}
	reply, err := repl.ParsePsyncReply(line, replid)
	if err != nil {
		return err
	}
	if reply.Full {
		n.log.Noticef("Full resync from master: %s:%d", reply.ReplID, reply.Offset)
		if err := n.fullSyncFromMaster(l, conn, br, rd, reply.ReplID, reply.Offset, timeout); err != nil {
			return err
		}
	} else {
		n.mu.Lock()
		n.repl.core.Continued(n.nowMs(), reply.ReplID)
		n.carryOutLocked()
		n.mu.Unlock()
	}
	return n.streamFromMaster(l, conn, br, timeout)
}

// dialMaster connects to the master (with TLS when tls-replication is on).
func (n *Node) dialMaster(l *masterLink, timeout time.Duration) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(l.ctx, timeout)
	conn, err := n.dial(dctx, "tcp", l.target.String())
	cancel()
	if err != nil {
		return nil, fmt.Errorf("Error condition on socket for SYNC: %w", err)
	}
	tc, err := n.wrapReplicationTLS(conn, l.target.Host)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("Error condition on socket for SYNC: %w", err)
	}
	return tc, nil
}

// handshake sends PING alone, then AUTH and the REPLCONFs pipelined, and
// reads their replies one by one (PROTOCOL.md §2.1): PSYNC must only go
// out once every earlier reply was read.
func (n *Node) handshake(conn net.Conn, rd *resp.Reader, deadline func()) error {
	deadline()
	if _, err := conn.Write(resp.AppendCommand(nil, "PING")); err != nil {
		return fmt.Errorf("send PING to master: %w", err)
	}
	pong, err := readReply(rd)
	if err != nil {
		return fmt.Errorf("read PING reply from master: %w", err)
	}
	if pong.Kind == resp.Error && !strings.HasPrefix(string(pong.Str), "NOAUTH") &&
		!strings.HasPrefix(string(pong.Str), "NOPERM") && string(pong.Str) != "ERR operation not permitted" {
		return fmt.Errorf("Error reply to PING from master: '-%s'", pong.Str)
	}
	n.log.Noticef("Master replied to PING, replication can continue...")

	n.mu.Lock()
	req, steps := repl.Handshake(n.handshakeConfigLocked())
	n.mu.Unlock()
	deadline()
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("send handshake to master: %w", err)
	}
	for _, step := range steps {
		v, err := readReply(rd)
		if err != nil {
			return fmt.Errorf("read %s reply from master: %w", step, err)
		}
		if v.Kind == resp.Error {
			if step == "AUTH" {
				return fmt.Errorf("Unable to AUTH to MASTER: -%s", v.Str)
			}
			n.log.Noticef("(Non critical) Master does not understand REPLCONF %s: -%s", step, v.Str)
		}
	}
	return nil
}

// isCurrentLinkLocked reports whether l is still the replica's link: no
// REPLICAOF (or NO ONE) replaced it since it started. A link that is not
// current changes nothing — not the rules' state, the dataset or the link
// state of its successor — and its goroutines end: every step of the
// link's goroutines that takes the lock asks this first.
func (n *Node) isCurrentLinkLocked(l *masterLink) bool { return n.repl.link == l }

// setLinkStateLocked changes the replica's link state on behalf of link l,
// unless a newer REPLICAOF replaced l: a link being torn down must never
// overwrite its successor's state.
func (n *Node) setLinkStateLocked(l *masterLink, s repl.LinkState) {
	if n.isCurrentLinkLocked(l) {
		n.repl.core.SetLinkState(s)
	}
}

// handshakeConfigLocked is what this replica announces to its master.
func (n *Node) handshakeConfigLocked() repl.HandshakeConfig {
	c := n.cfg
	return repl.HandshakeConfig{MasterUser: c.MasterUser, MasterAuth: c.MasterAuth, Port: c.Port,
		TLSPort: c.TLSPort, TLSReplication: c.TLSReplication,
		AnnouncePort: c.ReplicaAnnouncePort, AnnounceIP: c.ReplicaAnnounceIP}
}

func readReply(rd *resp.Reader) (resp.Value, error) {
	return rd.ReadValue()
}

// readNonEmptyLine reads a reply line, skipping the newlines a master
// sends while a replica waits.
func readNonEmptyLine(rd *resp.Reader, deadline func()) (string, error) {
	for {
		deadline()
		line, err := rd.ReadLine()
		if err != nil {
			return "", err
		}
		if len(line) > 0 {
			return string(line), nil
		}
	}
}

// fullSyncFromMaster loads the master's RDB as it arrives into a new
// keyspace aside, and only once the whole file is in and its checksum
// verified swaps it in: until then the old dataset keeps serving, and a
// failed transfer leaves it untouched. (Redis's repl-diskless-load swapdb
// does the same; receiving the file to disk first, as Redis does by
// default, would add the whole transfer time to the load's.)
func (n *Node) fullSyncFromMaster(l *masterLink, conn net.Conn, br *bufio.Reader, rd *resp.Reader, replid string, moff int64, timeout time.Duration) error {
	deadline := func() { _ = conn.SetDeadline(time.Now().Add(timeout)) }
	header, err := readNonEmptyLine(rd, deadline)
	if err != nil {
		return fmt.Errorf("I/O error reading bulk count from MASTER: %w", err)
	}
	if len(header) == 0 || header[0] != '$' {
		return fmt.Errorf("Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are you sure the host and port are right?", header)
	}
	eofMark := ""
	size := int64(-1)
	if strings.HasPrefix(header, "$EOF:") && len(header) == 5+40 {
		eofMark = header[5:]
	} else {
		size, err = strconv.ParseInt(header[1:], 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("bad bulk length from MASTER: %q", header)
		}
	}
	n.mu.Lock()
	if n.isCurrentLinkLocked(l) {
		n.repl.core.TransferStarted(n.nowMs(), size)
	}
	ndb := n.ks.Len()
	stamp := n.ks.AccessStamp()
	n.mu.Unlock()
	n.emit(Event{Kind: EventFullSyncStarted, Master: l.target.String(), Offset: moff, Bytes: size})
	if size >= 0 {
		n.log.Noticef("MASTER <-> REPLICA sync: receiving %d bytes from master to parser", size)
	} else {
		n.log.Noticef("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to parser")
	}
	last := int64(0)
	src := newRDBFromMaster(br, size, eofMark, deadline, func(got int64) {
		n.mu.Lock()
		n.repl.core.Received(n.nowMs(), got, int(got-last))
		n.mu.Unlock()
		last = got
	})
	n.log.Noticef("MASTER <-> REPLICA sync: Loading DB in memory")
	fresh := keyspace.New(ndb)
	fresh.SetLimits(n.ks.Limits())
	fresh.SetAccessStamp(stamp) // loaded keys read as just created
	lastPing := time.Now()
	n.jobEdge(true) // the load runs beside the clients of the old dataset
	defer n.jobEdge(false)
	n.loadEdge(true)
	defer n.loadEdge(false)
	res, err := loadRDB(src, fresh, 0, false, func(int64) {
		if time.Since(lastPing) > time.Second {
			lastPing = time.Now()
			_ = l.write([]byte("\n")) // keep the master from timing us out
		}
	})
	var received int64
	if err == nil {
		received, err = src.finish()
	}
	if ioErr := src.ioError(); ioErr != nil {
		return fmt.Errorf("I/O error trying to sync with MASTER: %w", ioErr)
	}
	if err != nil {
		n.mu.Lock()
		if n.isCurrentLinkLocked(l) {
			n.repl.core.TransferFailed()
		}
		n.mu.Unlock()
		return fmt.Errorf("Failed trying to load the MASTER synchronization DB from socket, check server logs: %w (the old dataset is kept)", err)
	}
	n.mu.Lock()
	if !n.isCurrentLinkLocked(l) {
		n.mu.Unlock()
		return nil
	}
	n.ks.SwapIn(fresh)
	for i := 0; i < ndb; i++ {
		n.touchWatchedDB(i)
	}
	n.repl.core.FullSyncLoaded(n.nowMs(), replid, moff)
	n.carryOutLocked()
	n.dirty = 0
	n.log.Noticef("MASTER <-> REPLICA sync: Finished with success (%d keys, %d bytes)", res.keys, received)
	n.emit(Event{Kind: EventFullSyncFinished, Master: l.target.String(), Offset: moff, Bytes: received})
	n.mu.Unlock()
	return nil
}

// streamFromMaster applies the master's command stream until the link
// breaks, acknowledging once a second.
func (n *Node) streamFromMaster(l *masterLink, conn net.Conn, br *bufio.Reader, timeout time.Duration) error {
	n.mu.Lock()
	r := &n.repl
	if !n.isCurrentLinkLocked(l) {
		n.mu.Unlock()
		return nil
	}
	mc := n.newInternalClientLocked(conn)
	mc.flags |= flagMaster
	mc.authed = true
	r.conn = mc
	masterDB, ackNow := r.core.Streaming(n.nowMs())
	mc.db = masterDB
	n.carryOutLocked()
	maxBulk := n.cfg.ProtoMaxBulkLen
	n.mu.Unlock()

	// Tell the master where we are at once (it holds the stream of an
	// EOF-mode sync until this first ACK), then every second.
	if err := l.write(ackCommand(ackNow)); err != nil {
		return fmt.Errorf("send ACK to master: %w", err)
	}
	stop := make(chan struct{})
	defer close(stop)
	n.bg.Add(1)
	go n.ackLoop(l, stop)

	buffered, _ := br.Peek(br.Buffered())
	sr := newStreamReader(conn, buffered, maxBulk)
	w := discardWriter()
	var cmds []streamCmd
	var batch [][][]byte
	for {
		var err error
		cmds, err = sr.parse(cmds[:0])
		if err != nil {
			return fmt.Errorf("master stream: %w", err)
		}
		if len(cmds) == 0 {
			_ = conn.SetReadDeadline(time.Now().Add(timeout))
			if err := sr.fill(); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					return fmt.Errorf("MASTER timeout: no data nor PING received...")
				}
				return fmt.Errorf("master link: %w", err)
			}
			continue
		}
		n.mu.Lock()
		n.waitScriptIdleLocked() // the master's writes wait for a busy script
		if !n.isCurrentLinkLocked(l) {
			n.mu.Unlock()
			return nil
		}
		now := n.nowMs()
		mc.lastSeen = now
		// One clock read for the batch, as for a client's pipeline, and
		// the keys' cache misses overlapped before the commands run.
		n.batchNow, n.callEnd = now, 0
		if len(cmds) > 1 {
			batch = batch[:0]
			for _, c := range cmds {
				if c.args != nil {
					batch = append(batch, c.args)
				}
			}
			n.prefetchKeys(mc.db, batch)
			clear(batch)
		}
		for _, c := range cmds {
			r.core.Read(now, len(c.raw))
			if c.args != nil {
				n.applyFromMasterLocked(mc, w, c.args)
			}
			r.core.Applied(now, c.raw, mc.is(flagMulti))
			if !n.isCurrentLinkLocked(l) || !n.isReplica() {
				break
			}
		}
		n.batchNow, n.callEnd = 0, 0
		acks := n.carryOutLocked()
		n.wakeAllPeersIfPendingLocked()
		n.mu.Unlock()
		for _, off := range acks {
			if err := l.write(ackCommand(off)); err != nil {
				return fmt.Errorf("send ACK to master: %w", err)
			}
		}
		// Clients take their turn between batches, as Redis's event loop
		// serves them between reads of the master's socket. While the
		// master sends faster than it parks (a catch-up, a write-heavy
		// master), reading never blocks; on the one serving thread a
		// client readied meanwhile would wait for the scheduler to
		// preempt this goroutine, 10 ms at a time (a replica's INFO took
		// 27-67 ms during a 6 MB catch-up, Redis's 1-5 ms).
		runtime.Gosched()
	}
}

// applyFromMasterLocked runs one command from the master's stream.
func (n *Node) applyFromMasterLocked(mc *Client, w *redcon.Writer, args [][]byte) {
	n.dispatch(mc, w, args)
	w.SetBuffer(nil)
}

func ackCommand(off int64) []byte {
	return resp.AppendCommand(nil, "REPLCONF", "ACK", strconv.FormatInt(off, 10))
}

// ackLoop sends REPLCONF ACK <offset> once a second.
func (n *Node) ackLoop(l *masterLink, stop chan struct{}) {
	defer n.bg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-n.closing:
			return
		case <-t.C:
			n.mu.Lock()
			off := n.repl.core.Reploff()
			ok := n.isCurrentLinkLocked(l) && n.masterLinkUp()
			n.mu.Unlock()
			if !ok {
				return
			}
			if err := l.write(ackCommand(off)); err != nil {
				l.kill()
				return
			}
		}
	}
}

// newInternalClientLocked registers a client for a connection the node opened
// itself (the link to the master).
func (n *Node) newInternalClientLocked(conn net.Conn) *Client {
	n.nextClientID++
	now := n.nowMs()
	c := &Client{id: n.nextClientID, netConn: conn, addr: conn.RemoteAddr().String(),
		laddr: conn.LocalAddr().String(), created: now, lastSeen: now}
	n.clients[c.id] = c
	return c
}
