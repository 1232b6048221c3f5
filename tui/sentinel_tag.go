package tui

import (
	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// sentinelTagMax is how many cells of a Sentinel group's name a tree row
// shows: enough for the usual names ("mymaster", "cache-eu1"), short
// enough for an 80-column screen.
const sentinelTagMax = 10

// sentinelTag is the tree row's marker for a node in a Sentinel-managed
// group: the Sentinel symbol and the group's name ("◎mymaster", clipped
// with "…"), or the symbol alone when short; "" for a node no known
// Sentinel manages. It tells at a glance that a hand change there will be
// undone by Sentinel.
func sentinelTag(g *topology.Graph, n *topology.Node, short bool) string {
	sg := g.SentinelGroupOf(n.ID)
	switch {
	case sg == nil:
		return ""
	case short:
		return symSentinel
	}
	return symSentinel + ansi.Truncate(sg.Name, sentinelTagMax, "…")
}

// tagWidth is the cells a row's label takes for the tag: the tag and a
// space before it (0 without a tag).
func tagWidth(tag string) int {
	if tag == "" {
		return 0
	}
	return 1 + ansi.StringWidth(tag)
}
