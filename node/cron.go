package node

import "time"

// startBackground starts the node's cron (serverCron and replicationCron
// in Redis) and, for a configured replica, the link to its master.
func (n *Node) startBackground() {
	n.mu.Lock()
	if m := n.repl.core.Replica().Master; m != nil && n.repl.link == nil {
		n.log.Noticef("Connecting to MASTER %s", m)
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
			if n.scriptBusy {
				// A script runs: its dataset must not change under it
				// (Redis runs no serverCron while a script is busy).
				n.mu.Unlock()
				continue
			}
			n.refreshAccessClockLocked()
			n.activeExpireCycleLocked(start)
			n.sampleOpsLocked()
			// full syncs that became due, output limits; once a second
			// replicationCron's heartbeats, timeouts and backlog TTL
			n.repl.core.Tick(n.nowMs())
			n.carryOutLocked()
			if loops%10 == 0 {
				n.repl.core.Cron(n.nowMs(), loops/10)
				n.carryOutLocked()
				n.memoryInUse() // keeps used_memory_peak
			}
			n.wakeAllPeersIfPendingLocked()
			save := n.saveDueLocked()
			n.mu.Unlock()
			if save {
				n.bgsave("save point")
			}
		}
	}
}

// sampleOpsLocked records the command count for instantaneous_ops_per_sec.
func (n *Node) sampleOpsLocked() {
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

// opsPerSecLocked is the mean of the recent samples.
func (n *Node) opsPerSecLocked() int64 {
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
