package topology

import (
	"fmt"

	"github.com/replscope/replscope/node/repl"
)

// FullCause names why Redis will answer a replica's PSYNC with
// +FULLRESYNC (masterTryPartialResynchronization).
type FullCause string

// The causes of an expected full resync, in the order Redis checks them.
const (
	// CauseUnknownHistory: the replica's replid is unknown, so it asks
	// "PSYNC ? -1".
	CauseUnknownHistory FullCause = "unknown-history"
	// CauseReplIDMismatch: the replica's replid is neither the master's
	// replid nor its replid2 ("Replication ID mismatch"); e.g. a replica
	// detached with REPLICAOF NO ONE took a new replid of its own.
	CauseReplIDMismatch FullCause = "replid-mismatch"
	// CauseBeyondSecondID: the replid is the master's replid2 but the
	// offset is past second_repl_offset (the replica took writes after
	// the master's history forked).
	CauseBeyondSecondID FullCause = "offset-beyond-second-id"
	// CauseNoBacklog: the master has no backlog (repl_backlog_active:0).
	CauseNoBacklog FullCause = "no-backlog"
	// CauseBeyondBacklog: the offset is outside the backlog's range.
	CauseBeyondBacklog FullCause = "offset-beyond-backlog"
)

// resyncCause applies Redis's PSYNC rules (node/repl) to replica n
// asking master m for its replid and offset+1, as a replica (or a master
// turned replica, which caches itself as its master) does. It returns ""
// when m would answer +CONTINUE, else the cause and a sentence.
func resyncCause(n, m *Node) (FullCause, string) {
	if n.ReplID == "" || n.ReplID == repl.NoID {
		return CauseUnknownHistory, fmt.Sprintf("%s's history is unknown: it asks PSYNC ? -1", n.Addr)
	}
	h := repl.History{ReplID: m.ReplID, ReplID2: m.ReplID2, SecondOffset: m.SecondOffset, Offset: m.Offset}
	w := repl.Window{Active: m.Backlog.Active, First: m.Backlog.FirstByte, Len: m.Backlog.HistLen}
	req := repl.Request{ReplID: n.ReplID, Offset: n.Offset + 1}
	if d, _, _ := h.Decide(req, w); d == repl.Continue {
		return "", ""
	}
	switch {
	case req.ReplID != m.ReplID && req.ReplID != m.ReplID2:
		why := fmt.Sprintf("replid mismatch: %s asks for replid %s, %s has %s and %s",
			n.Addr, shortID(n.ReplID), m.Addr, shortID(m.ReplID), shortID(m.ReplID2))
		if n.ReplID2 != "" && n.SecondOffset >= 0 && (n.ReplID2 == m.ReplID || n.ReplID2 == m.ReplID2) {
			why += fmt.Sprintf(" (%s left that history when it became a master; its data up to offset %d is %s's)",
				n.Addr, n.SecondOffset-1, m.Addr)
		}
		return CauseReplIDMismatch, why
	case req.ReplID != m.ReplID:
		return CauseBeyondSecondID, fmt.Sprintf("%s asks for offset %d of %s's previous history, which ended at %d",
			n.Addr, req.Offset, m.Addr, m.SecondOffset)
	case !m.Backlog.Active:
		return CauseNoBacklog, fmt.Sprintf("%s has no backlog", m.Addr)
	}
	b := m.Backlog
	return CauseBeyondBacklog, fmt.Sprintf("offset %d is outside what %s's backlog can serve (%d..%d)",
		req.Offset, m.Addr, b.FirstByte, b.FirstByte+b.HistLen)
}
