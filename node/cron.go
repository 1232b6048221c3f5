package node

import (
	"fmt"
	"time"
)

// startBackground starts the node's cron (serverCron and replicationCron
// in Redis) and, for a configured replica, the link to its master.
func (n *Node) startBackground() {
	n.mu.Lock()
	if n.repl.master != nil && n.repl.link == nil {
		n.log.Noticef("Connecting to MASTER %s", n.repl.master)
		n.startLinkLocked()
	}
	n.mu.Unlock()
	n.bg.Add(1)
	go n.cron()
}

// cron runs periodic work: ten times a second expiry, full sync
// scheduling, output limits and save points; once a second replication
// heartbeats and timeouts.
func (n *Node) cron() {
	defer n.bg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	loops := 0
	for {
		select {
		case <-n.closing:
			return
		case start := <-t.C:
			loops++
			n.mu.Lock()
			n.activeExpireCycle(start)
			n.sampleOps()
			n.maybeStartJob()
			n.checkOutputLimits()
			if loops%10 == 0 {
				n.replicationCron(loops / 10)
				n.memoryInUse() // keeps used_memory_peak
			}
			n.wakeAllPeersIfPending()
			save := n.saveDue()
			n.mu.Unlock()
			if save {
				n.bgsave("save point")
			}
		}
	}
}

// replicationCron is Redis's once-a-second replication housekeeping.
func (n *Node) replicationCron(secs int) {
	r := &n.repl
	now := n.nowMs()
	if r.master == nil && len(r.replicas) > 0 && secs%max(n.cfg.ReplPingReplicaPeriod, 1) == 0 {
		n.feedCommand(-1, pingArgv)
	}
	for _, p := range append([]*replicaPeer(nil), r.replicas...) {
		presync := p.state == peerWaitBgsave || (p.state == peerSendBulk && !p.payload)
		if presync {
			n.queueOut(p, []byte("\n"))
		}
		if p.state == peerOnline && !p.prePsync && now-p.ackTime > int64(n.cfg.ReplTimeout)*1000 {
			n.log.Warnf("Disconnecting timedout replica (streaming sync): %s", p.name())
			n.dropPeer(p, "timeout")
		}
	}
	for _, p := range r.waitingJobs {
		n.queueOut(p, []byte("\n"))
	}
	if r.master == nil && len(r.replicas) == 0 && r.backlog != nil && n.cfg.ReplBacklogTTL > 0 &&
		r.noReplicasSince > 0 && now-r.noReplicasSince > n.cfg.ReplBacklogTTL*1000 {
		n.changeReplID()
		r.hist.ClearPrevious()
		n.freeBacklog()
		n.log.Noticef("Replication backlog freed after %d seconds without connected replicas.", n.cfg.ReplBacklogTTL)
	}
}

var pingArgv = [][]byte{[]byte("ping")}

// checkOutputLimits drops replicas whose unsent stream is over the
// client-output-buffer-limit for replicas, so a slow replica can never
// grow the master's memory without bound.
func (n *Node) checkOutputLimits() {
	lim := n.cfg.OutputBufferLimit("replica")
	if lim.Hard == 0 && lim.Soft == 0 {
		return
	}
	r := &n.repl
	for i := len(r.replicas) - 1; i >= 0; i-- {
		p := r.replicas[i]
		pending := n.replicaPending(p)
		over := ""
		if lim.Hard > 0 && pending > lim.Hard {
			over = fmt.Sprintf("output buffer hard limit: omem %d over %d", pending, lim.Hard)
		}
		if lim.Soft > 0 && pending > lim.Soft {
			now := n.nowMs()
			if p.softSince == 0 {
				p.softSince = now
			} else if now-p.softSince >= int64(lim.SoftSeconds)*1000 && over == "" {
				over = fmt.Sprintf("output buffer soft limit: omem %d over %d for %ds", pending, lim.Soft, lim.SoftSeconds)
			}
		} else {
			p.softSince = 0
		}
		if over != "" {
			n.stats.cobDisconnects++
			n.log.Warnf("Client id=%d addr=%s flags=S omem=%d scheduled to be closed ASAP for overcoming of output buffer limits.",
				p.c.id, p.c.addr, pending)
			n.dropPeer(p, over)
		}
	}
}

// sampleOps records the command count for instantaneous_ops_per_sec.
func (n *Node) sampleOps() {
	s := &n.stats
	now := n.nowMs()
	if s.lastSampleTime == 0 {
		s.lastSampleTime, s.lastSampleCmds = now, s.commands
		return
	}
	dt := now - s.lastSampleTime
	if dt <= 0 {
		return
	}
	s.opsSamples[s.opsSampleIdx%len(s.opsSamples)] = (s.commands - s.lastSampleCmds) * 1000 / dt
	s.opsSampleIdx++
	s.lastSampleTime, s.lastSampleCmds = now, s.commands
}

// opsPerSec is the mean of the recent samples.
func (n *Node) opsPerSec() int64 {
	s := &n.stats
	k := min(s.opsSampleIdx, len(s.opsSamples))
	if k == 0 {
		return 0
	}
	var sum int64
	for i := 0; i < k; i++ {
		sum += s.opsSamples[i]
	}
	return sum / int64(k)
}
