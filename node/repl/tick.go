package repl

// Tick runs the rules due ten times a second: the full sync that became
// due (started when the node carries out this Ready, before Cron), and
// the output limits.
func (s *State) Tick(now int64) {
	s.now = now
	s.checkJob()
	s.checkLimits()
}

// Cron is Redis's once-a-second replication housekeeping (the secs-th
// second): heartbeats, keepalive newlines, timeouts and the backlog's
// time to live.
func (s *State) Cron(now int64, secs int) {
	s.now = now
	if s.replica.master == nil && len(s.peers) > 0 && secs%max(s.cfg.PingPeriod, 1) == 0 {
		s.feed(-1, pingArgv)
	}
	for _, p := range append([]*Peer(nil), s.peers...) {
		presync := p.State == WaitBgsave || (p.State == SendBulk && !p.Payload)
		if presync {
			s.out(p, []byte("\n"))
		}
		if p.State == Online && !p.PrePsync && s.now-p.AckTime > int64(s.cfg.Timeout)*1000 {
			s.warn("Disconnecting timedout replica (streaming sync): %s", p.Name)
			s.drop(p, "timeout")
		}
	}
	for _, p := range s.waiting {
		s.out(p, []byte("\n"))
	}
	if s.replica.master == nil && len(s.peers) == 0 && s.backlog != nil && s.cfg.BacklogTTL > 0 &&
		s.noReplicasSince > 0 && s.now-s.noReplicasSince > s.cfg.BacklogTTL*1000 {
		s.changeID()
		s.hist.ClearPrevious()
		s.backlog = nil
		s.notice("Replication backlog freed after %d seconds without connected replicas.", s.cfg.BacklogTTL)
	}
}

var (
	pingArgv   = [][]byte{[]byte("ping")}
	getackArgv = [][]byte{[]byte("REPLCONF"), []byte("GETACK"), []byte("*")}
	multiArgv  = [][]byte{[]byte("MULTI")}
	execArgv   = [][]byte{[]byte("EXEC")}
)
