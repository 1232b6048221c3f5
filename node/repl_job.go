package node

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/replscope/replscope/node/keyspace"
)

// syncJob is one full sync: a snapshot encoded once and sent to every
// replica attached to it, in the diskless $EOF: form or, for replicas
// without "capa eof" (or with repl-diskless-sync no), the $<len> form from
// a temporary file.
type syncJob struct {
	disk    bool
	peers   []*replicaPeer
	startAt int64 // unix ms; diskless jobs wait repl-diskless-sync-delay for more replicas
	started bool
	offset  int64
	replid  string
}

func (j *syncJob) removePeer(p *replicaPeer) {
	for i, q := range j.peers {
		if q == p {
			j.peers = append(j.peers[:i], j.peers[i+1:]...)
			return
		}
	}
}

// scheduleFullSync attaches a replica to the pending job, or starts a new
// one, or makes it wait for the next when a transfer it cannot share is
// running ("Waiting for next BGSAVE for SYNC").
func (n *Node) scheduleFullSync(p *replicaPeer, disk bool) {
	r := &n.repl
	switch {
	case r.job != nil && !r.job.started && r.job.disk == disk:
		r.job.peers = append(r.job.peers, p)
		n.log.Noticef("Replica %s joins the full sync that is about to start", p.name())
	case r.job == nil:
		delay := int64(0)
		if !disk {
			delay = int64(n.cfg.ReplDisklessSyncDelay) * 1000
		}
		r.job = &syncJob{disk: disk, peers: []*replicaPeer{p}, startAt: n.nowMs() + delay}
		if delay > 0 {
			n.log.Noticef("Delay next BGSAVE for diskless SYNC")
		}
	default:
		r.waitingJobs = append(r.waitingJobs, p)
		n.log.Noticef("Can't attach the replica %s to the current BGSAVE. Waiting for next BGSAVE for SYNC", p.name())
	}
	n.maybeStartJob()
}

// maybeStartJob starts the pending full sync once its delay has passed (or
// enough replicas joined) and no other snapshot is running. Called under
// the lock from the cron and when replicas arrive.
func (n *Node) maybeStartJob() {
	r := &n.repl
	j := r.job
	if j == nil || j.started {
		return
	}
	if len(j.peers) == 0 {
		r.job = nil
		n.nextJob()
		return
	}
	maxed := n.cfg.ReplDisklessSyncMaxReplicas > 0 && len(j.peers) >= n.cfg.ReplDisklessSyncMaxReplicas
	if n.nowMs() < j.startAt && !maxed {
		return
	}
	snap := n.ks.Snapshot()
	if snap == nil {
		return // a BGSAVE is running; retry from the cron
	}
	j.started = true
	j.offset = r.hist.Offset
	j.replid = r.hist.ReplID
	// The replicas start from a fresh client: force a SELECT before the
	// next write (replicationSetupSlaveForFullResync).
	r.streamDB = -1
	mode := "disk"
	if !j.disk {
		mode = "socket"
	}
	n.log.Noticef("Starting BGSAVE for SYNC with target: %s", mode)
	for _, p := range j.peers {
		p.state = peerSendBulk
		p.acked = false
		p.sendOff = j.offset + 1
		if !p.prePsync {
			n.queueOut(p, []byte(fmt.Sprintf("+FULLRESYNC %s %d\r\n", j.replid, j.offset)))
		}
		n.log.Noticef("Full resync requested by replica %s", p.name())
		n.emit(Event{Kind: EventFullSyncStarted, Peer: p.name(), Offset: j.offset})
	}
	n.bg.Add(1)
	n.jobEdge(true)
	go n.runJob(j, snap)
}

// queueOut queues pre-stream bytes without blocking (called under the
// lock); a replica whose queue is full is dropped.
func (n *Node) queueOut(p *replicaPeer, b []byte) {
	select {
	case p.out <- b:
	default:
		n.dropPeer(p, "output queue full during sync")
	}
}

// nextJob starts a job for the replicas that waited for the last one.
func (n *Node) nextJob() {
	r := &n.repl
	waiting := r.waitingJobs
	r.waitingJobs = nil
	for _, p := range waiting {
		n.scheduleFullSync(p, !n.cfg.ReplDisklessSync || !p.conf.capaEOF)
	}
}

// jobEdge tells Options.Job that a background job starts or ends.
func (n *Node) jobEdge(start bool) {
	if n.opts.Job != nil {
		n.opts.Job(start)
	}
}

