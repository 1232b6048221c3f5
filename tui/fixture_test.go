package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/replscope/replscope/topology"
)

// t0 is the fixed time of every fixture.
var t0 = time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)

const (
	replidA = "8c1e0f3a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e"
	replidB = "77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd"
	zeroID  = "0000000000000000000000000000000000000000"
)

// fixtureGraph is a crafted topology: a master with two replicas (one up,
// one in a full sync), a sub-replica whose link is down, and an
// unreachable node. lag is the up replica's byte lag.
func fixtureGraph(at time.Time, lag int64) *topology.Graph {
	m := &topology.Node{ID: "run-m", Addr: "127.0.0.1:7001", RunID: "a1b2c3d4e5f6a7b8c9d0", Version: "0.1.0",
		Software: "replscope", Embedded: true, Reach: topology.ReachOK, At: at, Role: topology.RoleMaster,
		ReplID: replidA, ReplID2: zeroID, Offset: 1048900, SecondOffset: -1, Keys: 1204,
		Backlog: topology.Backlog{Active: true, Size: 1 << 20, FirstByte: 629471, HistLen: 419430},
		Stats:   topology.Stats{SyncFull: 3, SyncPartialOK: 2, ReplOutputBytes: 31 << 20},
		Health: topology.NodeHealth{WriteRate: topology.Rate{PerSec: 2150, Known: true},
			Backlog: topology.BacklogAdvice{Known: true, Size: 1 << 20, Enough: true}},
	}
	r1 := &topology.Node{ID: "run-r1", Addr: "127.0.0.1:7002", RunID: "b2c3d4e5f6a7b8c9d0e1", Version: "0.1.0",
		Software: "replscope", Embedded: true, Reach: topology.ReachOK, At: at, Role: topology.RoleReplica,
		ReplID: replidA, ReplID2: zeroID, Offset: 1048900 - lag, SecondOffset: -1, Keys: 1204,
		Backlog: topology.Backlog{Active: true, Size: 1 << 20, FirstByte: 1, HistLen: 1048900 - lag},
		Upstream: &topology.Upstream{Host: "127.0.0.1", Port: 7001, Addr: "127.0.0.1:7001", LinkUp: true,
			LinkState: "connected", Offset: 1048900 - lag, ReadOffset: 1048900 - lag, Priority: 100, ReadOnly: true},
		Stats: topology.Stats{SyncPartialOK: 1, ReplInputBytes: 9 << 20},
	}
	r2 := &topology.Node{ID: "run-r2", Addr: "127.0.0.1:7003", RunID: "c3d4e5f6a7b8c9d0e1f2", Version: "0.1.0",
		Software: "replscope", Embedded: true, Reach: topology.ReachOK, At: at, Role: topology.RoleReplica,
		ReplID: replidB, ReplID2: zeroID, Offset: 0, SecondOffset: -1, Keys: 0,
		Upstream: &topology.Upstream{Host: "127.0.0.1", Port: 7001, Addr: "127.0.0.1:7001", LinkState: "sync",
			Priority: 100, Sync: &topology.SyncProgress{TotalBytes: 10 << 20, ReadBytes: 4718592}},
	}
	r3 := &topology.Node{ID: "run-r3", Addr: "127.0.0.1:7004", RunID: "d4e5f6a7b8c9d0e1f2a3", Version: "0.1.0",
		Software: "replscope", Embedded: true, Reach: topology.ReachOK, At: at, Role: topology.RoleReplica,
		ReplID: replidA, ReplID2: zeroID, Offset: 1045700, SecondOffset: -1, Keys: 1190,
		Upstream: &topology.Upstream{Host: "127.0.0.1", Port: 7002, Addr: "127.0.0.1:7002", LinkState: "connect",
			DownFor: 12 * time.Second, LastIO: -time.Second, Offset: 1045700, Priority: 100},
	}
	u := &topology.Node{ID: "127.0.0.1:7005", Addr: "127.0.0.1:7005", Reach: topology.ReachUnreachable, At: at,
		Role: topology.RoleUnknown, Keys: -1, Error: "dial tcp 127.0.0.1:7005: connect: connection refused"}
	l1 := &topology.Link{Master: m.ID, Replica: r1.ID, FromMaster: true, FromReplica: true,
		Line: &topology.ReplicaLine{IP: "127.0.0.1", Port: 7002, Addr: "127.0.0.1:7002", State: "online", AckOffset: 1048856, AckAge: time.Second, Pending: 0},
		Health: topology.LinkHealth{State: topology.LinkUp, LagBytes: lag, LagKnown: true, LagFrom: topology.LagFromReplica,
			LagTime: 200 * time.Millisecond, LagTimeKnown: true, AckAge: time.Second, LastIO: 0,
			Coverage: topology.Coverage{Known: true, Partial: true, Margin: 1048576 - lag - 419430 + 419430/2, Window: 5 * time.Minute, WindowKnown: true}}}
	l2 := &topology.Link{Master: m.ID, Replica: r2.ID, FromMaster: true, FromReplica: true,
		Line: &topology.ReplicaLine{IP: "127.0.0.1", Port: 7003, Addr: "127.0.0.1:7003", State: "send_bulk", AckAge: 3 * time.Second, Pending: -1},
		Health: topology.LinkHealth{State: topology.LinkSyncing, AckAge: 3 * time.Second, LastIO: 0,
			Sync:     &topology.SyncProgress{TotalBytes: 10 << 20, ReadBytes: 4718592},
			Coverage: topology.Coverage{Known: true, Reason: "replica has a different history (replid)"}}}
	l3 := &topology.Link{Master: r1.ID, Replica: r3.ID, FromReplica: true,
		Health: topology.LinkHealth{State: topology.LinkDown, LagBytes: 1048900 - lag - 1045700, LagKnown: true, LagFrom: topology.LagFromReplica,
			AckAge: -1, LastIO: -1, DownFor: 12 * time.Second,
			Coverage: topology.Coverage{Known: true, Partial: true, Margin: 1 << 19, Window: 4 * time.Minute, WindowKnown: true}}}
	return &topology.Graph{At: at, Nodes: []*topology.Node{m, r1, r2, r3, u}, Links: []*topology.Link{l1, l2, l3},
		Alerts: []topology.Alert{
			{Name: topology.AlertLinkDown, Node: r3.ID, Peer: r1.ID, Severity: topology.Critical,
				Message: "link 127.0.0.1:7002 → 127.0.0.1:7004 is down for 12s", Value: 12},
			{Name: topology.AlertUnreachable, Node: u.ID, Severity: topology.Critical,
				Message: "127.0.0.1:7005: dial tcp 127.0.0.1:7005: connect: connection refused"},
		}}
}

