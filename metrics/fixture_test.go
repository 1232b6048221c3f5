package metrics

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/replscope/replscope/topology"
)

// t0 is the fixed time of every fixture.
var t0 = time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)

const (
	replidA = "8c1e0f3a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e"
	zeroID  = "0000000000000000000000000000000000000000"

	addrM  = "127.0.0.1:7001"
	addrR1 = "127.0.0.1:7002"
	addrR2 = "127.0.0.1:7003"
	addrU  = "127.0.0.1:7005"
)

// assessed builds and assesses one Graph per round of probes, each round
// against the one before, as a Watcher does, and returns the last.
func assessed(rounds ...[]*topology.Node) *topology.Graph {
	var prev *topology.Graph
	for _, probes := range rounds {
		at := probes[0].At
		var seeds []string
		for _, p := range probes {
			seeds = append(seeds, p.Addr)
		}
		g := topology.Build(at, probes, prev, seeds)
		g.StaleAfter = 2 * time.Second
		topology.Assess(prev, g, topology.Thresholds{})
		prev = g
	}
	return prev
}

// master is a master's probe at offset off with the given slaveN lines.
func master(addr, runID string, at time.Time, off int64, lines ...topology.ReplicaLine) *topology.Node {
	return &topology.Node{ID: topology.NodeID(runID), Addr: addr, RunID: runID, Software: "redis",
		Reach: topology.ReachOK, At: at, LastOK: at, Role: topology.RoleMaster,
		ReplID: replidA, ReplID2: zeroID, Offset: off, SecondOffset: -1, Keys: 100,
		Backlog:  topology.Backlog{Active: true, Size: 1 << 20, FirstByte: 1, HistLen: off},
		Replicas: lines,
		Stats:    topology.Stats{SyncFull: 2, SyncPartialOK: 5, SyncPartialErr: 1},
		Limits:   topology.Limits{Known: true, OutputHard: 256 << 20, OutputSoft: 64 << 20, OutputSoftSeconds: 60},
	}
}

// replica is a replica's probe at offset off, its link up or down for
// downFor.
func replica(addr, runID, masterAddr string, at time.Time, off int64, downFor time.Duration) *topology.Node {
	host, port, _ := strings.Cut(masterAddr, ":")
	var p int
	fmt.Sscan(port, &p)
	up := &topology.Upstream{Host: host, Port: p, Addr: masterAddr, LinkUp: downFor == 0, LinkState: "connected",
		Offset: off, ReadOffset: off, Priority: 100, ReadOnly: true}
	if downFor > 0 {
		up.LinkState, up.DownFor, up.LastIO = "connect", downFor, -1
	}
	return &topology.Node{ID: topology.NodeID(runID), Addr: addr, RunID: runID, Software: "redis",
		Reach: topology.ReachOK, At: at, LastOK: at, Role: topology.RoleReplica,
		ReplID: replidA, ReplID2: zeroID, Offset: off, SecondOffset: -1, Keys: 90,
		Backlog:  topology.Backlog{Active: true, Size: 1 << 20, FirstByte: 1, HistLen: off},
		Upstream: up,
	}
}

// line is a master's slaveN line for an online replica.
func line(addr string, ack int64, ackAge time.Duration, pending int64) topology.ReplicaLine {
	host, port, _ := strings.Cut(addr, ":")
	var p int
	fmt.Sscan(port, &p)
	return topology.ReplicaLine{IP: host, Port: p, Addr: addr, State: "online", AckOffset: ack, AckAge: ackAge, Pending: pending}
}

func unreachable(addr string, at time.Time) *topology.Node {
	return &topology.Node{ID: topology.NodeID(addr), Addr: addr, Reach: topology.ReachUnreachable, At: at,
		Role: topology.RoleUnknown, Keys: -1, Error: "dial tcp " + addr + ": connect: connection refused"}
}

// plainGraph is a master with a replica R1 lagging 150,000 bytes behind a
// 200 kB/s write load, a replica R2 whose link has been down for 12 s,
// and an unreachable node.
func plainGraph() *topology.Graph {
	round := func(at time.Time, mOff, r1Off int64) []*topology.Node {
		return []*topology.Node{
			master(addrM, "run-m", at, mOff, line(addrR1, r1Off, time.Second, 4096)),
			replica(addrR1, "run-r1", addrM, at, r1Off, 0),
			replica(addrR2, "run-r2", addrM, at, 500, 12*time.Second),
			unreachable(addrU, at),
		}
	}
	return assessed(round(t0, 100_000, 100_000), round(t0.Add(time.Second), 300_000, 150_000))
}

