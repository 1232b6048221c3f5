package info

import (
	"reflect"
	"testing"
	"time"
)

const sample = "# Replication\nrole:master\r\nslave10:ip=::1,port=7,state=online,offset=5,lag=2\n" +
	"slave2:ip=10.0.0.1,port=9,state=send_bulk,offset=0,lag=0\nslave_read_only:1\nbad line\n" +
	"# Keyspace\r\ndb12:keys=4\ndb0:keys=3,expires=0\nmaster_x:1\nmaster_link_down_since_seconds:-1\n"

func TestParse(t *testing.T) {
	inf := Parse(sample)
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"str", inf.Str("role"), "master"},
		{"absent str", inf.Str("nope"), ""},
		{"has", inf.Has("master_x"), true},
		{"bad line", inf.Has("bad line"), false},
		{"int default", inf.Int("nope", -3), int64(-3)},
		{"malformed int", inf.Int("role", 9), int64(9)},
		{"float", inf.Float("master_x", 0), 1.0},
		{"seconds keep -1", inf.Seconds("master_link_down_since_seconds", 0), -time.Second},
		{"seconds default", inf.Seconds("nope", time.Minute), time.Minute},
		{"section", inf.HasSection("KEYSPACE"), true},
		{"no section", inf.HasSection("stats"), false},
		{"dbs in order", inf.DBs(), []int{0, 12}},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
	rs := inf.Numbered("slave")
	if len(rs) != 2 || rs[0].N != 2 || rs[1].N != 10 || rs[1].Fields["ip"] != "::1" || rs[0].Fields["state"] != "send_bulk" {
		t.Errorf("Numbered(slave) = %+v: want slave2 then slave10, slave_read_only left out", rs)
	}
	if k, ok := inf.Keys(); k != 7 || !ok {
		t.Errorf("Keys = %d %v, want 7 true", k, ok)
	}
	f := inf.Fields()
	f["role"] = "changed"
	if inf.Str("role") != "master" {
		t.Error("Fields returned the parser's own map")
	}
}

// TestKeysWithoutKeyspace tells an empty keyspace section from none.
func TestKeysWithoutKeyspace(t *testing.T) {
	if _, ok := Parse("# Server\r\nrun_id:x\r\n").Keys(); ok {
		t.Error("no keyspace section: Keys reported one")
	}
	if k, ok := Parse("# Keyspace\r\n").Keys(); k != 0 || !ok {
		t.Errorf("empty keyspace: Keys = %d %v, want 0 true", k, ok)
	}
}
