package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"github.com/charmbracelet/x/ansi"
)

// legend is what each symbol on the screens means, in the `?` help.
var legend = []string{
	symMaster + " master", symReplica + " replica", symSentinel + " sentinel", symUnknownRole + " unknown",
	symOnline + " online", symSyncing + " full sync", symConnecting + " connecting", symLinkDown + " link down",
	symUnreachable + " unreachable", symCycle + " partial resync, cycle",
	symPulse + " heartbeat just in", symBeat + " heartbeat", symCrit + " critical alert", symWarn + " warning",
	"@ offset", "lag bytes to apply", symRootLag + " lag vs root", symOp + " operation", "» caption",
}

// commandSyntax is the `:` command line, for the `?` help.
var commandSyntax = []string{
	":replicaof <node> <host:port|node|no one>", ":detach <node>", ":kill-link <node>",
	"<node>: address, :port or run id",
}

// helpLines is the `?` help's content for width w: the keys in columns,
// the symbol legend and the command syntax (or why there are no
// operations).
func (m *Model) helpLines(w int) []string {
	st := m.st.styles
	hm := help.New()
	hm.Styles = st.Help
	hm.SetWidth(w - 2)
	var lines []string
	for _, l := range strings.Split(hm.FullHelpView(m.st.keys.FullHelp()), "\n") {
		lines = append(lines, "  "+l)
	}
	lines = append(lines, packed(st.Label.Render("symbols")+" ", legend, w-2)...)
	if m.st.readOnly {
		lines = append(lines, "  "+st.Warn.Render(readOnlyNote))
	} else {
		lines = append(lines, packed(st.Label.Render("commands")+" ", commandSyntax, w-2)...)
	}
	return lines
}

// packed lays items out on as few lines as fit in w cells, two spaces
// apart, never breaking one; the first line starts with head, the others
// are indented as far.
func packed(head string, items []string, w int) []string {
	indent := strings.Repeat(" ", ansi.StringWidth(head))
	var lines []string
	cur := head
	n := 0
	for _, it := range items {
		if n > 0 && ansi.StringWidth(cur)+2+ansi.StringWidth(it) > w {
			lines = append(lines, "  "+cur)
			cur, n = indent, 0
		}
		if n > 0 {
			cur += "  "
		}
		cur += it
		n++
	}
	lines = append(lines, "  "+cur)
	return lines
}

// readOnlyNote is what an operation key says under --readonly.
const readOnlyNote = "read-only: operations are off"
