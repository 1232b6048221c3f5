package topology

import (
	"encoding/json"
	"time"
)

// The JSON forms below are what `replscope watch --json` prints, one
// object per line: {"type":"graph",…} then {"type":"event",…}. Times are
// RFC 3339, durations are seconds (float), sizes bytes; a value replscope
// could not measure is null, never 0.

type jsonGraph struct {
	Type       string       `json:"type"`
	At         time.Time    `json:"at"`
	StaleAfter *float64     `json:"stale_after_s,omitempty"`
	Nodes      []jsonNode   `json:"nodes"`
	Links      []jsonLink   `json:"links"`
	Alerts     []jsonAlert  `json:"alerts"`
	Cluster    *jsonCluster `json:"cluster,omitempty"`
	// SentinelGroups are the Sentinel-managed groups (sentinel.go).
	SentinelGroups []SentinelGroup `json:"sentinel_groups,omitempty"`
}

type jsonNode struct {
	ID           NodeID            `json:"id"`
	Addr         string            `json:"addr"`
	Aliases      []string          `json:"aliases,omitempty"`
	RunID        string            `json:"run_id,omitempty"`
	Version      string            `json:"version,omitempty"`
	Software     string            `json:"software,omitempty"`
	Embedded     bool              `json:"embedded,omitempty"`
	Reach        Reach             `json:"reach"`
	PolledAt     time.Time         `json:"polled_at"`
	LastOK       *time.Time        `json:"last_ok,omitempty"`
	DataAge      *float64          `json:"data_age_s"`
	Stale        bool              `json:"stale,omitempty"`
	Error        string            `json:"error,omitempty"`
	Role         Role              `json:"role"`
	ReplID       string            `json:"replid,omitempty"`
	ReplID2      string            `json:"replid2,omitempty"`
	Offset       *int64            `json:"offset,omitempty"`
	SecondOffset *int64            `json:"second_offset,omitempty"`
	Backlog      *Backlog          `json:"backlog,omitempty"`
	Master       *jsonUpstream     `json:"master,omitempty"`
	Keys         *int64            `json:"keys"`
	Loading      bool              `json:"loading,omitempty"`
	Stats        *jsonStats        `json:"stats,omitempty"`
	WriteRate    *float64          `json:"write_rate_bps"`
	ReplOutRate  *float64          `json:"repl_out_bps"`
	BacklogAdv   *jsonAdvice       `json:"backlog_advice,omitempty"`
	Freshness    *jsonFreshness    `json:"freshness,omitempty"`
	Sentinel     []MonitoredMaster `json:"sentinel_masters,omitempty"`
	Refused      []string          `json:"refused,omitempty"`        // commands the node refused: what they tell is unknown
	FullSync     *jsonFullSync     `json:"full_sync,omitempty"`      // the full sync in progress
	LastFullSync *jsonFullSync     `json:"last_full_sync,omitempty"` // the last one that ended
}

// jsonFullSync is a FullSync: its phases with their durations.
type jsonFullSync struct {
	Master      string      `json:"master"`
	Start       time.Time   `json:"start"`
	End         *time.Time  `json:"end"` // null while running
	DurationS   float64     `json:"duration_s"`
	Outcome     SyncOutcome `json:"outcome"`
	Reason      string      `json:"reason,omitempty"`
	Exact       bool        `json:"exact"`
	Bytes       *int64      `json:"bytes"`
	TransferBps *float64    `json:"transfer_bps"`
	Phases      []jsonPhase `json:"phases"`
}

type jsonPhase struct {
	Phase     SyncPhase  `json:"phase"`
	Start     time.Time  `json:"start"`
	End       *time.Time `json:"end"`
	DurationS float64    `json:"duration_s"`
}

type jsonUpstream struct {
	Addr       string    `json:"addr"`
	LinkUp     bool      `json:"link_up"`
	LinkState  string    `json:"link_state,omitempty"`
	LastIO     *float64  `json:"last_io_s"`
	DownFor    *float64  `json:"down_for_s"`
	Offset     int64     `json:"offset"`
	ReadOffset int64     `json:"read_offset"`
	Sync       *jsonSync `json:"sync,omitempty"`
	Priority   int       `json:"priority"`
}

type jsonSync struct {
	TotalBytes *int64   `json:"total_bytes"`
	ReadBytes  int64    `json:"read_bytes"`
	Progress   *float64 `json:"progress"`
	LastIO     float64  `json:"last_io_s"`
}

type jsonStats struct {
	SyncFull        int64 `json:"sync_full"`
	SyncPartialOK   int64 `json:"sync_partial_ok"`
	SyncPartialErr  int64 `json:"sync_partial_err"`
	ReplInputBytes  int64 `json:"repl_input_bytes"`
	ReplOutputBytes int64 `json:"repl_output_bytes"`
	CobDisconnects  int64 `json:"cob_disconnects"`
}

