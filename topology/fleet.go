package topology

import (
	"strconv"
	"strings"
	"sync"
)

// A Fleet is a set of nodes its owner starts, stops and reconfigures while
// a Watcher reads them — the scenarios' Cluster: nodes are added, killed,
// restarted (an embedded node comes back as a new in-process node at the
// same address), change their password, and reach their master through a
// fault-injecting proxy. The Watcher asks it for its members at the start
// of every round: they are seeds, their embedded nodes are read in
// process, and their passwords are the credentials of their addresses.
type Fleet interface {
	// Members lists the nodes now.
	Members() []Member
}

// Member is one node of a Fleet as it is now.
type Member struct {
	// Addr is where the node listens ("host:port").
	Addr string
	// Password is what clients authenticate with ("" for none).
	Password string
	// Embedded is the running in-process node; nil reads the node over
	// RESP (a redis-server, a redis-sentinel, or a stopped node).
	Embedded EmbeddedNode
	// Proxy, when set, is the address through which the node reaches its
	// master, and ProxyTarget the master behind it: the Graph shows that
	// link as the link to ProxyTarget (and discovery follows it there).
	Proxy, ProxyTarget string
}

// fleetRound is what a round takes from the Fleet.
type fleetRound struct {
	seeds    []string                // canonical addresses
	embedded map[string]EmbeddedNode // canonical address → running node
	proxied  map[string]Member       // canonical address → a member behind a proxy
}

// readFleet asks the Fleet (if any) for its members and hands their
// passwords to the Watcher's credentials.
func (w *Watcher) readFleet() fleetRound {
	r := fleetRound{embedded: map[string]EmbeddedNode{}, proxied: map[string]Member{}}
	if w.cfg.Fleet == nil {
		return r
	}
	creds := map[string]Credentials{}
	for _, m := range w.cfg.Fleet.Members() {
		a := CanonAddr(m.Addr)
		r.seeds = append(r.seeds, a)
		creds[a] = Credentials{Password: m.Password}
		if m.Embedded != nil {
			r.embedded[a] = m.Embedded
		}
		if m.Proxy != "" {
			r.proxied[a] = m
		}
	}
	w.auth.fleet.set(creds)
	return r
}

// unproxy shows the link of a node behind a proxy (a member with Proxy
// set) as the link to the master behind that proxy. n is a copy of a
// probe's result: its Upstream is copied before it changes.
func (r fleetRound) unproxy(n *Node) {
	m, ok := r.proxied[n.Addr]
	if !ok || n.Upstream == nil || n.Upstream.Addr != CanonAddr(m.Proxy) {
		return
	}
	up := *n.Upstream
	host, port, _ := strings.Cut(m.ProxyTarget, ":")
	up.Host, up.Addr = host, CanonAddr(m.ProxyTarget)
	if p, err := strconv.Atoi(port); err == nil {
		up.Port = p
	}
	n.Upstream = &up
}

// fleetCreds are the credentials of a Fleet's members, replaced at every
// round and shared by every copy of the Watcher's Auth.
type fleetCreds struct {
	mu    sync.Mutex
	creds map[string]Credentials // canonical address → credentials
}

func (f *fleetCreds) set(creds map[string]Credentials) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creds = creds
}

// get returns addr's credentials; ok is false for an address the Fleet
// does not have (and for a nil fleetCreds: no Fleet).
func (f *fleetCreds) get(addr string) (c Credentials, ok bool) {
	if f == nil {
		return Credentials{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok = f.creds[addr]
	return c, ok
}
