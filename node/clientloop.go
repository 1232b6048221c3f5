package node

import (
	"net"

	"github.com/tidwall/redcon"
)

// accept registers a new client, applying maxclients and protected mode.
func (n *Node) accept(conn redcon.Conn) bool {
	nc := conn.NetConn()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	if n.cfg.MaxClients > 0 && len(n.clients) >= n.cfg.MaxClients {
		n.stats.rejectedConns++
		_, _ = nc.Write([]byte("-ERR max number of clients reached\r\n"))
		return false
	}
	if n.protectedModeRefuses(nc.RemoteAddr()) {
		n.stats.rejectedConns++
		_, _ = nc.Write([]byte(deniedMessage))
		return false
	}
	n.nextClientID++
	now := n.nowMs()
	c := &Client{
		id:       n.nextClientID,
		conn:     conn,
		netConn:  nc,
		addr:     conn.RemoteAddr(),
		laddr:    nc.LocalAddr().String(),
		authed:   n.cfg.RequirePass == "",
		created:  now,
		lastSeen: now,
	}
	conn.SetContext(c)
	n.clients[c.id] = c
	n.stats.connections++
	n.handlers.Add(1)
	return true
}

// deniedMessage is Redis's protected-mode refusal, word for word.
const deniedMessage = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"

// protectedModeRefuses applies Redis 7.0's protected mode: with no
// password, only loopback clients are accepted (whatever bind says).
func (n *Node) protectedModeRefuses(addr net.Addr) bool {
	if !n.cfg.ProtectedMode || n.cfg.RequirePass != "" {
		return false
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return false
	}
	return !tcp.IP.IsLoopback()
}

// onClosed runs when redcon's goroutine for a connection ends: after
// clientLoop returned (or when redcon itself failed the connection before
// any request). Forgetting a client twice is harmless.
func (n *Node) onClosed(conn redcon.Conn, err error) {
	c, _ := conn.Context().(*Client)
	if c == nil {
		return
	}
	n.mu.Lock()
	if c.replica == nil {
		n.removeClientLocked(c)
	}
	n.mu.Unlock()
	n.handlers.Done()
}

// removeClientLocked drops every trace of c.
func (n *Node) removeClientLocked(c *Client) {
	if _, ok := n.clients[c.id]; !ok {
		return
	}
	delete(n.clients, c.id)
	n.unwatchAll(c)
	n.unsubscribeAll(c)
	c.killed.Store(true)
}

// handle is redcon's handler, called once per connection: it takes the
// connection off redcon's loop (Detach) and serves it with clientLoop on
// the same goroutine. redcon accepted the connection and parsed its first
// request; the guard held that read to one request, so redcon keeps no
// bytes the loop would miss.
func (n *Node) handle(conn redcon.Conn, first redcon.Command) {
	c := conn.Context().(*Client)
	// runBatch guards the commands; this catches what runs around them
	// (reading, closing), where the lock's state is unknown.
	defer func() {
		if v := recover(); v != nil {
			report := bugReport(caught(v, false), c, nil, false)
			n.log.Warnf("%s", report)
			n.fatal(report)
		}
	}()
	w := redcon.BaseWriter(conn)
	rest := conn.ReadPipeline()
	batch := make([][][]byte, 0, 1+len(rest))
	batch = append(batch, first.Args)
	for _, r := range rest {
		batch = append(batch, r.Args)
	}
	conn.Detach()
	cr := newCmdReader(c.netConn)
	cr.stats = &c.qbuf
	if g, ok := c.netConn.(*guardConn); ok {
		g.oneFrame = false
		batch = cr.absorb(g, batch)
	}
	n.clientLoop(c, w, cr, batch)
}

// clientLoop serves one client: each batch of requests read together runs
// under one acquisition of the lock, its replies are written with one
// write. It returns when the client goes (or became a replica and left).
func (n *Node) clientLoop(c *Client, w *redcon.Writer, cr *cmdReader, batch [][][]byte) {
	for {
		switch n.runBatch(c, w, cr, batch) {
		case batchReplica:
			return // attachReplica served the connection to its end
		case batchClose:
			n.endClient(c, w)
			return
		}
		var err error
		batch, err = cr.batch(batch[:0])
		if len(batch) == 0 && err != nil {
			n.endClient(c, w)
			return
		}
	}
}

type batchEnd int

const (
	batchNext    batchEnd = iota // read the next batch
	batchClose                   // QUIT, CLIENT KILL, a write error
	batchReplica                 // the client became a replica
)