// scrape collects c through a pedantic registry (which checks every
// metric against Describe) and returns each series as
// `name{label="value",…}` (labels sorted, empty ones left out) → value.
func scrape(t testing.TB, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var ls []string
			for _, lp := range m.GetLabel() {
				if lp.GetValue() != "" {
					ls = append(ls, fmt.Sprintf("%s=%q", lp.GetName(), lp.GetValue()))
				}
			}
			sort.Strings(ls)
			v := m.GetGauge().GetValue()
			if m.Counter != nil {
				v = m.GetCounter().GetValue()
			}
			out[mf.GetName()+"{"+strings.Join(ls, ",")+"}"] = v
		}
	}
	return out
}

// dump lists series for a failure message.
func dump(s map[string]float64) string {
	var lines []string
	for k, v := range s {
		lines = append(lines, fmt.Sprintf("%s %g", k, v))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// clusterGraph is a two-shard Redis Cluster: masters 7001 (slots
// 0-8191) and 7002 (8192-16383), each with one replica (7003, 7004).
func clusterGraph() *topology.Graph {
	type member struct {
		addr, id, masterID string
		slots              []topology.SlotRange
	}
	ms := []member{
		{"127.0.0.1:7001", fmt.Sprintf("%040x", 1), "", []topology.SlotRange{{Lo: 0, Hi: 8191}}},
		{"127.0.0.1:7002", fmt.Sprintf("%040x", 2), "", []topology.SlotRange{{Lo: 8192, Hi: 16383}}},
		{"127.0.0.1:7003", fmt.Sprintf("%040x", 3), fmt.Sprintf("%040x", 1), nil},
		{"127.0.0.1:7004", fmt.Sprintf("%040x", 4), fmt.Sprintf("%040x", 2), nil},
	}
	peers := func(self string) []topology.ClusterPeer {
		var out []topology.ClusterPeer
		for _, m := range ms {
			flags := []string{"master"}
			if m.masterID != "" {
				flags = []string{"slave"}
			}
			if m.addr == self {
				flags = append([]string{"myself"}, flags...)
			}
			out = append(out, topology.ClusterPeer{ID: m.id, Addr: m.addr, Flags: flags, MasterID: m.masterID,
				Epoch: 1, LinkUp: true, Slots: m.slots})
		}
		return out
	}
	round := func(at time.Time, off int64) []*topology.Node {
		var probes []*topology.Node
		for i, m := range ms {
			var n *topology.Node
			if m.masterID == "" {
				r := ms[i+2].addr
				n = master(m.addr, "run-"+m.addr, at, off, line(r, off, 0, 0))
			} else {
				n = replica(m.addr, "run-"+m.addr, ms[i-2].addr, at, off, 0)
			}
			n.ReplID = fmt.Sprintf("%040x", 0xa0+i%2) // one history per shard
			ps := peers(m.addr)
			n.Cluster = &topology.ClusterNode{Myself: ps[i], Peers: ps,
				Info: topology.ClusterInfo{State: "ok", SlotsAssigned: 16384, SlotsOK: 16384, KnownNodes: 4, Size: 2, CurrentEpoch: 2}}
			probes = append(probes, n)
		}
		return probes
	}
	return assessed(round(t0, 1000), round(t0.Add(time.Second), 2000))
}

// sentinelGraph is a master 7001 with a replica 7002, monitored as
// "mymaster" by a Sentinel at 26379.
func sentinelGraph() *topology.Graph {
	round := func(at time.Time, off int64) []*topology.Node {
		s := &topology.Node{ID: "run-s", Addr: "127.0.0.1:26379", RunID: "run-s", Software: "sentinel",
			Reach: topology.ReachOK, At: at, LastOK: at, Role: topology.RoleSentinel, Keys: -1,
			Sentinel: []topology.MonitoredMaster{{Name: "mymaster", Addr: addrM, Status: "ok", Replicas: 1, Sentinels: 1}},
			SentinelView: []topology.SentinelMaster{{Name: "mymaster", Addr: addrM, Flags: []string{"master"}, Quorum: 1,
				ConfigEpoch: 0, Replicas: []topology.SentinelReplica{{Addr: addrR1, Flags: []string{"slave"}, Priority: 100, Offset: off, LinkUp: true}}}},
		}
		return []*topology.Node{
			master(addrM, "run-m", at, off, line(addrR1, off, 0, 0)),
			replica(addrR1, "run-r1", addrM, at, off, 0),
			s,
		}
	}
	return assessed(round(t0, 1000), round(t0.Add(time.Second), 2000))
}
