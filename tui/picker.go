package tui

import (
	"fmt"
	"strings"

	"github.com/replscope/replscope/topology"
)

// candidate is one possible new master for the node being attached, with
// the guard's verdict on following it.
type candidate struct {
	node    *topology.Node
	verdict topology.Verdict
	// clusterID and slots name a cluster master (CLUSTER REPLICATE).
	clusterID string
	slots     []topology.SlotRange
}

// pickerPane lists the candidate masters for `a`: every readable node but
// the one being attached, each with the sync the guard predicts (partial,
// or full and its cause: replid mismatch, offset beyond the backlog…) or
// why it refuses (a cycle, an empty master…). Under the list, the guard's
// sentence on the candidate under the cursor.
//
// On a Redis Cluster node the re-point is CLUSTER REPLICATE <node-id>
// (cluster nodes refuse REPLICAOF): the candidates are the cluster's
// masters, each with its node id and slots.
type pickerPane struct {
	st      *state
	node    *topology.Node
	graph   *topology.Graph
	cands   []candidate
	cursor  int
	cluster bool
}

// newPicker builds the candidates for attaching n on g.
func newPicker(st *state, g *topology.Graph, n *topology.Node) pickerPane {
	p := pickerPane{st: st, node: n, graph: g, cluster: inCluster(g, n)}
	if p.cluster {
		p.cands = clusterCandidates(g, n)
		p.startOnAllowed()
		return p
	}
	for _, m := range g.Nodes {
		if m.ID == n.ID || m.Reach != topology.ReachOK || m.Role == topology.RoleSentinel {
			continue
		}
		p.cands = append(p.cands, candidate{node: m, verdict: topology.CheckAttach(g, n.ID, m.Addr)})
	}
	p.startOnAllowed()
	return p
}

// startOnAllowed puts the cursor on the first candidate the guard allows.
func (p *pickerPane) startOnAllowed() {
	for i, c := range p.cands {
		if c.verdict.Allowed {
			p.cursor = i
			break
		}
	}
}

// clusterCandidates are the masters of n's cluster that answered, but n,
// in shard order, each judged as CLUSTER REPLICATE <its id> on n.
func clusterCandidates(g *topology.Graph, n *topology.Node) []candidate {
	var out []candidate
	for _, s := range g.Cluster.Shards {
		m := g.Node(s.Master)
		if m == nil || m.ID == n.ID || m.Reach != topology.ReachOK {
			continue
		}
		plan, err := topology.ClusterReplicatePlan(g, n.ID, m.Addr)
		if err != nil {
			continue
		}
		out = append(out, candidate{node: m, verdict: plan.Verdict, clusterID: s.ID, slots: s.Slots})
	}
	return out
}

// move moves the cursor.
func (p *pickerPane) move(delta int) { p.cursor = clamp(p.cursor+delta, 0, len(p.cands)-1) }

// jump goes to the first or last candidate.
func (p *pickerPane) jump(top bool) {
	if top {
		p.cursor = 0
	} else {
		p.cursor = max(len(p.cands)-1, 0)
	}
}

// chosen returns the candidate under the cursor.
func (p *pickerPane) chosen() (candidate, bool) {
	if len(p.cands) == 0 {
		return candidate{}, false
	}
	return p.cands[p.cursor], true
}

// view draws the picker as h lines of width w.
func (p *pickerPane) view(w, h int) []string {
	st := p.st.styles
	how, none := "pick its new master (REPLICAOF host port)", "no other readable node"
	if p.cluster {
		how, none = "pick its new master: CLUSTER REPLICATE <node-id>", "no other reachable cluster master"
	}
	lines := []string{
		paneTitle(st, "Attach "+p.node.Addr+" to…", w, true),
		fit("  "+st.Dim.Render(how), w),
	}
	if len(p.cands) == 0 {
		lines = append(lines, "  "+st.Dim.Render(none))
	}
	body := h - len(lines)
	for i := scrollFor(0, p.cursor, body, len(p.cands)); i < len(p.cands) && len(lines) < h; i++ {
		c := p.cands[i]
		cur := "  "
		addr := c.node.Addr
		if i == p.cursor {
			cur = st.Cursor.Render(symCursor) + " "
			addr = st.Selected.Render(addr)
		}
		if c.clusterID != "" {
			addr += st.Dim.Render(fmt.Sprintf(" %.8s… %s", c.clusterID, topology.FormatSlots(c.slots)))
		}
		lines = append(lines, fit(cur+roleSymbol(st, c.node)+" "+addr+"  "+verdictText(st, c.verdict), w))
	}
	if c, ok := p.chosen(); ok && len(lines) < h-1 {
		if why := fullResyncWhy(c.verdict); why != "" {
			lines = append(lines, strings.Repeat(" ", max(w, 0)))
			for _, l := range wrapIndent(st.Dim.Render(why), w, 2) {
				lines = append(lines, fit(l, w))
			}
		}
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", max(w, 0)))
	}
	return lines[:h]
}

// fullResyncWhy is the guard's sentence on why an attach will resync
// fully ("" when it will not), from its notes.
func fullResyncWhy(v topology.Verdict) string {
	const prefix = "expect a full resync: "
	for _, n := range v.Notes {
		if strings.HasPrefix(n, prefix) {
			return symSyncing + " " + strings.TrimPrefix(n, prefix)
		}
	}
	return ""
}

// verdictText summarizes an attach verdict: "✓ partial resync", "↻ full
// resync · replid-mismatch" (the guard's cause), or "✗ cycle: …".
func verdictText(st Styles, v topology.Verdict) string {
	if !v.Allowed {
		r := v.Reasons[0]
		more := ""
		if len(v.Reasons) > 1 {
			more = fmt.Sprintf(" (+%d)", len(v.Reasons)-1)
		}
		return st.Crit.Render(symLinkDown+" "+r.Code) + st.Dim.Render(": "+r.Message+more)
	}
	switch v.Sync {
	case topology.SyncPartial:
		return st.OK.Render(symOnline + " partial resync")
	case topology.SyncFull:
		s := st.Warn.Render(symSyncing + " full resync")
		if v.Cause != "" {
			s += st.Dim.Render(" · " + string(v.Cause))
		}
		return s
	default:
		return st.Dim.Render(symUnprobed + " sync unknown")
	}
}
