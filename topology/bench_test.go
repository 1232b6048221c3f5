package topology

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// synthWorld is a synthetic fleet: masters, each with replicas, some of
// them chained, every node's INFO built from a real capture's server,
// persistence and stats sections with a generated replication section.
type synthWorld struct {
	addrs    []string
	masters  []string
	captures map[string]capture
}

func newSynthWorld(tb testing.TB, masters, perMaster int) synthWorld {
	base := loadCapture(tb, "master-star")
	head := base.info[:strings.Index(base.info, "# Replication")]
	w := synthWorld{captures: map[string]capture{}}
	port := 20000
	for m := range masters {
		mPort := port
		port++
		w.masters = append(w.masters, fmt.Sprintf("127.0.0.1:%d", mPort))
		replid := fmt.Sprintf("%040x", m+1)
		var reps []int
		for range perMaster {
			reps = append(reps, port)
			port++
		}
		// Replicas 0..perMaster/3 hang below the first replica (a chain).
		chained := perMaster / 3
		direct, below := reps[chained:], reps[1:chained]
		direct = append([]int{reps[0]}, direct...)
		w.add(tb, head, mPort, "", replid, direct, 1_000_000)
		for i, r := range direct {
			sub := []int(nil)
			if i == 0 {
				sub = below
			}
			w.add(tb, head, r, fmt.Sprintf("127.0.0.1:%d", mPort), replid, sub, 1_000_000-int64(i)*10)
		}
		for _, r := range below {
			w.add(tb, head, r, fmt.Sprintf("127.0.0.1:%d", reps[0]), replid, nil, 999_000)
		}
	}
	return w
}

func (w *synthWorld) add(tb testing.TB, head string, port int, master, replid string, replicas []int, off int64) {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(head, "tcp_port:38197", fmt.Sprintf("tcp_port:%d", port)))
	b.WriteString("# Replication\r\n")
	roleV := fmt.Sprintf("*3\r\n$6\r\nmaster\r\n:%d\r\n*0\r\n", off)
	if master != "" {
		host, p, _ := strings.Cut(master, ":")
		roleV = fmt.Sprintf("*5\r\n$5\r\nslave\r\n$%d\r\n%s\r\n:%s\r\n$9\r\nconnected\r\n:%d\r\n", len(host), host, p, off)
		fmt.Fprintf(&b, "role:slave\r\nmaster_host:%s\r\nmaster_port:%s\r\nmaster_link_status:up\r\nmaster_last_io_seconds_ago:0\r\nmaster_sync_in_progress:0\r\nslave_read_repl_offset:%d\r\nslave_repl_offset:%d\r\nslave_priority:100\r\nslave_read_only:1\r\nreplica_announced:1\r\n", host, p, off, off)
	} else {
		b.WriteString("role:master\r\n")
	}
	fmt.Fprintf(&b, "connected_slaves:%d\r\n", len(replicas))
	var cl strings.Builder
	for i, r := range replicas {
		fmt.Fprintf(&b, "slave%d:ip=127.0.0.1,port=%d,state=online,offset=%d,lag=0\r\n", i, r, off)
		fmt.Fprintf(&cl, "id=%d addr=127.0.0.1:%d laddr=127.0.0.1:%d fd=8 name= age=9 idle=0 flags=S db=0 omem=20504 cmd=replconf\n", i+5, 50000+i, port)
	}
	fmt.Fprintf(&b, "master_failover_state:no-failover\r\nmaster_replid:%s\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:%d\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:1\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:%d\r\nrepl_backlog_histlen:%d\r\n\r\n# Keyspace\r\ndb0:keys=1000,expires=0,avg_ttl=0\r\n", replid, off, off-100_000+1, 100_000)
	info := strings.Replace(b.String(), "run_id:b890ece8a0f49280bef60d1753460223886b3903", fmt.Sprintf("run_id:%040x", port), 1)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	w.addrs = append(w.addrs, addr)
	w.captures[addr] = capture{name: addr, info: info, role: decodeRESP(tb, roleV), clientList: cl.String()}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPollRound200 is a whole round on 200 nodes (20 masters with 9
// replicas each, 2 of them chained): discovery from the 20 masters, 200 probes over the simulated network (4 commands each, replies
// of ~3.5 kB), Build, Assess, Diff and Layout. cpu-ms/round counts the CPU
// of the fake servers too.
func BenchmarkPollRound200(b *testing.B) {
	b.Run("simnet", func(b *testing.B) { benchRound(b, false) })
	b.Run("tcp", func(b *testing.B) { benchRound(b, true) })
}

func benchRound(b *testing.B, tcp bool) {
	sw := newSynthWorld(b, 20, 9)
	f := newFakeNet(b)
	dial := f.dialer()
	for _, a := range sw.addrs {
		if tcp {
			f.serveTCP(a, sw.captures[a])
		} else {
			f.serve(a, sw.captures[a])
		}
	}
	if tcp {
		dial = f.tcpDialer()
	}
	w, err := NewWatcher(Config{Seeds: sw.masters, Dial: dial, Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	u := w.Poll(b.Context())
	if n := len(u.Graph.Nodes); n != 200 {
		b.Fatalf("found %d nodes", n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for b.Loop() {
		u = w.Poll(b.Context())
		_ = Layout(u.Graph)
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/round")
	if len(u.Graph.Alerts) != 0 {
		b.Fatalf("alerts on a healthy fleet:\n%s", RenderText(u.Graph))
	}
}

// BenchmarkHealth200 is the pure part alone for 200 nodes: parsing the
// replies, Build, Assess, Diff and Layout.
func BenchmarkHealth200(b *testing.B) {
	sw := newSynthWorld(b, 20, 9)
	var prev *Graph
	at := t0
	b.ReportAllocs()
	for b.Loop() {
		at = at.Add(time.Second)
		probes := make([]*Node, 0, len(sw.addrs))
		for _, a := range sw.addrs {
			c := sw.captures[a]
			probes = append(probes, NodeFromReplies(a, at, Replies{Role: c.role, Info: c.info, ClientList: c.clientList}))
		}
		g := Build(at, probes, prev, sw.masters)
		Assess(prev, g, Thresholds{})
		_ = Diff(prev, g)
		_ = Layout(g)
		prev = g
	}
}
