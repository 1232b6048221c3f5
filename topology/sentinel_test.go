package topology

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// TestSentinelPick follows sentinelSelectSlave: down, disconnected and
// priority-0 replicas are skipped; then the lowest priority, the highest
// offset and the smallest run_id win.
func TestSentinelPick(t *testing.T) {
	rep := func(addr, runID string, prio int, off int64, flags ...string) SentinelReplica {
		return SentinelReplica{Addr: addr, RunID: runID, Priority: prio, Offset: off, Flags: append([]string{"slave"}, flags...)}
	}
	cases := []struct {
		name string
		reps []SentinelReplica
		want string
	}{
		{"highest offset", []SentinelReplica{rep("a:1", "b", 100, 10), rep("a:2", "a", 100, 20)}, "a:2"},
		{"lowest priority first", []SentinelReplica{rep("a:1", "b", 50, 10), rep("a:2", "a", 100, 20)}, "a:1"},
		{"run_id breaks ties", []SentinelReplica{rep("a:1", "b", 100, 20), rep("a:2", "a", 100, 20)}, "a:2"},
		{"priority 0 skipped", []SentinelReplica{rep("a:1", "b", 0, 99), rep("a:2", "a", 100, 20)}, "a:2"},
		{"down skipped", []SentinelReplica{rep("a:1", "b", 1, 99, "s_down"), rep("a:2", "a", 100, 20)}, "a:2"},
		{"disconnected skipped", []SentinelReplica{rep("a:1", "b", 1, 99, "disconnected"), rep("a:2", "a", 100, 20)}, "a:2"},
		{"none", []SentinelReplica{rep("a:1", "b", 0, 99), rep("a:2", "a", 100, 20, "o_down")}, ""},
	}
	for _, c := range cases {
		got, why := SentinelPick(c.reps)
		if got != c.want || why == "" {
			t.Errorf("%s: pick %q (%s), want %q", c.name, got, why, c.want)
		}
	}
}

// TestSentinelGroupsFromView gathers one group from two Sentinels: the
// higher config epoch names the master, each s_down flag is a vote, and
// the group's members find it.
func TestSentinelGroupsFromView(t *testing.T) {
	reps := []SentinelReplica{{Addr: "127.0.0.1:7002", Priority: 100, Offset: 5, Flags: []string{"slave"}}}
	s1 := &Node{ID: "s1", Addr: "127.0.0.1:26379", Reach: ReachOK, Role: RoleSentinel, SentinelView: []SentinelMaster{
		{Name: "mm", Addr: "127.0.0.1:7001", Flags: []string{"master", "s_down"}, Quorum: 2, Others: 1, ConfigEpoch: 1, Replicas: reps}}}
	s2 := &Node{ID: "s2", Addr: "127.0.0.1:26380", Reach: ReachOK, Role: RoleSentinel, SentinelView: []SentinelMaster{
		{Name: "mm", Addr: "127.0.0.1:7001", Flags: []string{"master", "s_down", "o_down"}, Quorum: 2, Others: 1, ConfigEpoch: 1, Replicas: reps}}}
	m := &Node{ID: "m", Addr: "127.0.0.1:7001", Reach: ReachOK, Role: RoleMaster}
	r := &Node{ID: "r", Addr: "127.0.0.1:7002", Reach: ReachOK, Role: RoleReplica}
	g := Build(time.Unix(1700000000, 0), []*Node{s1, s2, m, r}, nil, []string{s1.Addr})
	if len(g.Sentinels) != 1 {
		t.Fatalf("groups = %+v", g.Sentinels)
	}
	sg := g.Sentinels[0]
	if sg.DownVotes != 2 || !sg.ODown || sg.Known != 2 || sg.Pick != "127.0.0.1:7002" || len(sg.Sentinels) != 2 {
		t.Fatalf("group = %+v", sg)
	}
	if g.SentinelGroupOf("r") == nil || g.SentinelGroupOf("m") == nil || g.SentinelGroupOf("s1") != nil {
		t.Fatal("SentinelGroupOf does not find the members")
	}
	if ManagedWarning(g, "r") == "" || ManagedWarning(g, "s1") != "" {
		t.Fatal("ManagedWarning")
	}
	p, err := FailoverOp(g, "127.0.0.1:7001")
	if err != nil || p.Kind != "sentinel" || p.Target != s1.Addr || p.Pick != "127.0.0.1:7002" {
		t.Fatalf("FailoverOp = %+v, %v", p, err)
	}
}

