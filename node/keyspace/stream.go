package keyspace

import (
	"math"
	"sort"

	"github.com/replscope/replscope/node/rdb"
)

// StreamID is a stream entry ID: milliseconds and a sequence number. It
// is the RDB codec's type, so that a stream is saved and loaded without
// converting its IDs.
type StreamID = rdb.StreamID

// MaxStreamID is the largest ID ("+").
var MaxStreamID = rdb.MaxStreamID

// StreamEntry is one entry of a stream node, live or a tombstone (the
// RDB codec's type). Fields and values alternate in FV; an entry with
// SameFields shares its field names with its node's master entry.
type StreamEntry = rdb.StreamEntry

// StreamNode is one radix-tree node of a stream as Redis lays it out: a
// listpack headed by a master entry whose field names later entries may
// share. Tombstones stay in the node until the node goes. Bytes is the
// size the node's listpack has, which decides when XADD opens a new node.
type StreamNode struct {
	Master       StreamID
	MasterFields [][]byte
	Entries      []StreamEntry
	live         int64
	entryBytes   int64 // listpack bytes of the entries (not the header)
}

// Live returns the number of entries not deleted.
func (n *StreamNode) Live() int64 { return n.live }

// Stream is a Redis stream: entries in radix-tree nodes, the metadata
// XINFO shows, and consumer groups.
type Stream struct {
	nodes        []*StreamNode
	length       uint64
	LastID       StreamID
	FirstID      StreamID
	MaxDeletedID StreamID
	EntriesAdded uint64
	groups       map[string]*StreamGroup
}

// NewStream returns an empty stream.
func NewStream() *Stream { return &Stream{} }

// Kind implements Object.
func (s *Stream) Kind() Kind { return KindStream }

// Len returns the number of live entries (XLEN).
func (s *Stream) Len() int { return int(s.length) }

// Length returns the number of live entries.
func (s *Stream) Length() uint64 { return s.length }

// Nodes returns the stream's nodes, in ID order. Callers must not change
// them.
func (s *Stream) Nodes() []*StreamNode { return s.nodes }

func (s *Stream) clone() Object { return s.Clone() }

// Clone returns a deep copy (COPY, copy-on-write).
func (s *Stream) Clone() *Stream {
	c := *s
	c.nodes = make([]*StreamNode, len(s.nodes))
	for i, n := range s.nodes {
		cn := *n
		cn.Entries = append([]StreamEntry(nil), n.Entries...)
		c.nodes[i] = &cn
	}
	c.groups = nil
	for name, g := range s.groups {
		if c.groups == nil {
			c.groups = make(map[string]*StreamGroup, len(s.groups))
		}
		c.groups[name] = g.clone()
	}
	return &c
}

// NodeLimits are stream-node-max-bytes and stream-node-max-entries.
type NodeLimits struct{ MaxBytes, MaxEntries int64 }

const streamListpackMaxSize = 1 << 30

// ErrStreamIDTooSmall and the like are the reasons Add refuses an entry.
type streamAddError int

const (
	// ErrStreamIDTooSmall: the ID is not greater than the last one.
	ErrStreamIDTooSmall streamAddError = iota + 1
	// ErrStreamTooLarge: the fields and values exceed what a node holds.
	ErrStreamTooLarge
)

func (e streamAddError) Error() string {
	if e == ErrStreamIDTooSmall {
		return "The ID specified in XADD is equal or smaller than the target stream top item"
	}
	return "Elements are too large to be stored"
}

// NextID is the ID XADD gives a new entry (streamAppendItem): with use nil
// a fresh one from now (unix ms); with seqGiven false, use's ms and the
// next sequence.
func (s *Stream) NextID(now uint64, use *StreamID, seqGiven bool) (StreamID, error) {
	var id StreamID
	switch {
	case use == nil:
		if now > s.LastID.Ms {
			id = StreamID{Ms: now}
		} else {
			id, _ = s.LastID.Incr()
		}
	case seqGiven:
		id = *use
	case s.LastID.Ms == use.Ms:
		if s.LastID.Seq == math.MaxUint64 {
			// Redis returns C_ERR with errno not set to EDOM here: the
			// client is told the elements are too large.
			return id, ErrStreamTooLarge
		}
		id = StreamID{Ms: use.Ms, Seq: s.LastID.Seq + 1}
	default:
		id = *use
	}
	if id.Cmp(s.LastID) <= 0 {
		return id, ErrStreamIDTooSmall
	}
	return id, nil
}

