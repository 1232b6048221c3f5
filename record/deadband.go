package record

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Policy decides how much a recording keeps. The zero Policy takes the
// defaults.
type Policy struct {
	// KeyframeEvery is the recorded time between whole graphs (default
	// 10 min): a reader seeks from the keyframe before the instant.
	KeyframeEvery time.Duration
	// RefreshEvery is the longest a node's or link's moving measurements
	// go unwritten while they change within their deadband (default 60 s).
	RefreshEvery time.Duration
}

func (p Policy) withDefaults() Policy {
	if p.KeyframeEvery <= 0 {
		p.KeyframeEvery = 10 * time.Minute
	}
	if p.RefreshEvery <= 0 {
		p.RefreshEvery = time.Minute
	}
	return p
}

// Deadband returns the change of the numeric leaf named name (the last
// member of its path) below which a new value is not written on its
// own: none for counts that only move on an incident (sync_full,
// depth…), two seconds or a quarter for ages and durations, a twentieth
// of the range for fractions, a quarter for rates and what follows
// them, and 64 KiB or a tenth for byte sizes, offsets and key counts. A lag of 30 KB in a fleet
// writing 100 KB/s is noise; one that crosses 64 KiB is written at once.
func Deadband(name string, old float64) float64 {
	rel := func(floor, frac float64) float64 { return math.Max(floor, frac*math.Abs(old)) }
	switch {
	case name == "polled_at" || name == "last_ok" || strings.HasSuffix(name, "_s") ||
		strings.HasSuffix(name, "_seconds"):
		return rel(2, 0.25)
	case name == "progress" || name == "sync_progress" || name == "loading_perc":
		return 0.05
	case strings.HasSuffix(name, "_bps") || strings.HasSuffix(name, "_rate") || name == "write_rate":
		return rel(1024, 0.25)
	case name == "needed" || name == "recommended": // follow the write rate
		return rel(64<<10, 0.25)
	case strings.Contains(name, "bytes") || strings.Contains(name, "offset") || name == "keys" ||
		name == "size" || name == "first_byte" || name == "histlen":
		return rel(64<<10, 0.1)
	}
	return 0
}

// softText are the members that restate other measurements (a text
// like "margin 3.1 MB", an alert's value, a byte counter whose rate is
// kept): written with the measurements, never on their own.
var softText = []string{"coverage_note", "note", "pick_why", "message", "value", "limit",
	"repl_input_bytes", "repl_output_bytes"} // and the byte counters whose rates are kept

// moved reports whether the leaf at path changing from old to cur is
// worth a line on its own: a number when it moved by more than its
// Deadband; a text that restates measurements never; any
// other change always.
func moved(path, old, cur string) bool {
	name := path[strings.LastIndexByte(path, '/')+1:]
	if slices.Contains(softText, name) {
		return false
	}
	a, errA := strconv.ParseFloat(old, 64)
	b, errB := strconv.ParseFloat(cur, 64)
	if errA != nil || errB != nil {
		return true
	}
	return math.Abs(b-a) > Deadband(name, a)
}

// rateLike reports whether the leaf at path is a rate or follows one (the
// backlog advice, how long a margin lasts): written when it moves past
// its deadband, alone, without the node's other measurements.
func rateLike(path string) bool {
	name := path[strings.LastIndexByte(path, '/')+1:]
	return strings.HasSuffix(name, "_bps") || strings.HasSuffix(name, "_rate") || name == "write_rate" ||
		strings.Contains(path, "backlog_advice/") || name == "backlog_window_s"
}

// shortNumber writes a fractional number a delta carries with the
// precision the dashboard shows: whole from 100 up, else 4 significant
// digits ("143612", "7.843", "0.1495"). Anything else is kept as is.
func shortNumber(v string) string {
	if !strings.ContainsAny(v, ".eE") || strings.HasPrefix(v, "\"") {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	if math.Abs(f) >= 100 {
		return strconv.FormatFloat(math.Round(f), 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}
