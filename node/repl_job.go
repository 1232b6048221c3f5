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
	"github.com/replscope/replscope/node/repl"
)

// startSyncLocked starts the full sync the rules found due, unless
// another snapshot is running (a BGSAVE): the cron asks again.
func (n *Node) startSyncLocked() {
	snap := n.ks.Snapshot()
	if snap == nil {
		return
	}
	j := n.repl.core.StartSync(n.nowMs())
	if j == nil {
		snap.Close()
		return
	}
	n.bg.Add(1)
	n.jobEdge(true)
	go n.runJob(j, snap)
}

// queueOutLocked queues pre-stream bytes without blocking; a replica
// whose queue is full is dropped.
func (n *Node) queueOutLocked(p *replicaPeer, b []byte) {
	select {
	case p.out <- b:
	default:
		n.repl.core.DropPeer(n.nowMs(), p.Peer, "output queue full during sync")
	}
}

// jobEdge tells Options.Job that a background job starts or ends.
func (n *Node) jobEdge(start bool) {
	if n.opts.Job != nil {
		n.opts.Job(start)
	}
}

// runJob encodes the snapshot and sends it to the job's replicas.
func (n *Node) runJob(j *repl.Job, snap *keyspace.Snapshot) {
	defer n.bg.Done()
	defer n.jobEdge(false)
	n.mu.Lock()
	aux := rdbAux{replid: j.ReplID, offset: j.Offset, streamDB: -1, withRepl: true}
	dir := n.cfg.Dir
	n.mu.Unlock()
	start := time.Now()
	var size int64
	var err error
	if j.Disk {
		size, err = n.runDiskJob(j, snap, aux, dir)
	} else {
		size, err = n.runSocketJob(j, snap, aux)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	snap.Close()
	if err != nil {
		n.log.Warnf("Full sync failed: %v", err)
	} else {
		n.log.Noticef("Background RDB transfer terminated with success (%d bytes in %s)", size, time.Since(start).Round(time.Millisecond))
	}
	n.repl.core.SyncDone(n.nowMs(), j, size, err != nil)
	n.carryOutLocked()
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
	f.n.repl.core.Stats.ReplOutputBytes += int64(len(b) * live)
	f.n.mu.Unlock()
	return len(b), nil
}

var errJobNoReplicas = fmt.Errorf("every replica of the transfer is gone")

// jobPeersLocked returns the connections of job j's replicas, and marks
// its payload as started: they get no more keepalive newlines.
func (n *Node) jobPeersLocked(j *repl.Job) []*replicaPeer {
	var ps []*replicaPeer
	for _, p := range j.Peers() {
		if t := n.repl.peers[p.ID]; t != nil {
			ps = append(ps, t)
		}
	}
	n.repl.core.PayloadStarted(j)
	return ps
}

// runSocketJob streams the RDB in the diskless form:
// $EOF:<40 hex>\r\n <rdb> <the same 40 hex>.
func (n *Node) runSocketJob(j *repl.Job, snap *keyspace.Snapshot, aux rdbAux) (int64, error) {
	mark := randomHex(40)
	n.mu.Lock()
	f := &fanout{n: n, peers: n.jobPeersLocked(j)}
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
func (n *Node) runDiskJob(j *repl.Job, snap *keyspace.Snapshot, aux rdbAux, dir string) (int64, error) {
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
	n.mu.Lock()
	f := &fanout{n: n, peers: n.jobPeersLocked(j)}
	n.mu.Unlock()
	if _, err := f.Write([]byte("$" + strconv.FormatInt(size, 10) + "\r\n")); err != nil {
		return 0, err
	}
	if _, err := io.CopyBuffer(f, tmp, make([]byte, 64<<10)); err != nil {
		return 0, fmt.Errorf("send %s: %w", filepath.Base(tmp.Name()), err)
	}
	return size, nil
}
