package tui

import (
	"fmt"

	"github.com/replscope/replscope/topology"
)

// badge is a node's state as the tree shows it: a symbol and a word, and
// the style that colours both.
type badge struct {
	sym   string
	text  string
	style Ink
}

// render draws the badge with its style.
func (b badge) render() string { return b.style.Render(b.sym + " " + b.text) }

// plain is the badge without styles (for widths and filters).
func (b badge) plain() string { return b.sym + " " + b.text }

// badgeWidth is the widest badge text ("↻ syncing 100%", "⊘ unreachable").
const badgeWidth = 14

// nodeBadge judges a node: unreachable, auth failed, unprobed, a sentinel,
// loading, or the state of its link to its master (online, syncing n%,
// connecting, link down). A master that answers is online.
func nodeBadge(st Styles, g *topology.Graph, n *topology.Node) badge {
	switch n.Reach {
	case topology.ReachUnreachable, topology.ReachError:
		return badge{symUnreachable, "unreachable", st.Crit}
	case topology.ReachAuthFailed:
		return badge{symUnreachable, "auth failed", st.Crit}
	case topology.ReachUnprobed:
		return badge{symUnprobed, "unprobed", st.Dim}
	}
	if n.Role == topology.RoleSentinel {
		return badge{symSentinel, "sentinel", st.Sentinel}
	}
	if n.Role != topology.RoleReplica || n.Upstream == nil {
		if n.Loading {
			return badge{symSyncing, fmt.Sprintf("loading %d%%", int(n.LoadingPerc)), st.Warn}
		}
		return badge{symOnline, "online", st.OK}
	}
	state := topology.LinkUnknown
	sync := n.Upstream.Sync
	if l := g.Upstream(n.ID); l != nil {
		state = l.Health.State
		if l.Health.Sync != nil {
			sync = l.Health.Sync
		}
	} else if n.Upstream.LinkUp {
		state = topology.LinkUp
	} else if sync != nil {
		state = topology.LinkSyncing
	} else {
		state = topology.LinkDown
	}
	switch state {
	case topology.LinkUp:
		return badge{symOnline, "online", st.OK}
	case topology.LinkSyncing:
		return badge{symSyncing, syncText(sync, n), st.Warn}
	case topology.LinkConnecting:
		return badge{symConnecting, "connecting", st.Warn}
	case topology.LinkDown:
		return badge{symLinkDown, "link down", st.Crit}
	default:
		return badge{symUnprobed, "unknown", st.Dim}
	}
}

// syncText is "syncing 45%", or "syncing" when the size is unknown
// (a diskless transfer), or "loading 30%" once the payload is in.
func syncText(p *topology.SyncProgress, n *topology.Node) string {
	if n.Loading {
		return fmt.Sprintf("loading %d%%", int(n.LoadingPerc))
	}
	if p != nil {
		if f, ok := p.Fraction(); ok {
			return fmt.Sprintf("syncing %d%%", int(f*100))
		}
	}
	return "syncing"
}

// roleSymbol returns a node's role symbol and its style.
func roleSymbol(st Styles, n *topology.Node) string {
	switch n.Role {
	case topology.RoleMaster:
		return st.Master.Render(symMaster)
	case topology.RoleReplica:
		return st.Replica.Render(symReplica)
	case topology.RoleSentinel:
		return st.Sentinel.Render(symSentinel)
	default:
		return st.Dim.Render(symUnknownRole)
	}
}

// alertMark summarizes a node's alerts: "‼2" when one is critical, "!1"
// for warnings only, "" for none.
func alertMark(st Styles, g *topology.Graph, id topology.NodeID) string {
	n, crit := 0, false
	for _, a := range g.Alerts {
		if a.Node == id {
			n++
			crit = crit || a.Severity == topology.Critical
		}
	}
	switch {
	case n == 0:
		return ""
	case crit:
		return st.Crit.Render(fmt.Sprintf("%s%d", symCrit, n))
	default:
		return st.Warn.Render(fmt.Sprintf("%s%d", symWarn, n))
	}
}

// severityStyle returns the symbol and style of an alert severity.
func severityStyle(st Styles, s topology.Severity) (string, Ink) {
	if s == topology.Critical {
		return symCrit, st.Crit
	}
	return symWarn, st.Warn
}