// fixtureEvents are the events that led to fixtureGraph.
func fixtureEvents(at time.Time) []topology.Event {
	return []topology.Event{
		{Time: at.Add(-40 * time.Second), Kind: topology.EventRoleChanged, Node: "run-r2", Addr: "127.0.0.1:7003", Detail: "master → replica", Source: "poll"},
		{Time: at.Add(-30 * time.Second), Kind: topology.EventFullSyncStarted, Node: "run-r2", Addr: "127.0.0.1:7003", Peer: "run-m", Detail: "127.0.0.1:7001 → 127.0.0.1:7003", Source: "poll"},
		{Time: at.Add(-20 * time.Second), Kind: topology.EventLinkDown, Node: "run-r3", Addr: "127.0.0.1:7004", Peer: "run-r1", Detail: "127.0.0.1:7002 → 127.0.0.1:7004 (down)", Source: "poll"},
		{Time: at.Add(-15 * time.Second), Kind: topology.EventSyncPartial, Node: "run-m", Addr: "127.0.0.1:7001", Detail: "accepted 1 partial resync(s) (sync_partial_ok 1 → 2)", Source: "poll"},
		{Time: at.Add(-12 * time.Second), Kind: topology.EventAlertRaised, Node: "run-r3", Addr: "127.0.0.1:7004", Alert: topology.AlertLinkDown, Detail: "link 127.0.0.1:7002 → 127.0.0.1:7004 is down", Source: "poll"},
	}
}

