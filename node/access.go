package node

import (
	"math/rand/v2"
	"strings"

	"github.com/replscope/replscope/node/keyspace"
)

// Key access clocks, kept as Redis 7.0.15 keeps them in robj.lru: under an
// LRU (or no-eviction) policy the 24-bit LRU clock, in seconds, of the
// key's last access; under an LFU policy the minute of the last decrement
// (16 bits) and a logarithmic access counter (8 bits). Every lookup of a
// key touches it except those of TYPE, EXISTS, the TTL family and OBJECT
// (Redis's LOOKUP_NOTOUCH) and those while a snapshot is being written
// (Redis touches nothing while it has a child). OBJECT IDLETIME and OBJECT
// FREQ read it; RESTORE's IDLETIME and FREQ set it. The field is read as
// the current policy says, as Redis reads it: switching policy makes the
// old values meaningless until keys are touched again.
//
// lfu-log-factor and lfu-decay-time are accepted but not applied by the
// config: their defaults (10 and 1) apply.

const (
	lruClockMax  = keyspace.AccessMask // LRU_CLOCK_MAX
	lfuLogFactor = 10                  // lfu-log-factor's default
	lfuDecayTime = 1                   // lfu-decay-time's default, minutes
)

// accessClock is the node's cached clock for key accesses: Redis's
// server.lruclock, refreshed by the cron.
type accessClock struct {
	lfu bool   // maxmemory-policy is an LFU one
	lru uint32 // LRU clock: unix seconds & LRU_CLOCK_MAX
}

// lruClockAt is LRU_CLOCK() at now (unix ms).
func lruClockAt(nowMs int64) uint32 { return uint32(nowMs/1000) & lruClockMax }

// lfuMinutesAt is LFUGetTimeInMinutes() at now (unix ms).
func lfuMinutesAt(nowMs int64) uint32 { return uint32(nowMs/1000/60) & 65535 }

// refreshAccessClockLocked reads the policy and the time into the cached
// clock and gives the keyspace the access field of new keys (createObject:
// the LRU clock, or this minute with LFU_INIT_VAL). The cron calls it ten
// times a second (serverCron updates server.lruclock), CONFIG SET when the
// policy changes.
func (n *Node) refreshAccessClockLocked() {
	now := n.nowMs()
	n.access.lfu = strings.Contains(n.cfg.MaxmemoryPolicy, "lfu")
	n.access.lru = lruClockAt(now)
	if n.access.lfu {
		n.ks.SetAccessStamp(lfuMinutesAt(now)<<8 | lfuInitVal)
	} else {
		n.ks.SetAccessStamp(n.access.lru)
	}
}

// touchAccessLocked records an access to e at now, as lookupKey does:
// the LRU clock, or the LFU counter decayed then incremented.
func (n *Node) touchAccessLocked(e *keyspace.Entry, nowMs int64) {
	if n.ks.Snapshotting() {
		return
	}
	if !n.access.lfu {
		e.SetAccess(n.access.lru)
		return
	}
	c := lfuLogIncr(lfuDecayed(e.Access(), nowMs), n.rng)
	e.SetAccess(lfuMinutesAt(nowMs)<<8 | c)
}

// lfuDecayed is LFUDecrAndReturn: the counter of access field v less one
// per lfu-decay-time minutes since its last decrement.
func lfuDecayed(v uint32, nowMs int64) uint32 {
	ldt, counter := v>>8, v&255
	now := lfuMinutesAt(nowMs)
	elapsed := now - ldt
	if now < ldt {
		elapsed = 65535 - ldt + now
	}
	if periods := elapsed / lfuDecayTime; periods > 0 {
		if periods > counter {
			return 0
		}
		return counter - periods
	}
	return counter
}

// lfuLogIncr is LFULogIncr: the counter grows with a probability that
// falls as it rises, up to 255.
func lfuLogIncr(counter uint32, r *rand.Rand) uint32 {
	if counter == 255 {
		return 255
	}
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	if r.Float64() < 1/(base*lfuLogFactor+1) {
		counter++
	}
	return counter
}

// idleSeconds is estimateObjectIdleTime in seconds: the LRU clock's
// distance from e's access field, unwrapped once.
func (n *Node) idleSeconds(e *keyspace.Entry) int64 {
	clock, v := n.access.lru, e.Access()
	if clock >= v {
		return int64(clock - v)
	}
	return int64(clock) + int64(lruClockMax-v)
}

// restoreAccessLocked is objectSetLRUOrLFU for RESTORE: under an LFU
// policy FREQ sets the counter (IDLETIME is ignored); under any other
// IDLETIME sets the access clock that many seconds back (FREQ is ignored).
// freq and idle are -1 when not given.
func (n *Node) restoreAccessLocked(e *keyspace.Entry, freq, idle, nowMs int64) {
	if n.access.lfu {
		if freq >= 0 {
			e.SetAccess(lfuMinutesAt(nowMs)<<8 | uint32(freq))
		}
		return
	}
	if idle < 0 {
		return
	}
	idle = idle * 1000 / 1000 // lru_idle*lru_multiplier/LRU_CLOCK_RESOLUTION, wrapping as in C
	abs := int64(n.access.lru) - idle
	if abs < 0 {
		abs += lruClockMax
	}
	e.SetAccess(uint32(abs)) // the 24-bit field keeps the low bits
}
