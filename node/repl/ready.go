package repl

import (
	"fmt"

	"github.com/replscope/replscope/node/status"
)

// Ready is what the node must carry out after the inputs so far, in this
// order: queue Out, close the Drop connections, wake the Wake writers (or
// all of them), start the full sync when SyncDue, send Acks to the master,
// answer the WAIT callers in Unblock, wake the SHUTDOWN wait when
// AcksChanged, then log Logs and publish Events.
type Ready struct {
	Out         []Out   // bytes for a replica before its stream (+FULLRESYNC, newlines, ...)
	Drop        []Drop  // replicas to disconnect, already detached from the state
	Wake        []int64 // replicas whose writer has stream bytes to send
	SyncDue     bool    // a full sync may start: snapshot the data, then StartSync
	Acks        []int64 // REPLCONF ACK <offset> to send to the master
	AcksChanged bool    // an ACK or a drop: SHUTDOWN recounts replicas
	Unblock     []Unblock
	Logs        []Log
	Events      []Event
}

// Out is bytes to write to a replica before its stream. Close (with no
// bytes) asks the writer to close the connection once the queue is sent.
type Out struct {
	Peer  int64
	Bytes []byte
	Close bool
}

// Drop is a replica to disconnect, and why (empty: silently).
type Drop struct {
	Peer   int64
	Reason string
}

// Level is a log line's level.
type Level int

// The levels the rules log at.
const (
	Notice Level = iota
	Warning
)

// Log is one line for the node's log, worded as Redis words it.
type Log struct {
	Level Level
	Text  string
}

// Event is one thing that happened, for the node's event feed: the feed's
// own type, whose Time and Node the node stamps when it queues it.
type Event = status.Event

// Ready returns the effects accumulated since the last call and clears
// them (raft's Ready and Advance in one).
func (s *State) Ready() Ready {
	rd := s.rd
	s.rd = Ready{}
	return rd
}

// HasReady reports whether there is anything to carry out.
func (s *State) HasReady() bool {
	r := &s.rd
	return len(r.Out) > 0 || len(r.Drop) > 0 || len(r.Wake) > 0 || r.SyncDue || len(r.Acks) > 0 ||
		r.AcksChanged || len(r.Unblock) > 0 || len(r.Logs) > 0 || len(r.Events) > 0
}

func (s *State) notice(format string, args ...any) {
	s.rd.Logs = append(s.rd.Logs, Log{Notice, fmt.Sprintf(format, args...)})
}

func (s *State) warn(format string, args ...any) {
	s.rd.Logs = append(s.rd.Logs, Log{Warning, fmt.Sprintf(format, args...)})
}

func (s *State) emit(e Event) { s.rd.Events = append(s.rd.Events, e) }

func (s *State) out(p *Peer, b []byte) { s.rd.Out = append(s.rd.Out, Out{Peer: p.ID, Bytes: b}) }

func (s *State) wakePeer(p *Peer) { s.rd.Wake = append(s.rd.Wake, p.ID) }
