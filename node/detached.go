package node

import (
	"time"

	"github.com/tidwall/redcon"
)

// detach takes a connection off redcon's loop for a command that owns it
// from now on: PSYNC/SYNC make it a replica link, SUBSCRIBE/PSUBSCRIBE a
// pub/sub client whose messages are pushed at any time.
func (n *Node) detach(c *Client, conn redcon.Conn, cmd *command, args [][]byte, pending [][][]byte) {
	switch cmd.name {
	case "psync", "sync":
		n.serveReplica(c, conn, args, pending)
	default:
		n.servePubSub(c, conn, args, pending)
	}
}

// servePubSub runs a client in pub/sub mode: a reader loop that executes
// its commands and a writer goroutine that sends replies and messages in
// order. The client stays detached until it disconnects.
func (n *Node) servePubSub(c *Client, conn redcon.Conn, first [][]byte, pending [][][]byte) {
	n.mu.Lock()
	c.pub = &pubsubOut{wake: make(chan struct{}, 1)}
	n.handlers.Add(2) // this reader loop and the writer; redcon's handler ends on return
	n.mu.Unlock()
	dc := conn.Detach()
	go n.pubsubWriter(c, dc)
	go func() {
		defer n.handlers.Done()
		readErr := false
		defer func() {
			n.mu.Lock()
			n.removeClientLocked(c)
			close(c.pub.wake) // the writer sends what is left, then closes
			n.mu.Unlock()
			if readErr {
				_ = dc.NetConn().Close()
			}
		}()
		w := redcon.NewWriter(nopWriter{})
		run := func(args [][]byte) bool {
			n.mu.Lock()
			defer n.mu.Unlock()
			c.lastSeen = n.nowMs()
			w.SetBuffer(nil)
			n.dispatch(c, w, args)
			n.pushToClient(c, w.Buffer())
			return !c.is(flagCloseASAP) && !c.killed.Load()
		}
		if !run(first) {
			return
		}
		for _, args := range pending {
			if !run(args) {
				return
			}
		}
		for {
			cmd, err := dc.ReadCommand()
			if err != nil {
				readErr = true
				return
			}
			if !run(cmd.Args) {
				return
			}
		}
	}()
}

// pushToClient queues bytes for a detached client, enforcing the pubsub
// output buffer limits (client-output-buffer-limit pubsub).
func (n *Node) pushToClient(c *Client, b []byte) {
	if c.pub == nil || len(b) == 0 || c.killed.Load() {
		return
	}
	c.pub.buf = append(c.pub.buf, b...)
	lim := n.cfg.OutputBufferLimit("pubsub")
	size := int64(len(c.pub.buf))
	now := n.nowMs()
	over := lim.Hard > 0 && size > lim.Hard
	if lim.Soft > 0 && size > lim.Soft {
		if c.pub.softSince == 0 {
			c.pub.softSince = now
		} else if now-c.pub.softSince > int64(lim.SoftSeconds)*1000 {
			over = true
		}
	} else {
		c.pub.softSince = 0
	}
	if over {
		n.stats.cobDisconnects++
		n.log.Warnf("Client id=%d addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.", c.id, c.addr)
		c.killed.Store(true)
		c.flags |= flagCloseASAP
		_ = c.netConn.Close()
		return
	}
	select {
	case c.pub.wake <- struct{}{}:
	default:
	}
}

// pubsubWriter drains a pub/sub client's output buffer to its socket.
func (n *Node) pubsubWriter(c *Client, dc redcon.DetachedConn) {
	defer n.handlers.Done()
	nc := dc.NetConn()
	defer nc.Close()
	for range c.pub.wake {
		n.mu.Lock()
		out := c.pub.buf
		c.pub.buf = nil
		n.mu.Unlock()
		if len(out) == 0 {
			continue
		}
		_ = nc.SetWriteDeadline(time.Now().Add(time.Minute))
		if _, err := nc.Write(out); err != nil {
			_ = nc.Close()
		}
		n.netOutput.Add(int64(len(out)))
		n.mu.Lock()
		closeNow := c.is(flagCloseASAP) && len(c.pub.buf) == 0
		n.mu.Unlock()
		if closeNow {
			_ = nc.Close()
		}
	}
	n.mu.Lock()
	out := c.pub.buf
	c.pub.buf = nil
	n.mu.Unlock()
	if len(out) > 0 {
		_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = nc.Write(out)
	}
}
