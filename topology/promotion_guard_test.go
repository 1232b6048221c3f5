package topology

import (
	"errors"
	"strings"
	"testing"
)

func codes(v Verdict) []string {
	var out []string
	for _, r := range v.Reasons {
		out = append(out, r.Code)
	}
	return out
}

func TestCheckDetach(t *testing.T) {
	w := loadWorld(t)
	for _, tc := range []struct {
		name  string
		nodes []capture
		extra []*Node
		addr  string
		want  []string
	}{
		{"healthy replica", []capture{w.m, w.r1, w.r2}, nil, addrR2, nil},
		{"already a master", []capture{w.m, w.r2}, nil, addrM, nil},
		{"empty", []capture{w.m, w.r2.with("db0", "-")}, nil, addrR2, []string{"empty"}},
		{"behind a sibling", []capture{masterAt(w.m, 5050, 1), replicaAt(w.r1, 5050), w.r2}, nil, addrR2, []string{"behind"}},
		{"within the slack of a sibling", []capture{masterAt(w.m, 250, 1), replicaAt(w.r1, 250), w.r2}, nil, addrR2, nil},
		{"syncing, other history", []capture{loadCapture(t, "master-syncing"), loadCapture(t, "replica-syncing")}, nil, addrSR,
			[]string{"syncing", "unrelated-history", "empty"}},
		{"unrelated history", []capture{w.m, w.r2.with("master_replid", strings.Repeat("c", 40))}, nil, addrR2,
			[]string{"unrelated-history"}},
		{"priority zero", []capture{w.m, w.r2.with("slave_priority", "0")}, nil, addrR2, []string{"priority-zero"}},
		{"unreadable", []capture{w.m}, []*Node{failed(addrR2, t0, errConnRefused)}, addrR2, []string{"unknown-state"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphWith(tc.nodes, tc.extra)
			v := CheckDetach(g, mustNode(t, g, tc.addr).ID)
			eq(t, "reasons", codes(v), tc.want)
			eq(t, "allowed", v.Allowed, len(tc.want) == 0)
		})
	}
}

func TestCheckAttach(t *testing.T) {
	w := loadWorld(t)
	promoted := loadCapture(t, "promoted")
	for _, tc := range []struct {
		name     string
		nodes    []capture
		addr, to string
		want     []string
		sync     SyncKind
	}{
		{"re-point within the history: partial", []capture{w.m, w.r1, w.c1}, addrC1, addrM, nil, SyncPartial},
		{"self", []capture{w.m}, addrM, addrM, []string{"self"}, SyncUnknown},
		{"cycle down a chain", []capture{w.m, w.r1, w.c1}, addrM, addrC1, []string{"cycle"}, SyncUnknown},
		{"empty master wipes the replica", []capture{w.r2, loadCapture(t, "replica-refused")}, addrR2, addrLone,
			[]string{"empty-master"}, SyncFull},
		{"unrelated data", []capture{w.r2, loadCapture(t, "master-syncing")}, addrR2, addrSM, []string{"discards-data"}, SyncFull},
		{"old master rejoins the promoted replica: partial via replid2", []capture{w.m, promoted}, addrM, addrR1, nil, SyncPartial},
		{"old master took writes after the failover", []capture{masterAt(w.m, 80, 1), promoted}, addrM, addrR1,
			[]string{"ahead"}, SyncFull},
		{"ahead on the same history", []capture{masterAt(w.m, 5050, 1), replicaAt(w.r2, 50).with("role", "master", "slave_repl_offset", "-")},
			addrM, addrR2, []string{"ahead"}, SyncFull},
		{"promoted replica with no writes goes back: full but nothing lost", []capture{w.m, promoted}, addrR1, addrM, nil, SyncFull},
		{"unknown master", []capture{w.m}, addrM, "10.9.9.9:1", []string{"unknown-state"}, SyncUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphWith(tc.nodes, nil)
			v := CheckAttach(g, mustNode(t, g, tc.addr).ID, tc.to)
			eq(t, "reasons", codes(v), tc.want)
			eq(t, "sync", v.Sync, tc.sync)
			eq(t, "allowed", v.Allowed, len(tc.want) == 0)
		})
	}
}

func TestRefusedErrorWrapsErrRefused(t *testing.T) {
	w := loadWorld(t)
	g := graphWith([]capture{w.m, w.r2.with("db0", "-")}, nil)
	v := CheckDetach(g, mustNode(t, g, addrR2).ID)
	err := error(&RefusedError{Verdict: v})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "empty: 127.0.0.1:40187 holds no keys while its master 127.0.0.1:38197 holds 101") {
		t.Errorf("error %v", err)
	}
}

func graphWith(cs []capture, extra []*Node) *Graph {
	var probes []*Node
	for _, c := range cs {
		probes = append(probes, c.node(t0))
	}
	g := Build(t0, append(probes, extra...), nil, nil)
	Assess(nil, g, Thresholds{})
	return g
}

// TestAttachNamesTheCauseOfAFullResync: the guard says which PSYNC rule
// forces the full resync. A replica detached with REPLICAOF NO ONE asks
// with its own new replid, which its old master never had: "Replication
// ID mismatch", even though the master's backlog holds its offset.
func TestAttachNamesTheCauseOfAFullResync(t *testing.T) {
	w := loadWorld(t)
	promoted := loadCapture(t, "promoted")
	for _, tc := range []struct {
		name     string
		nodes    []capture
		addr, to string
		cause    FullCause
		note     string
	}{
		{"detached and re-attached", []capture{w.m, promoted}, addrR1, addrM, CauseReplIDMismatch,
			"replid mismatch: 127.0.0.1:43867 asks for replid d791ee02, 127.0.0.1:38197 has ea9d4425"},
		{"offset left the backlog", []capture{masterAt(w.m, 5_000_000, 4_000_000), replicaAt(w.r2, 50).with("master_link_status", "down")},
			addrR2, addrM, CauseBeyondBacklog, "offset 51 is outside what 127.0.0.1:38197's backlog can serve (4000000..5000001)"},
		{"no backlog", []capture{w.m.with("repl_backlog_active", "0"), w.r2}, addrR2, addrM, CauseNoBacklog,
			"127.0.0.1:38197 has no backlog"},
		{"past the second id", []capture{masterAt(w.m, 80, 1), promoted}, addrM, addrR1, CauseBeyondSecondID,
			"asks for offset 81 of 127.0.0.1:43867's previous history, which ended at 51"},
		{"unknown history", []capture{w.m, w.r2.with("master_replid", "-")}, addrR2, addrM, CauseUnknownHistory,
			"history is unknown: it asks PSYNC ? -1"},
		{"another history, no replid2 on either side", []capture{w.m, w.r2.with("master_replid", strings.Repeat("ab", 20))},
			addrR2, addrM, CauseReplIDMismatch, "asks for replid abababab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := graphWith(tc.nodes, nil)
			v := CheckAttach(g, mustNode(t, g, tc.addr).ID, tc.to)
			eq(t, "sync", v.Sync, SyncFull)
			eq(t, "cause", v.Cause, tc.cause)
			if !strings.Contains(strings.Join(v.Notes, "\n"), tc.note) {
				t.Errorf("notes %q lack %q", v.Notes, tc.note)
			}
			if n := mustNode(t, g, tc.addr); n.SecondOffset < 0 && strings.Contains(strings.Join(v.Notes, "\n"), "left that history") {
				t.Errorf("notes %q: a node without a replid2 (second_repl_offset -1, replid2 all zeros) left no history", v.Notes)
			}
		})
	}
}
