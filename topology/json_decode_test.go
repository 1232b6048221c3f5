package topology

import (
	"encoding/json"
	"testing"
	"time"
)

// TestGraphJSONRoundTrip checks that a Graph read back from its JSON form
// prints the same JSON and the same text: what `replscope replay` shows
// is what `replscope watch` saw.
func TestGraphJSONRoundTrip(t *testing.T) {
	w := loadWorld(t)
	syncing := []capture{loadCapture(t, "master-syncing"), loadCapture(t, "replica-syncing")}
	g1 := graphOf(t0, nil, Thresholds{}, w.m, w.r1, w.r2, w.c1, syncing[0], syncing[1])
	g2 := graphOf(t0.Add(time.Second), g1, Thresholds{}, w.m, w.r1, w.r2.with("master_link_status", "down"), w.c1, syncing[0], syncing[1])
	g2.StaleAfter = 2 * time.Second
	// A sync in progress on one replica and the last one that ended on
	// another travel too (the full-sync timeline in the details pane).
	at := g2.At
	g2.Nodes[1].FullSync = &FullSync{Replica: g2.Nodes[1].ID, Master: "127.0.0.1:6379", Start: at.Add(-3 * time.Second),
		Bytes: -1, Outcome: SyncRunning, Phases: []PhaseSpan{
			{Phase: PhaseWaitBgsave, Start: at.Add(-3 * time.Second), End: at.Add(-time.Second)},
			{Phase: PhaseTransfer, Start: at.Add(-time.Second)}}}
	g2.Nodes[2].LastFullSync = &FullSync{Replica: g2.Nodes[2].ID, Master: "127.0.0.1:6379", Start: at.Add(-9 * time.Second),
		End: at.Add(-4 * time.Second), Bytes: 1 << 20, Outcome: SyncDone, Exact: true, Phases: []PhaseSpan{
			{Phase: PhaseTransfer, Start: at.Add(-9 * time.Second), End: at.Add(-5 * time.Second)},
			{Phase: PhaseLoading, Start: at.Add(-5 * time.Second), End: at.Add(-4 * time.Second)}}}
	for _, g := range []*Graph{g1, g2} {
		want, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var back Graph
		if err := json.Unmarshal(want, &back); err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(&back)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("JSON after a round trip:\n got %s\nwant %s", got, want)
		}
		if a, b := RenderText(&back), RenderText(g); a != b {
			t.Errorf("text after a round trip:\n got\n%s\nwant\n%s", a, b)
		}
	}
}

func TestEventJSONRoundTrip(t *testing.T) {
	e := Event{Time: t0, Kind: EventLinkDown, Node: "r1", Addr: addrR1, Peer: "m", Detail: "x", Source: "poll"}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != e {
		t.Errorf("got %+v, want %+v", back, e)
	}
	if err := json.Unmarshal([]byte(`{"type":"graph"}`), &back); err == nil {
		t.Error("a graph read as an event: no error")
	}
}