// Add appends an entry with the given ID (from NextID) and fields and
// values (kept, not copied), as streamAppendItem lays it out.
func (s *Stream) Add(id StreamID, fv [][]byte, lim NodeLimits) error {
	total := int64(0)
	for _, b := range fv {
		total += int64(len(b))
	}
	if total > streamListpackMaxSize {
		return ErrStreamTooLarge
	}
	var tail *StreamNode
	if len(s.nodes) > 0 {
		tail = s.nodes[len(s.nodes)-1]
		maxBytes := lim.MaxBytes
		if maxBytes == 0 || maxBytes > streamListpackMaxSize {
			maxBytes = streamListpackMaxSize
		}
		if tail.Bytes()+total >= maxBytes {
			tail = nil
		} else if lim.MaxEntries != 0 && int64(len(tail.Entries)) >= lim.MaxEntries {
			tail = nil
		}
	}
	e := StreamEntry{ID: id, FV: fv}
	if tail == nil {
		fields := make([][]byte, 0, len(fv)/2)
		for i := 0; i < len(fv); i += 2 {
			fields = append(fields, fv[i])
		}
		tail = &StreamNode{Master: id, MasterFields: fields}
		s.nodes = append(s.nodes, tail)
		e.SameFields = true
	} else {
		e.SameFields = sameFields(tail.MasterFields, fv)
	}
	tail.push(e)
	s.length++
	s.EntriesAdded++
	s.LastID = id
	if s.length == 1 {
		s.FirstID = id
	}
	return nil
}

func sameFields(master, fv [][]byte) bool {
	if len(master)*2 != len(fv) {
		return false
	}
	for i, f := range master {
		if string(f) != string(fv[2*i]) {
			return false
		}
	}
	return true
}

// push appends e (live or not) to the node and accounts its bytes.
func (n *StreamNode) push(e StreamEntry) {
	if e.SameFields {
		// Share the master's field names.
		fv := make([][]byte, len(e.FV))
		for i := range fv {
			if i%2 == 0 {
				fv[i] = n.MasterFields[i/2]
			} else {
				fv[i] = e.FV[i]
			}
		}
		e.FV = fv
	}
	n.Entries = append(n.Entries, e)
	if !e.Deleted {
		n.live++
	}
	n.entryBytes += n.entrySize(&e)
}

// AddNode appends a node as loaded from an RDB: entries in order, after
// every existing node. It adds the node's live entries to the length and
// leaves the other metadata to the loader.
func (s *Stream) AddNode(master StreamID, masterFields [][]byte, entries []StreamEntry) {
	n := &StreamNode{Master: master, MasterFields: masterFields}
	for _, e := range entries {
		n.push(e)
	}
	s.nodes = append(s.nodes, n)
	s.length += uint64(n.live)
}

// entrySize is the listpack size of entry e in node n.
func (n *StreamNode) entrySize(e *StreamEntry) int64 {
	flags := int64(0)
	if e.SameFields {
		flags = 2
	}
	sz := lpIntSize(flags) + lpIntSize(int64(e.ID.Ms-n.Master.Ms)) + lpIntSize(int64(e.ID.Seq-n.Master.Seq))
	nf := int64(len(e.FV) / 2)
	count := nf + 3
	if !e.SameFields {
		sz += lpIntSize(nf)
		count += nf + 1
	}
	for i, b := range e.FV {
		if i%2 == 1 || !e.SameFields {
			sz += lpStrSize(b)
		}
	}
	return sz + lpIntSize(count)
}

// Bytes returns the size of the node's listpack.
func (n *StreamNode) Bytes() int64 {
	sz := int64(6+1) + lpIntSize(n.live) + lpIntSize(int64(len(n.Entries))-n.live) + lpIntSize(int64(len(n.MasterFields)))
	for _, f := range n.MasterFields {
		sz += lpStrSize(f)
	}
	return sz + lpIntSize(0) + n.entryBytes
}

// lpIntSize is the size of an integer listpack entry, back-length included.
func lpIntSize(v int64) int64 { return int64(rdb.IntEntrySize(v)) }

// lpStrSize is the size of a string listpack entry (an integer's when
// the string is a canonical one).
func lpStrSize(b []byte) int64 { return int64(rdb.EntrySize(b)) }

// seekNode returns the index of the node to start iterating from for a
// forward scan from start (the last node whose master <= start) or a
// reverse scan from end.
func (s *Stream) seekNode(at StreamID) int {
	i := sort.Search(len(s.nodes), func(i int) bool { return at.Less(s.nodes[i].Master) })
	if i == 0 {
		return 0
	}
	return i - 1
}

