package node

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
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

// queueOutLocked queues pre-stream bytes without blocking (nil: an
// rdb-only replica is done); a replica whose queue is full is dropped.
func (n *Node) queueOutLocked(p *replicaPeer, b []byte) {
	select {
	case p.out <- outItem{b: b}:
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

// outItem is one piece of a replica's pre-stream output: bytes, and the
// RDB chunk they are, if any, which the replica's writer releases once
// it has written them.
type outItem struct {
	b     []byte
	chunk *rdbChunk
}

// rdbChunkSize is the largest piece of RDB handed to replicas' writers.
const rdbChunkSize = 64 << 10

// rdbChunk is a piece of a transfer's RDB, shared by the writers of the
// job's replicas; the last to write it hands it back to the job, which
// fills it again. (A copy per piece was 25 MB of 64 KB garbage per 1M-key
// sync, and the largest allocator of the master during it.)
type rdbChunk struct {
	b    []byte
	refs atomic.Int32
	free chan *rdbChunk
}

// release drops one writer's reference.
func (c *rdbChunk) release() {
	if c.refs.Add(-1) == 0 {
		select {
		case c.free <- c:
		default: // the pool is full: left to the collector
		}
	}
}

// fanout writes each chunk to every live replica of a job, in order,
// blocking on the slowest (as a diskless Redis master does).
type fanout struct {
	n     *Node
	peers []*replicaPeer
	free  chan *rdbChunk
}

func newFanout(n *Node, peers []*replicaPeer) *fanout {
	// Room for every chunk that can be in flight: a full out queue per
	// replica's writer, one being written each, one being filled.
	return &fanout{n: n, peers: peers, free: make(chan *rdbChunk, (outQueueLen+1)*max(len(peers), 1)+1)}
}

// outQueueLen is the capacity of a replica's queue of pre-stream output.
const outQueueLen = 64

func (f *fanout) Write(b []byte) (int, error) {
	for rest := b; len(rest) > 0; {
		k := min(len(rest), rdbChunkSize)
		if err := f.send(rest[:k]); err != nil {
			return len(b) - len(rest), err
		}
		rest = rest[k:]
	}
	return len(b), nil
}

// send hands a copy of b (<= rdbChunkSize) to every live replica.
func (f *fanout) send(b []byte) error {
	var c *rdbChunk
	select {
	case c = <-f.free:
	default:
		c = &rdbChunk{b: make([]byte, 0, rdbChunkSize), free: f.free}
	}
	c.b = append(c.b[:0], b...)
	c.refs.Store(int32(len(f.peers)))
	live := 0
	for _, p := range f.peers {
		select {
		case <-p.quit: // gone: no more pieces for it
			c.release()
			continue
		default:
		}
		select {
		case p.out <- outItem{b: c.b, chunk: c}:
			live++
		case <-p.quit:
			c.release()
		case <-f.n.closing:
			return ErrClosed
		}
	}
	if live == 0 {
		return errJobNoReplicas
	}
	f.n.mu.Lock()
	f.n.repl.core.Stats.ReplOutputBytes += int64(len(b) * live)
	f.n.mu.Unlock()
	return nil
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
	f := newFanout(n, n.jobPeersLocked(j))
	n.mu.Unlock()
	if _, err := f.Write([]byte("$EOF:" + mark + "\r\n")); err != nil {
		return 0, err
	}
	// The encoder buffers: its flushes are the chunks.
	var size int64
	err := n.writeSnapshot(f, snap, aux, func(w int64) { size = w })
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
	f := newFanout(n, n.jobPeersLocked(j))
	n.mu.Unlock()
	if _, err := f.Write([]byte("$" + strconv.FormatInt(size, 10) + "\r\n")); err != nil {
		return 0, err
	}
	if _, err := io.CopyBuffer(f, tmp, make([]byte, 64<<10)); err != nil {
		return 0, fmt.Errorf("send %s: %w", filepath.Base(tmp.Name()), err)
	}
	return size, nil
}
