package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/replscope/replscope/topology"
)

// Recording is a recording read whole: its steps, oldest first. Graph
// rebuilds the fleet at any step from the keyframe before it. A
// Recording is used by one goroutine (it caches the last graph built).
type Recording struct {
	Name   string // the file name errors are reported with
	Header Header // the first segment's
	Steps  []Step
	// Notes are what the reader passed over: a last line cut short.
	Notes []string

	cacheStep int    // the step cacheLeaves hold, -1 when none
	cache     leaves // leaves after cacheStep
}

// Step is one moment of the timeline: a graph (keyframe or delta) and
// the events seen with it.
type Step struct {
	At     time.Time
	Line   int // the graph's or delta's line in the file
	Events []topology.Event
	// Mark is true when an event of the step raises or clears an alert
	// or changes a node's role or master: what `[` and `]` jump to.
	Mark bool

	key int    // the step of the segment's keyframe
	raw []byte // the graph or delta line
}

// LineError is a line of a recording that cannot be read.
type LineError struct {
	Name string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Name, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Open reads the recording at path.
func Open(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError: "open FILE: …"
	}
	defer f.Close()
	return Read(f, path)
}

// Read reads a recording from r; name is what errors call it. A line
// that is not what a recording holds is an error naming it; a last line
// cut short (no newline and not JSON: the recorder was killed mid-line)
// is left out with a note.
func Read(r io.Reader, name string) (*Recording, error) {
	rec := &Recording{Name: name, cacheStep: -1}
	br := bufio.NewReaderSize(r, 1<<20)
	key := -1
	expectGraph := false
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, &LineError{name, n, err}
		}
		last := errors.Is(err, io.EOF)
		if last && len(line) == 0 {
			break
		}
		cut := last && line[len(line)-1] != '\n'
		lerr := rec.line(bytes.TrimRight(line, "\r\n"), n, &key, &expectGraph)
		if lerr != nil && cut && n > 1 {
			rec.Notes = append(rec.Notes, fmt.Sprintf("%s:%d: the last line is cut short (the recorder stopped in the middle of it): left out", name, n))
			break
		}
		if lerr != nil {
			return nil, &LineError{name, n, lerr}
		}
		if last {
			break
		}
	}
	if len(rec.Steps) == 0 {
		if rec.Header.Format == "" {
			return nil, &LineError{name, 1, errors.New("empty file: not a replscope recording")}
		}
		return nil, &LineError{name, 2, errors.New("the recording ends before its first graph: nothing to replay yet")}
	}
	return rec, nil
}

// line reads one line into rec.
func (rec *Recording) line(b []byte, n int, key *int, expectGraph *bool) error {
	if n == 1 {
		h, err := parseHeader(b)
		if err != nil {
			return err
		}
		rec.Header, *expectGraph = h, true
		return nil
	}
	var t struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if *expectGraph && t.Type != typeGraph {
		return fmt.Errorf("a %q line where a segment's first graph belongs", t.Type)
	}
	switch t.Type {
	case typeHeader:
		if _, err := parseHeader(b); err != nil {
			return err
		}
		*expectGraph = true
	case typeGraph:
		var g topology.Graph
		if err := json.Unmarshal(b, &g); err != nil {
			return err
		}
		*key, *expectGraph = len(rec.Steps), false
		rec.Steps = append(rec.Steps, Step{At: g.At, Line: n, key: *key, raw: bytes.Clone(b)})
	case typeDelta:
		var d deltaLine
		if err := json.Unmarshal(b, &d); err != nil {
			return fmt.Errorf("delta: %w", err)
		}
		for p := range d.Set {
			if p == "" {
				return errors.New("delta: an empty path")
			}
		}
		rec.Steps = append(rec.Steps, Step{At: d.At, Line: n, key: *key, raw: bytes.Clone(b)})
	case typeEvent:
		var e topology.Event
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		s := &rec.Steps[len(rec.Steps)-1]
		s.Events = append(s.Events, e)
		s.Mark = s.Mark || marks(e.Kind)
	default:
		return fmt.Errorf("unknown line type %q", t.Type)
	}
	return nil
}