type jsonAdvice struct {
	Size        int64    `json:"size"`
	OutageS     float64  `json:"outage_s"`
	WriteRate   float64  `json:"write_rate_bps"`
	Needed      int64    `json:"needed"`
	Enough      bool     `json:"enough"`
	Recommended int64    `json:"recommended,omitempty"`
	HoldsS      *float64 `json:"holds_s"`
}

// jsonFreshness is a replica's lag against the root master of its chain.
type jsonFreshness struct {
	Root       NodeID   `json:"root,omitempty"`
	Depth      int      `json:"depth"`
	Stalled    bool     `json:"stalled"`
	Via        NodeID   `json:"stalled_upstream,omitempty"`
	LagBytes   *int64   `json:"lag_bytes"`
	LagSeconds *float64 `json:"lag_seconds"`
	Note       string   `json:"note,omitempty"`
}

type jsonLink struct {
	Master       NodeID    `json:"master"`
	Replica      NodeID    `json:"replica"`
	FromMaster   bool      `json:"from_master"`
	FromReplica  bool      `json:"from_replica"`
	State        LinkState `json:"state"`
	SlaveState   string    `json:"slave_state,omitempty"`
	LagBytes     *int64    `json:"lag_bytes"`
	LagFrom      LagFrom   `json:"lag_from,omitempty"`
	LagSeconds   *float64  `json:"lag_seconds"`
	LagSecFrom   string    `json:"lag_seconds_from,omitempty"`
	AckAge       *float64  `json:"ack_age_s"`
	LastIO       *float64  `json:"last_master_io_s"`
	DownFor      *float64  `json:"down_for_s"`
	Pending      *int64    `json:"output_buffer_bytes"`
	Partial      *bool     `json:"can_partial_resync"`
	MarginBytes  *int64    `json:"backlog_margin_bytes"`
	WindowS      *float64  `json:"backlog_window_s"`
	CoverReason  string    `json:"coverage_note,omitempty"`
	SyncProgress *float64  `json:"sync_progress,omitempty"`
}

type jsonAlert struct {
	Name     AlertName `json:"name"`
	Node     NodeID    `json:"node"`
	Peer     NodeID    `json:"peer,omitempty"`
	Severity Severity  `json:"severity"`
	Message  string    `json:"message"`
	Value    float64   `json:"value"`
	Limit    float64   `json:"limit"`
}

type jsonEvent struct {
	Type   string    `json:"type"`
	Time   time.Time `json:"time"`
	Kind   EventKind `json:"kind"`
	Node   NodeID    `json:"node"`
	Addr   string    `json:"addr,omitempty"`
	Peer   NodeID    `json:"peer,omitempty"`
	Alert  AlertName `json:"alert,omitempty"`
	Detail string    `json:"detail,omitempty"`
	Source string    `json:"source"`
}

// MarshalJSON renders the Graph as one {"type":"graph"} object.
func (g *Graph) MarshalJSON() ([]byte, error) {
	out := jsonGraph{Type: "graph", At: g.At, Nodes: []jsonNode{}, Links: []jsonLink{}, Alerts: []jsonAlert{},
		SentinelGroups: g.Sentinels}
	if g.StaleAfter > 0 {
		out.StaleAfter = ptr(g.StaleAfter.Seconds())
	}
	for _, n := range g.Nodes {
		j := nodeJSON(n)
		if t := n.LastOKOrAt(); !t.IsZero() {
			j.LastOK = &t
		}
		if age, ok := g.DataAge(n); ok {
			j.DataAge = ptr(age.Seconds())
		}
		j.Stale = g.IsStale(n)
		j.FullSync, j.LastFullSync = fullSyncJSON(n.FullSync, g.At), fullSyncJSON(n.LastFullSync, g.At)
		out.Nodes = append(out.Nodes, j)
	}
	for _, l := range g.Links {
		out.Links = append(out.Links, linkJSON(l))
	}
	for _, a := range g.Alerts {
		out.Alerts = append(out.Alerts, jsonAlert{a.Name, a.Node, a.Peer, a.Severity, a.Message, a.Value, a.Limit})
	}
	out.Cluster = clusterJSON(g)
	return json.Marshal(out)
}

// MarshalJSON renders the Event as one {"type":"event"} object.
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonEvent{"event", e.Time, e.Kind, e.Node, e.Addr, e.Peer, e.Alert, e.Detail, e.Source})
}

