package topology

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/human"
)

// SyncPhase is one stage of a full sync as the replica lives it.
type SyncPhase string

// The phases of a full sync, in order.
const (
	// PhaseWaitBgsave: the master answered +FULLRESYNC (or listed the
	// replica as wait_bgsave) and is producing the RDB; no byte yet.
	PhaseWaitBgsave SyncPhase = "wait-bgsave"
	// PhaseTransfer: RDB bytes are arriving.
	PhaseTransfer SyncPhase = "transfer"
	// PhaseLoading: the whole RDB arrived and is being loaded.
	PhaseLoading SyncPhase = "loading"
	// PhaseCatchUp: the link is up and the replica applies what the master
	// wrote during the sync, until it reaches the master's offset as it was
	// when the link came up.
	PhaseCatchUp SyncPhase = "catch-up"
)

// phaseOrder ranks the phases; a phase seen after a later one means a
// new sync.
var phaseOrder = map[SyncPhase]int{PhaseWaitBgsave: 1, PhaseTransfer: 2, PhaseLoading: 3, PhaseCatchUp: 4}

// SyncOutcome says how a full sync ended.
type SyncOutcome string

// The outcomes of a FullSync.
const (
	SyncRunning SyncOutcome = "running"
	SyncDone    SyncOutcome = "done"   // loaded and caught up with the stream
	SyncFailed  SyncOutcome = "failed" // ended before the dataset was loaded; Reason says why
)

// PhaseSpan is one phase of a FullSync; End is zero while it runs.
type PhaseSpan struct {
	Phase SyncPhase
	Start time.Time
	End   time.Time
}

// Duration is the phase's length, up to now while it runs.
func (p PhaseSpan) Duration(now time.Time) time.Duration {
	if p.End.IsZero() {
		return max(now.Sub(p.Start), 0)
	}
	return max(p.End.Sub(p.Start), 0)
}

// FullSync is one full sync of a replica from its master, phase by phase.
// For an embedded replscope node the start, the first RDB byte and the end
// of loading come from the node's own clock (Exact); everything else is
// known to within one polling interval: a phase begins at the first
// observation that shows it, and a phase shorter than a poll may be
// missing. A FullSync handed out in a Graph is a copy: read-only.
type FullSync struct {
	Replica NodeID
	Master  string // the master's address
	Start   time.Time
	End     time.Time // zero while running
	Phases  []PhaseSpan
	// Bytes is the RDB's size as received (the announced size, or the
	// bytes read when the master streamed it with an EOF mark); -1 when
	// unknown.
	Bytes   int64
	Outcome SyncOutcome
	Reason  string // why it failed, or what interrupted the catch-up
	Exact   bool   // boundaries from an embedded node's own clock and events
}

// Duration is the sync's length from its start to its end (to now while
// it runs).
func (s *FullSync) Duration(now time.Time) time.Duration {
	if s.End.IsZero() {
		return max(now.Sub(s.Start), 0)
	}
	return max(s.End.Sub(s.Start), 0)
}

// Phase returns the span of phase p, if it was seen.
func (s *FullSync) Phase(p SyncPhase) (PhaseSpan, bool) {
	for _, sp := range s.Phases {
		if sp.Phase == p {
			return sp, true
		}
	}
	return PhaseSpan{}, false
}

// Current is the phase running now, "" when the sync ended.
func (s *FullSync) Current() SyncPhase {
	if s.Outcome != SyncRunning || len(s.Phases) == 0 {
		return ""
	}
	return s.Phases[len(s.Phases)-1].Phase
}

// TransferRate is the RDB bytes per second over the transfer phase, when
// both are known and the phase ended.
func (s *FullSync) TransferRate() (float64, bool) {
	sp, ok := s.Phase(PhaseTransfer)
	if !ok || sp.End.IsZero() || s.Bytes <= 0 {
		return 0, false
	}
	d := sp.End.Sub(sp.Start)
	if d <= 0 {
		return 0, false
	}
	return float64(s.Bytes) / d.Seconds(), true
}

// Summary is one line: "done in 5.3s: wait-bgsave 1.2s · transfer 3.1s
// 12.0 MB/s · loading 0.8s · catch-up 0.2s".
func (s *FullSync) Summary(now time.Time) string {
	var parts []string
	for _, sp := range s.Phases {
		p := string(sp.Phase) + " " + FormatSpan(sp.Duration(now))
		if sp.Phase == PhaseTransfer {
			if r, ok := s.TransferRate(); ok {
				p += " " + human.Bytes(int64(r)) + "/s"
			}
		}
		parts = append(parts, p)
	}
	head := fmt.Sprintf("%s in %s", s.Outcome, FormatSpan(s.Duration(now)))
	if s.Outcome == SyncFailed {
		head = fmt.Sprintf("failed after %s: %s", FormatSpan(s.Duration(now)), s.Reason)
	} else if s.Reason != "" {
		head += " (" + s.Reason + ")"
	}
	if len(parts) == 0 {
		return head
	}
	return head + ": " + strings.Join(parts, " · ")
}

// clone copies s for a Graph: the tracker goes on changing its own.
func (s *FullSync) clone() *FullSync {
	if s == nil {
		return nil
	}
	c := *s
	c.Phases = slices.Clone(s.Phases)
	return &c
}

// FormatSpan renders a phase's or a sync's length as the timeline shows
// it: "850ms", "3.1s", "2m05s".
func FormatSpan(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}
