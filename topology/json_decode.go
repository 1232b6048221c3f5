package topology

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// UnmarshalJSON reads a {"type":"graph"} object — what MarshalJSON writes
// and `replscope watch --json` prints — back into a Graph, health and
// alerts included, so that a recorded timeline can be shown again
// (`replscope replay`). What the JSON form leaves out stays unknown: the
// per-node History, Limits, each node's own cluster view, the ACK offset
// of slaveN lines; Node.Replicas is rebuilt from the links.
func (g *Graph) UnmarshalJSON(b []byte) error {
	var j jsonGraph
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	if j.Type != "graph" {
		return fmt.Errorf("graph: type %q, want \"graph\"", j.Type)
	}
	*g = Graph{At: j.At, Sentinels: j.SentinelGroups}
	if j.StaleAfter != nil {
		g.StaleAfter = fromSecs(j.StaleAfter)
	}
	for _, jn := range j.Nodes {
		g.Nodes = append(g.Nodes, nodeFromJSON(jn))
	}
	for _, jl := range j.Links {
		g.Links = append(g.Links, linkFromJSON(jl))
	}
	for _, a := range j.Alerts {
		g.Alerts = append(g.Alerts, Alert{a.Name, a.Node, a.Peer, a.Severity, a.Message, a.Value, a.Limit})
	}
	g.Cluster = clusterFromJSON(j.Cluster)
	g.sortGraph()               // a recording's reader may list nodes in another order
	for _, l := range g.Links { // the master's slaveN lines, as far as the links tell them
		if m := g.byID[l.Master]; m != nil && l.Line != nil {
			if r := g.byID[l.Replica]; r != nil {
				l.Line.Addr = r.Addr
			}
			m.Replicas = append(m.Replicas, *l.Line)
		}
		if r := g.byID[l.Replica]; r != nil && r.Upstream != nil && r.Upstream.Sync != nil && l.FromReplica {
			l.Health.Sync = r.Upstream.Sync
		}
	}
	return nil
}

// UnmarshalJSON reads a {"type":"event"} object back into an Event.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j jsonEvent
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	if j.Type != "event" {
		return fmt.Errorf("event: type %q, want \"event\"", j.Type)
	}
	*e = Event{Time: j.Time, Kind: j.Kind, Node: j.Node, Addr: j.Addr, Peer: j.Peer, Alert: j.Alert,
		Detail: j.Detail, Source: j.Source}
	return nil
}

func nodeFromJSON(j jsonNode) *Node {
	n := &Node{ID: j.ID, Addr: j.Addr, Aliases: j.Aliases, RunID: j.RunID, Version: j.Version,
		Software: j.Software, Embedded: j.Embedded, Reach: j.Reach, Error: j.Error, At: j.PolledAt,
		Role: j.Role, ReplID: j.ReplID, ReplID2: j.ReplID2, Keys: -1, Loading: j.Loading,
		Sentinel: j.Sentinel, Refused: j.Refused, SecondOffset: -1}
	if j.LastOK != nil && !(j.Reach == ReachOK && j.LastOK.Equal(j.PolledAt)) {
		n.LastOK = *j.LastOK
	}
	if j.Offset != nil {
		n.Offset = *j.Offset
	}
	if j.SecondOffset != nil {
		n.SecondOffset = *j.SecondOffset
	}
	if j.Backlog != nil {
		n.Backlog = *j.Backlog
	}
	if j.Keys != nil {
		n.Keys = *j.Keys
	}
	if s := j.Stats; s != nil {
		n.Stats = Stats{SyncFull: s.SyncFull, SyncPartialOK: s.SyncPartialOK, SyncPartialErr: s.SyncPartialErr,
			ReplInputBytes: s.ReplInputBytes, ReplOutputBytes: s.ReplOutputBytes, CobDisconnects: s.CobDisconnects}
	}
	h := &n.Health
	if j.WriteRate != nil {
		h.WriteRate = Rate{PerSec: *j.WriteRate, Known: true}
	}
	if j.ReplOutRate != nil {
		h.ReplOutRate = Rate{PerSec: *j.ReplOutRate, Known: true}
	}
	if a := j.BacklogAdv; a != nil {
		h.Backlog = BacklogAdvice{Known: true, Size: a.Size, Outage: fromSecs(&a.OutageS), WriteRate: a.WriteRate,
			Needed: a.Needed, Enough: a.Enough, Recommended: a.Recommended}
		if a.HoldsS != nil {
			h.Backlog.Holds, h.Backlog.HoldsKnown = fromSecs(a.HoldsS), true
		}
	}
	if f := j.Freshness; f != nil {
		h.Freshness = Freshness{Root: f.Root, Depth: f.Depth, Stalled: f.Stalled, Via: f.Via, Note: f.Note}
		if f.LagBytes != nil {
			h.Freshness.Known, h.Freshness.LagBytes = true, *f.LagBytes
		}
		if f.LagSeconds != nil {
			h.Freshness.LagTime, h.Freshness.LagTimeKnown = fromSecs(f.LagSeconds), true
		}
	}
	if u := j.Master; u != nil {
		n.Upstream = &Upstream{Addr: u.Addr, Host: u.Addr, LinkUp: u.LinkUp, LinkState: u.LinkState,
			LastIO: fromSecs(u.LastIO), DownFor: fromSecs(u.DownFor), Offset: u.Offset, ReadOffset: u.ReadOffset,
			Priority: u.Priority}
		if p := u.Sync; p != nil {
			n.Upstream.Sync = &SyncProgress{ReadBytes: p.ReadBytes, LastIO: fromSecs(&p.LastIO)}
			if p.TotalBytes != nil {
				n.Upstream.Sync.TotalBytes = *p.TotalBytes
			}
		}
	}
	n.FullSync, n.LastFullSync = fullSyncFromJSON(j.FullSync, n.ID), fullSyncFromJSON(j.LastFullSync, n.ID)
	return n
}

