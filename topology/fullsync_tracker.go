package topology

import (
	"sort"
	"time"

	"github.com/replscope/replscope/node/status"
)

// EventFullSyncTimeline: a full sync ended, done or failed; Detail is its
// timeline (FullSync.Summary), the same as the node's LastFullSync. One
// per sync: the phases as they begin are on the node (FullSync), not in
// the log.
const EventFullSyncTimeline EventKind = "full-sync-timeline"

// FullSyncTracker follows every replica's full syncs across observation
// rounds and cuts them into phases (SyncPhase). Remote replicas are read
// from what INFO shows poll after poll: master_sync_in_progress and
// master_sync_read_bytes (waiting for the RDB, then transferring),
// loading (loading), master_link_status:up (catching up) and the
// offsets (caught up); a master's slaveN line in wait_bgsave shows the
// wait of a replica that does not report it. Embedded nodes add their own
// events: the first RDB byte and the end of loading at the node's clock,
// and last_successful_sync_duration_ms for the start.
//
// It is pure — time comes from the Graph and the events — and not safe
// for concurrent use: the Watcher calls it once per round.
type FullSyncTracker struct {
	runs map[string]*syncRun  // the sync in progress, by replica address
	last map[string]*FullSync // the last sync that ended, by replica address (read-only)
}

// syncRun is a sync in progress and what the tracker needs to follow it.
type syncRun struct {
	FullSync
	runID      string
	lastRead   int64     // master_sync_read_bytes at the last poll
	lastReadAt time.Time // the poll that first showed lastRead
	target     int64     // the master's offset to catch up with; -1 until known
	transferAt time.Time // an embedded node's first RDB byte
	finishedAt time.Time // an embedded node's end of loading
	startFixed bool      // Start taken from last_successful_sync_duration_ms
}

// NewFullSyncTracker returns a tracker that has seen nothing yet.
func NewFullSyncTracker() *FullSyncTracker {
	return &FullSyncTracker{runs: map[string]*syncRun{}, last: map[string]*FullSync{}}
}

