package keyspace

import (
	"strconv"
	"testing"
)

func id(ms, seq uint64) StreamID { return StreamID{Ms: ms, Seq: seq} }

func newTestStream(t *testing.T, n int, perNode int64) *Stream {
	t.Helper()
	s := NewStream()
	for i := 1; i <= n; i++ {
		if err := s.Add(id(uint64(i), 0), [][]byte{[]byte("f"), []byte(strconv.Itoa(i))}, NodeLimits{MaxBytes: 4096, MaxEntries: perNode}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func ids(s *Stream, rev bool) []string {
	var out []string
	s.Range(StreamID{}, MaxStreamID, rev, func(e *StreamEntry) bool { out = append(out, e.ID.String()); return true })
	return out
}

// TestStreamNextID follows streamAppendItem's ID rules: auto IDs from the
// clock or the last ID, "ms-*" sequences, and the errors.
func TestStreamNextID(t *testing.T) {
	s := NewStream()
	s.LastID = id(5, 3)
	for _, tc := range []struct {
		now      uint64
		use      *StreamID
		seqGiven bool
		want     StreamID
		err      error
	}{
		{now: 10, want: id(10, 0)},
		{now: 4, want: id(5, 4)},
		{use: &StreamID{Ms: 5, Seq: 0}, want: id(5, 4)},
		{use: &StreamID{Ms: 6, Seq: 0}, want: id(6, 0)},
		{use: &StreamID{Ms: 5, Seq: 3}, seqGiven: true, err: ErrStreamIDTooSmall},
		{use: &StreamID{Ms: 4, Seq: 0}, err: ErrStreamIDTooSmall},
	} {
		got, err := s.NextID(tc.now, tc.use, tc.seqGiven)
		if err != tc.err || (err == nil && got != tc.want) {
			t.Errorf("NextID(%d, %v, %v) = %s, %v; want %s, %v", tc.now, tc.use, tc.seqGiven, got, err, tc.want, tc.err)
		}
	}
	s.LastID = id(7, 1<<64-1)
	if _, err := s.NextID(0, &StreamID{Ms: 7, Seq: 0}, false); err != ErrStreamTooLarge {
		t.Errorf("sequence overflow: %v, want ErrStreamTooLarge (Redis's reply)", err)
	}
}

// TestStreamTrim: approximate trimming removes whole nodes only, exact
// trimming leaves tombstones in the first node kept, LIMIT caps the work.
func TestStreamTrim(t *testing.T) {
	s := newTestStream(t, 10, 3) // nodes: 1-3, 4-6, 7-9, 10
	if got := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 5, Approx: true}); got != 3 || s.Len() != 7 {
		t.Fatalf("MAXLEN ~ 5 removed %d, left %d; want 3 and 7", got, s.Len())
	}
	if got := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 5, Approx: true, Limit: 2}); got != 0 {
		t.Fatalf("LIMIT 2 under a node of 3 removed %d", got)
	}
	if got := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 5}); got != 2 || s.FirstID != id(6, 0) || len(s.Nodes()) != 3 {
		t.Fatalf("exact MAXLEN 5 removed %d, first %s, %d nodes; want 2, 6-0, 3", got, s.FirstID, len(s.Nodes()))
	}
	if got := s.Trim(TrimArgs{Strategy: TrimMinID, MinID: id(8, 0)}); got != 2 || ids(s, false)[0] != "8-0" {
		t.Fatalf("MINID 8 removed %d, left %v", got, ids(s, false))
	}
	if got := ids(s, true); len(got) != 3 || got[0] != "10-0" {
		t.Fatalf("reverse range %v", got)
	}
}

// TestStreamDelete: a tombstone stays in its node until the node's last
// live entry goes, then the node goes.
func TestStreamDelete(t *testing.T) {
	s := newTestStream(t, 4, 2)
	if !s.Delete(id(1, 0)) || s.Delete(id(1, 0)) || s.Delete(id(9, 0)) {
		t.Fatal("Delete reports wrongly")
	}
	if len(s.Nodes()) != 2 || len(s.Nodes()[0].Entries) != 2 {
		t.Fatalf("after one delete: %d nodes", len(s.Nodes()))
	}
	s.Delete(id(2, 0))
	if len(s.Nodes()) != 1 || s.Len() != 2 || s.Get(id(3, 0)) == nil || s.Get(id(2, 0)) != nil {
		t.Fatalf("emptied node kept: %d nodes, len %d", len(s.Nodes()), s.Len())
	}
	if s.EdgeID(true, true) != id(3, 0) || s.LastValidID() != id(4, 0) {
		t.Fatalf("edges %s %s", s.EdgeID(true, true), s.LastValidID())
	}
}

// TestStreamGroups: delivery, pending entries, claiming and acking, and
// the read counter and lag as Redis estimates them.
func TestStreamGroups(t *testing.T) {
	s := newTestStream(t, 5, 100)
	g := s.CreateGroup([]byte("g"), StreamID{}, 0)
	if s.CreateGroup([]byte("g"), StreamID{}, 0) != nil {
		t.Fatal("duplicate group created")
	}
	a := g.CreateConsumer([]byte("a"), 1)
	b := g.CreateConsumer([]byte("b"), 1)
	for i := uint64(1); i <= 3; i++ {
		s.Deliver(g, id(i, 0))
		g.AddNACK(id(i, 0), &StreamNACK{DeliveryTime: 1, DeliveryCount: 1, Consumer: a})
	}
	if lag, ok := s.Lag(g); !ok || lag != 2 || g.EntriesRead != 3 {
		t.Fatalf("lag %d %v, entries-read %d; want 2, 3", lag, ok, g.EntriesRead)
	}
	g.Assign(id(2, 0), g.NACK(id(2, 0)), b)
	if a.PEL.Len() != 2 || b.PEL.Len() != 1 || g.PEL.Len() != 3 {
		t.Fatalf("PELs a=%d b=%d group=%d", a.PEL.Len(), b.PEL.Len(), g.PEL.Len())
	}
	c := s.Clone()
	if !g.Ack(id(2, 0)) || g.Ack(id(2, 0)) || b.PEL.Len() != 0 {
		t.Fatal("Ack")
	}
	if cg := c.Group([]byte("g")); cg.PEL.Len() != 3 || cg.Consumer([]byte("b")).PEL.Len() != 1 || cg.NACK(id(2, 0)).Consumer.Name != "b" {
		t.Fatal("the clone shares state with the original")
	}
	g.DeleteConsumer(a)
	if g.PEL.Len() != 0 || g.ConsumerCount() != 1 {
		t.Fatalf("after deleting a: PEL %d, consumers %d", g.PEL.Len(), g.ConsumerCount())
	}
	s.Delete(id(4, 0))
	s.MaxDeletedID = id(4, 0)
	if _, ok := s.Lag(g); ok {
		t.Fatal("lag known across a tombstone after the group's last ID")
	}
}
