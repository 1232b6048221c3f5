package node

import (
	"testing"

	"github.com/replscope/replscope/node/keyspace"
	"github.com/replscope/replscope/node/rdb"
)

// TestLoadLegacyStream decodes a stream DUMPed by Redis 5 (RDB type 15, the
// payload of Redis's own test "Loading from legacy (Redis <= v6.2.x,
// rdb_ver < 10) persistence") and checks what Redis 7.0 derives on load:
// entries-added from the length, no max deleted ID, and each group's
// entries-read estimated from its last ID.
func TestLoadLegacyStream(t *testing.T) {
	payload := []byte("\x01\x10\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\xC3\x40\x4A\x40\x57\x16\x57\x00\x00\x00\x23\x00\x02\x01\x04\x01\x01\x01\x84\x64\x61\x74\x61\x05\x00\x01\x03\x01\x00\x20\x01\x03\x81\x61\x02\x04\x20\x0A\x00\x01\x40\x0A\x00\x62\x60\x0A\x00\x02\x40\x0A\x00\x63\x60\x0A\x40\x22\x01\x81\x64\x20\x0A\x40\x39\x20\x0A\x00\x65\x60\x0A\x00\x05\x40\x0A\x00\x66\x20\x0A\x00\xFF\x02\x06\x00\x02\x02\x67\x31\x05\x00\x04\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x3E\xF7\x83\x43\x7A\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x3E\xF7\x83\x43\x7A\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x3E\xF7\x83\x43\x7A\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x3E\xF7\x83\x43\x7A\x01\x00\x00\x01\x01\x03\x63\x31\x31\x3E\xF7\x83\x43\x7A\x01\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x02\x67\x32\x00\x00\x00\x00\x09\x00\x3D\x52\xEF\x68\x67\x52\x1D\xFA")
	r, n, err := rdb.DecodeStreamValue(15, payload)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(len(payload) - 10); n != want { // RDB version and CRC follow
		t.Fatalf("read %d bytes, want %d", n, want)
	}
	s := streamFromRDB(r)
	var ids []string
	s.Range(keyspace.StreamID{}, keyspace.MaxStreamID, false, func(e *keyspace.StreamEntry) bool {
		ids = append(ids, e.ID.String()+"="+string(e.FV[1]))
		return true
	})
	if got := len(ids); got != 2 || ids[0] != "5-0=e" || ids[1] != "6-0=f" {
		t.Fatalf("entries %q, want [5-0=e 6-0=f]", ids)
	}
	if s.EntriesAdded != 2 || !s.MaxDeletedID.IsZero() || s.FirstID.String() != "5-0" {
		t.Fatalf("entries-added %d, max-deleted %s, first %s; want 2, 0-0, 5-0", s.EntriesAdded, s.MaxDeletedID, s.FirstID)
	}
	for _, want := range []struct {
		name      string
		read, lag int64
		pending   int
	}{{"g1", 1, 1, 4}, {"g2", 0, 2, 0}} {
		g := s.Group([]byte(want.name))
		if g == nil {
			t.Fatalf("no group %s", want.name)
		}
		lag, _ := s.Lag(g)
		if g.EntriesRead != want.read || lag != want.lag || g.PEL.Len() != want.pending {
			t.Errorf("%s: entries-read %d lag %d pending %d, want %d %d %d", want.name, g.EntriesRead, lag, g.PEL.Len(), want.read, want.lag, want.pending)
		}
	}
	// And the value survives our own encoding.
	again, _, err := rdb.DecodeStreamValue(19, rdb.AppendStreamValue(nil, streamToRDB(s)))
	if err != nil {
		t.Fatal(err)
	}
	if s2 := streamFromRDB(again); s2.Length() != 2 || s2.Group([]byte("g1")).EntriesRead != 1 || s2.Group([]byte("g1")).Consumer([]byte("c11")).PEL.Len() != 4 {
		t.Fatalf("re-encoded stream differs: %+v", again)
	}
}

// TestStreamNodeBytesMatchListpack: the size the keyspace accounts for a
// node (which decides, against stream-node-max-bytes, where XADD opens a
// new node) is the size of the listpack Redis would hold, byte for byte,
// across integer and string encodings of every width and tombstones.
func TestStreamNodeBytesMatchListpack(t *testing.T) {
	values := []string{"", "0", "-1", "127", "128", "-4096", "4095", "4096", "-32769", "8388607", "8388608",
		"2147483648", "-9223372036854775808", "9223372036854775807", "9223372036854775808", "01", "+1", "x",
		string(make([]byte, 63)), string(make([]byte, 64)), string(make([]byte, 4095)), string(make([]byte, 4096))}
	s := keyspace.NewStream()
	lim := keyspace.NodeLimits{MaxBytes: 1 << 20, MaxEntries: 7}
	for i, v := range values {
		fv := [][]byte{[]byte("f"), []byte(v)}
		if i%3 == 0 {
			fv = [][]byte{[]byte(v), []byte("x"), []byte("g"), []byte(v)}
		}
		id, err := s.NextID(uint64(1000+i*300), nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(id, fv, lim); err != nil {
			t.Fatal(err)
		}
	}
	s.Delete(keyspace.StreamID{Ms: 1300})
	s.Trim(keyspace.TrimArgs{Strategy: keyspace.TrimMaxLen, MaxLen: 18})
	r := streamToRDB(s)
	for i, n := range s.Nodes() {
		if got, want := n.Bytes(), int64(len(rdb.AppendStreamListpack(nil, &r.Nodes[i]))); got != want {
			t.Errorf("node %d (master %s): accounted %d bytes, its listpack has %d", i, n.Master, got, want)
		}
	}
}
