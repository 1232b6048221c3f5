package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/replscope/replscope/topology"
)

// longDetail is an event text far wider than any log line.
const longDetail = "full resync of 127.0.0.1:7003 from 127.0.0.1:7001: backlog no longer holds offset 57 " +
	"(holds 15..56); replid 8c1e0f3a9b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e, 90210 keys, the end is here"

// TestExpandEvent: enter on the events pane shows the selected event
// whole; j/k move the selection while it is open; esc closes it.
func TestExpandEvent(t *testing.T) {
	r := newRig(t, Options{})
	r.m.Update(updateMsg{topology.Update{Events: []topology.Event{
		{Time: t0, Kind: topology.EventSyncFull, Node: "run-r2", Addr: "127.0.0.1:7003", Peer: "run-m", Detail: longDetail, Source: "poll"},
		{Time: t0, Kind: topology.EventLinkUp, Node: "run-r3", Addr: "127.0.0.1:7004", Detail: "short one", Source: "poll"},
	}}})
	if strings.Contains(r.screen(), "the end is here") {
		t.Fatal("the fixture's detail fits the log line: it proves nothing")
	}
	r.keys("tab", "tab", "k") // the log, one entry up: the long one
	r.keys("enter")
	if r.m.mode != modeExpand {
		t.Fatalf("enter on the log: mode %d", r.m.mode)
	}
	s := strings.Join(strings.Fields(r.screen()), " ")
	for _, want := range []string{"the end is here", "holds 15..56", "sync-full", "127.0.0.1:7003", "127.0.0.1:7001", "poll"} {
		if !strings.Contains(s, want) {
			t.Errorf("the expanded event lacks %q:\n%s", want, r.screen())
		}
	}
	if !strings.Contains(r.screen(), symCursor+" 12:00:00 ↻ sync-full") {
		t.Errorf("the events pane does not show which event is expanded:\n%s", r.screen())
	}
	r.keys("j")
	if s := r.screen(); !strings.Contains(s, "short one") || strings.Contains(s, "the end is here") {
		t.Errorf("j did not move the expansion to the newer event:\n%s", s)
	}
	r.keys("esc")
	if r.m.mode != modeNormal {
		t.Errorf("esc: mode %d", r.m.mode)
	}
	// enter elsewhere than on the log does not expand
	r.keys("tab")
	r.keys("enter")
	if r.m.mode != modeNormal {
		t.Errorf("enter on the tree: mode %d", r.m.mode)
	}
	r.keys("?")
	if !strings.Contains(r.screen(), "expand event") {
		t.Error("the help does not list the expand key")
	}
}

// TestEventColumnsAligned: long kinds and 5-digit ports do not push the
// text column of some lines to the right.
func TestEventColumnsAligned(t *testing.T) {
	m := fixtureModel(t, 120, 40, Options{Feed: newFakeFeed()})
	m.Update(updateMsg{topology.Update{Events: []topology.Event{
		{Time: t0, Kind: topology.EventAlertCleared, Alert: "output-buffer", Addr: "127.0.0.1:7002", Detail: "TEXT-A"},
		{Time: t0, Kind: topology.EventLinkUp, Addr: "127.0.0.1:17002", Detail: "TEXT-B"},
		{Time: t0, Kind: topology.EventLinkUp, Addr: "127.0.0.1:7002", Detail: "TEXT-C"},
	}}})
	cols := map[int]bool{}
	for _, l := range strings.Split(ansi.Strip(m.View().Content), "\n") {
		if i := strings.Index(l, "TEXT-"); i >= 0 {
			cols[ansi.StringWidth(l[:i])] = true
		}
	}
	if len(cols) != 1 {
		t.Errorf("the event text starts at columns %v:\n%s", cols, ansi.Strip(m.View().Content))
	}
}

// TestDetailsWrapsAlertsAndErrors: a long alert and a node's error are
// wrapped in the details pane rather than cut, and a dial error is shown
// by its cause.
func TestDetailsWrapsAlertsAndErrors(t *testing.T) {
	m := deepModel(t, 80, 24, 546000737)
	m.Update(press("j")) // :17002, whose alert is longer than the pane
	s := ansi.Strip(m.View().Content)
	if !strings.Contains(s, "(replica-offset)") {
		t.Errorf("the alert is cut:\n%s", s)
	}
	g := fixtureGraph(t0.Add(time.Second), 0)
	dial := "dial 127.0.0.1:7005: dial tcp 127.0.0.1:7005: connect: connection refused"
	g.Node("127.0.0.1:7005").Error = dial
	g.Alerts[1].Message = dial
	r := newRig(t, Options{})
	r.m.Update(updateMsg{topology.Update{Graph: g}})
	r.keys("G")
	s = r.screen()
	if !strings.Contains(s, "error     connection refused") || !strings.Contains(s, "unreachable connection refused") ||
		strings.Contains(s, "dial") {
		t.Errorf("the dial error is not shown by its cause:\n%s", s)
	}
}

func TestBriefError(t *testing.T) {
	for in, want := range map[string]string{
		"dial 127.0.0.1:7999: dial tcp 127.0.0.1:7999: connect: connection refused": "connection refused",
		"read tcp 127.0.0.1:5->127.0.0.1:6: i/o timeout":                            "i/o timeout",
		"dial foo:1: dial tcp: lookup foo: no such host":                            "no such host",
		"WRONGPASS invalid username-password pair or user is disabled.":             "WRONGPASS invalid username-password pair or user is disabled.",
		"no answer within 2s: context deadline exceeded":                            "no answer within 2s: context deadline exceeded",
	} {
		if got := briefError(in); got != want {
			t.Errorf("briefError(%q) = %q, want %q", in, got, want)
		}
	}
}