// Observe feeds one round: g, built and assessed but not yet published,
// and the events embedded nodes reported since the last round. It sets
// FullSync and LastFullSync on g's nodes and returns an
// EventFullSyncTimeline for each sync that ended, in time order.
func (t *FullSyncTracker) Observe(g *Graph, evs []status.Event) []Event {
	byAddr := map[string][]status.Event{}
	for _, e := range evs {
		if e.Master == "" || e.Peer != "" {
			continue // the master's side of a sync; the replica tells its own
		}
		switch e.Kind {
		case status.EventFullSyncStarted, status.EventFullSyncFinished, status.EventLinkDown:
		default:
			continue
		}
		a := CanonAddr(e.Node)
		if n := g.ByAddr(a); n != nil {
			a = n.Addr
		}
		byAddr[a] = append(byAddr[a], e)
	}
	var out []Event
	for _, n := range g.Nodes {
		o := observer{t: t, g: g, n: n}
		o.observe(byAddr[n.Addr])
		if r := t.runs[n.Addr]; r != nil {
			n.FullSync = r.FullSync.clone()
		}
		n.LastFullSync = t.last[n.Addr]
		out = append(out, o.out...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// observer applies one round to one node.
type observer struct {
	t   *FullSyncTracker
	g   *Graph
	n   *Node
	out []Event
}

// observe applies the node's events and its polled state in time order:
// events up to the poll, the poll, then later events.
func (o *observer) observe(evs []status.Event) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	i := 0
	if o.n.Reach == ReachOK {
		for i < len(evs) && !evs[i].Time.After(o.n.At) {
			o.event(evs[i])
			i++
		}
		o.poll()
	}
	for ; i < len(evs); i++ {
		o.event(evs[i])
	}
	if o.n.Reach == ReachOK {
		o.fixStart()
		o.catchUp()
	}
}

func (o *observer) run() *syncRun { return o.t.runs[o.n.Addr] }

// poll applies what one observation of the node shows.
func (o *observer) poll() {
	n, at := o.n, o.n.At
	run := o.run()
	if run != nil && run.runID != "" && n.RunID != "" && n.RunID != run.runID {
		o.end(run, at, "the replica restarted")
		run = nil
	}
	up := n.Upstream
	if run != nil && (up == nil || up.Addr != run.Master) {
		reason := "the replica became a master"
		if up != nil {
			reason = "the replica now follows " + up.Addr
		}
		o.end(run, at, reason)
		run = nil
	}
	if up == nil {
		return
	}
	if run != nil && at.Before(run.phaseStart()) {
		return // read before the node's own event that started this phase
	}
	ph := o.polledPhase(run)
	if run != nil && n.Software == "replscope" && ph == PhaseTransfer && run.Current() == PhaseLoading &&
		up.Sync != nil && up.Sync.ReadBytes > run.lastRead {
		// An EOF-marked stream had only paused: still the transfer.
		run.Phases = run.Phases[:len(run.Phases)-1]
		run.Phases[len(run.Phases)-1].End = time.Time{}
	}
	switch {
	case ph != "":
		if run != nil && phaseOrder[ph] < phaseOrder[run.Current()] {
			o.end(run, at, "a new full sync began")
			run = nil
		}
		if run == nil {
			run = o.start(at, up.Addr, ph)
		} else if ph != run.Current() {
			o.enter(run, ph, o.phaseAt(run, ph, at))
		}
		if s := up.Sync; s != nil {
			if s.ReadBytes != run.lastRead || run.lastReadAt.IsZero() {
				run.lastRead, run.lastReadAt = s.ReadBytes, at
			}
			if s.TotalBytes > 0 {
				run.Bytes = s.TotalBytes
			} else if ph == PhaseLoading && s.ReadBytes > 0 && run.transferAt.IsZero() {
				run.Bytes = s.ReadBytes // streamed with an EOF mark: what arrived
			}
		}
	case up.LinkUp:
		if run != nil && run.Current() != PhaseCatchUp {
			o.enter(run, PhaseCatchUp, at)
		}
	case run != nil && run.Current() == PhaseWaitBgsave && o.stillWaiting():
	case run != nil:
		o.end(run, at, "link down during "+string(run.Current()))
	}
}

// stillWaiting reports whether a replica that shows no transfer yet is
// still between its PSYNC and the RDB's first line: its master already
// sends it (send_bulk) or it is still in the handshake.
func (o *observer) stillWaiting() bool {
	return o.masterSays("send_bulk") || o.n.Upstream.LinkState == "handshake"
}

// polledPhase is the sync phase one observation shows, "" for none.
func (o *observer) polledPhase(run *syncRun) SyncPhase {
	n := o.n
	s := n.Upstream.Sync
	if s == nil {
		if !n.Upstream.LinkUp && o.masterSays("wait_bgsave") {
			return PhaseWaitBgsave
		}
		return ""
	}
	switch {
	case n.Loading:
		return PhaseLoading
	case n.Software == "replscope" && s.TotalBytes > 0 && s.ReadBytes >= s.TotalBytes:
		return PhaseLoading // a replscope replica loads aside, without INFO loading:1
	case n.Software == "replscope" && s.TotalBytes <= 0 && s.ReadBytes > 0 &&
		run != nil && (run.Current() == PhaseTransfer || run.Current() == PhaseLoading) && s.ReadBytes == run.lastRead:
		return PhaseLoading // an EOF-marked stream that stopped growing
	case s.ReadBytes > 0:
		return PhaseTransfer
	case n.Software == "replscope":
		return PhaseTransfer // in sync from the RDB's first line ($<len> or $EOF:) on, unlike Redis
	}
	return PhaseWaitBgsave
}

// phaseAt is when a phase seen at at began: for a replscope replica's
// EOF-marked stream found stopped, no later than the poll that first
// showed its last byte count.
func (o *observer) phaseAt(run *syncRun, ph SyncPhase, at time.Time) time.Time {
	if ph == PhaseLoading && !o.n.Loading && run.Current() == PhaseTransfer && !run.lastReadAt.IsZero() &&
		o.n.Upstream.Sync != nil && o.n.Upstream.Sync.ReadBytes == run.lastRead {
		return run.lastReadAt
	}
	return at
}

// masterSays reports whether the node's master lists it in that state.
func (o *observer) masterSays(state string) bool {
	l := o.g.Upstream(o.n.ID)
	return l != nil && l.Line != nil && l.Line.State == state
}

// event applies one of an embedded replica's own events.
func (o *observer) event(e status.Event) {
	run := o.run()
	switch e.Kind {
	case status.EventFullSyncStarted: // the first line of the RDB: $<len> or $EOF:
		if run != nil {
			switch cur := run.Current(); {
			case cur == PhaseTransfer && run.transferAt.IsZero():
				run.Phases[len(run.Phases)-1].Start = e.Time // a poll saw it first
				if len(run.Phases) == 1 {
					run.Start = e.Time
				}
			case cur != PhaseWaitBgsave:
				o.end(run, e.Time, "a new full sync began")
				run = nil
			default:
				o.enter(run, PhaseTransfer, e.Time)
			}
		}
		if run == nil {
			run = o.start(e.Time, CanonAddr(e.Master), PhaseTransfer)
		}
		run.Exact, run.transferAt = true, e.Time
		if e.Bytes >= 0 {
			run.Bytes = e.Bytes
		}
	case status.EventFullSyncFinished: // loaded and swapped in
		if run == nil || run.Current() == PhaseCatchUp {
			return
		}
		if e.Bytes >= 0 {
			run.Bytes = e.Bytes
		}
		run.finishedAt = e.Time
		o.enter(run, PhaseCatchUp, e.Time)
	case status.EventLinkDown:
		if run != nil {
			o.end(run, e.Time, "link down during "+string(run.Current()))
		}
	}
}

// fixStart dates an embedded sync's start from the node's
// last_successful_sync_duration_ms once a status read after the end of
// loading reports it: the wait for the RDB is what precedes the first
// byte.
func (o *observer) fixStart() {
	run, up := o.run(), o.n.Upstream
	if run == nil || run.startFixed || run.finishedAt.IsZero() || up == nil || !up.LinkUp ||
		up.LastSyncDuration < 0 || o.n.At.Before(run.finishedAt) {
		return
	}
	run.startFixed = true
	start := run.finishedAt.Add(-up.LastSyncDuration)
	if len(run.Phases) == 0 || !start.Before(run.Phases[0].Start) {
		return
	}
	if run.Phases[0].Phase == PhaseWaitBgsave {
		run.Phases[0].Start = start
	} else {
		run.Phases = append([]PhaseSpan{{Phase: PhaseWaitBgsave, Start: start, End: run.Phases[0].Start}}, run.Phases...)
	}
	run.Start = start
}

// catchUp ends the catch-up once the replica's offset reaches the
// master's as it was when the catch-up began (read at the first poll
// after).
func (o *observer) catchUp() {
	run, up := o.run(), o.n.Upstream
	if run == nil || run.Current() != PhaseCatchUp || up == nil || !up.LinkUp || o.n.At.Before(run.phaseStart()) {
		return
	}
	if !run.finishedAt.IsZero() && !run.startFixed {
		return // the start is not dated yet
	}
	if run.target < 0 {
		if l := o.g.Upstream(o.n.ID); l != nil {
			if m := o.g.Node(l.Master); m != nil && m.Reach == ReachOK {
				run.target = m.Offset
			}
		}
	}
	if run.target < 0 {
		run.Reason = "master's offset unknown"
	} else if up.Offset < run.target {
		return
	}
	o.finish(run, o.n.At, SyncDone)
}

// start begins a sync at a phase.
func (o *observer) start(at time.Time, master string, ph SyncPhase) *syncRun {
	run := &syncRun{FullSync: FullSync{Replica: o.n.ID, Master: master, Start: at, Bytes: -1, Outcome: SyncRunning},
		runID: o.n.RunID, target: -1}
	o.t.runs[o.n.Addr] = run
	o.enter(run, ph, at)
	return run
}

// enter closes the current phase at at and opens ph.
func (o *observer) enter(run *syncRun, ph SyncPhase, at time.Time) {
	if k := len(run.Phases); k > 0 {
		prev := &run.Phases[k-1]
		at = maxTime(at, prev.Start)
		prev.End = at
	}
	run.Phases = append(run.Phases, PhaseSpan{Phase: ph, Start: at})
}

// end stops a sync that was interrupted: one that had loaded its dataset
// is done (the catch-up cut short), any other failed.
func (o *observer) end(run *syncRun, at time.Time, reason string) {
	if run.Current() == PhaseCatchUp {
		run.Reason = "catch-up cut short: " + reason
		o.finish(run, at, SyncDone)
		return
	}
	run.Reason = reason
	o.finish(run, at, SyncFailed)
}

// finish closes the sync and keeps it as the node's last.
func (o *observer) finish(run *syncRun, at time.Time, outcome SyncOutcome) {
	if k := len(run.Phases); k > 0 {
		at = maxTime(at, run.Phases[k-1].Start)
		run.Phases[k-1].End = at
	}
	run.End, run.Outcome = at, outcome
	o.t.last[o.n.Addr] = run.FullSync.clone()
	delete(o.t.runs, o.n.Addr)
	o.emit(run, at)
}

// emit logs the sync's timeline as it ended at at.
func (o *observer) emit(run *syncRun, at time.Time) {
	src := "poll"
	if run.Exact {
		src = "node"
	}
	var peer NodeID
	if m := o.g.ByAddr(run.Master); m != nil {
		peer = m.ID
	}
	o.out = append(o.out, Event{Time: at, Kind: EventFullSyncTimeline, Node: o.n.ID, Addr: o.n.Addr, Peer: peer,
		Detail: withPeer(run.Master, run.Summary(at)), Source: src})
}

// phaseStart is when the current phase began.
func (r *syncRun) phaseStart() time.Time {
	if k := len(r.Phases); k > 0 {
		return r.Phases[k-1].Start
	}
	return r.Start
}

func maxTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
