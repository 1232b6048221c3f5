package topology

import (
	"fmt"
	"math"
	"time"
)

// Coverage answers "if this replica's link dropped now, could it come back
// with a partial resync (+CONTINUE) instead of a full one?", and for how
// long that stays true at the current write rate.
//
// A reconnecting replica asks for the stream from offset+1. Redis accepts
// when the replica's replid is the master's replid (or its replid2 up to
// second_repl_offset) and first_byte <= offset+1 <= first_byte+histlen.
// The backlog always keeps at least the last repl_backlog_size bytes
// (Redis 7 trims whole blocks only while more than that stays, and may
// keep more), so while the link is down the master can write
//
//	Margin = repl_backlog_size - lag
//
// more bytes and the replica is still sure to partially resync.
type Coverage struct {
	Known   bool
	Partial bool   // a reconnect now would be a partial resync
	Reason  string // why not, or why unknown
	// Margin is how many more bytes the master can surely write before
	// the replica's next byte may leave the backlog; negative (minus the
	// bytes already lost) when it has.
	Margin int64
	// Window is Margin at the master's current write rate: the longest
	// outage this replica survives without a full resync. WindowKnown is
	// false when the write rate is unknown or zero (no writes: no limit).
	Window      time.Duration
	WindowKnown bool
	// Low is true when a partial resync is possible now but the margin is
	// under the floor (a tenth of the backlog, or less than
	// Thresholds.MarginFloor of writes): covered, but not for long.
	Low bool
}

// BacklogAdvice compares a node's repl-backlog-size with what an outage of
// a chosen length needs at the current write rate:
//
//	Needed = write rate (bytes/s) × outage window + the largest current lag
//
// A replica that disconnects for the whole window then still finds its
// next byte in the backlog. Recommended rounds Needed up with 25 % headroom
// to a value that can be given to CONFIG SET repl-backlog-size.
type BacklogAdvice struct {
	Known       bool
	Size        int64         // repl_backlog_size now
	Outage      time.Duration // the window to survive (Thresholds.OutageWindow)
	WriteRate   float64       // bytes/s used for the advice
	MaxLag      int64         // largest byte lag among this node's replicas
	Needed      int64         // bytes needed to survive Outage
	Enough      bool          // Size >= Needed
	Recommended int64         // a size to set when !Enough
	// Holds is the longest outage the current size survives at this rate
	// (HoldsKnown false when the rate is zero).
	Holds      time.Duration
	HoldsKnown bool
}

// minBacklog is Redis's smallest repl-backlog-size.
const minBacklog = 16 << 10

// coverage computes Coverage for a replica at offset off (with history
// replid) served by master m whose stream grows at writeRate bytes/s.
func coverage(m *Node, replid string, off int64, writeRate Rate) Coverage {
	switch {
	case m == nil || m.Reach != ReachOK:
		return Coverage{Reason: "master not readable"}
	case !m.Backlog.Active:
		return Coverage{Known: true, Reason: "master has no backlog"}
	case replid == "":
		return Coverage{Reason: "replica offset unknown"}
	}
	sameHistory := replid == m.ReplID ||
		(replid == m.ReplID2 && m.SecondOffset >= 0 && off+1 <= m.SecondOffset)
	if !sameHistory {
		return Coverage{Known: true, Reason: "replica has a different history (replid)"}
	}
	b := m.Backlog
	from := min(off+1, b.FirstByte+b.HistLen) // a replica read after its master may be a few bytes ahead
	c := Coverage{Known: true, Partial: b.CanServe(from)}
	if !c.Partial {
		c.Margin = from - b.FirstByte
		c.Reason = fmt.Sprintf("offset %d is %d bytes before the backlog's first byte %d", off, b.FirstByte-from, b.FirstByte)
		return c
	}
	lag := b.FirstByte + b.HistLen - from // bytes the replica still lacks
	// Servable now; beyond the configured size nothing is guaranteed.
	c.Margin = max(b.Size-lag, 0)
	if meaningful(writeRate) {
		c.Window = secondsDuration(float64(c.Margin) / writeRate.PerSec)
		c.WindowKnown = true
	}
	return c
}

// adviseBacklog sizes a node's backlog for an outage window.
func adviseBacklog(n *Node, writeRate Rate, maxLag int64, outage time.Duration) BacklogAdvice {
	a := BacklogAdvice{Size: n.Backlog.Size, Outage: outage, MaxLag: maxLag}
	if !writeRate.Known || n.Backlog.Size <= 0 {
		return a
	}
	a.Known = true
	a.WriteRate = writeRate.PerSec
	a.Needed = int64(math.Ceil(writeRate.PerSec*outage.Seconds())) + maxLag
	a.Enough = a.Size >= a.Needed
	if !a.Enough {
		a.Recommended = recommendSize(a.Needed)
	}
	if meaningful(writeRate) {
		a.Holds = secondsDuration(float64(max(a.Size-maxLag, 0)) / writeRate.PerSec)
		a.HoldsKnown = true
	}
	return a
}

// recommendSize adds 25 % headroom and rounds up to a whole number of
// megabytes (kilobytes below 1 MB; eighths of a power of two from 64 MB),
// never below Redis's 16 KB minimum.
func recommendSize(needed int64) int64 {
	want := needed + needed/4
	if want >= 64<<20 {
		return roundSize(want) // coarse steps: advice that does not flap
	}
	unit := int64(1 << 20)
	if want < unit {
		unit = 1 << 10
	}
	return max((want+unit-1)/unit*unit, minBacklog)
}

// FormatBytes renders a size the way redis.conf takes it (1024 multiples,
// lower-case units): "512b", "16kb", "1.5mb", "2gb". It is for texts that
// give a redis.conf value (advice, configured limits); every other size
// shown to people is human.Bytes.
func FormatBytes(n int64) string {
	units := []struct {
		div  int64
		name string
	}{{1 << 30, "gb"}, {1 << 20, "mb"}, {1 << 10, "kb"}}
	neg := ""
	if n < 0 {
		neg, n = "-", -n
	}
	for _, u := range units {
		if n >= u.div {
			if n%u.div == 0 {
				return fmt.Sprintf("%s%d%s", neg, n/u.div, u.name)
			}
			return fmt.Sprintf("%s%.1f%s", neg, float64(n)/float64(u.div), u.name)
		}
	}
	return fmt.Sprintf("%s%db", neg, n)
}

// secondsDuration converts seconds to a Duration, saturating.
func secondsDuration(s float64) time.Duration {
	if s > float64(math.MaxInt64)/1e9 {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}