// Range calls fn for the live entries with start <= ID <= end, in ID
// order or reversed, until fn returns false.
func (s *Stream) Range(start, end StreamID, rev bool, fn func(e *StreamEntry) bool) {
	s.rangeAll(start, end, rev, true, fn)
}

func (s *Stream) rangeAll(start, end StreamID, rev, skipDeleted bool, fn func(e *StreamEntry) bool) {
	if len(s.nodes) == 0 || end.Less(start) {
		return
	}
	if !rev {
		for ni := s.seekNode(start); ni < len(s.nodes); ni++ {
			n := s.nodes[ni]
			for i := range n.Entries {
				e := &n.Entries[i]
				if e.ID.Less(start) || (skipDeleted && e.Deleted) {
					continue
				}
				if end.Less(e.ID) || !fn(e) {
					return
				}
			}
		}
		return
	}
	for ni := s.seekNode(end); ni >= 0; ni-- {
		n := s.nodes[ni]
		for i := len(n.Entries) - 1; i >= 0; i-- {
			e := &n.Entries[i]
			if end.Less(e.ID) || (skipDeleted && e.Deleted) {
				continue
			}
			if e.ID.Less(start) || !fn(e) {
				return
			}
		}
	}
}

// Get returns the live entry with the given ID, or nil.
func (s *Stream) Get(id StreamID) *StreamEntry {
	var found *StreamEntry
	s.Range(id, id, false, func(e *StreamEntry) bool { found = e; return false })
	return found
}

// EdgeID returns the first or last ID, tombstones included unless
// skipDeleted (streamGetEdgeID); an empty stream gives max (first) or
// 0-0 (last).
func (s *Stream) EdgeID(first, skipDeleted bool) StreamID {
	id, found := StreamID{}, false
	s.rangeAll(StreamID{}, MaxStreamID, !first, skipDeleted, func(e *StreamEntry) bool {
		id, found = e.ID, true
		return false
	})
	if !found && first {
		return MaxStreamID
	}
	return id
}

// LastValidID returns the last live entry's ID (0-0 when empty).
func (s *Stream) LastValidID() StreamID { return s.EdgeID(false, true) }

// Delete marks the live entry id deleted (XDEL) and reports whether it
// was there. A node left with no live entry goes.
func (s *Stream) Delete(id StreamID) bool {
	if len(s.nodes) == 0 {
		return false
	}
	ni := s.seekNode(id)
	n := s.nodes[ni]
	i := sort.Search(len(n.Entries), func(i int) bool { return !n.Entries[i].ID.Less(id) })
	if i == len(n.Entries) || n.Entries[i].ID != id || n.Entries[i].Deleted {
		return false
	}
	s.length--
	if n.live == 1 {
		s.nodes = append(s.nodes[:ni], s.nodes[ni+1:]...)
		return true
	}
	n.Entries[i].Deleted = true
	n.live--
	return true
}

// Trim strategies.
const (
	TrimNone = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs are XADD/XTRIM's trimming options.
type TrimArgs struct {
	Strategy int
	MaxLen   int64
	MinID    StreamID
	Approx   bool
	Limit    int64 // 0: none
}

// Trim removes entries from the head as streamTrim does and returns how
// many it removed: whole nodes while it may, then (unless approximate)
// entries of the next node marked deleted.
func (s *Stream) Trim(a TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	deleted := int64(0)
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && s.length <= uint64(a.MaxLen) {
			break
		}
		n := s.nodes[0]
		entries := n.live
		if a.Limit != 0 && deleted+entries > a.Limit {
			break
		}
		var remove bool
		if a.Strategy == TrimMaxLen {
			remove = int64(s.length)-entries >= a.MaxLen
		} else {
			last := n.Master
			if len(n.Entries) > 0 {
				last = n.Entries[len(n.Entries)-1].ID
			}
			remove = last.Less(a.MinID)
		}
		if remove {
			s.nodes = s.nodes[1:]
			s.length -= uint64(entries)
			deleted += entries
			continue
		}
		if a.Approx {
			break
		}
		for i := range n.Entries {
			e := &n.Entries[i]
			if a.Strategy == TrimMaxLen && s.length <= uint64(a.MaxLen) {
				break
			}
			if a.Strategy == TrimMinID && !e.ID.Less(a.MinID) {
				break
			}
			if !e.Deleted {
				e.Deleted = true
				n.live--
				s.length--
				deleted++
			}
		}
		break
	}
	if s.length == 0 {
		s.FirstID = StreamID{}
	} else if deleted > 0 {
		s.FirstID = s.EdgeID(true, true)
	}
	return deleted
}
