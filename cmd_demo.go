package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/replscope/replscope/scenarios"
	"github.com/replscope/replscope/topology"
	"github.com/replscope/replscope/tui"
)

// runDemo is `replscope demo [--nodes N] [--base-port P] [--password PW]
// [--readonly] [--scenario NAME]`: N embedded nodes on loopback ports P, P+1, … (node k
// replicates from node k/2: a master, two replicas and a sub-replica by
// default, a star and a chain at once), a gentle write load on the master,
// and the dashboard over them. Quitting stops every node it started.
func runDemo(args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	nodes := fs.Int("nodes", 4, "number of embedded nodes")
	basePort := fs.Int("base-port", 7001, "port of the first node; the others follow")
	password := fs.String("password", "", "requirepass and masterauth of every node")
	readOnly := fs.Bool("readonly", false, "no operations from the dashboard")
	interval := fs.Duration("interval", 500*time.Millisecond, "how often the topology is polled")
	scenario := fs.String("scenario", "", "play a built-in scenario (replscope play --list) instead of the default topology")
	recordTo := fs.String("record", "", recordFlagHelp)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *scenario != "" {
		return demoScenarioRecorded(*scenario, *basePort, *password, *recordTo)
	}
	if *nodes < 1 || *nodes > 500 || *basePort < 1 || *basePort+*nodes-1 > 65535 {
		fmt.Fprintln(os.Stderr, "replscope demo: --nodes must be 1..500 and every port within 1..65535")
		return 2
	}
	if err := tui.CheckTerminal(); err != nil {
		fmt.Fprintf(os.Stderr, "replscope demo: %v.\nWithout a terminal, run a scenario headless instead: replscope play --headless SCENARIO (replscope play --list shows them).\n", err)
		return 1
	}
	ctx, stop := signalContext()
	defer stop()

	c, err := startDemo(*nodes, *basePort, *password)
	if err != nil {
		fmt.Fprintf(os.Stderr, "replscope demo: %v\n", err)
		return 1
	}
	defer c.Close()
	w, err := topology.NewWatcher(topology.Config{Fleet: c.nodes, Password: *password, Interval: *interval})
	if err != nil {
		fmt.Fprintf(os.Stderr, "replscope demo: %v\n", err)
		return 1
	}
	w.Start()
	defer w.Close()
	ports := fmt.Sprintf("ports %d-%d", *basePort, *basePort+*nodes-1)
	if *nodes == 1 {
		ports = fmt.Sprintf("port %d", *basePort)
	}
	var rec *recorder
	if *recordTo != "" {
		if rec, err = startRecorder(*recordTo, "demo", ports, os.Stderr); err != nil {
			fmt.Fprintf(os.Stderr, "replscope demo: %v\n", err)
			return 1
		}
		defer rec.Close(true)
	}
	feed, stopRec := recordFeed(w, rec)
	defer stopRec()
	err = tui.Run(ctx, tui.Options{Feed: feed, Operator: w.Operator(), ReadOnly: *readOnly,
		Title: "replscope demo", Subtitle: ports, Load: c.load})
	if err != nil {
		fmt.Fprintf(os.Stderr, "replscope demo: %v\n", err)
		return 1
	}
	return 0
}

// demoSettings keep redis.conf's replication timing in the demo (the
// scenarios' quick settings shorten it so that stories play in seconds).
var demoSettings = []string{"--repl-ping-replica-period", "10", "--repl-timeout", "60"}

// demoCluster is the demo's embedded nodes, a scenarios.Cluster, and its
// write load.
type demoCluster struct {
	nodes *scenarios.Cluster
	load  *demoLoad
}

// startDemo starts n nodes on 127.0.0.1 from basePort; node k (1-based)
// replicates from node k/2.
func startDemo(n, basePort int, password string) (*demoCluster, error) {
	nodes, err := scenarios.New(scenarios.Options{BasePort: basePort, Password: password, Version: version,
		Settings: demoSettings})
	if err != nil {
		return nil, err
	}
	c := &demoCluster{nodes: nodes}
	name := func(k int) string { return "n" + strconv.Itoa(k) }
	for k := 1; k <= n; k++ {
		err := nodes.Add(name(k), scenarios.Embedded)
		if err != nil {
			err = fmt.Errorf("port %d: %w (choose other ports with --base-port)", basePort+k-1, err)
		} else if k > 1 {
			err = nodes.ReplicaOf(context.Background(), name(k), name(k/2))
		}
		if err != nil {
			c.Close()
			return nil, err
		}
	}
	if c.load, err = startDemoLoad(nodes, name(1)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// closeWait bounds how long Close waits for the nodes, so that a signal
// ends the demo within 3 s: the process exits right after, which frees
// their ports anyway.
const closeWait = 2 * time.Second

// Close stops the write load and every node, and removes their files.
func (c *demoCluster) Close() {
	done := make(chan struct{})
	go func() { // owned: ends when the nodes have closed
		defer close(done)
		_ = c.nodes.Close()
	}()
	select {
	case <-done:
	case <-time.After(closeWait):
		fmt.Fprintf(os.Stderr, "replscope demo: the nodes did not stop within %s; exiting anyway\n", closeWait)
	}
}

// demoLoad is the write load of the demo's first node: scenarios'
// background load at demoRate SETs a second while enabled, so offsets
// move and lag and backlog have something to show. Writes the node
// refuses (it was made a replica) are counted and skipped. It implements
// tui.WriteLoad.
type demoLoad struct {
	nodes *scenarios.Cluster
	name  string
}

// demoRate is the demo load's writes per second.
const demoRate = 20

func startDemoLoad(nodes *scenarios.Cluster, name string) (*demoLoad, error) {
	l := &demoLoad{nodes: nodes, name: name}
	return l, nodes.Load(name, demoRate)
}

// SetEnabled starts or stops the writes.
func (l *demoLoad) SetEnabled(on bool) {
	if on {
		_ = l.nodes.Load(l.name, demoRate) // fails only once the cluster closed
		return
	}
	l.nodes.StopLoad(l.name)
}

// Enabled reports whether the load is writing.
func (l *demoLoad) Enabled() bool { return l.nodes.LoadStats(l.name).Rate > 0 }
