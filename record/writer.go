package record

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/replscope/replscope/internal/human"
	"github.com/replscope/replscope/topology"
)

// Writer appends a timeline to a recording file, one whole line per
// write(2) with no buffering in between, so that whatever stops the
// process leaves every line it wrote complete except, at worst, the
// last. A write that fails (a full disk) is undone back to the last
// full line and stops the recording: Record returns the error once and
// ErrStopped after it. A Writer is used by one goroutine.
type Writer struct {
	path string
	f    file
	pol  Policy
	size int64 // bytes of the file that end with a full line
	err  error // what stopped the recording

	ix        *indexes
	state     leaves // what a reader holds after the last line written
	keyAt     time.Time
	refreshed map[string]time.Time // per node, link or top member: when its measurements were last written
	buf       bytes.Buffer
}

// file is what a Writer writes to: an *os.File (a test's full disk).
type file interface {
	io.WriteCloser
	Truncate(size int64) error
}

// ErrStopped is returned by Record after a write error stopped the
// recording.
var ErrStopped = errors.New("recording stopped")

// Create opens path for recording and writes a header, source naming
// what is recorded. An existing recording is appended to (a new
// segment; a line cut short by a killed recorder is removed first); an
// existing file that is not a recording is refused.
func Create(path, source string, pol Policy, now time.Time) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	size, err := resumePoint(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.Size() != size {
		if err := f.Truncate(size); err != nil { // a line cut short by a killed recorder
			f.Close()
			return nil, fmt.Errorf("record: %w", err)
		}
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("record: %w", err)
	}
	w := &Writer{path: path, f: f, pol: pol.withDefaults(), size: size}
	h, _ := json.Marshal(Header{Type: typeHeader, Format: Format, Version: Version, Started: now, Source: source})
	w.buf.Write(h)
	w.buf.WriteByte('\n')
	if err := w.flush(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// resumePoint checks that a non-empty file is a recording and returns
// the size up to its last full line.
func resumePoint(f *os.File, path string) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("record: %w", err)
	}
	if st.Size() == 0 {
		return 0, nil
	}
	first, err := bufio.NewReader(io.LimitReader(f, 1<<20)).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("record: %w", err)
	}
	if _, err := parseHeader(first); err != nil {
		return 0, fmt.Errorf("record: %s exists and is not a replscope recording (line 1: %v): refusing to append to it", path, err)
	}
	return lastLineEnd(f, st.Size())
}

