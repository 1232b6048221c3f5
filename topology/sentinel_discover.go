package topology

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Finding Sentinels without a Sentinel seed: a Sentinel keeps two
// connections to every master and replica it monitors, named
// sentinel-<id>-cmd and sentinel-<id>-pubsub in CLIENT LIST, and
// publishes "ip,port,runid,epoch,name,master-ip,master-port,epoch" on the
// instance's __sentinel__:hello channel every 2 s. A master that has such
// connections but belongs to no known group is asked once in a while: its
// hello channel names the Sentinels, which the next rounds probe (and,
// through SENTINEL SENTINELS, every other Sentinel they know). Sentinels
// connect to replicas too, so a replica is asked when its master cannot
// be (down, unreachable, CLIENT refused).
const (
	huntEvery  = 30 * time.Second // between two hunts on one master
	huntListen = 5 * time.Second  // how long a hunt listens for hellos
)

// huntable reports whether n is worth a search for Sentinels: a
// reachable node in no known Sentinel group that is a master, or a
// replica whose master cannot be asked (not reached, or it refuses
// CLIENT): the Sentinels of a group connect to all its nodes, so the
// master alone tells when it can. A cluster node is not (Sentinel does
// not manage Redis Cluster).
func huntable(g *Graph, n *Node) bool {
	if n.Reach != ReachOK || n.Cluster != nil || g.SentinelGroupOf(n.ID) != nil {
		return false
	}
	switch n.Role {
	case RoleMaster:
		return true
	case RoleReplica:
		if n.Upstream == nil {
			return true
		}
		m := g.ByAddr(n.Upstream.Addr)
		return m == nil || m.Reach != ReachOK || m.Unknown("CLIENT") != ""
	}
	return false
}

// hunt starts a search on every huntable node of g not searched within
// huntEvery.
func (f *sentinelFeed) hunt(g *Graph) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.on || f.ctx.Err() != nil {
		return
	}
	now := time.Now()
	for _, n := range g.Nodes {
		if !huntable(g, n) {
			continue
		}
		if last, ok := f.hunted[n.Addr]; ok && now.Sub(last) < huntEvery {
			continue
		}
		f.hunted[n.Addr] = now
		f.wg.Add(1)
		go f.huntOne(n.Addr)
	}
}

// huntOne looks for Sentinel connections on the node at addr and, when
// there are some, listens to its hello channel for the Sentinels'
// addresses.
func (f *sentinelFeed) huntOne(addr string) {
	defer f.wg.Done()
	f.huntAddr(f.ctx, addr)
}

// huntAddr is one search, bounded by ctx and huntListen; it reports
// whether it found a Sentinel not known before.
func (f *sentinelFeed) huntAddr(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, huntListen+2*time.Second)
	defer cancel()
	c, err := Connect(ctx, f.dial, addr, f.auth.For(addr))
	if err != nil {
		return false
	}
	defer c.Close()
	stop := bindDeadline(ctx, c)
	defer stop()
	v, err := c.Do("CLIENT", "LIST")
	if err != nil || !strings.Contains(string(v.Str), "name=sentinel-") {
		return false // none, or CLIENT refused: nothing to learn here
	}
	ids := sentinelClientIDs(string(v.Str))
	_ = c.Conn().SetDeadline(time.Now().Add(huntListen))
	if err := c.Send("SUBSCRIBE", "__sentinel__:hello"); err != nil {
		return false
	}
	seen := map[string]bool{}
	found := false
	for len(seen) < len(ids) {
		m, err := c.Receive()
		if err != nil {
			return found
		}
		if len(m.Elems) != 3 || string(m.Elems[0].Str) != "message" {
			continue
		}
		a, runID, ok := parseHello(string(m.Elems[2].Str))
		if !ok {
			continue
		}
		seen[runID[:min(8, len(runID))]] = true
		f.auth.markSentinel(a, true)
		f.mu.Lock()
		if !slices.Contains(f.found, a) {
			f.found = append(f.found, a)
			found = true
		}
		f.mu.Unlock()
	}
	return found
}

// FindSentinels searches the masters and replicas of g that belong to no
// known Sentinel group for Sentinels (CLIENT LIST, then their hello channel),
// all at once, for at most a few seconds. It reports whether it found
// any new one: a Poll after it probes them. A started Watcher does this
// by itself, in the background.
func (w *Watcher) FindSentinels(ctx context.Context, g *Graph) bool {
	var found atomic.Bool
	var wg sync.WaitGroup
	for _, n := range g.Nodes {
		if huntable(g, n) {
			wg.Go(func() {
				if w.sev.huntAddr(ctx, n.Addr) {
					found.Store(true)
				}
			})
		}
	}
	wg.Wait()
	return found.Load()
}

// sentinelClientIDs returns the <id>s of CLIENT LIST's sentinel-<id>-cmd
// and sentinel-<id>-pubsub connections (the first 8 characters of each
// Sentinel's run_id).
func sentinelClientIDs(list string) []string {
	var out []string
	for _, line := range strings.Split(list, "\n") {
		name, ok := strings.CutPrefix(clientFields(line)["name"], "sentinel-")
		if !ok {
			continue
		}
		if id, _, _ := strings.Cut(name, "-"); !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// parseHello reads one __sentinel__:hello message: the Sentinel's
// address and run_id.
func parseHello(msg string) (addr, runID string, ok bool) {
	p := strings.Split(msg, ",")
	if len(p) < 8 || p[0] == "" || p[1] == "" {
		return "", "", false
	}
	return CanonAddr(p[0] + ":" + p[1]), p[2], true
}

// discovered returns the Sentinels hunts have found.
func (f *sentinelFeed) discovered() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.found...)
}
