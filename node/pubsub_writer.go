package node

import (
	"net"
	"time"

	"github.com/tidwall/redcon"
)

// startPubSub gives a client that just subscribed its own writer: from now
// on its replies and the messages published to it share one ordered
// queue (c.pub) that the writer drains, since messages arrive at any time.
// The replies already in w go first. Callers hold the lock.
func (n *Node) startPubSub(c *Client, w *redcon.Writer) {
	c.pub = &pubsubOut{wake: make(chan struct{}, 1)}
	n.handlers.Add(1)
	go n.pubsubWriter(c, c.netConn)
	n.pushToClient(c, w.Buffer())
	w.SetBuffer(nil)
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

// pubsubWriter drains a pub/sub client's output buffer to its socket and
// closes the connection once the queue is closed and drained.
func (n *Node) pubsubWriter(c *Client, nc net.Conn) {
	defer n.handlers.Done()
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
