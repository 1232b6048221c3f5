package keyspace

import "sort"

// EntriesReadInvalid is a group's entries-read when it is unknown.
const EntriesReadInvalid = -1

// StreamNACK is a pending (delivered, not acknowledged) entry of a group.
type StreamNACK struct {
	DeliveryTime  int64 // unix ms
	DeliveryCount uint64
	Consumer      *StreamConsumer // nil only while being created (XCLAIM FORCE)
}

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	Name     string
	SeenTime int64 // unix ms
	PEL      IDSet
}

// StreamGroup is a consumer group: its last delivered ID, its read
// counter, its pending entries and its consumers.
type StreamGroup struct {
	Name        string
	LastID      StreamID
	EntriesRead int64
	PEL         IDSet
	nacks       map[StreamID]*StreamNACK
	consumers   map[string]*StreamConsumer
}

// IDSet is an ordered set of stream IDs.
type IDSet struct{ ids []StreamID }

// Len returns the number of IDs.
func (s *IDSet) Len() int { return len(s.ids) }

// IDs returns the IDs in order; callers must not change them.
func (s *IDSet) IDs() []StreamID { return s.ids }

// Seek returns the position of the first ID >= id.
func (s *IDSet) Seek(id StreamID) int {
	return sort.Search(len(s.ids), func(i int) bool { return !s.ids[i].Less(id) })
}

// Insert adds id and reports whether it was missing.
func (s *IDSet) Insert(id StreamID) bool {
	n := len(s.ids)
	if n == 0 || s.ids[n-1].Less(id) {
		s.ids = append(s.ids, id)
		return true
	}
	i := s.Seek(id)
	if i < n && s.ids[i] == id {
		return false
	}
	s.ids = append(s.ids, StreamID{})
	copy(s.ids[i+1:], s.ids[i:])
	s.ids[i] = id
	return true
}

// Remove deletes id and reports whether it was there.
func (s *IDSet) Remove(id StreamID) bool {
	i := s.Seek(id)
	if i == len(s.ids) || s.ids[i] != id {
		return false
	}
	s.ids = append(s.ids[:i], s.ids[i+1:]...)
	return true
}

func (s IDSet) clone() IDSet { return IDSet{ids: append([]StreamID(nil), s.ids...)} }

// Group returns the group name, or nil.
func (s *Stream) Group(name []byte) *StreamGroup { return s.groups[string(name)] }

