package simnet

import (
	"strings"
)

// hostPair names the two hosts of a link, in sorted order.
type hostPair struct{ a, b string }

func makeHostPair(x, y string) hostPair {
	if y < x {
		x, y = y, x
	}
	return hostPair{x, y}
}

// hostOf returns the part of "host:port" before the last ':'.
func hostOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}

// blockedLocked reports whether dials between the pair's hosts are refused.
func (n *Network) blockedLocked(p hostPair) bool {
	if _, ok := n.cuts[p]; ok {
		return true
	}
	if p.a == p.b {
		return false
	}
	_, ia := n.isolated[p.a]
	_, ib := n.isolated[p.b]
	return ia || ib
}

// Cut resets every live connection between hosts a and b (host is the part
// of an address before ':'): both ends fail with an error wrapping
// syscall.ECONNRESET and unread bytes are lost. New dials between a and b
// are refused until Heal(a, b) or HealAll.
func (n *Network) Cut(a, b string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p := makeHostPair(a, b)
	n.cuts[p] = struct{}{}
	n.resetLocked(func(lk *link) bool { return lk.hosts == p })
	n.notifyLocked() // dials waiting on a paused link now fail
}

// Heal lifts a Cut between hosts a and b.
func (n *Network) Heal(a, b string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.cuts, makeHostPair(a, b))
	n.notifyLocked()
}

// Isolate cuts host a off from every other host, as Cut does, until
// HealAll. Connections from a to itself are unaffected.
func (n *Network) Isolate(a string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.isolated[a] = struct{}{}
	n.resetLocked(func(lk *link) bool {
		return lk.hosts.a != lk.hosts.b && (lk.hosts.a == a || lk.hosts.b == a)
	})
	n.notifyLocked()
}

// HealAll lifts every Cut, Isolate and Pause.
func (n *Network) HealAll() {
	n.mu.Lock()
	defer n.mu.Unlock()
	clear(n.cuts)
	clear(n.isolated)
	clear(n.paused)
	for lk := range n.links {
		lk.setPaused(false)
	}
	n.notifyLocked()
}

// Pause stalls the link between hosts a and b without closing it: writes
// still succeed into the connection buffers (until full) but no byte is
// delivered, and new dials between a and b wait, until Resume(a, b).
func (n *Network) Pause(a, b string) {
	n.setPaused(makeHostPair(a, b), true)
}

// Resume delivers the bytes held by Pause(a, b) and lets dials through.
func (n *Network) Resume(a, b string) {
	n.setPaused(makeHostPair(a, b), false)
}

func (n *Network) setPaused(p hostPair, paused bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if paused {
		n.paused[p] = struct{}{}
	} else {
		delete(n.paused, p)
		n.notifyLocked()
	}
	for lk := range n.links {
		if lk.hosts == p {
			lk.setPaused(paused)
		}
	}
}

// resetLocked resets and forgets the links match selects.
func (n *Network) resetLocked(match func(*link) bool) {
	for lk := range n.links {
		if match(lk) {
			lk.reset()
			delete(n.links, lk)
		}
	}
}
