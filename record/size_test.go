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
// 100 MB. It records 2 minutes (1 with -short) and extrapolates to a day:
// the deltas and events in proportion, plus a keyframe as large as the
// first every KeyframeEvery. REPLSCOPE_RECORD_DAY=1 records a whole day
// instead (about 30 minutes of CPU); REPLSCOPE_RECORD_OUT=FILE keeps the
// file.
func TestRecordingSizeOfAFleet(t *testing.T) {
	const day = 24 * time.Hour
	span := 2 * time.Minute
	if os.Getenv("REPLSCOPE_RECORD_DAY") != "" {
		span = day
	} else if testing.Short() {
		span = time.Minute
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
	header := w.Size()
	if err := w.Record(f.tick()); err != nil {
		t.Fatal(err)
	}
	keyframe := w.Size() - header
	rounds := int(span / time.Second)
	for range rounds - 1 {
		if err := w.Record(f.tick()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.prev.Nodes); n != 50 {
		t.Fatalf("simulated fleet has %d nodes, want 50", n)
	}
	total := w.Size()
	if span < day {
		deltas := w.Size() - header - keyframe
		total = header + deltas*int64(day/span) + keyframe*int64(day/(10*time.Minute))
	}
	t.Logf("%d rounds of 50 nodes: %s (keyframe %s); a day: %s (%d bytes)", rounds, human.Bytes(w.Size()),
		human.Bytes(keyframe), human.Bytes(total), total)
	if total > dayBudget {
		t.Errorf("a day's recording would take %s, over %s", human.Bytes(total), human.Bytes(dayBudget))
	}
	rec, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Graph(len(rec.Steps) - 1); err != nil {
		t.Fatal(err)
	}
}
