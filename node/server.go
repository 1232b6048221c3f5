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

// onClosed forgets a client whose connection ended. A connection handed
// to a detached loop (replica, pub/sub) is forgotten by that loop instead.
func (n *Node) onClosed(conn redcon.Conn, err error) {
	c, _ := conn.Context().(*Client)
	if c == nil {
		return
	}
	n.mu.Lock()
	detached := c.replica != nil || c.pub != nil
	if !detached {
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

// handle is redcon's handler: it runs the command and every command
// already pipelined behind it under one acquisition of the lock. Commands
// that block (WAIT, DEBUG SLEEP) run with the lock released; commands that
// take the connection over (PSYNC, SUBSCRIBE) detach it from redcon.
func (n *Node) handle(conn redcon.Conn, first redcon.Command) {
	c := conn.Context().(*Client)
	w := redcon.BaseWriter(conn)
	rest := conn.ReadPipeline()
	n.mu.Lock()
	n.batchNow = n.nowMs()
	c.lastSeen = n.batchNow
	for i := -1; i < len(rest); i++ {
		args := first.Args
		if i >= 0 {
			args = rest[i].Args
		}
		if c.killed.Load() {
			break
		}
		cmd := lookupCommand(args[0])
		if cmd != nil && cmd.flags&(cBlocking|cDetach) != 0 {
			if !n.precheck(c, w, cmd, args) {
				// refused or queued inside MULTI: precheck replied
				if c.is(flagCloseASAP) {
					break
				}
				continue
			}
			if cmd.flags&cDetach != 0 {
				pending := make([][][]byte, 0, len(rest))
				for _, r := range rest[i+1:] {
					pending = append(pending, r.Args)
				}
				n.batchNow = 0
				n.mu.Unlock()
				n.detach(c, conn, cmd, args, pending)
				return
			}
			n.batchNow = 0
			n.mu.Unlock()
			// Replies to the commands before it go out before it blocks,
			// as Redis writes them.
			_ = w.Flush()
			cmd.block(n, c, w, args)
			n.mu.Lock()
			n.batchNow = n.nowMs()
			continue
		}
		n.dispatch(c, w, args)
		if c.is(flagCloseASAP) {
			break
		}
	}
	closeNow := c.is(flagCloseASAP) || c.killed.Load()
	n.batchNow = 0
	n.wakeAllPeersIfPending()
	n.mu.Unlock()
	if closeNow {
		_ = conn.Close()
	}
}

// precheck applies dispatch's checks to a blocking or detaching command.
// It reports whether the command should run now; otherwise it has written
// the refusal or queued the command.
func (n *Node) precheck(c *Client, w *redcon.Writer, cmd *command, args [][]byte) bool {
	if !cmd.arityOK(len(args)) || (!c.authed && cmd.flags&cNoAuth == 0 && n.cfg.RequirePass != "") ||
		c.is(flagMulti) || (c.is(flagPubSub) && !allowedInPubSub(cmd.name)) || n.refusal(c, cmd, args) != "" {
		n.dispatch(c, w, args)
		return false
	}
	return true
}