// fullSyncFromJSON is the inverse of fullSyncJSON.
func fullSyncFromJSON(j *jsonFullSync, replica NodeID) *FullSync {
	if j == nil {
		return nil
	}
	s := &FullSync{Replica: replica, Master: j.Master, Start: j.Start, Bytes: -1, Outcome: j.Outcome,
		Reason: j.Reason, Exact: j.Exact}
	if j.End != nil {
		s.End = *j.End
	}
	if j.Bytes != nil {
		s.Bytes = *j.Bytes
	}
	for _, p := range j.Phases {
		sp := PhaseSpan{Phase: p.Phase, Start: p.Start}
		if p.End != nil {
			sp.End = *p.End
		}
		s.Phases = append(s.Phases, sp)
	}
	return s
}

func linkFromJSON(j jsonLink) *Link {
	l := &Link{Master: j.Master, Replica: j.Replica, FromMaster: j.FromMaster, FromReplica: j.FromReplica}
	h := &l.Health
	h.State, h.AckAge, h.LastIO, h.DownFor = j.State, fromSecs(j.AckAge), fromSecs(j.LastIO), fromSecs(j.DownFor)
	h.ReplicaOffset = -1
	if j.FromMaster {
		l.Line = &ReplicaLine{State: j.SlaveState, Pending: -1, AckAge: max(h.AckAge, 0)}
		if j.Pending != nil {
			l.Line.Pending = *j.Pending
		}
	}
	if j.LagBytes != nil {
		h.LagBytes, h.LagKnown, h.LagFrom = *j.LagBytes, true, j.LagFrom
	}
	if j.LagSeconds != nil {
		h.LagTime, h.LagTimeKnown, h.LagTimeFrom = fromSecs(j.LagSeconds), true, LagTimeFrom(j.LagSecFrom)
	}
	if j.Partial != nil {
		h.Coverage = Coverage{Known: true, Partial: *j.Partial, Reason: j.CoverReason}
		if j.MarginBytes != nil {
			h.Coverage.Margin = *j.MarginBytes
		}
		if j.WindowS != nil {
			h.Coverage.Window, h.Coverage.WindowKnown = fromSecs(j.WindowS), true
		}
	} else {
		h.Coverage.Reason = j.CoverReason
	}
	if j.SyncProgress != nil {
		// The link's JSON keeps the fraction only: a total of 1e6 bytes
		// carries it back for the progress bar.
		h.Sync = &SyncProgress{TotalBytes: 1_000_000, ReadBytes: int64(*j.SyncProgress * 1_000_000)}
	}
	return l
}

func clusterFromJSON(j *jsonCluster) *ClusterState {
	if j == nil {
		return nil
	}
	cs := &ClusterState{Info: j.Info, From: j.From, ShardsFrom: j.ShardsFrom, Uncovered: j.Uncovered}
	for _, s := range j.Shards {
		cs.Shards = append(cs.Shards, Shard{ID: s.ID, Master: s.Master, MasterAddr: s.MasterAddr,
			Replicas: s.Replicas, Slots: s.Slots, Epoch: s.Epoch})
	}
	for _, m := range j.Nodes {
		cs.Members = append(cs.Members, ClusterMember{ClusterPeer: m.ClusterPeer, Node: m.Node, Health: m.Health, ReplOffset: m.ReplOffset})
	}
	return cs
}

// fromSecs is the inverse of secs: null (unknown) becomes -1 ns.
func fromSecs(s *float64) time.Duration {
	if s == nil {
		return -1
	}
	return time.Duration(math.Round(*s * float64(time.Second)))
}
