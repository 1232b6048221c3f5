package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
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
	target HostPortAddr
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

// setMasterLocked is REPLICAOF host port: it points the node at a master,
// caching its own history first when it was a master so that it can
// continue partially. Replicas of this node stay attached.
func (n *Node) setMasterLocked(host string, port int) {
	r := &n.repl
	wasMaster := r.master == nil
	n.stopLinkLocked()
	n.disconnectBlockedClients() // clients blocked on the old master's data
	r.master = &HostPortAddr{Host: host, Port: port}
	n.cfg.ReplicaOf = &config.HostPort{Host: host, Port: port}
	if wasMaster {
		r.cached = &repl.Cached{ReplID: r.hist.ReplID, Offset: r.hist.Offset}
		r.downSince = 0
		n.log.SetRole('S')
		n.emit(Event{Kind: EventRoleChanged, Role: "replica", Master: r.master.String()})
	}
	r.state = linkConnect
	n.log.Noticef("Connecting to MASTER %s", r.master)
	n.startLinkLocked()
}

// unsetMasterLocked is REPLICAOF NO ONE: the node becomes a master, keeps
// its data, shifts its replication ID (the old one stays valid up to the
// current offset) and drops its replicas so they learn the new ID.
func (n *Node) unsetMasterLocked() {
	r := &n.repl
	if r.master == nil {
		return
	}
	n.stopLinkLocked()
	r.master = nil
	n.cfg.ReplicaOf = nil
	r.cached = nil
	r.state = linkNone
	r.hist.Shift(randomHex(40))
	n.disconnectReplicas("master mode enabled")
	r.streamDB = -1
	if r.backlog == nil {
		n.createBacklog()
	}
	n.log.SetRole('M')
	n.emit(Event{Kind: EventRoleChanged, Role: "master"})
}

func (n *Node) startLinkLocked() {
	ctx, cancel := context.WithCancel(context.Background())
	l := &masterLink{target: *n.repl.master, ctx: ctx, cancel: cancel}
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
		n.linkLostLocked(r.conn)
	}
}