// lastLineEnd returns the offset just past the file's last newline.
func lastLineEnd(f *os.File, size int64) (int64, error) {
	const chunk = 64 << 10
	b := make([]byte, chunk)
	for end := size; end > 0; {
		start := max(end-chunk, 0)
		n, err := f.ReadAt(b[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("record: %w", err)
		}
		if i := bytes.LastIndexByte(b[:n], '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// Path returns the file being written.
func (w *Writer) Path() string { return w.path }

// Size returns the bytes of the file that end with a full line.
func (w *Writer) Size() int64 { return w.size }

// Err returns what stopped the recording, or nil.
func (w *Writer) Err() error { return w.err }

// Record appends one round: its graph (a keyframe, or a delta from the
// last line) and its events.
func (w *Writer) Record(u topology.Update) error {
	if w.err != nil {
		return ErrStopped
	}
	if u.Graph != nil {
		if err := w.graph(u.Graph, u.Events); err != nil {
			return w.stop(err)
		}
	} else if len(u.Events) > 0 && w.state != nil {
		w.delta(u.Events[0].Time, nil, nil)
	}
	for _, e := range u.Events {
		b, err := json.Marshal(e)
		if err != nil {
			return w.stop(fmt.Errorf("encode event: %w", err))
		}
		w.buf.Write(b)
		w.buf.WriteByte('\n')
	}
	if err := w.flush(); err != nil {
		return w.stop(err)
	}
	return nil
}

// graph adds a keyframe or a delta for g; the round's events make every
// measurement of the nodes and links they concern worth writing.
func (w *Writer) graph(g *topology.Graph, events []topology.Event) error {
	b, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("encode graph: %w", err)
	}
	if w.state == nil || g.At.Sub(w.keyAt) >= w.pol.KeyframeEvery || g.At.Before(w.keyAt) {
		w.ix = newIndexes()
		at, lv, err := w.ix.flatten(b)
		if err != nil {
			return fmt.Errorf("encode graph: %w", err)
		}
		w.state, w.keyAt, w.refreshed = lv, at, map[string]time.Time{}
		w.buf.Write(b)
		w.buf.WriteByte('\n')
		return nil
	}
	at, lv, err := w.ix.flatten(b)
	if err != nil {
		return fmt.Errorf("encode graph: %w", err)
	}
	forced := map[string]bool{}
	for _, e := range events {
		for _, id := range []topology.NodeID{e.Node, e.Peer} {
			for _, p := range w.ix.about(string(id)) {
				forced[p] = true
			}
		}
	}
	set, del := w.changes(at, lv, forced)
	if len(set) > 0 || len(del) > 0 || len(events) > 0 {
		w.delta(at, set, del)
	}
	return nil
}

// changes compares the new leaves with what a reader holds and returns
// what to write, updating the reader's state to match. A measurement
// within its deadband is written with the other changes of its node,
// link or alert and of those it is measured from (a link's lag with its
// ends' offsets, an alert with its node), when forced names it, or when
// it was last written RefreshEvery ago.
func (w *Writer) changes(at time.Time, lv leaves, forced map[string]bool) (map[string]json.RawMessage, []string) {
	set := map[string]json.RawMessage{}
	var del []string
	gone := map[string]bool{}
	for k := range w.state {
		if _, ok := lv[k]; !ok {
			gone[k] = true
		}
	}
	whole := map[string]bool{} // entities with no leaf left: deleted at once
	for k := range gone {
		if e := entity(k); e != k && !hasEntity(lv, e) {
			whole[e] = true
			continue
		}
		del = append(del, k)
	}
	for e := range whole {
		del = append(del, e)
	}
	pending := map[string]string{}
	for k, v := range lv {
		v = shortNumber(v)
		old, ok := w.state[k]
		switch {
		case ok && old == v:
		case !ok || moved(k, old, v):
			set[k] = json.RawMessage(v)
			if !ok || !rateLike(k) {
				forced[entity(k)] = true
			}
		default:
			pending[k] = v
		}
	}
	w.ix.widen(forced)
	for k, v := range pending {
		if e := entity(k); forced[e] || at.Sub(w.refreshed[e]) >= w.pol.RefreshEvery {
			set[k] = json.RawMessage(v)
		}
	}
	for k := range set {
		w.refreshed[entity(k)] = at
	}
	for k := range gone {
		delete(w.state, k)
	}
	for k, v := range set {
		w.state[k] = string(v)
	}
	sort.Strings(del)
	return set, del
}

// hasEntity reports whether any leaf belongs to entity e.
func hasEntity(lv leaves, e string) bool {
	for k := range lv {
		if entity(k) == e {
			return true
		}
	}
	return false
}

// deltaLine is a {"type":"delta"} line.
type deltaLine struct {
	Type string                     `json:"type"`
	At   time.Time                  `json:"at"`
	Set  map[string]json.RawMessage `json:"set,omitempty"`
	Del  []string                   `json:"del,omitempty"`
}

func (w *Writer) delta(at time.Time, set map[string]json.RawMessage, del []string) {
	b, _ := json.Marshal(deltaLine{Type: typeDelta, At: at, Set: set, Del: del})
	w.buf.Write(b)
	w.buf.WriteByte('\n')
}

// flush writes the buffered lines in one write; a failed write is cut
// back to the last full line.
func (w *Writer) flush() error {
	defer w.buf.Reset()
	if w.buf.Len() == 0 {
		return nil
	}
	n, err := w.f.Write(w.buf.Bytes())
	if err != nil {
		if n > 0 {
			_ = w.f.Truncate(w.size)
		}
		return fmt.Errorf("write: %w", err)
	}
	w.size += int64(n)
	return nil
}

// stop ends the recording after err.
func (w *Writer) stop(err error) error {
	w.err = fmt.Errorf("recording to %s stopped after %s: %w (what was written stays readable)",
		w.path, human.Bytes(w.size), err)
	_ = w.f.Close()
	return w.err
}

// Close ends the recording.
func (w *Writer) Close() error {
	if w.err != nil {
		return nil // closed when it stopped
	}
	w.err = ErrStopped
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}