// lagSeries is the up replica's byte lag over the fixture's last minute.
var lagSeries = []int64{0, 44, 120, 800, 2000, 600, 44, 0, 10, 44, 300, 44}

// fixtureModel is a dashboard that has seen the fixture's last minute, at
// size w×h.
func fixtureModel(tb testing.TB, w, h int, opts Options) *Model {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0 }
	}
	if opts.Title == "" {
		opts.Title = "replscope demo"
		opts.Subtitle = "ports 7001-7005"
	}
	m := New(context.Background(), opts)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	for i, lag := range lagSeries {
		at := t0.Add(time.Duration(i-len(lagSeries)+1) * 5 * time.Second)
		u := topology.Update{Graph: fixtureGraph(at, lag)}
		if i == len(lagSeries)-1 {
			u.Events = fixtureEvents(at)
		}
		m.Update(updateMsg{u})
	}
	return m
}

// fakeFeed is a Feed over a channel that counts refreshes and pauses.
type fakeFeed struct {
	ch        chan topology.Update
	mu        sync.Mutex
	refreshes int
	paused    []bool
}

func newFakeFeed() *fakeFeed { return &fakeFeed{ch: make(chan topology.Update, 16)} }

func (f *fakeFeed) Updates() <-chan topology.Update { return f.ch }

func (f *fakeFeed) Refresh() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshes++
}

func (f *fakeFeed) SetPaused(p bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = append(f.paused, p)
}

func (f *fakeFeed) counts() (int, []bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes, append([]bool(nil), f.paused...)
}

// fakeOperator records the operations it is asked to do.
type fakeOperator struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (o *fakeOperator) record(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, s)
}

func (o *fakeOperator) Calls() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.calls...)
}

func (o *fakeOperator) Attach(_ context.Context, g *topology.Graph, id topology.NodeID, master string, force bool) (topology.Outcome, error) {
	o.record(fmt.Sprintf("attach %s %s force=%v", id, master, force))
	host, port, _ := strings.Cut(master, ":")
	return topology.Outcome{Op: "attach", Target: g.Node(id).Addr, Command: "REPLICAOF " + host + " " + port, Reply: "OK",
		Summary: g.Node(id).Addr + " now follows " + master}, o.err
}

func (o *fakeOperator) Detach(_ context.Context, g *topology.Graph, id topology.NodeID, force bool) (topology.Outcome, error) {
	o.record(fmt.Sprintf("detach %s force=%v", id, force))
	return topology.Outcome{Op: "detach", Target: g.Node(id).Addr, Command: "REPLICAOF NO ONE", Reply: "OK",
		Summary: g.Node(id).Addr + " is now a master"}, o.err
}

func (o *fakeOperator) KillLink(_ context.Context, g *topology.Graph, id topology.NodeID) (topology.Outcome, error) {
	o.record(fmt.Sprintf("kill-link %s", id))
	return topology.Outcome{Op: "kill-link", Target: g.Node(id).Addr, Command: "CLIENT KILL TYPE master", Reply: "(integer) 1",
		Summary: "closed 1 master link(s)"}, o.err
}

// fakeLoad is a WriteLoad switch.
type fakeLoad struct {
	mu sync.Mutex
	on bool
}

func (l *fakeLoad) SetEnabled(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = on
}

func (l *fakeLoad) Enabled() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.on
}

// pacedFeed is a fakeFeed with a speed, like a scenario being played.
type pacedFeed struct {
	*fakeFeed
	mu    sync.Mutex
	speed float64
}

func (p *pacedFeed) Speed() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.speed
}

func (p *pacedFeed) SetSpeed(x float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.speed = x
}