// TestParseSentinelReplicas reads SENTINEL REPLICAS' flat field arrays.
func TestParseSentinelReplicas(t *testing.T) {
	entry := func(kv ...string) resp.Value {
		v := resp.Value{Kind: resp.Array}
		for _, s := range kv {
			v.Elems = append(v.Elems, resp.Value{Kind: resp.BulkString, Str: []byte(s)})
		}
		return v
	}
	v := resp.Value{Kind: resp.Array, Elems: []resp.Value{
		entry("ip", "127.0.0.1", "port", "7003", "runid", "x", "flags", "slave,s_down", "slave-priority", "0", "slave-repl-offset", "42", "master-link-status", "err"),
		entry("ip", "127.0.0.1", "port", "7002", "runid", "y", "flags", "slave", "slave-priority", "100", "slave-repl-offset", "43", "master-link-status", "ok"),
	}}
	got := parseSentinelReplicas(v)
	if len(got) != 2 || got[0].Addr != "127.0.0.1:7002" || got[0].Offset != 43 || !got[0].LinkUp ||
		got[1].Priority != 0 || !sentinelHasFlag(got[1].Flags, "s_down") {
		t.Fatalf("replicas = %+v", got)
	}
}

// TestSentinelGroupsJSON: watch --json carries the group facts.
func TestSentinelGroupsJSON(t *testing.T) {
	g := &Graph{At: time.Unix(1700000000, 0), Sentinels: []SentinelGroup{{Name: "mm", Master: "127.0.0.1:7001", Quorum: 2,
		Sentinels: []string{"127.0.0.1:26379"}, Known: 3, DownVotes: 1, Pick: "127.0.0.1:7002", PickWhy: "priority 100, offset 5",
		Replicas: []SentinelReplica{{Addr: "127.0.0.1:7002", Flags: []string{"slave"}, Priority: 100, Offset: 5, LinkUp: true}}}}}
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	want := `"sentinel_groups":[{"name":"mm","master":"127.0.0.1:7001","quorum":2,"sentinels":["127.0.0.1:26379"],` +
		`"known_sentinels":3,"down_votes":1,"odown":false,"config_epoch":0,"replicas":[{"addr":"127.0.0.1:7002",` +
		`"flags":["slave"],"priority":100,"offset":5,"link_up":true}],"pick":"127.0.0.1:7002","pick_why":"priority 100, offset 5"}]`
	if !strings.Contains(string(b), want) {
		t.Fatalf("JSON lacks the group:\n%s", b)
	}
}

// TestSentinelBlame: a role change of an instance a Sentinel event acted
// on says so; other role changes and stale actions do not.
func TestSentinelBlame(t *testing.T) {
	at := time.Unix(1700000000, 0)
	var b SentinelBlame
	b.Record([]Event{{Time: at, Kind: EventSentinel, Addr: "127.0.0.1:26379",
		Detail: "+convert-to-slave slave 127.0.0.1:7001 127.0.0.1 7001 @ mm 127.0.0.1 7002"}})
	g := &Graph{}
	evs := []Event{
		{Time: at.Add(time.Second), Kind: EventRoleChanged, Addr: "127.0.0.1:7001", Detail: "master → replica"},
		{Time: at.Add(time.Second), Kind: EventRoleChanged, Addr: "127.0.0.1:7003", Detail: "master → replica"},
		{Time: at.Add(time.Hour), Kind: EventRoleChanged, Addr: "127.0.0.1:7001", Detail: "replica → master"},
	}
	b.Explain(g, evs)
	if evs[0].Detail != "master → replica — by Sentinel 127.0.0.1:26379 (+convert-to-slave)" ||
		evs[1].Detail != "master → replica" || evs[2].Detail != "replica → master" {
		t.Fatalf("details: %q / %q / %q", evs[0].Detail, evs[1].Detail, evs[2].Detail)
	}
}
