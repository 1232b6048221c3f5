package tui

import (
	"time"

	"github.com/replscope/replscope/topology"
)

// lagWindow is how far back the byte-lag sparkline looks.
const lagWindow = time.Minute

// maxLagSamples bounds each replica's lag history.
const maxLagSamples = 256

// lagSample is one replica's byte lag at a moment.
type lagSample struct {
	at    time.Time
	bytes int64
}

// beat identifies one heartbeat: the replica's last I/O from its master
// ("io") or the master's last ACK from the replica ("ack").
type beat struct {
	replica topology.NodeID
	kind    string
}

// history is what the dashboard remembers across snapshots: each
// replica's byte lag over the last minute (for the sparkline) and the last
// heartbeat ages (a heartbeat "pulses" when its age drops: one arrived).
// It is pure: time comes from the Graphs.
type history struct {
	lag   map[topology.NodeID][]lagSample
	ages  map[beat]time.Duration
	pulse map[beat]bool
}

func newHistory() *history {
	return &history{lag: map[topology.NodeID][]lagSample{}, ages: map[beat]time.Duration{}, pulse: map[beat]bool{}}
}

// observe records a snapshot.
func (h *history) observe(g *topology.Graph) {
	if g == nil {
		return
	}
	cutoff := g.At.Add(-lagWindow)
	live := make(map[topology.NodeID]bool, len(g.Links))
	pulse := make(map[beat]bool, len(h.pulse))
	ages := make(map[beat]time.Duration, len(g.Links)*2)
	for _, l := range g.Links {
		hl := l.Health
		if up := g.Upstream(l.Replica); up != l {
			continue // a stale claim by a master the replica left
		}
		live[l.Replica] = true
		if hl.LagKnown {
			s := append(h.lag[l.Replica], lagSample{at: g.At, bytes: hl.LagBytes})
			h.lag[l.Replica] = trimSamples(s, cutoff)
		}
		for _, b := range []struct {
			kind string
			age  time.Duration
		}{{"io", hl.LastIO}, {"ack", hl.AckAge}} {
			k := beat{l.Replica, b.kind}
			if b.age < 0 {
				continue
			}
			prev, had := h.ages[k]
			pulse[k] = b.age == 0 || (had && b.age < prev)
			ages[k] = b.age
		}
	}
	for id := range h.lag {
		if !live[id] {
			delete(h.lag, id)
		}
	}
	h.ages, h.pulse = ages, pulse
}

// trimSamples drops samples older than cutoff and keeps at most
// maxLagSamples.
func trimSamples(s []lagSample, cutoff time.Time) []lagSample {
	i := 0
	for i < len(s) && s[i].at.Before(cutoff) {
		i++
	}
	if n := len(s) - i; n > maxLagSamples {
		i = len(s) - maxLagSamples
	}
	if i == 0 {
		return s
	}
	return append(s[:0:0], s[i:]...)
}

// pulsing reports whether a heartbeat just arrived.
func (h *history) pulsing(replica topology.NodeID, kind string) bool {
	return h.pulse[beat{replica, kind}]
}
