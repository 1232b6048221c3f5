package repl

import (
	"strings"
	"testing"
)

const (
	idA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	idB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	idC = "cccccccccccccccccccccccccccccccccccccccc"
)

func TestDecide(t *testing.T) {
	h := History{ReplID: idA, ReplID2: idB, SecondOffset: 101, Offset: 500}
	b := window(50, 500)
	cases := []struct {
		name    string
		req     Request
		want    Decision
		counted bool
		reason  string
	}{
		{"question mark is a plain full sync", Request{"?", -1}, FullResync, false, "full resync requested"},
		{"current id inside backlog", Request{idA, 200}, Continue, false, ""},
		{"current id at next byte", Request{idA, 501}, Continue, false, ""},
		{"current id past the end", Request{idA, 502}, FullResync, true, "lack of backlog"},
		{"current id before backlog", Request{idA, 49}, FullResync, true, "lack of backlog"},
		{"backlog first byte", Request{idA, 50}, Continue, false, ""},
		{"previous id up to second offset", Request{idB, 101}, Continue, false, ""},
		{"previous id beyond second offset", Request{idB, 102}, FullResync, true, "second ID"},
		{"unknown id", Request{idC, 100}, FullResync, true, "Replication ID mismatch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, reason, counted := h.Decide(tc.req, b.Window())
			if d != tc.want || counted != tc.counted || !strings.Contains(reason, tc.reason) {
				t.Fatalf("Decide(%+v) = %v %q %v, want %v %q %v", tc.req, d, reason, counted, tc.want, tc.reason, tc.counted)
			}
		})
	}
	if d, _, _ := h.Decide(Request{idA, 200}, Window{}); d != FullResync {
		t.Fatal("a master without a backlog cannot continue")
	}
}

// TestFailoverChain follows PROTOCOL.md §3: a replica promoted with
// REPLICAOF NO ONE keeps serving its siblings and the old master partially
// through the previous ID.
func TestFailoverChain(t *testing.T) {
	replica := History{ReplID: idA, ReplID2: NoID, SecondOffset: -1, Offset: 660}
	b := window(1, 660)
	replica.Shift(idB)
	if replica.ReplID != idB || replica.ReplID2 != idA || replica.SecondOffset != 661 {
		t.Fatalf("after shift: %+v", replica)
	}
	// the old master, which stopped at 660, asks with the old id
	if d, r, _ := replica.Decide(Request{idA, 661}, b.Window()); d != Continue {
		t.Fatalf("old master must continue: %s", r)
	}
	// a sibling that is behind asks within the backlog
	if d, r, _ := replica.Decide(Request{idA, 600}, b.Window()); d != Continue {
		t.Fatalf("sibling must continue: %s", r)
	}
	// a node that saw bytes of idA beyond the promotion point cannot
	if d, _, _ := replica.Decide(Request{idA, 662}, b.Window()); d != FullResync {
		t.Fatal("history beyond the switch must full-sync")
	}

	// the old master, now a replica of the promoted node, gets +CONTINUE idB
	old := History{ReplID: idA, Offset: 660, ReplID2: NoID, SecondOffset: -1}
	if !old.AcceptContinue(idB) || old.ReplID != idB || old.ReplID2 != idA || old.SecondOffset != 661 {
		t.Fatalf("after continue: %+v", old)
	}
	if old.AcceptContinue(idB) {
		t.Fatal("same id must not count as a change")
	}
}

func TestCachedArgs(t *testing.T) {
	var none *Cached
	if id, off := none.Args(); id != "?" || off != "-1" {
		t.Fatalf("no cache: %s %s", id, off)
	}
	c := &Cached{ReplID: idA, Offset: 110}
	if id, off := c.Args(); id != idA || off != "111" {
		t.Fatalf("cached: %s %s", id, off)
	}
	h := History{ReplID: idB, ReplID2: idA, SecondOffset: 5}
	h.AcceptFull(idC, 999)
	if h.ReplID != idC || h.Offset != 999 || h.ReplID2 != NoID || h.SecondOffset != -1 {
		t.Fatalf("after full: %+v", h)
	}
}

// window returns a backlog holding the bytes first..end.
func window(first, end int64) *Backlog {
	b := NewBacklog(MinBacklogSize, first-1)
	b.Append(make([]byte, end-first+1))
	return b
}