// killMasterLink closes the link to the master (CLIENT KILL TYPE master);
// the replica reconnects.
func (n *Node) killMasterLink() bool {
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
		current := n.repl.link == l
		wasUp := current && n.repl.state == linkConnected
		if current {
			if n.repl.state == linkConnected || n.repl.conn != nil {
				n.linkLostLocked(n.repl.conn)
			}
			if errors.Is(err, errStreamProtocol) {
				// After garbage from the master, Redis trusts nothing it
				// cached and asks for a full resync (PSYNC ? -1).
				n.repl.cached = nil
			}
			n.repl.state = linkConnect
			n.repl.sync = syncProgress{}
			if n.repl.downSince == 0 {
				n.repl.downSince = n.nowMs()
			}
			if err != nil {
				n.repl.lastSyncErr = err.Error()
				n.log.Warnf("%v", err)
			}
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

// linkLostLocked caches the master after a connected link breaks, so the
// next attempt can continue partially.
func (n *Node) linkLostLocked(mc *Client) {
	r := &n.repl
	if mc != nil {
		r.masterDB = mc.db
		n.removeClientLocked(mc)
	}
	if r.state == linkConnected {
		r.cached = &repl.Cached{ReplID: r.hist.ReplID, Offset: r.reploff}
		r.downSince = n.nowMs()
		n.log.Noticef("Connection with master lost.")
		n.log.Noticef("Caching the disconnected master state.")
		n.emit(Event{Kind: EventLinkDown, Master: r.master.String()})
	}
	r.conn = nil
	if r.master != nil {
		r.state = linkConnect
	}
}

// syncWithMaster runs one connection to the master until it breaks.
func (n *Node) syncWithMaster(l *masterLink) error {
	n.mu.Lock()
	timeout := time.Duration(max(n.cfg.ReplTimeout, 1)) * time.Second
	n.setLinkStateLocked(l, linkConnecting)
	n.mu.Unlock()
	dctx, cancel := context.WithTimeout(l.ctx, timeout)
	conn, err := n.dial(dctx, "tcp", l.target.String())
	cancel()
	if err != nil {
		return fmt.Errorf("Error condition on socket for SYNC: %w", err)
	}
	tc, err := n.wrapReplicationTLS(conn, l.target.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("Error condition on socket for SYNC: %w", err)
	}
	conn = tc
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
	n.setLinkStateLocked(l, linkHandshake)
	n.mu.Unlock()
	n.log.Noticef("Non blocking connect for SYNC fired the event.")
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

	req, steps := n.handshakeCommands()
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

	n.mu.Lock()
	replid, off := n.repl.cached.Args()
	n.mu.Unlock()
	if replid != "?" {
		n.log.Noticef("Trying a partial resynchronization (request %s:%s).", replid, off)
	} else {
		n.log.Noticef("Partial resynchronization not possible (no cached master)")
	}
	deadline()
	if _, err := conn.Write(resp.AppendCommand(nil, "PSYNC", replid, off)); err != nil {
		return fmt.Errorf("send PSYNC to master: %w", err)
	}
	line, err := readNonEmptyLine(rd, deadline)
	if err != nil {
		return fmt.Errorf("read PSYNC reply from master: %w", err)
	}
	switch {
	case strings.HasPrefix(line, "+FULLRESYNC"):
		f := strings.Fields(line)
		if len(f) != 3 {
			return fmt.Errorf("bad FULLRESYNC reply from master: %q", line)
		}
		moff, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return fmt.Errorf("bad FULLRESYNC offset from master: %q", line)
		}
		n.log.Noticef("Full resync from master: %s:%d", f[1], moff)
		if err := n.fullSyncFromMaster(l, conn, br, rd, f[1], moff, timeout); err != nil {
			return err
		}
	case strings.HasPrefix(line, "+CONTINUE") && replid == "?":
		// Nothing was cached to continue from: a master answering so is
		// broken (Redis 7.0 crashes on it); refuse rather than adopt its
		// history over unrelated data.
		return fmt.Errorf("Unexpected +CONTINUE to PSYNC ? -1: %s", line)
	case strings.HasPrefix(line, "+CONTINUE"):
		f := strings.Fields(line)
		newID := ""
		if len(f) == 2 {
			newID = f[1]
		}
		n.acceptContinue(newID)
	case strings.HasPrefix(line, "-NOMASTERLINK"), strings.HasPrefix(line, "-LOADING"):
		return fmt.Errorf("Master is currently unable to PSYNC but should be in the future: %s", line)
	default:
		return fmt.Errorf("Unexpected reply to PSYNC from master: %s", line)
	}
	return n.streamFromMaster(l, conn, br, timeout)
}

// setLinkStateLocked changes the replica's link state on behalf of link l,
// unless a newer REPLICAOF replaced l: a link being torn down must never
// overwrite its successor's state.
func (n *Node) setLinkStateLocked(l *masterLink, s linkState) {
	if n.repl.link == l {
		n.repl.state = s
	}
}

// handshakeCommands builds the pipelined AUTH and REPLCONF commands a
// Redis 7 replica sends after PING, and the names of their replies.
func (n *Node) handshakeCommands() ([]byte, []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var b []byte
	var steps []string
	if n.cfg.MasterAuth != "" {
		if n.cfg.MasterUser != "" {
			b = resp.AppendCommand(b, "AUTH", n.cfg.MasterUser, n.cfg.MasterAuth)
		} else {
			b = resp.AppendCommand(b, "AUTH", n.cfg.MasterAuth)
		}
		steps = append(steps, "AUTH")
	}
	port := n.cfg.Port
	if n.cfg.ReplicaAnnouncePort != 0 {
		port = n.cfg.ReplicaAnnouncePort
	} else if n.cfg.TLSReplication && n.cfg.TLSPort != 0 {
		port = n.cfg.TLSPort
	}
	b = resp.AppendCommand(b, "REPLCONF", "listening-port", strconv.Itoa(port))
	steps = append(steps, "listening-port")
	if n.cfg.ReplicaAnnounceIP != "" {
		b = resp.AppendCommand(b, "REPLCONF", "ip-address", n.cfg.ReplicaAnnounceIP)
		steps = append(steps, "ip-address")
	}
	b = resp.AppendCommand(b, "REPLCONF", "capa", "eof", "capa", "psync2")
	steps = append(steps, "capa")
	return b, steps
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

// acceptContinue applies +CONTINUE: the link is up at the cached offset.
func (n *Node) acceptContinue(newID string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	r := &n.repl
	if r.cached != nil && r.hist.ReplID != r.cached.ReplID {
		// our history is the cached master's
		r.hist.ReplID = r.cached.ReplID
	}
	if r.cached != nil {
		r.reploff = r.cached.Offset
		r.readOff = r.cached.Offset
		if r.hist.Offset != r.cached.Offset {
			r.hist.Offset = r.cached.Offset
		}
	}
	if r.hist.AcceptContinue(newID) {
		n.log.Noticef("Master replication ID changed to %s", newID)
		n.disconnectReplicas("replication id changed")
	}
	if r.backlog == nil {
		n.createBacklog()
	}
	r.lastSyncKind = "partial"
	n.log.Noticef("Successful partial resynchronization with master.")
	n.log.Noticef("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
	n.emit(Event{Kind: EventPartialSyncFinished, Master: r.master.String(), Offset: r.reploff})
}

// fullSyncFromMaster receives the RDB whole into a temporary file, loads
// it aside into a new keyspace, and only then swaps it in: until then the
// old dataset keeps serving, and a failed transfer leaves it untouched.
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
	dir := n.cfg.Dir
	if n.repl.link == l {
		n.repl.state = linkTransfer
		now := n.nowMs()
		n.repl.sync = syncProgress{total: size, start: now, lastIO: now}
		if eofMark != "" {
			n.repl.sync.total = 0
		}
	}
	n.mu.Unlock()
	n.emit(Event{Kind: EventFullSyncStarted, Master: l.target.String(), Offset: moff, Bytes: size})
	if size >= 0 {
		n.log.Noticef("MASTER <-> REPLICA sync: receiving %d bytes from master to disk", size)
	} else {
		n.log.Noticef("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk")
	}
	tmp, err := os.CreateTemp(dir, "temp-sync-*.rdb")
	if err != nil {
		return fmt.Errorf("Opening the temp file needed for MASTER <-> REPLICA synchronization: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	received, err := n.receiveRDB(conn, br, tmp, size, eofMark, deadline)
	if err != nil {
		return fmt.Errorf("I/O error trying to sync with MASTER: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	n.log.Noticef("MASTER <-> REPLICA sync: Loading DB in memory")
	n.mu.Lock()
	ndb := n.ks.Len()
	n.mu.Unlock()
	fresh := keyspace.New(ndb)
	fresh.SetLimits(n.ks.Limits())
	lastPing := time.Now()
	n.jobEdge(true) // the load runs beside the clients of the old dataset
	defer n.jobEdge(false)
	res, err := loadRDB(bufio.NewReaderSize(tmp, 256<<10), fresh, 0, false, func(int64) {
		if time.Since(lastPing) > time.Second {
			lastPing = time.Now()
			_ = l.write([]byte("\n")) // keep the master from timing us out
		}
	})
	if err != nil {
		n.mu.Lock()
		n.setLinkStateLocked(l, linkConnect)
		n.mu.Unlock()
		return fmt.Errorf("Failed trying to load the MASTER synchronization DB from disk, check server logs: %w (the old dataset is kept)", err)
	}
	n.mu.Lock()
	r := &n.repl
	if r.link != l {
		n.mu.Unlock()
		return nil
	}
	n.ks.SwapIn(fresh)
	for i := 0; i < ndb; i++ {
		n.touchWatchedDB(i)
	}
	r.hist.AcceptFull(replid, moff)
	r.reploff, r.readOff = moff, moff
	r.masterDB = 0
	n.disconnectReplicas("full resync with master")
	n.freeBacklog()
	n.createBacklog()
	r.lastSyncKind = "full"
	n.dirty = 0
	n.log.Noticef("MASTER <-> REPLICA sync: Finished with success (%d keys, %d bytes)", res.keys, received)
	n.emit(Event{Kind: EventFullSyncFinished, Master: l.target.String(), Offset: moff, Bytes: received})
	n.mu.Unlock()
	return nil
}

// receiveRDB copies the RDB payload to f: size bytes, or up to the EOF
// mark. Progress goes to INFO's master_sync_* fields.
func (n *Node) receiveRDB(conn net.Conn, br *bufio.Reader, f *os.File, size int64, mark string, deadline func()) (int64, error) {
	buf := make([]byte, 64<<10)
	var got int64
	var tail []byte // last 40 bytes seen, for the EOF mark
	w := bufio.NewWriterSize(f, 256<<10)
	for size < 0 || got < size {
		deadline()
		want := len(buf)
		if size >= 0 && int64(want) > size-got {
			want = int(size - got)
		}
		k, err := br.Read(buf[:want])
		if k > 0 {
			chunk := buf[:k]
			got += int64(k)
			n.mu.Lock()
			n.repl.sync.read = got
			n.repl.sync.lastIO = n.nowMs()
			n.repl.lastIO = n.repl.sync.lastIO
			n.stats.replInputBytes += int64(k)
			n.mu.Unlock()
			if mark != "" {
				tail = append(tail, chunk...)
				if len(tail) > 80 {
					// keep the last 40 bytes; write the rest
					if _, err := w.Write(tail[:len(tail)-40]); err != nil {
						return got, err
					}
					tail = append(tail[:0], tail[len(tail)-40:]...)
				}
				if len(tail) >= 40 && string(tail[len(tail)-40:]) == mark {
					if _, err := w.Write(tail[:len(tail)-40]); err != nil {
						return got, err
					}
					return got - 40, w.Flush()
				}
				continue
			}
			if _, err := w.Write(chunk); err != nil {
				return got, err
			}
		}
		if err != nil {
			return got, err
		}
	}
	return got, w.Flush()
}

// streamFromMaster applies the master's command stream until the link
// breaks, acknowledging once a second.
func (n *Node) streamFromMaster(l *masterLink, conn net.Conn, br *bufio.Reader, timeout time.Duration) error {
	n.mu.Lock()
	r := &n.repl
	if r.link != l {
		n.mu.Unlock()
		return nil
	}
	mc := n.newInternalClient(conn)
	mc.flags |= flagMaster
	mc.authed = true
	mc.db = r.masterDB
	r.conn = mc
	r.state = linkConnected
	r.downSince = 0
	r.lastIO = n.nowMs()
	maxBulk := n.cfg.ProtoMaxBulkLen
	n.emit(Event{Kind: EventLinkUp, Master: l.target.String(), Offset: r.reploff})
	ackNow := r.reploff
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
	var pendingRaw []byte
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
		var acks []int64
		n.mu.Lock()
		if r.link != l {
			n.mu.Unlock()
			return nil
		}
		now := n.nowMs()
		r.lastIO = now
		mc.lastSeen = now
		for _, c := range cmds {
			n.stats.replInputBytes += int64(len(c.raw))
			r.readOff += int64(len(c.raw))
			if c.args != nil {
				before := r.reploff
				n.applyFromMaster(mc, w, c.args)
				if n.repl.getackPending {
					n.repl.getackPending = false
					acks = append(acks, before)
				}
			}
			pendingRaw = append(pendingRaw, c.raw...)
			if !mc.is(flagMulti) {
				r.reploff += int64(len(pendingRaw))
				n.feedStream(pendingRaw)
				pendingRaw = pendingRaw[:0]
			}
			if r.link != l || n.repl.master == nil {
				break
			}
		}
		n.wakeAllPeersIfPending()
		n.mu.Unlock()
		for _, off := range acks {
			if err := l.write(ackCommand(off)); err != nil {
				return fmt.Errorf("send ACK to master: %w", err)
			}
		}
	}
}

// applyFromMaster runs one command from the master's stream.
func (n *Node) applyFromMaster(mc *Client, w *redcon.Writer, args [][]byte) {
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
			off := n.repl.reploff
			ok := n.repl.link == l && n.repl.state == linkConnected
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

// newInternalClient registers a client for a connection the node opened
// itself (the link to the master).
func (n *Node) newInternalClient(conn net.Conn) *Client {
	n.nextClientID++
	now := n.nowMs()
	c := &Client{id: n.nextClientID, netConn: conn, addr: conn.RemoteAddr().String(),
		laddr: conn.LocalAddr().String(), created: now, lastSeen: now}
	n.clients[c.id] = c
	return c
}
