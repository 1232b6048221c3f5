package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// TestEstimatesOnlyWhereTheyMeanSomething (issue 16 item 8): a margin
// under the floor is amber ("!", never ✓); a window that cannot be
// estimated (near-zero or just-reset rate) is "—"; advice without a
// holding time says "—", not "~208h".
func TestEstimatesOnlyWhereTheyMeanSomething(t *testing.T) {
	st := DefaultStyles()
	g := fixtureGraph(t0, 44)
	l := g.Links[0]
	l.Health.Coverage = topology.Coverage{Known: true, Partial: true, Margin: 1 << 20, Window: 100 * time.Millisecond, WindowKnown: true, Low: true}
	got := ansi.Strip(coverageText(st, g, l))
	if strings.Contains(got, symCovers) || !strings.HasPrefix(got, symWarn+" 127.0.0.1:7002") || !strings.Contains(got, "low") {
		t.Errorf("low margin: %q", got)
	}
	l.Health.Coverage = topology.Coverage{Known: true, Partial: true, Margin: 1 << 20}
	if got := ansi.Strip(coverageText(st, g, l)); got != symCovers+" 127.0.0.1:7002 margin 1.00M ~—" {
		t.Errorf("no window: %q", got)
	}

	d := &detailsPane{st: &state{styles: st}}
	m := g.Nodes[0]
	m.Health.Backlog = topology.BacklogAdvice{Known: true, Size: 1 << 20, Outage: time.Minute, WriteRate: 40, MaxLag: 2 << 20, Needed: 2 << 20, Recommended: 3 << 20}
	lines := d.backlog(g, m, 100)
	advice := ansi.Strip(lines[len(lines)-1])
	if strings.Contains(advice, "survives") || !strings.Contains(advice, "1.00M < largest lag 2.00M: set 3.00M") {
		t.Errorf("advice %q", advice)
	}
}

// TestFreshnessBelowAStalledUpstream (issue 16 item 5): the details of a
// replica below a frozen upstream say how far behind the root it is, or
// that it cannot be known.
func TestFreshnessBelowAStalledUpstream(t *testing.T) {
	st := DefaultStyles()
	g := fixtureGraph(t0, 44)
	d := &detailsPane{st: &state{styles: st, hist: newHistory()}}
	r3 := g.Node("run-r3")
	r3.Health.Freshness = topology.Freshness{Root: "run-m", Depth: 2, Stalled: true, Via: "run-r1", Known: true,
		LagBytes: 12 << 10, LagTime: 12 * time.Second, LagTimeKnown: true}
	got := ansi.Strip(strings.Join(d.freshness(g, r3), "\n"))
	for _, want := range []string{"freshness", "12.00K behind root 127.0.0.1:7001 · ~12s", "upstream 127.0.0.1:7002 stalled"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	r3.Health.Freshness = topology.Freshness{Stalled: true, Via: "run-r1", Note: "upstream 127.0.0.1:7002 unreachable — freshness unknown"}
	got = ansi.Strip(strings.Join(d.freshness(g, r3), "\n"))
	if !strings.Contains(got, "upstream 127.0.0.1:7002 unreachable — freshness unknown") {
		t.Errorf("unknown freshness: %q", got)
	}
}

// TestEndedAlertIsNotGoodNews (issue 16 item 3): an alert whose replica
// was dropped is logged "ended" with a warning mark, not "cleared" ✓.
func TestEndedAlertIsNotGoodNews(t *testing.T) {
	en := eventEntry(topology.Event{Time: t0, Kind: topology.EventAlertEnded, Addr: "127.0.0.1:7002",
		Alert: topology.AlertLagBytes, Detail: "ended: replica gone"})
	if en.kind != "alert lag-bytes ended" || en.sym == symOnline || en.sev == sevOK {
		t.Errorf("entry %+v", en)
	}
}