// parseHeader checks a header line.
func parseHeader(b []byte) (Header, error) {
	var h Header
	if err := json.Unmarshal(bytes.TrimSpace(b), &h); err != nil || h.Type != typeHeader || h.Format != Format {
		return h, fmt.Errorf("not a replscope recording (it must start with a {\"type\":\"header\",\"format\":%q} line)", Format)
	}
	if h.Version < 1 || h.Version > Version {
		return h, fmt.Errorf("recording format version %d; this replscope reads versions 1 to %d", h.Version, Version)
	}
	return h, nil
}

// marks reports whether an event kind is one `[` and `]` stop at.
func marks(k topology.EventKind) bool {
	switch k {
	case topology.EventAlertRaised, topology.EventAlertCleared, topology.EventAlertEnded,
		topology.EventRoleChanged, topology.EventMasterChanged:
		return true
	}
	return false
}

// Start and End return the times of the first and last steps.
func (rec *Recording) Start() time.Time { return rec.Steps[0].At }

// End returns the time of the last step.
func (rec *Recording) End() time.Time { return rec.Steps[len(rec.Steps)-1].At }

// StepAt returns the last step at or before t (the first step when t
// is earlier than it).
func (rec *Recording) StepAt(t time.Time) int {
	lo, hi := 0, len(rec.Steps) // first step after t
	for lo < hi {
		mid := (lo + hi) / 2
		if rec.Steps[mid].At.After(t) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return max(lo-1, 0)
}

// Graph rebuilds the fleet as it was at step i.
func (rec *Recording) Graph(i int) (*topology.Graph, error) {
	s := rec.Steps[i]
	lv, err := rec.leavesAt(i)
	if err != nil {
		return nil, &LineError{rec.Name, s.Line, err}
	}
	b, err := unflatten(s.At, lv)
	if err != nil {
		return nil, &LineError{rec.Name, s.Line, err}
	}
	g := new(topology.Graph)
	if err := json.Unmarshal(b, g); err != nil {
		return nil, &LineError{rec.Name, s.Line, err}
	}
	return g, nil
}

// leavesAt replays the deltas from step i's keyframe (or from the cached
// step, when it lies between).
func (rec *Recording) leavesAt(i int) (leaves, error) {
	key := rec.Steps[i].key
	from := key
	if rec.cacheStep >= key && rec.cacheStep <= i && rec.Steps[rec.cacheStep].key == key {
		from = rec.cacheStep
	} else {
		_, lv, err := newIndexes().flatten(rec.Steps[key].raw)
		if err != nil {
			return nil, err
		}
		rec.cache, rec.cacheStep = lv, key
	}
	for j := from + 1; j <= i; j++ {
		var d deltaLine
		if err := json.Unmarshal(rec.Steps[j].raw, &d); err != nil {
			rec.cacheStep = -1
			return nil, err
		}
		apply(rec.cache, d)
		rec.cacheStep = j
	}
	out := make(leaves, len(rec.cache))
	for k, v := range rec.cache {
		out[k] = v
	}
	return out, nil
}

// apply changes lv by one delta: deletions (a whole node or link, or a
// leaf), then the leaves set.
func apply(lv leaves, d deltaLine) {
	for _, p := range d.Del {
		delete(lv, p)
		prefix := p + "/"
		for k := range lv {
			if len(k) > len(prefix) && k[:len(prefix)] == prefix {
				delete(lv, k)
			}
		}
	}
	for k, v := range d.Set {
		lv[k] = string(v)
	}
}

// EventsUpTo returns the events of steps 0..i.
func (rec *Recording) EventsUpTo(i int) []topology.Event {
	var out []topology.Event
	for _, s := range rec.Steps[:i+1] {
		out = append(out, s.Events...)
	}
	return out
}

// ParseTime reads an instant of a recording that started at start:
// "+90s" (a Go duration after the start), an RFC 3339 time, or a time
// of day "15:04[:05]" on the start's date and in its time zone.
func ParseTime(s string, start time.Time) (time.Time, error) {
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return time.Time{}, fmt.Errorf("time %q: want +DURATION such as +90s or +1h2m", s)
		}
		return start.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if c, err := time.Parse(layout, s); err == nil {
			y, m, d := start.Date()
			return time.Date(y, m, d, c.Hour(), c.Minute(), c.Second(), 0, start.Location()), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2006-01-02T15:04:05Z), a time of day (15:04:05) or +DURATION from the start (+90s)", s)
}
