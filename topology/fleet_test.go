package topology

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// testFleet is a Fleet whose members a test changes between rounds.
type testFleet struct {
	mu      sync.Mutex
	members []Member
}

func (f *testFleet) Members() []Member {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.members)
}

func (f *testFleet) set(ms ...Member) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.members = ms
}

// TestFleetMembersAreReadEveryRound: a Fleet's members are seeds with
// their own passwords, read anew each round (a password changed between
// rounds is used by the next connection), and a member's link through a
// proxy shows as the link to the master behind it, in that round only.
func TestFleetMembersAreReadEveryRound(t *testing.T) {
	f, _, srv := serveWorld(t)
	srv[addrM].set(func(s *fakeServer) { s.password = "right" })
	fleet := &testFleet{}
	fleet.set(Member{Addr: addrM, Password: "right"}, Member{Addr: addrR2})
	w := newTestWatcher(t, f, Config{Fleet: fleet, Password: "hunter2", Timeout: 300 * time.Millisecond})
	g := w.Poll(t.Context()).Graph
	eq(t, "member's password", mustNode(t, g, addrM).Reach, ReachOK)
	eq(t, "nodes found from the members", len(g.Nodes), 4)

	srv[addrM].set(func(s *fakeServer) { s.password = "changed" })
	fleet.set(Member{Addr: addrM, Password: "changed"}, Member{Addr: addrR2})
	w.remote.Forget(addrM) // the next probe dials anew
	eq(t, "changed password", mustNode(t, w.Poll(t.Context()).Graph, addrM).Reach, ReachOK)

	const behind = "127.0.0.1:6390"
	fleet.set(Member{Addr: addrM, Password: "changed"}, Member{Addr: addrR2, Proxy: addrM, ProxyTarget: behind})
	g = w.Poll(t.Context()).Graph
	up := mustNode(t, g, addrR2).Upstream
	eq(t, "link through the proxy", up.Addr, behind)
	eq(t, "its port", up.Port, 6390)
	fleet.set(Member{Addr: addrM, Password: "changed"}, Member{Addr: addrR2})
	eq(t, "no proxy any more", mustNode(t, w.Poll(t.Context()).Graph, addrR2).Upstream.Addr, addrM)
}

// TestPollAndPublishFeedUpdates: once started, a Poll's round and
// published events reach Updates, in order, with a Graph.
func TestPollAndPublishFeedUpdates(t *testing.T) {
	f, _, _ := serveWorld(t)
	w := newTestWatcher(t, f, Config{Seeds: []string{addrM}, Interval: time.Hour})
	w.Publish(Event{Kind: "caption", Detail: "before Start: dropped"})
	w.Start()
	select { // the loop's first round
	case <-w.Updates():
	case <-time.After(5 * time.Second):
		t.Fatal("no first update")
	}
	polled := w.Poll(t.Context()).Graph
	w.Publish(Event{Kind: "caption", Detail: "one"}, Event{Kind: "caption", Detail: "two"})
	var got []string
	sawPolled := false
	deadline := time.After(5 * time.Second)
	for len(got) < 2 {
		select {
		case u := <-w.Updates():
			if u.Graph == nil {
				t.Fatal("an Update without a Graph")
			}
			sawPolled = sawPolled || u.Graph == polled
			for _, e := range u.Events {
				if e.Kind == "caption" {
					got = append(got, e.Detail)
				}
			}
		case <-deadline:
			t.Fatalf("published events not delivered; got %q", got)
		}
	}
	eq(t, "published events", got, []string{"one", "two"})
	if !sawPolled {
		t.Error("the polled Graph never reached Updates")
	}
}
