package topology

import (
	"math/bits"
	"time"
)

// minEstimateRate is the write rate (bytes/s) under which no estimate is
// derived from it: an idle master's PINGs (14 bytes every 10 s) turn a
// few bytes of lag into hours and a 1 MB margin into days.
const minEstimateRate = 64

// meaningful reports whether estimates may divide by this rate.
func meaningful(r Rate) bool {
	return r.Known && r.PerSec >= minEstimateRate
}

// belowFloor reports whether a partial-resync margin is low: under a
// tenth of the backlog, or under floor of writes at the current rate.
func belowFloor(c Coverage, size int64, floor time.Duration) bool {
	if size > 0 && c.Margin < size/10 {
		return true
	}
	return c.WindowKnown && c.Window < floor
}

// addRate appends a write-rate reading, keeping those within window.
func addRate(rs []RateSample, at time.Time, r Rate, window time.Duration) []RateSample {
	out := make([]RateSample, 0, len(rs)+1)
	for _, s := range rs {
		if at.Sub(s.At) <= window && s.At.Before(at) {
			out = append(out, s)
		}
	}
	if r.Known {
		out = append(out, RateSample{At: at, PerSec: r.PerSec})
	}
	if len(out) > maxSamples {
		out = out[len(out)-maxSamples:]
	}
	return out
}

// peakRate is the highest write rate read within the outage window: the
// rate the backlog must be sized for, steady while a burst lasts instead
// of following each reading. Unknown when the current rate is.
func peakRate(rs []RateSample, cur Rate) Rate {
	if !cur.Known {
		return cur
	}
	for _, s := range rs {
		cur.PerSec = max(cur.PerSec, s.PerSec)
	}
	return cur
}

// roundSize rounds n up to two significant binary digits and a half
// (steps of an eighth of the power of two below it), so that advice
// moves in coarse steps.
func roundSize(n int64) int64 {
	if n <= 1<<10 {
		return n
	}
	step := int64(1) << (bits.Len64(uint64(n)) - 4)
	return (n + step - 1) / step * step
}
