package topology

import (
	"testing"
	"time"

	"github.com/replscope/replscope/internal/info"
)

// TestNodeFromCapturedReplies checks the fields read from real Redis
// 7.0.15 INFO/ROLE replies for each captured state.
func TestNodeFromCapturedReplies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		check func(t *testing.T, n *Node)
	}{
		{"master-star", func(t *testing.T, n *Node) {
			eq(t, "role", n.Role, RoleMaster)
			eq(t, "id", n.ID, NodeID("b890ece8a0f49280bef60d1753460223886b3903"))
			eq(t, "software", n.Software, "redis")
			eq(t, "version", n.Version, "7.0.15")
			eq(t, "offset", n.Offset, int64(50))
			eq(t, "keys", n.Keys, int64(101))
			eq(t, "backlog", n.Backlog, Backlog{Active: true, Size: 1 << 20, FirstByte: 1, HistLen: 50})
			eq(t, "second offset", n.SecondOffset, int64(-1))
			eq(t, "sync_full", n.Stats.SyncFull, int64(2))
			eq(t, "replicas", len(n.Replicas), 2)
			eq(t, "slave0", n.Replicas[0], ReplicaLine{IP: "127.0.0.1", Port: 43867, Addr: addrR1,
				State: "online", AckOffset: 50, Pending: 20504})
			eq(t, "slave1 addr", n.Replicas[1].Addr, addrR2)
			eq(t, "limits", n.Limits, Limits{Known: true, OutputHard: 256 << 20, OutputSoft: 64 << 20, OutputSoftSeconds: 60})
			eq(t, "upstream", n.Upstream == nil, true)
		}},
		{"replica-up", func(t *testing.T, n *Node) {
			eq(t, "role", n.Role, RoleReplica)
			u := n.Upstream
			eq(t, "master", u.Addr, addrM)
			eq(t, "link up", u.LinkUp, true)
			eq(t, "state", u.LinkState, "connected")
			eq(t, "down for", u.DownFor, time.Duration(0))
			eq(t, "offset", u.Offset, int64(50))
			eq(t, "sync", u.Sync == nil, true)
			eq(t, "priority", u.Priority, 100)
		}},
		{"replica-down", func(t *testing.T, n *Node) {
			u := n.Upstream
			eq(t, "link up", u.LinkUp, false)
			eq(t, "state", u.LinkState, "connect")
			eq(t, "down for", u.DownFor, time.Second)
			eq(t, "last io", u.LastIO, -time.Second)
			eq(t, "offset kept", u.Offset, int64(50))
		}},
		{"replica-refused", func(t *testing.T, n *Node) {
			u := n.Upstream
			eq(t, "down since never", u.DownFor, -time.Second)
			eq(t, "keys", n.Keys, int64(0))
			eq(t, "backlog", n.Backlog.Active, false)
		}},
		{"replica-syncing", func(t *testing.T, n *Node) {
			u := n.Upstream
			if u.Sync == nil {
				t.Fatal("no sync progress")
			}
			eq(t, "state", u.LinkState, "sync")
			eq(t, "read", u.Sync.ReadBytes, int64(16340))
			_, known := u.Sync.Fraction()
			eq(t, "diskless size unknown", known, false)
		}},
		{"master-syncing", func(t *testing.T, n *Node) {
			eq(t, "slave state", n.Replicas[0].State, "wait_bgsave")
		}},
		{"promoted", func(t *testing.T, n *Node) {
			eq(t, "role", n.Role, RoleMaster)
			eq(t, "replid2", n.ReplID2, "ea9d4425db33da1b1633d57fb37f3373957d53a8")
			eq(t, "second offset", n.SecondOffset, int64(51))
		}},
		{"sentinel", func(t *testing.T, n *Node) {
			eq(t, "role", n.Role, RoleSentinel)
			eq(t, "software", n.Software, "sentinel")
			eq(t, "masters", n.Sentinel, []MonitoredMaster{{Name: "mymaster", Addr: "127.0.0.1:50645", Status: "ok", Sentinels: 1}})
			eq(t, "mentions", n.Mentions(), []string{"127.0.0.1:50645"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := loadCapture(t, tc.name)
			n := c.node(t0)
			eq(t, "reach", n.Reach, ReachOK)
			eq(t, "addr", n.Addr, c.addr())
			tc.check(t, n)
		})
	}
}

func TestInfoLinesEdgeCases(t *testing.T) {
	inf := info.Parse("# Replication\nrole:master\r\nslave10:ip=::1,port=7,state=online,offset=5,lag=2\nslave2:ip=10.0.0.1,port=9,state=send_bulk,offset=0,lag=0\nbad line\ndb0:keys=3,expires=0\ndb15:keys=4\nmaster_x:1\n")
	rs := replicaLines(inf)
	eq(t, "order", []string{rs[0].Addr, rs[1].Addr}, []string{"10.0.0.1:9", "[::1]:7"})
	eq(t, "ack age", rs[1].AckAge, 2*time.Second)
	k, ok := inf.Keys()
	eq(t, "keys", k, int64(7))
	eq(t, "keys seen", ok, true)
	eq(t, "int default", inf.Int("nope", -3), int64(-3))
	eq(t, "sentinel masters", len(sentinelMasters(inf)), 0)
}

func TestApplyClientListMatchesByIP(t *testing.T) {
	lines := []ReplicaLine{{IP: "10.0.0.1", Pending: -1}, {IP: "10.0.0.2", Pending: -1}, {IP: "10.0.0.1", Pending: -1}}
	applyClientList(lines, "id=1 addr=10.0.0.2:5555 flags=S omem=7\nid=2 addr=10.0.0.1:6666 flags=S omem=9\nid=3 addr=10.0.0.1:7777 flags=S omem=11\n")
	eq(t, "pending", []int64{lines[0].Pending, lines[1].Pending, lines[2].Pending}, []int64{9, 7, 11})
}
