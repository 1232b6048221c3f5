package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/topology"
)

var start = time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)

// recordSim records rounds of a small simulated fleet (2 masters with 2
// replicas, an incident every 2 minutes) and returns the file and the
// graphs recorded.
func recordSim(t *testing.T, rounds int, pol Policy) (string, []topology.Update) {
	t.Helper()
	f := newSimFleet(2, 2, start, 7)
	f.incidentEvery = 2 * time.Minute
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	w, err := Create(path, "test", pol, start)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var ups []topology.Update
	for range rounds {
		u := f.tick()
		if err := w.Record(u); err != nil {
			t.Fatal(err)
		}
		ups = append(ups, u)
	}
	return path, ups
}

// shape is what a replay must show exactly: each node's role, reach and
// master, each link's state, the alerts raised.
func shape(g *topology.Graph) string {
	var b strings.Builder
	for _, n := range g.Nodes {
		b.WriteString(n.Addr + " " + string(n.Role) + " " + string(n.Reach))
		if n.Upstream != nil {
			b.WriteString(" → " + n.Upstream.Addr)
		}
		b.WriteByte('\n')
	}
	for _, l := range g.Links {
		b.WriteString(string(l.Master) + ">" + string(l.Replica) + " " + string(l.Health.State) + "\n")
	}
	for _, a := range g.Alerts {
		b.WriteString(string(a.Name) + " " + string(a.Node) + " " + string(a.Peer) + "\n")
	}
	return b.String()
}

// TestReplayShowsWhatWasRecorded replays every step of a recording: the
// roles, links, link states and alerts are those recorded, the events
// are all there in order, and at each keyframe the whole graph is the
// one recorded, byte for byte.
func TestReplayShowsWhatWasRecorded(t *testing.T) {
	path, ups := recordSim(t, 400, Policy{KeyframeEvery: 2 * time.Minute})
	rec, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Notes) > 0 {
		t.Errorf("notes on a clean file: %v", rec.Notes)
	}
	byTime := map[time.Time]topology.Update{}
	var events []topology.Event
	for _, u := range ups {
		byTime[u.Graph.At] = u
		events = append(events, u.Events...)
	}
	keyframes, marks := 0, 0
	for i, s := range rec.Steps {
		g, err := rec.Graph(i)
		if err != nil {
			t.Fatal(err)
		}
		want := byTime[s.At].Graph
		if got, w := shape(g), shape(want); got != w {
			t.Fatalf("step %d (%s): replayed\n%s\nrecorded\n%s", i, s.At, got, w)
		}
		if s.key == i {
			keyframes++
			a, _ := json.Marshal(g)
			b, _ := json.Marshal(want)
			if d := firstDiff(string(a), string(b)); d != "" {
				t.Errorf("keyframe %d differs: %s", i, d)
			}
		}
		if s.Mark {
			marks++
		}
	}
	if keyframes != 4 {
		t.Errorf("%d keyframes in 400 s, one every 2 min: want 4", keyframes)
	}
	if marks == 0 {
		t.Error("no step marked though links went down and alerts were raised")
	}
	got := rec.EventsUpTo(len(rec.Steps) - 1)
	if len(got) != len(events) {
		t.Fatalf("%d events replayed, %d recorded", len(got), len(events))
	}
	for i := range got {
		if got[i] != events[i] {
			t.Errorf("event %d: %+v, recorded %+v", i, got[i], events[i])
		}
	}
	// Stepping back and forth goes through the cache and around it alike.
	n := len(rec.Steps)
	for _, i := range []int{n - 1, 3, n / 2, n/2 - 1, 0} {
		g, err := rec.Graph(i)
		if err != nil {
			t.Fatal(err)
		}
		if shape(g) != shape(byTime[rec.Steps[i].At].Graph) {
			t.Errorf("step %d differs when reached out of order", i)
		}
	}
}