// runJob encodes the snapshot and sends it to the job's replicas.
func (n *Node) runJob(j *syncJob, snap *keyspace.Snapshot) {
	defer n.bg.Done()
	defer n.jobEdge(false)
	n.mu.Lock()
	aux := rdbAux{replid: j.replid, offset: j.offset, streamDB: -1, withRepl: true}
	dir := n.cfg.Dir
	n.mu.Unlock()
	start := time.Now()
	var size int64
	var err error
	if j.disk {
		size, err = n.runDiskJob(j, snap, aux, dir)
	} else {
		size, err = n.runSocketJob(j, snap, aux)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	snap.Close()
	n.repl.job = nil
	if err != nil {
		n.log.Warnf("Full sync failed: %v", err)
		for _, p := range append([]*replicaPeer(nil), j.peers...) {
			n.dropPeer(p, "full sync failed")
		}
	} else {
		n.log.Noticef("Background RDB transfer terminated with success (%d bytes in %s)", size, time.Since(start).Round(time.Millisecond))
		for _, p := range j.peers {
			if p.dropped {
				continue
			}
			p.state = peerOnline
			p.streaming = !p.conf.rdbOnly
			// The replica's first ACK may already be in (the writer can
			// finish sending before this runs): then stream at once.
			p.waitAck = !j.disk && !p.prePsync && !p.acked
			p.ackTime = n.nowMs()
			p.sentRDB = size
			n.log.Noticef("Synchronization with replica %s succeeded", p.name())
			n.emit(Event{Kind: EventFullSyncFinished, Peer: p.name(), Offset: j.offset, Bytes: size})
			n.emit(Event{Kind: EventReplicaOnline, Peer: p.name(), Offset: j.offset})
			if p.conf.rdbOnly {
				n.queueOut(p, nil) // the writer closes after the RDB
			}
			n.signalPeer(p)
		}
	}
	n.nextJob()
	n.maybeStartJob()
}

// fanout writes each chunk to every live replica of a job, in order,
// blocking on the slowest (as a diskless Redis master does).
type fanout struct {
	n     *Node
	peers []*replicaPeer
}

func (f *fanout) Write(b []byte) (int, error) {
	chunk := append([]byte(nil), b...)
	live := 0
	for _, p := range f.peers {
		select {
		case p.out <- chunk:
			live++
		case <-p.quit:
		case <-f.n.closing:
			return 0, ErrClosed
		}
	}
	if live == 0 {
		return 0, errJobNoReplicas
	}
	f.n.mu.Lock()
	f.n.stats.replOutputBytes += int64(len(b) * live)
	f.n.mu.Unlock()
	return len(b), nil
}

var errJobNoReplicas = fmt.Errorf("every replica of the transfer is gone")

func (n *Node) jobPeers(j *syncJob) []*replicaPeer {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*replicaPeer(nil), j.peers...)
}

// runSocketJob streams the RDB in the diskless form:
// $EOF:<40 hex>\r\n <rdb> <the same 40 hex>.
func (n *Node) runSocketJob(j *syncJob, snap *keyspace.Snapshot, aux rdbAux) (int64, error) {
	mark := randomHex(40)
	f := &fanout{n: n, peers: n.jobPeers(j)}
	n.mu.Lock()
	for _, p := range f.peers {
		p.payload = true
	}
	n.mu.Unlock()
	if _, err := f.Write([]byte("$EOF:" + mark + "\r\n")); err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	var size int64
	err := n.writeSnapshot(bw, snap, aux, func(w int64) { size = w })
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		_, err = f.Write([]byte(mark))
	}
	return size, err
}

// runDiskJob writes the RDB to a temporary file, then sends it in the
// $<len> form.
func (n *Node) runDiskJob(j *syncJob, snap *keyspace.Snapshot, aux rdbAux, dir string) (int64, error) {
	tmp, err := os.CreateTemp(dir, "temp-repl-*.rdb")
	if err != nil {
		return 0, fmt.Errorf("create sync file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := n.writeSnapshot(bw, snap, aux, nil); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("write sync file: %w", err)
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	f := &fanout{n: n, peers: n.jobPeers(j)}
	n.mu.Lock()
	for _, p := range f.peers {
		p.payload = true
	}
	n.mu.Unlock()
	if _, err := f.Write([]byte("$" + strconv.FormatInt(size, 10) + "\r\n")); err != nil {
		return 0, err
	}
	if _, err := io.CopyBuffer(f, tmp, make([]byte, 64<<10)); err != nil {
		return 0, fmt.Errorf("send %s: %w", filepath.Base(tmp.Name()), err)
	}
	return size, nil
}
