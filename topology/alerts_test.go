package topology

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/info"
)

func TestHealthyStarHasNoAlerts(t *testing.T) {
	w := loadWorld(t)
	g0 := graphOf(t0, nil, Thresholds{}, w.m, w.r1, w.r2, w.c1)
	g1 := graphOf(t0.Add(time.Second), g0, Thresholds{}, w.m, w.r1, w.r2, w.c1)
	eq(t, "alerts", len(g1.Alerts), 0)
	eq(t, "events", len(Diff(g0, g1)), 0)
}

func TestAlerts(t *testing.T) {
	w := loadWorld(t)
	down := loadCapture(t, "replica-down")
	r2line := "ip=127.0.0.1,port=40187,state=online,offset=50,lag=0"
	for _, tc := range []struct {
		name   string
		rounds [][]capture // each round's captures, one second apart
		probes []*Node     // extra failed probes in the last round
		addr   string
		want   AlertName
		msg    string
		every  time.Duration // between rounds; default 1s
	}{
		{name: "unreachable", rounds: [][]capture{{w.r2}}, probes: []*Node{failed(addrM, t0, errConnRefused)},
			addr: addrM, want: AlertUnreachable, msg: "connection refused"},
		{name: "auth-failed", rounds: [][]capture{{w.r2}},
			probes: []*Node{failed(addrM, t0, fmt.Errorf("%w: %s: WRONGPASS invalid username-password pair", errAuth, addrM))},
			addr:   addrM, want: AlertAuthFailed, msg: "WRONGPASS"},
		{name: "link-down", rounds: [][]capture{{w.m, down.with("master_link_down_since_seconds", "5")}},
			addr: addrR2, want: AlertLinkDown, msg: "is down for 5s"},
		{name: "lag-bytes", rounds: [][]capture{{masterAt(w.m, 3_000_050, 1_000_050, r2line), w.r2}},
			addr: addrR2, want: AlertLagBytes, msg: "by 2.86M (replica-offset)"},
		{name: "lag-seconds", rounds: [][]capture{
			{masterAt(w.m, 50, 1, r2line), w.r2},
			{masterAt(w.m, 20050, 1, r2line), w.r2.with("master_last_io_seconds_ago", "0")}},
			addr: addrR2, want: AlertLagSeconds, msg: "about 20s old", every: 20 * time.Second},
		{name: "heartbeat", rounds: [][]capture{{w.m, w.r2.with("master_last_io_seconds_ago", "45")}},
			addr: addrR2, want: AlertHeartbeat, msg: "last master I/O 45s ago"},
		{name: "output-buffer", rounds: [][]capture{{w.m.withClients(
			"id=5 addr=127.0.0.1:1 flags=S omem=20504\nid=6 addr=127.0.0.1:2 flags=S omem=50000000\n"), w.r2}},
			addr: addrR2, want: AlertOutputBuffer, msg: "is 47.68M, 75% of the soft (60s) limit 64mb"},
		{name: "full-resync-loop on the master", rounds: [][]capture{
			{w.m}, {w.m.with("sync_full", "3")}, {w.m.with("sync_full", "4")}, {w.m.with("sync_full", "5")}},
			addr: addrM, want: AlertFullResyncLoop, msg: "3 full syncs in the last 10m0s beyond 0 first attaches"},
		{name: "full-resync-loop seen on the replica", rounds: [][]capture{
			{w.m, syncing(w.r2)}, {w.m, w.r2}, {w.m, syncing(w.r2)}, {w.m, w.r2}, {w.m, syncing(w.r2)}},
			addr: addrR2, want: AlertFullResyncLoop, msg: "entered a full sync 3 times"},
		{name: "shared-replid", rounds: [][]capture{{w.m,
			loadCapture(t, "promoted").with("master_replid", info.Parse(w.m.info).Str("master_replid"))}},
			addr: addrR1, want: AlertSharedReplID, msg: "2 masters share replid ea9d4425"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g *Graph
			if tc.every == 0 {
				tc.every = time.Second
			}
			for i, round := range tc.rounds {
				at := t0.Add(time.Duration(i) * tc.every)
				var probes []*Node
				for _, c := range round {
					probes = append(probes, c.node(at))
				}
				if i == len(tc.rounds)-1 {
					probes = append(probes, tc.probes...)
				}
				next := Build(at, probes, g, nil)
				Assess(g, next, Thresholds{})
				g = next
			}
			var found *Alert
			for i, a := range g.Alerts {
				if a.Name == tc.want && g.Node(a.Node).Addr == tc.addr {
					found = &g.Alerts[i]
				}
			}
			if found == nil {
				t.Fatalf("no %s alert on %s; alerts:\n%s", tc.want, tc.addr, RenderText(g))
			}
			if !strings.Contains(found.Message, tc.msg) {
				t.Errorf("message %q does not contain %q", found.Message, tc.msg)
			}
			if !g.HasAlert(found.Node, tc.want) {
				t.Error("HasAlert disagrees")
			}
		})
	}
}

// syncing turns a captured replica into one receiving a full sync.
func syncing(c capture) capture {
	return c.with("master_link_status", "down", "master_sync_in_progress", "1", "master_sync_total_bytes", "1000",
		"master_sync_read_bytes", "10", "master_link_down_since_seconds", "-1")
}

func TestFirstAttachesAreNotALoop(t *testing.T) {
	w := loadWorld(t)
	empty := w.m.with("slave0", "-", "slave1", "-", "connected_slaves", "0", "sync_full", "0")
	g0 := graphOf(t0, nil, Thresholds{}, empty)
	g1 := graphOf(t0.Add(time.Second), g0, Thresholds{}, w.m.with("sync_full", "2"), w.r1, w.r2)
	eq(t, "alerts", alertNames(g1, addrM), nil)
	// A third full sync with no new replica is suspicious but not a loop;
	// three beyond the attaches are.
	g2 := graphOf(t0.Add(2*time.Second), g1, Thresholds{}, w.m.with("sync_full", "5"), w.r1, w.r2)
	eq(t, "alerts", alertNames(g2, addrM), []string{"full-resync-loop"})
}