func nodeJSON(n *Node) jsonNode {
	j := jsonNode{ID: n.ID, Addr: n.Addr, Aliases: n.Aliases, RunID: n.RunID, Version: n.Version,
		Software: n.Software, Embedded: n.Embedded, Reach: n.Reach, PolledAt: n.At, Error: n.Error, Role: n.Role,
		Refused:  n.Refused,
		Sentinel: n.Sentinel}
	if n.Reach != ReachOK || n.Role == RoleSentinel {
		return j
	}
	j.ReplID, j.ReplID2 = n.ReplID, n.ReplID2
	j.Offset, j.SecondOffset = ptr(n.Offset), ptr(n.SecondOffset)
	j.Backlog = &n.Backlog
	if n.Keys >= 0 {
		j.Keys = ptr(n.Keys)
	}
	j.Loading = n.Loading
	s := n.Stats
	j.Stats = &jsonStats{s.SyncFull, s.SyncPartialOK, s.SyncPartialErr, s.ReplInputBytes, s.ReplOutputBytes, s.CobDisconnects}
	if r := n.Health.WriteRate; r.Known {
		j.WriteRate = ptr(r.PerSec)
	}
	if r := n.Health.ReplOutRate; r.Known {
		j.ReplOutRate = ptr(r.PerSec)
	}
	if b := n.Health.Backlog; b.Known {
		j.BacklogAdv = &jsonAdvice{Size: b.Size, OutageS: b.Outage.Seconds(), WriteRate: b.WriteRate,
			Needed: b.Needed, Enough: b.Enough, Recommended: b.Recommended}
		if b.HoldsKnown {
			j.BacklogAdv.HoldsS = ptr(b.Holds.Seconds())
		}
	}
	if f := n.Health.Freshness; f.Depth > 0 || f.Note != "" {
		j.Freshness = &jsonFreshness{Root: f.Root, Depth: f.Depth, Stalled: f.Stalled, Via: f.Via, Note: f.Note}
		if f.Known {
			j.Freshness.LagBytes = ptr(f.LagBytes)
		}
		if f.LagTimeKnown {
			j.Freshness.LagSeconds = ptr(f.LagTime.Seconds())
		}
	}
	if u := n.Upstream; u != nil {
		j.Master = &jsonUpstream{Addr: u.Addr, LinkUp: u.LinkUp, LinkState: u.LinkState,
			LastIO: secs(u.LastIO), DownFor: secs(u.DownFor), Offset: u.Offset, ReadOffset: u.ReadOffset,
			Priority: u.Priority}
		if p := u.Sync; p != nil {
			j.Master.Sync = &jsonSync{ReadBytes: p.ReadBytes, LastIO: p.LastIO.Seconds()}
			if f, ok := p.Fraction(); ok {
				j.Master.Sync.TotalBytes, j.Master.Sync.Progress = ptr(p.TotalBytes), ptr(f)
			}
		}
	}
	return j
}

func linkJSON(l *Link) jsonLink {
	h := l.Health
	j := jsonLink{Master: l.Master, Replica: l.Replica, FromMaster: l.FromMaster, FromReplica: l.FromReplica,
		State: h.State, AckAge: secs(h.AckAge), LastIO: secs(h.LastIO), DownFor: secs(h.DownFor)}
	if l.Line != nil {
		j.SlaveState = l.Line.State
		if l.Line.Pending >= 0 {
			j.Pending = ptr(l.Line.Pending)
		}
	}
	if h.LagKnown {
		j.LagBytes, j.LagFrom = ptr(h.LagBytes), h.LagFrom
	}
	if h.LagTimeKnown {
		j.LagSeconds, j.LagSecFrom = ptr(h.LagTime.Seconds()), string(h.LagTimeFrom)
	}
	if c := h.Coverage; c.Known {
		j.Partial, j.CoverReason = ptr(c.Partial), c.Reason
		if c.Partial {
			j.MarginBytes = ptr(c.Margin)
		}
		if c.WindowKnown {
			j.WindowS = ptr(c.Window.Seconds())
		}
	}
	if h.Sync != nil {
		if f, ok := h.Sync.Fraction(); ok {
			j.SyncProgress = ptr(f)
		}
	}
	return j
}

func ptr[T any](v T) *T { return &v }

// secs renders a duration in seconds; negative (unknown) becomes null.
func secs(d time.Duration) *float64 {
	if d < 0 {
		return nil
	}
	return ptr(d.Seconds())
}

// fullSyncJSON renders a FullSync; durations of what still runs count to
// now.
func fullSyncJSON(s *FullSync, now time.Time) *jsonFullSync {
	if s == nil {
		return nil
	}
	j := &jsonFullSync{Master: s.Master, Start: s.Start, End: timePtr(s.End), DurationS: s.Duration(now).Seconds(),
		Outcome: s.Outcome, Reason: s.Reason, Exact: s.Exact, Phases: []jsonPhase{}}
	if s.Bytes >= 0 {
		j.Bytes = ptr(s.Bytes)
	}
	if r, ok := s.TransferRate(); ok {
		j.TransferBps = ptr(r)
	}
	for _, p := range s.Phases {
		j.Phases = append(j.Phases, jsonPhase{Phase: p.Phase, Start: p.Start, End: timePtr(p.End), DurationS: p.Duration(now).Seconds()})
	}
	return j
}

// timePtr is nil for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
