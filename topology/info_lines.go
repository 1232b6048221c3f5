package topology

import (
	"strconv"
	"time"

	"github.com/replscope/replscope/internal/info"
)

// replicaLines returns a master's slaveN lines in N order.
func replicaLines(inf info.Info) []ReplicaLine {
	lines := inf.Numbered("slave")
	out := make([]ReplicaLine, len(lines))
	for j, l := range lines {
		kv := l.Fields
		port, _ := strconv.Atoi(kv["port"])
		off, _ := strconv.ParseInt(kv["offset"], 10, 64)
		lag, _ := strconv.ParseInt(kv["lag"], 10, 64)
		out[j] = ReplicaLine{
			IP: kv["ip"], Port: port, State: kv["state"], AckOffset: off,
			AckAge: time.Duration(lag) * time.Second, Pending: -1,
			Addr: JoinAddr(kv["ip"], strconv.Itoa(port)),
		}
	}
	return out
}

// sentinelMasters returns a Sentinel's masterN lines in N order.
func sentinelMasters(inf info.Info) []MonitoredMaster {
	lines := inf.Numbered("master")
	out := make([]MonitoredMaster, len(lines))
	for j, l := range lines {
		kv := l.Fields
		reps, _ := strconv.Atoi(kv["slaves"])
		sents, _ := strconv.Atoi(kv["sentinels"])
		out[j] = MonitoredMaster{
			Name: kv["name"], Addr: CanonAddr(kv["address"]), Status: kv["status"],
			Replicas: reps, Sentinels: sents,
		}
	}
	return out
}
