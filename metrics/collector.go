package metrics

import (
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/replscope/replscope/topology"
)

// Collector is a prometheus.Collector over the latest Graph of a
// topology source. Each scrape reads the Graph once and exports what
// topology computed for it; nothing is kept between scrapes.
type Collector struct {
	latest func() *topology.Graph
	d      *descs
}

// NewCollector returns a Collector that exports latest() at each scrape
// (a Watcher's Latest). A nil Graph (before the first round) exports
// nothing. The Graph is only read.
func NewCollector(latest func() *topology.Graph) *Collector {
	return &Collector{latest: latest, d: newDescs()}
}

// Describe sends the description of every metric the Collector may
// export.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.d.all() {
		ch <- d
	}
}

// described returns the name and label names of every metric a Collector
// describes, read back from Describe's descriptions (client_golang has no
// accessor for them): what rule files and dashboards may query.
func described() map[string][]string {
	ch := make(chan *prometheus.Desc)
	go func() {
		defer close(ch)
		NewCollector(nil).Describe(ch)
	}()
	out := map[string][]string{}
	for d := range ch {
		s := strings.TrimPrefix(d.String(), "Desc{fqName: ")
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			panic("metrics: unexpected Desc format: " + d.String())
		}
		name, _ := strconv.Unquote(q)
		_, vars, _ := strings.Cut(s, "variableLabels: {")
		vars, _, _ = strings.Cut(vars, "}")
		out[name] = nil
		if vars != "" {
			out[name] = strings.Split(vars, ",")
		}
	}
	return out
}

// Collect exports the latest Graph.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	g := c.latest()
	if g == nil {
		return
	}
	e := &emitter{ch: ch, seen: map[seriesKey]bool{}}
	ctx := newGraphLabels(g)
	e.gauge(c.d.graphTime, float64(g.At.UnixNano())/1e9)
	for _, n := range g.Nodes {
		c.collectNode(e, g, ctx, n)
	}
	for _, l := range g.Links {
		c.collectLink(e, g, ctx, l)
	}
	for _, a := range g.Alerts {
		e.gauge(c.d.alert, 1, string(a.Name), ctx.addr(a.Node), ctx.addr(a.Peer), string(a.Severity))
	}
	c.collectFullSyncs(e, g, ctx)
}

// collectNode exports one node: reach and role always, the replication
// fields only when it answered (an unreachable node's are unknown).
func (c *Collector) collectNode(e *emitter, g *topology.Graph, ctx *graphLabels, n *topology.Node) {
	d := c.d
	lv := ctx.node(n.ID)
	up := n.Reach == topology.ReachOK
	e.gauge(d.nodeUp, bool01(up), lv...)
	master := ""
	if l := g.Upstream(n.ID); l != nil {
		master = ctx.addr(l.Master)
	}
	e.gauge(d.nodeRole, 1, with(lv, string(n.Role), master)...)
	if age, ok := g.DataAge(n); ok {
		e.gauge(d.nodeDataAge, age.Seconds(), lv...)
	}
	if !up || n.Role == topology.RoleSentinel {
		return
	}
	e.gauge(d.nodeOffset, float64(n.Offset), lv...)
	if n.Keys >= 0 {
		e.gauge(d.nodeKeys, float64(n.Keys), lv...)
	}
	e.gauge(d.nodeLoading, bool01(n.Loading), lv...)
	e.counter(d.syncFull, float64(n.Stats.SyncFull), lv...)
	e.counter(d.syncPartialOK, float64(n.Stats.SyncPartialOK), lv...)
	e.counter(d.syncPartialErr, float64(n.Stats.SyncPartialErr), lv...)
	b := n.Backlog
	e.gauge(d.backlogActive, bool01(b.Active), lv...)
	e.gauge(d.backlogSize, float64(b.Size), lv...)
	if b.Active {
		e.gauge(d.backlogFirstByte, float64(b.FirstByte), lv...)
		e.gauge(d.backlogHistLen, float64(b.HistLen), lv...)
	}
	if r := n.Health.WriteRate; r.Known {
		e.gauge(d.writeRate, r.PerSec, lv...)
	}
	if a := n.Health.Backlog; a.Known {
		e.gauge(d.backlogNeeded, float64(a.Needed), lv...)
	}
}

