package record

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/replscope/replscope/topology"
)

// simFleet is a synthetic fleet polled once a second: masters with
// replicas each, every master taking writes at a rate that wanders, the
// replicas a little behind, ACKs and pings on Redis's schedule, and now
// and then an incident: a replica's link down for a minute, then a
// partial resync. It yields the Updates a Watcher would.
type simFleet struct {
	rnd     *rand.Rand
	at      time.Time
	masters []*simMaster
	prev    *topology.Graph
	th      topology.Thresholds
	// incidentEvery is the time between link incidents (0: none).
	incidentEvery time.Duration
	down          *simReplica // the replica whose link is down
	downUntil     time.Time
}

type simMaster struct {
	addr     string
	runID    string
	replID   string
	offset   int64
	rate     float64 // bytes/s
	keys     int64
	out      int64
	syncPart int64
	replicas []*simReplica
}

type simReplica struct {
	addr   string
	runID  string
	offset int64
	acked  int64
	ackAt  time.Time
	in     int64
}

func newSimFleet(masters, replicasEach int, start time.Time, seed uint64) *simFleet {
	f := &simFleet{rnd: rand.New(rand.NewPCG(seed, 1)), at: start, incidentEvery: 2 * time.Hour}
	port := 7000
	id := func(i int) string { return fmt.Sprintf("%040x", uint64(i)*0x9e3779b97f4a7c15) }
	for m := range masters {
		sm := &simMaster{addr: fmt.Sprintf("10.0.%d.1:%d", m, port), runID: id(1000 + m), replID: id(2000 + m),
			offset: 1 << 30, rate: 20_000 + f.rnd.Float64()*180_000, keys: 1_000_000}
		for r := range replicasEach {
			sm.replicas = append(sm.replicas, &simReplica{addr: fmt.Sprintf("10.0.%d.%d:%d", m, r+2, port),
				runID: id(3000 + m*100 + r), offset: sm.offset, acked: sm.offset, ackAt: start})
		}
		f.masters = append(f.masters, sm)
	}
	return f
}

// tick advances the fleet a second and returns the round's Update.
func (f *simFleet) tick() topology.Update {
	f.at = f.at.Add(time.Second)
	f.incident()
	var probes []*topology.Node
	for _, m := range f.masters {
		m.rate = min(max(m.rate*(0.97+0.06*f.rnd.Float64()), 5_000), 400_000)
		w := int64(m.rate)
		m.offset += w
		m.keys += w / 400
		m.out += w * int64(len(m.replicas))
		mn := &topology.Node{ID: topology.NodeID(m.runID), Addr: m.addr, RunID: m.runID, Software: "redis", Version: "7.0.15",
			Reach: topology.ReachOK, At: f.at, Role: topology.RoleMaster, ReplID: m.replID,
			ReplID2: "0000000000000000000000000000000000000000", Offset: m.offset, SecondOffset: -1,
			Backlog: topology.Backlog{Active: true, Size: 1 << 20, FirstByte: m.offset - 1<<20 + 1, HistLen: 1 << 20},
			Keys:    m.keys, Stats: topology.Stats{SyncFull: 4, SyncPartialOK: m.syncPart, ReplOutputBytes: m.out},
			Limits: topology.Limits{Known: true, OutputHard: 256 << 20, OutputSoft: 64 << 20, OutputSoftSeconds: 60,
				ReplTimeout: time.Minute}}
		for _, r := range m.replicas {
			probes = append(probes, f.replica(m, r, mn))
		}
		probes = append(probes, mn)
	}
	g := topology.Build(f.at, probes, f.prev, nil)
	g.StaleAfter = 2 * time.Second
	topology.Assess(f.prev, g, f.th)
	evs := topology.Diff(f.prev, g)
	f.prev = g
	return topology.Update{Graph: g, Events: evs}
}

// replica moves r along and returns its probe; the master's slaveN line
// for it goes on mn unless its link is down.
func (f *simFleet) replica(m *simMaster, r *simReplica, mn *topology.Node) *topology.Node {
	up := r != f.down
	if up {
		lag := int64(f.rnd.Float64() * 0.2 * m.rate)
		r.in += m.offset - lag - r.offset
		r.offset = m.offset - lag
		if f.rnd.IntN(10) < 9 { // an ACK a second, now and then late
			r.acked, r.ackAt = r.offset, f.at.Add(-time.Duration(f.rnd.IntN(1000))*time.Millisecond)
		}
	}
	host, port := splitAddr(m.addr)
	rn := &topology.Node{ID: topology.NodeID(r.runID), Addr: r.addr, RunID: r.runID, Software: "redis", Version: "7.0.15",
		Reach: topology.ReachOK, At: f.at.Add(time.Duration(f.rnd.IntN(3)) * time.Millisecond),
		Role: topology.RoleReplica, ReplID: m.replID, ReplID2: "0000000000000000000000000000000000000000",
		Offset: r.offset, SecondOffset: -1,
		Backlog: topology.Backlog{Active: true, Size: 1 << 20, FirstByte: r.offset - 1<<20 + 1, HistLen: 1 << 20},
		Keys:    m.keys, Stats: topology.Stats{ReplInputBytes: r.in},
		Upstream: &topology.Upstream{Host: host, Port: port, Addr: m.addr, LinkUp: up, LinkState: "connected",
			LastIO: time.Duration(f.rnd.IntN(1000)) * time.Millisecond, Offset: r.offset, ReadOffset: r.offset,
			Priority: 100, ReadOnly: true}}
	if !up {
		rn.Upstream.LinkState, rn.Upstream.LastIO = "connect", -1
		rn.Upstream.DownFor = f.at.Sub(f.downUntil.Add(-time.Minute))
		return rn
	}
	rhost, rport := splitAddr(r.addr)
	mn.Replicas = append(mn.Replicas, topology.ReplicaLine{IP: rhost, Port: rport, Addr: r.addr, State: "online",
		AckOffset: r.acked, AckAge: f.at.Sub(r.ackAt).Truncate(time.Second), Pending: 0, ConnID: 7})
	return rn
}

// incident takes a replica's link down for a minute every incidentEvery,
// and brings it back with a partial resync.
func (f *simFleet) incident() {
	if f.down != nil && !f.at.Before(f.downUntil) {
		f.masters[0].syncPart++
		f.down = nil
	}
	if f.incidentEvery > 0 && f.down == nil && f.at.Unix()%int64(f.incidentEvery/time.Second) == 0 {
		m := f.masters[f.rnd.IntN(len(f.masters))]
		f.down, f.downUntil = m.replicas[f.rnd.IntN(len(m.replicas))], f.at.Add(time.Minute)
	}
}

func splitAddr(a string) (string, int) {
	var host string
	var port int
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == ':' {
			host = a[:i]
			fmt.Sscanf(a[i+1:], "%d", &port)
			break
		}
	}
	return host, port
}