// runBatch runs one batch: commands in order under the lock, blocking ones
// (WAIT, SAVE...) with it released, PSYNC/SYNC handing the connection to
// the replica code.
func (n *Node) runBatch(c *Client, w *redcon.Writer, cr *cmdReader, batch [][][]byte) (end batchEnd) {
	// held tracks whether this goroutine holds the lock, for the panic
	// guard (crash.go).
	held := false
	defer func() {
		if v := recover(); v != nil {
			n.containBatchPanic(c, w, caught(v, held))
			end = batchClose
		}
	}()
	ts := arrivalOf(c)
	if ts != 0 {
		n.arrivals.turn(c, ts) // earlier arrivals first (arrival.go)
	}
	n.mu.Lock()
	held = true
	if ts != 0 {
		n.arrivals.leave(c)
	}
	n.batchNow, n.callEnd = n.nowMs(), 0
	c.lastSeen = n.batchNow
	if len(batch) > 1 {
		n.prefetchKeys(c.db, batch)
	}
	end = batchNext
	for i, args := range batch {
		if c.killed.Load() {
			end = batchClose
			break
		}
		cmd := lookupCommand(args[0])
		if cmd != nil && cmd.flags&(cBlocking|cDetach) != 0 {
			if !n.precheck(c, w, cmd, args) {
				// refused or queued inside MULTI: precheck replied
				if c.is(flagCloseASAP) {
					end = batchClose
					break
				}
				continue
			}
			if cmd.flags&cDetach != 0 {
				req, ok := n.psyncCheckLocked(c, w, args)
				if !ok {
					continue
				}
				pending := make([][][]byte, 0, len(batch)-i-1)
				for _, a := range batch[i+1:] {
					pending = append(pending, copyArgs(a))
				}
				n.batchNow, n.callEnd = 0, 0
				held = false
				n.mu.Unlock()
				n.attachReplica(c, eqFold(args[0], "psync"), req, cr.next, pending)
				return batchReplica
			}
			c.lastCmd = cmd.name // CLIENT LIST shows it while it runs, as Redis does
			n.batchNow, n.callEnd = 0, 0
			held = false
			n.mu.Unlock()
			// Replies to the commands before it go out before it blocks,
			// as Redis writes them.
			if c.pub == nil {
				_ = w.Flush()
			}
			cmd.block(n, c, w, args)
			n.mu.Lock()
			held = true
			n.batchNow, n.callEnd = n.nowMs(), 0
			continue
		}
		c.cmdCache = cmd
		if cmd != nil && cmd.flags&cBlocksOnKeys != 0 {
			n.dispatchMayBlock(c, w, args) // BLPOP...: see block.go
		} else {
			n.dispatch(c, w, args)
		}
		if c.pub == nil && c.is(flagPubSub) {
			n.startPubSub(c, w)
		}
		if c.is(flagCloseASAP) {
			end = batchClose
			break
		}
	}
	if c.pub != nil {
		n.pushToClient(c, w.Buffer())
		w.SetBuffer(nil)
	}
	n.batchNow, n.callEnd = 0, 0
	n.wakeAllPeersIfPendingLocked()
	held = false
	n.mu.Unlock()
	if c.pub == nil {
		if err := w.Flush(); err != nil {
			return batchClose
		}
	}
	return end
}

// endClient forgets a client whose connection ends and closes it, after
// its pending replies (a pub/sub client's writer sends what is queued).
func (n *Node) endClient(c *Client, w *redcon.Writer) {
	n.mu.Lock()
	n.removeClientLocked(c)
	pub := c.pub
	if pub != nil {
		close(pub.wake) // the writer drains the queue, then closes
	}
	n.mu.Unlock()
	if pub == nil {
		_ = w.Flush()
		_ = c.netConn.Close()
	}
}

// precheck applies dispatch's checks to a blocking or detaching command.
// It reports whether the command should run now; otherwise it has written
// the refusal or queued the command.
func (n *Node) precheck(c *Client, w *redcon.Writer, cmd *command, args [][]byte) bool {
	if !cmd.arityOK(len(args)) || (!c.authed && cmd.flags&cNoAuth == 0 && n.cfg.RequirePass != "") ||
		c.is(flagMulti) || (c.pubsubRestricted() && !allowedInPubSub(cmd.name)) || n.refusal(c, cmd, args) != "" {
		n.dispatch(c, w, args)
		return false
	}
	return true
}

// prefetchKeys warms the caches for the first argument of each pipelined
// request (the key of SET, GET and most commands) before the batch runs,
// so that their keyspace lookups overlap their memory misses
// (keyspace.DB.Prefetch). A request whose first argument is no key costs
// one wasted probe. A replica does the same for each batch of its
// master's stream.
func (n *Node) prefetchKeys(db int, batch [][][]byte) {
	keys := n.prefetchBuf[:0]
	for _, args := range batch {
		if len(args) > 1 {
			keys = append(keys, args[1])
		}
	}
	n.prefetchSink += n.ks.DB(db).Prefetch(keys)
	clear(keys)
	n.prefetchBuf = keys[:0]
}