// Groups returns the groups in name order (as Redis's radix tree lists them).
func (s *Stream) Groups() []*StreamGroup {
	out := make([]*StreamGroup, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// GroupCount returns the number of groups.
func (s *Stream) GroupCount() int { return len(s.groups) }

// CreateGroup adds a group; nil when the name is taken.
func (s *Stream) CreateGroup(name []byte, last StreamID, entriesRead int64) *StreamGroup {
	if s.groups[string(name)] != nil {
		return nil
	}
	if s.groups == nil {
		s.groups = map[string]*StreamGroup{}
	}
	g := &StreamGroup{Name: string(name), LastID: last, EntriesRead: entriesRead,
		nacks: map[StreamID]*StreamNACK{}, consumers: map[string]*StreamConsumer{}}
	s.groups[g.Name] = g
	return g
}

// DestroyGroup removes a group and reports whether it existed.
func (s *Stream) DestroyGroup(name []byte) bool {
	if s.groups[string(name)] == nil {
		return false
	}
	delete(s.groups, string(name))
	return true
}

func (g *StreamGroup) clone() *StreamGroup {
	c := &StreamGroup{Name: g.Name, LastID: g.LastID, EntriesRead: g.EntriesRead, PEL: g.PEL.clone(),
		nacks: make(map[StreamID]*StreamNACK, len(g.nacks)), consumers: make(map[string]*StreamConsumer, len(g.consumers))}
	for name, sc := range g.consumers {
		c.consumers[name] = &StreamConsumer{Name: sc.Name, SeenTime: sc.SeenTime, PEL: sc.PEL.clone()}
	}
	for id, n := range g.nacks {
		cn := *n
		if n.Consumer != nil {
			cn.Consumer = c.consumers[n.Consumer.Name]
		}
		c.nacks[id] = &cn
	}
	return c
}

// NACK returns the pending entry id, or nil.
func (g *StreamGroup) NACK(id StreamID) *StreamNACK { return g.nacks[id] }

// Consumer returns the consumer name, or nil.
func (g *StreamGroup) Consumer(name []byte) *StreamConsumer { return g.consumers[string(name)] }

// ConsumerCount returns the number of consumers.
func (g *StreamGroup) ConsumerCount() int { return len(g.consumers) }

// Consumers returns the consumers in name order.
func (g *StreamGroup) Consumers() []*StreamConsumer {
	out := make([]*StreamConsumer, 0, len(g.consumers))
	for _, c := range g.consumers {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CreateConsumer adds a consumer seen at now; nil when it exists.
func (g *StreamGroup) CreateConsumer(name []byte, now int64) *StreamConsumer {
	if g.consumers[string(name)] != nil {
		return nil
	}
	c := &StreamConsumer{Name: string(name), SeenTime: now}
	g.consumers[c.Name] = c
	return c
}

// DeleteConsumer removes a consumer and its pending entries from the group.
func (g *StreamGroup) DeleteConsumer(c *StreamConsumer) {
	for _, id := range c.PEL.ids {
		g.PEL.Remove(id)
		delete(g.nacks, id)
	}
	delete(g.consumers, c.Name)
}

// AddNACK records id as pending for consumer c (may be nil while loading
// or under XCLAIM FORCE); it replaces an existing NACK for the ID.
func (g *StreamGroup) AddNACK(id StreamID, n *StreamNACK) {
	if old := g.nacks[id]; old != nil && old.Consumer != nil {
		old.Consumer.PEL.Remove(id)
	}
	g.nacks[id] = n
	g.PEL.Insert(id)
	if n.Consumer != nil {
		n.Consumer.PEL.Insert(id)
	}
}

// Assign moves pending entry id (NACK n) to consumer c.
func (g *StreamGroup) Assign(id StreamID, n *StreamNACK, c *StreamConsumer) {
	if n.Consumer == c {
		return
	}
	if n.Consumer != nil {
		n.Consumer.PEL.Remove(id)
	}
	n.Consumer = c
	c.PEL.Insert(id)
}

// Ack removes pending entry id and reports whether it was pending.
func (g *StreamGroup) Ack(id StreamID) bool {
	n := g.nacks[id]
	if n == nil {
		return false
	}
	delete(g.nacks, id)
	g.PEL.Remove(id)
	if n.Consumer != nil {
		n.Consumer.PEL.Remove(id)
	}
	return true
}

// RangeHasTombstones reports whether a deleted entry may lie between start
// and end (streamRangeHasTombstones).
func (s *Stream) RangeHasTombstones(start, end StreamID) bool {
	if s.length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	if s.MaxDeletedID.Less(s.FirstID) {
		return false
	}
	return !s.MaxDeletedID.Less(start) && !end.Less(s.MaxDeletedID)
}

// EstimateDistance returns id's logical read counter when it can be known
// (streamEstimateDistanceFromFirstEverEntry), EntriesReadInvalid if not.
func (s *Stream) EstimateDistance(id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Cmp(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	switch c := id.Cmp(s.LastID); {
	case c == 0:
		return int64(s.EntriesAdded)
	case c > 0:
		return EntriesReadInvalid
	}
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.FirstID) {
		switch id.Cmp(s.FirstID) {
		case -1:
			return int64(s.EntriesAdded - s.length)
		case 0:
			return int64(s.EntriesAdded - s.length + 1)
		}
	}
	return EntriesReadInvalid
}

// Lag returns the group's lag and whether it is known
// (streamReplyWithCGLag).
func (s *Stream) Lag(g *StreamGroup) (int64, bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != EntriesReadInvalid && !s.RangeHasTombstones(g.LastID, MaxStreamID) {
		return int64(s.EntriesAdded) - g.EntriesRead, true
	}
	if read := s.EstimateDistance(g.LastID); read != EntriesReadInvalid {
		return int64(s.EntriesAdded) - read, true
	}
	return 0, false
}

// Deliver updates g as delivering entry id to a reader
// (streamReplyWithRange): the read counter and the last ID. It reports
// whether the last ID moved.
func (s *Stream) Deliver(g *StreamGroup, id StreamID) bool {
	if !g.LastID.Less(id) {
		return false
	}
	if g.EntriesRead != EntriesReadInvalid && !s.RangeHasTombstones(id, MaxStreamID) {
		g.EntriesRead++
	} else if s.EntriesAdded != 0 {
		g.EntriesRead = s.EstimateDistance(id)
	}
	g.LastID = id
	return true
}
