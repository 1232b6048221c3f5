// Package record writes and reads replscope recordings: a watched
// fleet's timeline as JSON lines, compact enough to keep a day of a
// 50-node fleet polled every second under 100 MB, and readable up to its
// last full line however the recorder stopped.
//
// A recording is a sequence of lines, each one JSON object:
//
//	{"type":"header","format":"replscope-recording","version":1,"started":T,"source":"…"}
//	{"type":"graph",…}   a keyframe: the whole graph, as `replscope watch --json` prints it
//	{"type":"delta","at":T,"set":{PATH:VALUE,…},"del":[PATH,…]}
//	{"type":"event",…}   an event, as `replscope watch --json` prints it
//
// A header starts each segment (a recorder appending to an existing file
// starts a new one) and is followed by a keyframe. A delta changes the
// graph of the previous line: PATH names a leaf of the graph's JSON
// object with "/" between the member names, where "nN", "lN" and "aN" are
// the N-th node, link and alert of the last keyframe (one that appears
// later takes the next free N); deleting "nN" removes the whole node. A
// leaf is a string, number, boolean, null or array. A node's "polled_at"
// and "last_ok" are kept in deltas as seconds before the delta's "at", so
// that a node polled every round does not change. Events follow the graph
// or delta of the round that saw them.
//
// Measurements (offsets, lags, ages, rates) are written when they moved
// by more than a deadband (see Deadband), when something else about the
// same node or link changed in the round (an event about it, a role, a
// link state, a measurement past its deadband: then with its links, their
// other ends and its alerts), and at least every RefreshEvery; a keyframe
// every KeyframeEvery lets a reader seek without reading from the start.
package record

import "time"

// Format and Version name the recording format in its header line.
const (
	Format  = "replscope-recording"
	Version = 1
)

// Header is a segment's first line.
type Header struct {
	Type    string    `json:"type"` // "header"
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Started time.Time `json:"started"`
	// Source says what was recorded, e.g. "watch 10.0.0.1:6379".
	Source string `json:"source,omitempty"`
}

// The line types.
const (
	typeHeader = "header"
	typeGraph  = "graph"
	typeDelta  = "delta"
	typeEvent  = "event"
)
