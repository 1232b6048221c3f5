package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/replscope/replscope/internal/dataset"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/topology"
)

// expectFailure is an expect that did not hold: what the script expected
// and what the node showed.
type expectFailure struct {
	expected, saw string
}

// Error renders the failure as "expected …, saw …".
func (e *expectFailure) Error() string { return "expected " + e.expected + ", saw " + e.saw }

// The checks below are pure: they judge states already read.

// checkRole judges `expect <node> role master|replica`.
func checkRole(st NodeState, master, role string) error {
	want := st.Name + " role " + role
	if !st.Running {
		return &expectFailure{want, st.Name + " not running"}
	}
	if st.Role == role {
		return nil
	}
	saw := st.Name + " role " + st.Role
	if st.Role == "replica" {
		saw += describeUpstream(st, master)
	}
	return &expectFailure{want, saw}
}

// describeUpstream says whom a replica follows and how its link is.
func describeUpstream(st NodeState, master string) string {
	link := "down"
	if st.LinkUp {
		link = "up"
	}
	if master == "" {
		master = st.MasterAddr
	}
	return fmt.Sprintf(" (of %s, link %s)", master, link)
}

// checkSync judges `expect <node> sync full|partial`.
func checkSync(st NodeState, kind string) error {
	want := st.Name + "'s last sync " + kind
	switch {
	case !st.Running:
		return &expectFailure{want, st.Name + " not running"}
	case st.LastSync == kind:
		return nil
	case st.LastSync == "":
		return &expectFailure{want, "no sync yet"}
	}
	return &expectFailure{want, st.LastSync}
}

// checkKey judges `expect <node> key <k> = <v>|nil` against a GET reply.
func checkKey(name, key string, want string, wantNil bool, v resp.Value) error {
	exp := name + " key " + key + " = "
	if wantNil {
		exp += "nil"
	} else {
		exp += quoteShort(want)
	}
	switch {
	case v.Kind == resp.Error:
		return &expectFailure{exp, "error " + string(v.Str)}
	case v.Null && wantNil:
		return nil
	case v.Null:
		return &expectFailure{exp, "nil"}
	case wantNil:
		return &expectFailure{exp, quoteShort(string(v.Str))}
	case string(v.Str) != want:
		return &expectFailure{exp, quoteShort(string(v.Str))}
	}
	return nil
}

// checkKeys judges `expect <node> keys <n>` against a DBSIZE reply: like
// Redis's DBSIZE it counts the keys a node holds, logically expired ones
// that a replica keeps until its master's DEL included.
func checkKeys(name string, want int64, v resp.Value) error {
	exp := fmt.Sprintf("%s to hold %d %s", name, want, plural(int(want), "key", "keys"))
	switch {
	case v.Kind == resp.Error:
		return &expectFailure{exp, "error " + string(v.Str)}
	case v.Kind != resp.Integer:
		return &expectFailure{exp, "DBSIZE reply " + v.String()}
	case v.Int != want:
		return &expectFailure{exp, fmt.Sprintf("%d (DBSIZE)", v.Int)}
	}
	return nil
}

// quoteShort quotes s, eliding the middle of long values.
func quoteShort(s string) string {
	const limit = 40
	if len(s) <= limit {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:limit/2]) + fmt.Sprintf("…(%d bytes)…", len(s)) + strconv.Quote(s[len(s)-limit/2:])
}

// checkConsistent judges `expect consistent <node>...`.
func checkConsistent(names []string, sets []dataset.Dataset) error {
	if diff := dataset.Compare(names, sets); diff != "" {
		return &expectFailure{strings.Join(names, ", ") + " to hold the same data", diff}
	}
	return nil
}

// checkAlert judges `expect <node> alert <name>` on an assessed Graph;
// addr is the node's address.
func checkAlert(g *topology.Graph, name, addr, alert string) error {
	want := "alert " + alert + " on " + name
	n := g.ByAddr(topology.CanonAddr(addr))
	if n == nil {
		return &expectFailure{want, name + " missing from the topology"}
	}
	if g.HasAlert(n.ID, topology.AlertName(alert)) {
		return nil
	}
	as := g.AlertsFor(n.ID)
	if len(as) == 0 {
		return &expectFailure{want, "no alert on " + name}
	}
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = fmt.Sprintf("%s (%s)", a.Name, a.Message)
	}
	return &expectFailure{want, strings.Join(parts, "; ")}
}

// syncedVerdict tells whether replica r has caught up with its master m:
// r's link to want (the address it was told to replicate from) is up and
// its offset has reached the offset m had when it was read, just before
// r. It says why not otherwise.
func syncedVerdict(m, r NodeState, want string) (bool, string) {
	switch {
	case !r.Running:
		return false, r.Name + " not running"
	case !m.Running:
		return false, m.Name + " not running"
	case r.Role != "replica":
		return false, r.Name + " is a master"
	case r.MasterAddr != want:
		return false, fmt.Sprintf("%s replicating from %s, not %s", r.Name, r.MasterAddr, m.Name)
	case !r.LinkUp:
		return false, fmt.Sprintf("%s's link down at offset %d, %s at %d", r.Name, r.ReplicaOffset, m.Name, m.Offset)
	case r.ReplicaOffset < m.Offset:
		return false, fmt.Sprintf("%s at offset %d, %s at %d", r.Name, r.ReplicaOffset, m.Name, m.Offset)
	}
	return true, fmt.Sprintf("%s at offset %d of replid %.8s", r.Name, r.ReplicaOffset, r.ReplID)
}

// linkVerdict tells whether node st's link to its master is up (up true)
// or down, and describes it.
func linkVerdict(st NodeState, up bool) (bool, string) {
	switch {
	case !st.Running:
		return !up, st.Name + " not running"
	case st.Role != "replica":
		return !up, st.Name + " is a master"
	case st.LinkUp:
		return up, st.Name + "'s link up"
	}
	return !up, st.Name + "'s link down"
}
