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
