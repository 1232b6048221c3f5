package record

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/human"
)

// dayBudget is what a day of a 50-node fleet polled every second may
// take (issue 15).
const dayBudget = 100 << 20

// TestRecordingSizeOfAFleet records a simulated 50-node fleet (10
// masters with 4 replicas each, writing 5–400 KB/s each, a link incident
// every 2 hours) polled every second, and checks that a day stays under
// 100 MB. It records 10 minutes (2 with -short) and extrapolates to a
// day, the first keyframe included, so it errs on the large side;
// REPLSCOPE_RECORD_DAY=1 records a whole day (about 10 minutes of CPU),
// REPLSCOPE_RECORD_OUT=FILE keeps the file.
func TestRecordingSizeOfAFleet(t *testing.T) {
	span := 10 * time.Minute
	if os.Getenv("REPLSCOPE_RECORD_DAY") != "" {
		span = 24 * time.Hour
	} else if testing.Short() {
		span = 2 * time.Minute
	}
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	f := newSimFleet(10, 4, start, 1)
	path := filepath.Join(t.TempDir(), "fleet.jsonl")
	if d := os.Getenv("REPLSCOPE_RECORD_OUT"); d != "" {
		path = d
	}
	w, err := Create(path, "simulated fleet", Policy{}, start)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rounds := int(span / time.Second)
	for range rounds {
		if err := w.Record(f.tick()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.prev.Nodes); n != 50 {
		t.Fatalf("simulated fleet has %d nodes, want 50", n)
	}
	day := w.Size() * int64(24*time.Hour/span)
	t.Logf("%d rounds of 50 nodes: %s; a day: %s (%d bytes)", rounds, human.Bytes(w.Size()), human.Bytes(day), day)
	if day > dayBudget {
		t.Errorf("a day's recording would take %s, over %s", human.Bytes(day), human.Bytes(dayBudget))
	}
	rec, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Graph(len(rec.Steps) - 1); err != nil {
		t.Fatal(err)
	}
}
