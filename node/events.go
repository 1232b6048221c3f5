package node

import (
	"sync"
	"time"

	"github.com/replscope/replscope/node/status"
)

// Event and its kinds are declared in node/status.
type (
	// EventKind is status.EventKind.
	EventKind = status.EventKind
	// Event is status.Event.
	Event = status.Event
)

// The events a node reports.
const (
	EventRoleChanged         = status.EventRoleChanged
	EventLinkUp              = status.EventLinkUp
	EventLinkDown            = status.EventLinkDown
	EventFullSyncStarted     = status.EventFullSyncStarted
	EventFullSyncFinished    = status.EventFullSyncFinished
	EventPartialSyncStarted  = status.EventPartialSyncStarted
	EventPartialSyncFinished = status.EventPartialSyncFinished
	EventReplicaOnline       = status.EventReplicaOnline
	EventReplicaDropped      = status.EventReplicaDropped
	EventBacklogOverflow     = status.EventBacklogOverflow
)

// eventFeed is a bounded queue of events that never blocks the engine: a
// full queue drops the oldest event and counts it.
type eventFeed struct {
	mu      sync.Mutex
	buf     []Event
	cap     int
	dropped int64
	notify  chan struct{}
	closed  bool
}

func newEventFeed(capacity int) *eventFeed {
	return &eventFeed{cap: capacity, notify: make(chan struct{}, 1)}
}

func (f *eventFeed) push(e Event) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	if len(f.buf) >= f.cap {
		copy(f.buf, f.buf[1:])
		f.buf = f.buf[:len(f.buf)-1]
		f.dropped++
	}
	f.buf = append(f.buf, e)
	f.mu.Unlock()
	select {
	case f.notify <- struct{}{}:
	default:
	}
}

func (f *eventFeed) close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

// Events returns and clears the queued events, and how many were dropped
// since the last call because nobody read them in time.
func (n *Node) Events() ([]Event, int64) {
	f := n.events
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.buf
	f.buf = nil
	d := f.dropped
	f.dropped = 0
	return out, d
}

// EventsReady is signalled (without blocking the engine) when events are
// queued.
func (n *Node) EventsReady() <-chan struct{} { return n.events.notify }

// emit queues an event stamped with the time and the node's address.
func (n *Node) emit(e Event) {
	e.Time = time.Now()
	e.Node = n.addr
	n.events.push(e)
}