// collectLink exports one master→replica link from its LinkHealth; a
// figure Assess could not compute is left out rather than exported as 0.
func (c *Collector) collectLink(e *emitter, g *topology.Graph, ctx *graphLabels, l *topology.Link) {
	d := c.d
	lv := ctx.link(l)
	h := &l.Health
	e.gauge(d.linkUp, bool01(h.State == topology.LinkUp), lv...)
	e.gauge(d.linkState, 1, with(lv, string(h.State))...)
	if h.LagKnown {
		e.gauge(d.lagBytes, float64(h.LagBytes), lv...)
	}
	if h.LagTimeKnown {
		e.gauge(d.lagSeconds, h.LagTime.Seconds(), lv...)
	}
	if h.AckAge >= 0 && l.Line != nil {
		e.gauge(d.ackAge, h.AckAge.Seconds(), lv...)
	}
	if h.LastIO >= 0 {
		e.gauge(d.lastIO, h.LastIO.Seconds(), lv...)
	}
	if cv := h.Coverage; cv.Known {
		e.gauge(d.partial, bool01(cv.Partial), lv...)
		// Margin means something when the replica's next byte is in the
		// backlog or has left it; not across histories or without one.
		if cv.Partial || cv.Margin < 0 {
			e.gauge(d.margin, float64(cv.Margin), lv...)
		}
		if cv.WindowKnown {
			e.gauge(d.window, cv.Window.Seconds(), lv...)
		}
	}
	if l.Line != nil && l.Line.Pending >= 0 {
		e.gauge(d.outBuf, float64(l.Line.Pending), lv...)
	}
	if m := g.Node(l.Master); m != nil && m.Limits.Known {
		if m.Limits.OutputHard > 0 {
			e.gauge(d.outBufLimit, float64(m.Limits.OutputHard), with(lv, "hard")...)
		}
		if m.Limits.OutputSoft > 0 {
			e.gauge(d.outBufLimit, float64(m.Limits.OutputSoft), with(lv, "soft")...)
		}
	}
}

// fullSyncPhase names each full-sync phase in the metric's phase label.
var fullSyncPhase = map[topology.SyncPhase]string{
	topology.PhaseWaitBgsave: "wait_bgsave",
	topology.PhaseTransfer:   "transfer",
	topology.PhaseLoading:    "load",
	topology.PhaseCatchUp:    "catch_up",
}

// collectFullSyncs exports each replica's last completed full sync
// (topology.Node.LastFullSync with outcome done) on its current link:
// phase="total" and one series per phase that was seen. A failed sync
// or a sync from a master the replica no longer follows exports nothing.
func (c *Collector) collectFullSyncs(e *emitter, g *topology.Graph, ctx *graphLabels) {
	for _, n := range g.Nodes {
		s := n.LastFullSync
		if s == nil || s.Outcome != topology.SyncDone {
			continue
		}
		l := g.Upstream(n.ID)
		if l == nil || ctx.addr(l.Master) != s.Master {
			continue
		}
		lv := ctx.link(l)
		e.gauge(c.d.fullSyncDuration, s.Duration(g.At).Seconds(), with(lv, "total")...)
		for _, sp := range s.Phases {
			if name, ok := fullSyncPhase[sp.Phase]; ok {
				e.gauge(c.d.fullSyncDuration, sp.Duration(g.At).Seconds(), with(lv, name)...)
			}
		}
	}
}

// seriesKey identifies one exported series.
type seriesKey struct {
	d      *prometheus.Desc
	labels string
}

// emitter sends const metrics, each series once: a graph may hold two
// links between the same addresses (a stale slaveN line beside the
// replica's own report) and a scrape must not fail on a duplicate.
type emitter struct {
	ch   chan<- prometheus.Metric
	seen map[seriesKey]bool
}

func (e *emitter) gauge(d *prometheus.Desc, v float64, labels ...string) {
	e.emit(d, prometheus.GaugeValue, v, labels)
}

func (e *emitter) counter(d *prometheus.Desc, v float64, labels ...string) {
	e.emit(d, prometheus.CounterValue, v, labels)
}

func (e *emitter) emit(d *prometheus.Desc, t prometheus.ValueType, v float64, labels []string) {
	k := seriesKey{d: d}
	for _, l := range labels {
		k.labels += l + "\xff"
	}
	if e.seen[k] {
		return
	}
	e.seen[k] = true
	e.ch <- prometheus.MustNewConstMetric(d, t, v, labels...)
}

// with returns base followed by extra, never sharing base's array.
func with(base []string, extra ...string) []string {
	return slices.Concat(base, extra)
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
