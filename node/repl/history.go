package repl

// The history holds the PSYNC2 rules of Redis 7 replication as pure
// functions over a node's replication history: which replication IDs and
// offsets a master can continue from, how the IDs shift on promotion and
// on a partial resync with a new master, and what a replica asks for.

import "fmt"

// NoID is the replication ID of an absent history (40 zeros).
const NoID = "0000000000000000000000000000000000000000"

// History is a node's replication identity: its current replication ID,
// the previous one and the offset up to which that one is valid, its
// offset.
type History struct {
	ReplID       string
	ReplID2      string
	SecondOffset int64 // second_repl_offset; -1 when ReplID2 is unset
	Offset       int64 // master_repl_offset
}

// Window is a backlog's extent as INFO shows it: repl_backlog_active,
// repl_backlog_first_byte_offset and repl_backlog_histlen.
type Window struct {
	Active bool
	First  int64
	Len    int64
}

// Decision is the outcome of a PSYNC request.
type Decision int

// The PSYNC outcomes.
const (
	FullResync Decision = iota // +FULLRESYNC, send an RDB
	Continue                   // +CONTINUE, send the backlog from the offset
)

// Request is what a replica sent: PSYNC <replid> <offset>, where offset is
// the first byte it lacks ("?" and -1 ask for a full resync).
type Request struct {
	ReplID string
	Offset int64
}

// Decide applies masterTryPartialResynchronization: it returns Continue
// when the request names our history (or the previous one, up to the
// offset where it ended) and the offset lies in the backlog window w;
// otherwise
// FullResync with the reason Redis logs. counted tells whether the failure
// counts as sync_partial_err (a "?" request is a plain full sync).
func (h History) Decide(r Request, w Window) (d Decision, reason string, counted bool) {
	if r.ReplID == "?" {
		return FullResync, "full resync requested by replica", false
	}
	if r.ReplID != h.ReplID && (r.ReplID != h.ReplID2 || r.Offset > h.SecondOffset) {
		if r.ReplID != h.ReplID2 {
			return FullResync, fmt.Sprintf("Replication ID mismatch (Replica asked for '%s', my replication IDs are '%s' and '%s')",
				r.ReplID, h.ReplID, h.ReplID2), true
		}
		return FullResync, fmt.Sprintf("Requested offset for second ID was %d, but I can reply up to %d",
			r.Offset, h.SecondOffset), true
	}
	if !w.Active || r.Offset < w.First || r.Offset > w.First+w.Len {
		return FullResync, fmt.Sprintf("Unable to partial resync with replica for lack of backlog (Replica request was: %d).", r.Offset), true
	}
	return Continue, "", false
}

// Shift is shiftReplicationId, run when a replica becomes a master: the
// current ID becomes the previous one, valid up to the next byte, and a
// new ID starts a new history.
func (h *History) Shift(newID string) {
	h.ReplID2 = h.ReplID
	h.SecondOffset = h.Offset + 1
	h.ReplID = newID
}

// ClearPrevious forgets the previous history (clearReplicationId2).
func (h *History) ClearPrevious() {
	h.ReplID2 = NoID
	h.SecondOffset = -1
}

// AcceptContinue applies a +CONTINUE from a master on the replica side: if
// the master's ID differs from ours, ours becomes the previous one (up to
// the next byte) and we adopt the master's. It reports whether the ID
// changed, in which case our own replicas must be told (disconnected).
func (h *History) AcceptContinue(masterID string) bool {
	if masterID == "" || masterID == h.ReplID {
		return false
	}
	h.ReplID2 = h.ReplID
	h.SecondOffset = h.Offset + 1
	h.ReplID = masterID
	return true
}

// AcceptFull applies a completed full resync: the master's ID and offset,
// no previous history.
func (h *History) AcceptFull(masterID string, offset int64) {
	h.ReplID = masterID
	h.Offset = offset
	h.ClearPrevious()
}

// Cached is what a replica remembers of its master (or of itself, after a
// promotion or a restart) to ask for a partial resync.
type Cached struct {
	ReplID string
	Offset int64 // last byte applied
}

// Args returns PSYNC's arguments: "? -1" with nothing cached, else the ID
// and the first byte we lack.
func (c *Cached) Args() (replid string, offset string) {
	if c == nil || c.ReplID == "" {
		return "?", "-1"
	}
	return c.ReplID, fmt.Sprint(c.Offset + 1)
}
