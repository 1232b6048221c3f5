package tui

import (
	"fmt"
	"strings"

	"github.com/replscope/replscope/topology"
)

// sentinelLines are the Sentinel facts of the selected node: on a node of
// a managed group, the group's name, quorum, down votes and the replica
// Sentinel would promote now; on a Sentinel, the same for every group it
// monitors.
func (d *detailsPane) sentinelLines(g *topology.Graph, n *topology.Node, w int) []string {
	if g == nil {
		return nil
	}
	var groups []*topology.SentinelGroup
	if n.Role == topology.RoleSentinel {
		for i := range g.Sentinels {
			for _, a := range g.Sentinels[i].Sentinels {
				if a == n.Addr {
					groups = append(groups, &g.Sentinels[i])
				}
			}
		}
	} else if sg := g.SentinelGroupOf(n.ID); sg != nil {
		groups = append(groups, sg)
	}
	var out []string
	for _, sg := range groups {
		out = append(out, d.sentinelGroup(sg)...)
	}
	return wrapFields(out, w)
}

func (d *detailsPane) sentinelGroup(sg *topology.SentinelGroup) []string {
	st := d.st.styles
	known := max(sg.Known, len(sg.Sentinels))
	head := fmt.Sprintf("%s %s · master %s · quorum %d · %d Sentinel(s)", symSentinel, st.Strong.Render(sg.Name),
		sg.Master, sg.Quorum, known)
	down := fmt.Sprintf("%d of %d see the master down", sg.DownVotes, known)
	switch {
	case sg.ODown:
		down = st.Crit.Render(down + " · odown")
	case sg.DownVotes > 0:
		down = st.Warn.Render(down)
	}
	if sg.FailoverState != "" {
		down += st.Warn.Render(" · failover " + sg.FailoverState)
	}
	pick := st.Crit.Render("none: " + sg.PickWhy)
	if sg.Pick != "" {
		pick = sg.Pick + st.Dim.Render(" ("+sg.PickWhy+")")
	}
	return []string{
		d.field("sentinel", head),
		d.field("down", down),
		d.field("pick", pick),
		d.field("asks", st.Dim.Render(strings.Join(sg.Sentinels, ", "))),
	}
}
