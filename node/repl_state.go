package node

import (
	"github.com/replscope/replscope/node/repl"
)

// replication is the node's side of replication: the rules and their
// state live in core (node/repl); the node keeps what does I/O: the
// replicas' connections and writers, the link to the master, and the
// channel WAIT callers sleep on. Guarded by the node's lock.
type replication struct {
	core    *repl.State
	peers   map[int64]*replicaPeer // attached replicas' connections, by client id
	ackWake chan struct{}          // closed and replaced on every ACK or drop (SHUTDOWN)
	waits   map[int64]chan int64   // WAIT callers by client id: their answer

	// replica side
	link *masterLink
	conn *Client // the master's client while streaming (flagMaster)
}

func (n *Node) initReplication() {
	r := &n.repl
	r.core = repl.New(n.replConfigLocked(), func() string { return randomHex(40) }, n.nowMs())
	r.peers = map[int64]*replicaPeer{}
	r.waits = map[int64]chan int64{}
	r.ackWake = make(chan struct{})
	if hp := n.cfg.ReplicaOf; hp != nil {
		r.core.Configure(repl.Addr{Host: hp.Host, Port: hp.Port})
	}
}

// replConfigLocked is the part of the configuration the replication rules read.
func (n *Node) replConfigLocked() repl.Config {
	c := n.cfg
	lim := c.OutputBufferLimit("replica")
	return repl.Config{
		BacklogSize: c.EffectiveBacklogSize(), BacklogTTL: c.ReplBacklogTTL,
		Timeout: c.ReplTimeout, PingPeriod: c.ReplPingReplicaPeriod,
		DisklessSync: c.ReplDisklessSync, DisklessSyncDelay: c.ReplDisklessSyncDelay,
		DisklessSyncMaxReplicas: c.ReplDisklessSyncMaxReplicas, MinReplicasMaxLag: c.MinReplicasMaxLag,
		Limit: repl.Limit{Hard: lim.Hard, Soft: lim.Soft, SoftSeconds: lim.SoftSeconds},
	}
}

func (n *Node) isReplica() bool { return n.repl.core.IsReplica() }

func (n *Node) masterLinkUp() bool { return n.repl.core.LinkUp() }

// offset returns master_repl_offset.
func (n *Node) offset() int64 { return n.repl.core.Offset() }

// carryOutLocked carries out what the replication rules decided, until
// nothing is left (carrying out can itself produce more: a replica whose
// queue is full is dropped). It returns the ACKs to send to the master,
// which the caller sends after releasing the lock.
func (n *Node) carryOutLocked() (acks []int64) {
	core := n.repl.core
	for core.HasReady() {
		rd := core.Ready()
		for _, o := range rd.Out {
			if p := n.repl.peers[o.Peer]; p != nil {
				if o.Close {
					n.queueOutLocked(p, nil)
				} else {
					n.queueOutLocked(p, o.Bytes)
				}
			}
		}
		for _, d := range rd.Drop {
			if p := n.repl.peers[d.Peer]; p != nil {
				delete(n.repl.peers, d.Peer)
				close(p.quit)
				_ = p.conn.Close()
				n.removeClientLocked(p.c)
			}
		}
		for _, id := range rd.Wake {
			if p := n.repl.peers[id]; p != nil {
				p.signal()
			}
		}
		if rd.SyncDue {
			n.startSyncLocked()
		}
		acks = append(acks, rd.Acks...)
		for _, u := range rd.Unblock {
			if ch := n.repl.waits[u.Client]; ch != nil {
				delete(n.repl.waits, u.Client)
				ch <- u.Acked // buffered: never blocks
			}
		}
		if rd.AcksChanged {
			n.notifyAckLocked()
		}
		for _, l := range rd.Logs {
			if l.Level == repl.Warning {
				n.log.Warnf("%s", l.Text)
			} else {
				n.log.Noticef("%s", l.Text)
			}
		}
		for _, e := range rd.Events {
			n.emit(e)
		}
	}
	return acks
}

// wakeAllPeersIfPendingLocked wakes the replica writers when the stream
// grew since the last wake-up: once per batch of commands, so that a
// batch leaves in one write.
func (n *Node) wakeAllPeersIfPendingLocked() {
	if n.repl.core.TakeWake() {
		for _, p := range n.repl.peers {
			if p.Streaming {
				p.signal()
			}
		}
	}
}

// notifyAckLocked wakes the SHUTDOWN wait after an ACK or a drop.
func (n *Node) notifyAckLocked() {
	close(n.repl.ackWake)
	n.repl.ackWake = make(chan struct{})
}

// stopReplicationLocked ends the link to the master and drops every
// replica (Close).
func (n *Node) stopReplicationLocked() {
	n.stopLinkLocked()
	n.repl.core.DropAll(n.nowMs(), "")
	n.carryOutLocked()
}

// replicaPeersLocked returns the attached replicas in the order they
// came, as INFO and ROLE list them.
func (n *Node) replicaPeersLocked() []*replicaPeer {
	var ps []*replicaPeer
	for _, p := range n.repl.core.Peers() {
		if t := n.repl.peers[p.ID]; t != nil {
			ps = append(ps, t)
		}
	}
	return ps
}
