package rdb

import (
	"math"
	"strconv"
)

// StreamID is a stream entry ID: milliseconds and a sequence number. The
// keyspace's streams use this type too (keyspace.StreamID).
type StreamID struct{ Ms, Seq uint64 }

// MaxStreamID is the largest ID ("+").
var MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}

// Cmp compares two IDs: -1, 0 or 1.
func (a StreamID) Cmp(b StreamID) int {
	switch {
	case a.Ms > b.Ms:
		return 1
	case a.Ms < b.Ms:
		return -1
	case a.Seq > b.Seq:
		return 1
	case a.Seq < b.Seq:
		return -1
	}
	return 0
}

// Less reports whether a < b.
func (a StreamID) Less(b StreamID) bool { return a.Cmp(b) < 0 }

// IsZero reports whether the ID is 0-0.
func (a StreamID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Incr returns the next ID; ok is false (and the ID 0-0) past the last.
func (a StreamID) Incr() (StreamID, bool) {
	switch {
	case a.Seq < math.MaxUint64:
		a.Seq++
	case a.Ms < math.MaxUint64:
		a.Ms++
		a.Seq = 0
	default:
		return StreamID{}, false
	}
	return a, true
}

// Decr returns the previous ID; ok is false before 0-0.
func (a StreamID) Decr() (StreamID, bool) {
	switch {
	case a.Seq > 0:
		a.Seq--
	case a.Ms > 0:
		a.Ms--
		a.Seq = math.MaxUint64
	default:
		return MaxStreamID, false
	}
	return a, true
}

// Append appends the ID as "ms-seq".
func (a StreamID) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, a.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, a.Seq, 10)
}

// String returns "ms-seq".
func (a StreamID) String() string { return string(a.Append(nil)) }
