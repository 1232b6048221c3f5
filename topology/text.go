package topology

import (
	"fmt"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/human"
)

// RenderText draws g as plain text: the Layout tree with one line per
// node (role, offsets, link state, byte lag and time lag, heartbeat ages,
// backlog coverage), then the alerts. It is what `replscope watch` prints
// without a terminal dashboard, and what headless scenarios log.
func RenderText(g *Graph) string {
	var b strings.Builder
	if h := ClusterHeader(g); h != "" {
		b.WriteString(h + "\n")
	}
	for _, r := range Layout(g) {
		n := g.Node(r.ID)
		b.WriteString(r.Prefix)
		b.WriteString(n.Addr)
		if r.Back {
			b.WriteString("  ↻ cycle\n")
			continue
		}
		b.WriteString("  ")
		b.WriteString(nodeSummary(n))
		if r.Link != nil {
			b.WriteString("  ")
			b.WriteString(linkSummary(r.Link))
		}
		if f := n.Health.Freshness; f.Stalled || (!f.Known && f.Note != "") {
			b.WriteString("  [" + f.Note + "]")
		}
		if r.Note != "" {
			b.WriteString("  [" + r.Note + "]")
		}
		b.WriteByte('\n')
	}
	for _, sg := range g.Sentinels {
		b.WriteString(sg.Summary() + "\n")
	}
	for _, a := range g.Alerts {
		mark := "!"
		if a.Severity == Critical {
			mark = "!!"
		}
		fmt.Fprintf(&b, "%s %s %s: %s\n", mark, a.Name, nodeName(g.Node(a.Node), a.Node), a.Message)
	}
	return b.String()
}

func nodeSummary(n *Node) string {
	if n.Reach != ReachOK {
		return fmt.Sprintf("%s (%s)", n.Reach, n.Error)
	}
	if n.Role == RoleSentinel {
		return "sentinel"
	}
	parts := []string{string(n.Role), fmt.Sprintf("offset %d", n.Offset)}
	if n.Keys >= 0 {
		parts = append(parts, fmt.Sprintf("%d keys", n.Keys))
	}
	if r := n.Health.WriteRate; r.Known && n.Role == RoleMaster {
		parts = append(parts, "write "+human.Bytes(int64(r.PerSec))+"/s")
	}
	if b := n.Health.Backlog; b.Known && len(n.Replicas) > 0 {
		s := "backlog " + human.Bytes(b.Size)
		if b.HoldsKnown {
			s += " holds " + shortDur(b.Holds)
		}
		parts = append(parts, s)
	}
	if n.Loading {
		parts = append(parts, fmt.Sprintf("loading %.0f%%", n.LoadingPerc))
	}
	if u := restrictedNote(n); u != "" {
		parts = append(parts, "["+u+"]")
	}
	return strings.Join(parts, "  ")
}

func linkSummary(l *Link) string {
	h := l.Health
	parts := []string{"link " + string(h.State)}
	if h.Sync != nil {
		if f, ok := h.Sync.Fraction(); ok {
			parts = append(parts, fmt.Sprintf("sync %.0f%%", f*100))
		} else {
			parts = append(parts, "sync "+human.Bytes(h.Sync.ReadBytes))
		}
	}
	if h.LagKnown {
		s := "lag " + human.Bytes(h.LagBytes)
		if h.LagTimeKnown {
			s += " ≈" + shortDur(h.LagTime)
		}
		parts = append(parts, s)
	}
	if h.AckAge >= 0 {
		parts = append(parts, "ack "+shortDur(h.AckAge.Truncate(time.Second)))
	}
	if h.LastIO >= 0 {
		parts = append(parts, "io "+shortDur(h.LastIO))
	}
	if h.State == LinkDown && h.DownFor > 0 {
		parts = append(parts, "down "+shortDur(h.DownFor))
	}
	if c := h.Coverage; c.Known && h.State != LinkSyncing {
		if c.Partial {
			s := "psync ok"
			if c.Low {
				s = "psync ok but low"
			}
			if c.WindowKnown {
				s += " for " + shortDur(c.Window)
			}
			parts = append(parts, s)
		} else {
			parts = append(parts, "psync impossible")
		}
	}
	return strings.Join(parts, "  ")
}

// restrictedNote says which facts of n are unknown because it refused the
// command that tells them, "" when it refused none. CLIENT LIST only tells
// about a node's replicas: without replicas nothing is missing.
func restrictedNote(n *Node) string {
	var parts []string
	if u := n.Unknown("CONFIG"); u != "" {
		parts = append(parts, "output limits, repl-timeout: "+u)
	}
	if u := n.Unknown("CLIENT"); u != "" && len(n.Replicas) > 0 {
		parts = append(parts, "replica output buffers: "+u)
	}
	if n.Unknown("REPLICAOF") != "" {
		parts = append(parts, "attach/detach: not offered (REPLICAOF refused)")
	}
	return strings.Join(parts, "; ")
}

// RestrictedFields lists, one "facts: unknown (CMD refused)" per refused
// command, what n could not tell or cannot do; the dashboard's details
// show them.
func RestrictedFields(n *Node) []string {
	if n == nil {
		return nil
	}
	note := restrictedNote(n)
	if note == "" {
		return nil
	}
	return strings.Split(note, "; ")
}
