package node

import (
	"net"
	"strconv"

	"github.com/replscope/replscope/node/repl"
)

// replication is the node's replication state in both roles. Guarded by
// the node's lock.
type replication struct {
	hist     repl.History  // replid, replid2, offsets (Offset is master_repl_offset)
	backlog  *repl.Backlog // nil until the first replica (or a master link) needs one
	streamDB int           // database of the stream's last SELECT; -1 forces one
	pending  []propOp
	feedBuf  []byte

	// master side
	replicas        []*replicaPeer
	noReplicasSince int64 // unix ms since when no replica is attached (backlog TTL)
	job             *syncJob
	waitingJobs     []*replicaPeer // replicas waiting for the next full sync
	ackWake         chan struct{}  // closed and replaced on every ACK (WAIT)
	getackPending   bool

	// replica side
	master       *HostPortAddr // nil: this node is a master
	link         *masterLink
	state        linkState
	conn         *Client // the master's client while connected (flagMaster)
	masterDB     int     // the database the master's stream last selected (kept across reconnections)
	cached       *repl.Cached
	reploff      int64 // bytes applied from the master (slave_repl_offset)
	readOff      int64 // bytes read from the master (slave_read_repl_offset)
	lastIO       int64 // unix ms of the last byte from the master
	downSince    int64 // unix ms the link went down; 0 = never up
	sync         syncProgress
	lastSyncKind string // "full" or "partial": how the last sync with the master went
	lastSyncErr  string
}

// HostPortAddr is a master address.
type HostPortAddr struct {
	Host string
	Port int
}

func (a HostPortAddr) String() string { return net.JoinHostPort(a.Host, strconv.Itoa(a.Port)) }

// linkState is a replica's replication state, as ROLE names it.
type linkState int

const (
	linkNone       linkState = iota // not a replica
	linkConnect                     // must connect
	linkConnecting                  // dialing
	linkHandshake                   // PING / AUTH / REPLCONF / PSYNC exchange
	linkTransfer                    // receiving the RDB
	linkConnected                   // streaming
)

func (s linkState) String() string {
	return [...]string{"none", "connect", "connecting", "handshake", "sync", "connected"}[s]
}

// syncProgress tracks an RDB transfer from the master.
type syncProgress struct {
	total  int64 // -1 for an EOF-marked transfer of unknown size
	read   int64
	lastIO int64
	start  int64
}

func (n *Node) initReplication() {
	r := &n.repl
	r.hist = repl.History{ReplID: randomHex(40), ReplID2: repl.NoID, SecondOffset: -1}
	r.streamDB = -1
	r.ackWake = make(chan struct{})
	r.noReplicasSince = n.nowMs()
	if hp := n.cfg.ReplicaOf; hp != nil {
		r.master = &HostPortAddr{Host: hp.Host, Port: hp.Port}
		r.state = linkConnect
	}
}

func (n *Node) isReplica() bool { return n.repl.master != nil }

func (n *Node) masterLinkUp() bool { return n.repl.state == linkConnected }

// offset returns master_repl_offset.
func (n *Node) offset() int64 { return n.repl.hist.Offset }

// feedStream appends bytes to the replication stream: the backlog and
// every attached replica read from it.
func (n *Node) feedStream(b []byte) {
	r := &n.repl
	if r.backlog == nil {
		n.createBacklog()
	}
	r.backlog.Append(b)
	r.hist.Offset += int64(len(b))
	n.checkOutputLimits()
	n.trimBacklog()
	n.wakePending = true
}

// createBacklog allocates the backlog; its first byte is the next offset.
func (n *Node) createBacklog() {
	r := &n.repl
	r.backlog = repl.NewBacklog(n.cfg.EffectiveBacklogSize(), r.hist.Offset)
}

// freeBacklog drops the backlog (TTL expiry on a master without replicas).
func (n *Node) freeBacklog() {
	n.repl.backlog = nil
}

// trimBacklog frees stream blocks nobody needs any more, and drops
// replicas whose unsent data broke their output buffer limits.
func (n *Node) trimBacklog() {
	r := &n.repl
	oldest := r.hist.Offset + 1
	for _, p := range r.replicas {
		if p.sendOff > 0 && p.sendOff < oldest {
			oldest = p.sendOff
		}
	}
	r.backlog.Trim(oldest)
}

// changeReplID starts a new history (changeReplicationId).
func (n *Node) changeReplID() { n.repl.hist.ReplID = randomHex(40) }

// replicaPending returns how many stream bytes a replica has not been sent
// yet, its output buffer in Redis's terms.
func (n *Node) replicaPending(p *replicaPeer) int64 {
	if p.sendOff == 0 {
		return 0
	}
	return max(n.repl.hist.Offset+1-p.sendOff, 0)
}

// goodReplicas counts online replicas whose last ACK is within
// min-replicas-max-lag seconds.
func (n *Node) goodReplicas() int {
	now := n.nowMs()
	good := 0
	for _, p := range n.repl.replicas {
		if p.state == peerOnline && now-p.ackTime <= int64(n.cfg.MinReplicasMaxLag)*1000 {
			good++
		}
	}
	return good
}

// wakeAllPeersIfPending wakes replica writers when the stream grew since
// the last wake-up. Callers hold the lock.
func (n *Node) wakeAllPeersIfPending() {
	if n.wakePending {
		n.wakePending = false
		n.wakeAllPeers()
	}
}

// notifyAck wakes WAIT callers after an ACK.
func (n *Node) notifyAck() {
	close(n.repl.ackWake)
	n.repl.ackWake = make(chan struct{})
}

func msSince(now, t int64) int64 {
	if t == 0 {
		return -1
	}
	return (now - t) / 1000
}

// stopReplicationLocked ends the link to the master and drops every
// replica (Close).
func (n *Node) stopReplicationLocked() {
	n.stopLinkLocked()
	n.disconnectReplicas("")
}
