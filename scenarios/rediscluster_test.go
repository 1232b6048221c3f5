package scenarios

import "testing"

// TestReplicaKnown reads CLUSTER NODES lines in redis-server 7.0's
// format: a replica counts as known only when its line names its master.
func TestReplicaKnown(t *testing.T) {
	const (
		rep    = "07c37dfeb235213a872192d90877d0cd55635b91"
		master = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"
	)
	masterLine := master + " 127.0.0.1:30001@31001 master - 0 1426238316232 1 connected 0-5460\n"
	cases := []struct {
		name, nodes string
		want        bool
	}{
		{"known", masterLine + rep + " 127.0.0.1:30004@31004 slave " + master + " 0 1426238317239 1 connected\n", true},
		{"seen from itself", masterLine + rep + " 127.0.0.1:30004@31004 myself,slave " + master + " 0 0 1 connected\n", true},
		{"master unknown", masterLine + rep + " 127.0.0.1:30004@31004 slave - 0 1426238317239 1 connected\n", false},
		{"still a master", masterLine + rep + " 127.0.0.1:30004@31004 master - 0 1426238317239 0 connected\n", false},
		{"other master", masterLine + rep + " 127.0.0.1:30004@31004 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1 1 connected\n", false},
		{"not listed", masterLine, false},
	}
	for _, c := range cases {
		if got := replicaKnown(c.nodes, rep, master); got != c.want {
			t.Errorf("%s: replicaKnown = %v, want %v", c.name, got, c.want)
		}
	}
}