// TestReadErrorsNameTheLine: a foreign file, a line that is not JSON, a
// delta before any graph, a newer version: each an error naming the
// line; a last line cut short is left out with a note.
func TestReadErrorsNameTheLine(t *testing.T) {
	path, _ := recordSim(t, 5, Policy{})
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	hdr := lines[0]
	for _, tc := range []struct {
		name, text, want string
	}{
		{"foreign", "hello world\n", "x.jsonl:1: not a replscope recording"},
		{"foreign JSON", `{"type":"graph"}` + "\n", "x.jsonl:1: not a replscope recording"},
		{"empty", "", "x.jsonl:1: empty file"},
		{"newer", strings.Replace(hdr, `"version":1`, `"version":9`, 1), "x.jsonl:1: recording format version 9"},
		{"garbage inside", lines[0] + lines[1] + "{oops\n" + lines[2], "x.jsonl:3: not JSON"},
		{"delta first", lines[0] + lines[2], `x.jsonl:2: a "delta" line where a segment's first graph belongs`},
		{"unknown type", lines[0] + lines[1] + `{"type":"frob"}` + "\n", `x.jsonl:3: unknown line type "frob"`},
		{"bad event", lines[0] + lines[1] + `{"type":"event","time":"yesterday"}` + "\n", "x.jsonl:3: event:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.text), "x.jsonl")
			var le *LineError
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.name != "empty" && !errors.As(err, &le)) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	cut := string(good[:len(good)-10])
	rec, err := Read(strings.NewReader(cut), "x.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Notes) != 1 || !strings.Contains(rec.Notes[0], "x.jsonl:") || !strings.Contains(rec.Notes[0], "cut short") {
		t.Errorf("notes %q, want one about the cut line", rec.Notes)
	}
}

// TestAppendAfterAKill appends to a recording whose last line a killed
// recorder left cut short: the cut line goes, a new segment follows, and
// the whole file reads.
func TestAppendAfterAKill(t *testing.T) {
	path, ups := recordSim(t, 30, Policy{})
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, b[:len(b)-7], 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Create(path, "again", Policy{}, start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	later := ups[len(ups)-1]
	later.Graph.At = start.Add(time.Hour)
	if err := w.Record(later); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rec, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Notes) != 0 {
		t.Errorf("notes: %v", rec.Notes)
	}
	if got := rec.End(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("last step at %s, want the appended one", got)
	}
	foreign := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(foreign, []byte("my notes\n"), 0o644)
	if _, err := Create(foreign, "x", Policy{}, start); err == nil || !strings.Contains(err.Error(), "refusing to append") {
		t.Errorf("recording over a foreign file: %v", err)
	}
	if b, _ := os.ReadFile(foreign); string(b) != "my notes\n" {
		t.Errorf("the foreign file was changed: %q", b)
	}
}

// fullDisk writes part of what it is given, then fails like a full disk.
type fullDisk struct {
	file
	room int
}

func (d *fullDisk) Write(b []byte) (int, error) {
	if len(b) <= d.room {
		d.room -= len(b)
		return d.file.Write(b)
	}
	n, _ := d.file.Write(b[:d.room])
	d.room = 0
	return n, &os.PathError{Op: "write", Path: "rec.jsonl", Err: syscall.ENOSPC}
}

// TestFullDiskStopsCleanly: a write that fails half-way is cut back to
// the last full line, Record says why once and ErrStopped after, and the
// file reads without a note.
func TestFullDiskStopsCleanly(t *testing.T) {
	f := newSimFleet(2, 2, start, 7)
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	w, err := Create(path, "test", Policy{}, start)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Record(f.tick()); err != nil {
		t.Fatal(err)
	}
	w.f = &fullDisk{file: w.f, room: 300}
	var stopErr error
	for range 20 {
		if stopErr = w.Record(f.tick()); stopErr != nil {
			break
		}
	}
	if stopErr == nil || !errors.Is(stopErr, syscall.ENOSPC) || !strings.Contains(stopErr.Error(), "stays readable") {
		t.Fatalf("error %v, want the full disk", stopErr)
	}
	if err := w.Record(f.tick()); !errors.Is(err, ErrStopped) {
		t.Errorf("after the stop: %v, want ErrStopped", err)
	}
	b, _ := os.ReadFile(path)
	if int64(len(b)) != w.Size() || b[len(b)-1] != '\n' {
		t.Errorf("file holds %d bytes ending %q; %d written whole", len(b), b[len(b)-1], w.Size())
	}
	rec, err := Open(path)
	if err != nil || len(rec.Notes) > 0 {
		t.Fatalf("read after the stop: %v %v", err, rec.Notes)
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+90s", "2026-12-07T03:01:30Z"},
		{"+1h2m", "2026-12-07T04:02:00Z"},
		{"2026-12-07T03:05:00Z", "2026-12-07T03:05:00Z"},
		{"2026-12-07T04:05:00+01:00", "2026-12-07T03:05:00Z"},
		{"03:07:10", "2026-12-07T03:07:10Z"},
	} {
		got, err := ParseTime(tc.in, start)
		if err != nil || !got.Equal(mustTime(tc.want)) {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "+", "+-3s", "tomorrow", "25:00"} {
		if _, err := ParseTime(bad, start); err == nil {
			t.Errorf("ParseTime(%q): no error", bad)
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// firstDiff shows where two texts part, "" when they are equal.
func firstDiff(a, b string) string {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			lo := max(i-60, 0)
			return fmt.Sprintf("at byte %d: …%s… vs …%s…", i, a[lo:min(i+40, len(a))], b[lo:min(i+40, len(b))])
		}
	}
	if len(a) != len(b) {
		return fmt.Sprintf("lengths %d and %d", len(a), len(b))
	}
	return ""
}
