// Command lagprobe measures replication from the outside, over INFO
// replication, for bench/compare.sh. It talks to real Redis and to
// replscope nodes alike.
//
//	lagprobe sync -master ADDR -replica ADDR[,ADDR...] [-replicaof HOST:PORT] [-cont PID]
//	    Optionally sends REPLICAOF HOST PORT to the (single) replica and/or
//	    SIGCONT to PID, then waits until every replica is synced: link up and
//	    slave_repl_offset equal to the master's master_repl_offset. Prints
//	    "secs=<elapsed since the REPLICAOF/SIGCONT, or since start>
//	    linked=<elapsed until the master first listed as many connected
//	    replicas as -replica names (polled on a connection of its own;
//	    -1 when it does not, as a chain's master)>
//	    replinfo_max_ms=<the slowest round trip of INFO on a replica
//	    meanwhile>". With -probe KEY, a client of its own
//	    also sends SET KEY <100 bytes> to the master every millisecond
//	    until then, and the line ends with "sets=<count> p99set_ms=
//	    maxset_ms=": the round trips a writing client saw during the sync.
//
//	lagprobe lag -master ADDR -replica ADDR [-interval 5ms] -- CMD [ARGS...]
//	    Runs CMD (e.g. redis-benchmark) and, while it runs, samples
//	    master_repl_offset - slave_repl_offset every interval, asking both
//	    servers back to back (both requests are sent before either reply is
//	    read). CMD's output passes through. Then waits for the replica to
//	    catch up and prints one line
//	    "samples= p50= p99= max= neg= down= period_ms= catchup=".
//	    neg counts samples where the replica's offset read ahead of the
//	    master's (counted as lag 0); down counts samples with the link not up.
//
//	lagprobe feed -listen ADDR -pidfile FILE [-n 1000000] [-keys 100000] [-d 100]
//	    Plays the master of one replica (started with replicaof ADDR, its
//	    pid in FILE): an empty full sync, then the same stream of n SETs for
//	    every server, as fast as the replica takes it. Prints the replica's
//	    CPU per SET and the time until it acknowledged the whole stream.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/resp"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "sync":
		err = runSync(os.Args[2:])
	case "lag":
		err = runLag(os.Args[2:])
	case "feed":
		err = runFeed(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lagprobe:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: lagprobe sync|lag|feed -master ADDR -replica ADDR ... (see source)")
	os.Exit(2)
}

// replInfo is what lagprobe reads from INFO replication.
type replInfo struct {
	role         string
	masterOffset int64 // master_repl_offset
	slaveOffset  int64 // slave_repl_offset (replicas only; -1 when absent)
	linkUp       bool  // master_link_status:up
	replicas     int   // connected_slaves
}

// replInfoOf reads a replInfo from an INFO replication reply.
func replInfoOf(v resp.Value) (replInfo, error) {
	if err := v.Err(); err != nil {
		return replInfo{}, err
	}
	inf := info.Parse(string(v.Str))
	return replInfo{
		role:         inf.Str("role"),
		masterOffset: inf.Int("master_repl_offset", 0),
		slaveOffset:  inf.Int("slave_repl_offset", -1),
		linkUp:       inf.Str("master_link_status") == "up",
		replicas:     int(inf.Int("connected_slaves", 0)),
	}, nil
}

func dial(addr string) (*resp.Client, error) {
	c, err := resp.Dial(context.Background(), addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c.Timeout = 30 * time.Second
	return c, nil
}

func replicationOf(c *resp.Client) (replInfo, error) {
	v, err := c.Do("INFO", "replication")
	if err != nil {
		return replInfo{}, err
	}
	return replInfoOf(v)
}

func runSync(args []string) error {
	fs := flag.NewFlagSet("sync", flag.ExitOnError)
	master := fs.String("master", "", "master address host:port")
	replicas := fs.String("replica", "", "replica address(es), comma separated")
	replicaof := fs.String("replicaof", "", "send REPLICAOF <host> <port> to the replica first")
	cont := fs.Int("cont", 0, "send SIGCONT to this pid first")
	interval := fs.Duration("interval", 2*time.Millisecond, "poll interval")
	timeout := fs.Duration("timeout", 300*time.Second, "give up after this long")
	probe := fs.String("probe", "", "SET this key on the master every 1 ms while waiting, and report the round trips")
	_ = fs.Parse(args)
	if *master == "" || *replicas == "" {
		return errors.New("sync needs -master and -replica")
	}
	m, err := dial(*master)
	if err != nil {
		return err
	}
	var rs []*resp.Client
	for _, a := range strings.Split(*replicas, ",") {
		c, err := dial(a)
		if err != nil {
			return err
		}
		rs = append(rs, c)
	}
	var host, port string
	if *replicaof != "" {
		if len(rs) != 1 {
			return errors.New("-replicaof takes exactly one replica")
		}
		if host, port, err = net.SplitHostPort(*replicaof); err != nil {
			return err
		}
	}

	var setter *prober
	if *probe != "" {
		if setter, err = startProber(*master, *probe); err != nil {
			return err
		}
		defer setter.stop()
	}
	start := time.Now()
	if *replicaof != "" {
		v, err := rs[0].Do("REPLICAOF", host, port)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return fmt.Errorf("REPLICAOF: %w", err)
		}
	}
	if *cont != 0 {
		if err := syscall.Kill(*cont, syscall.SIGCONT); err != nil {
			return fmt.Errorf("SIGCONT %d: %w", *cont, err)
		}
	}
	// The master's listing is watched on a connection of its own: asked
	// in turn with the replicas, it would wait on their INFO replies,
	// which a replica busy catching up answers late.
	listed := watchListed(*master, len(rs), *interval)
	defer listed.stop()
	var replInfoMax time.Duration // the replicas' slowest INFO round trip
	for {
		ok, rtt, err := synced(m, rs)
		if err != nil {
			return err
		}
		replInfoMax = max(replInfoMax, rtt)
		if ok {
			secs := time.Since(start).Seconds()
			// A chain's master lists only its own replica: a count never
			// reached is reported as -1, as before the first poll.
			linked, err := listed.wait(start, time.Second)
			if err != nil {
				return err
			}
			ls := "-1"
			if linked >= 0 {
				ls = fmt.Sprintf("%.4f", linked.Seconds())
			}
			line := fmt.Sprintf("secs=%.4f linked=%s replinfo_max_ms=%.2f", secs, ls, float64(replInfoMax)/1e6)
			if setter == nil {
				fmt.Println(line)
				return nil
			}
			rtts, err := setter.stop()
			if err != nil {
				return fmt.Errorf("probe: %w", err)
			}
			fmt.Printf("%s sets=%d p99set_ms=%.2f maxset_ms=%.2f\n", line,
				len(rtts), float64(pct(rtts, 99))/1e6, float64(rtts[len(rtts)-1])/1e6)
			return nil
		}
		if time.Since(start) > *timeout {
			return fmt.Errorf("replicas %s not synced with %s after %v", *replicas, *master, *timeout)
		}
		time.Sleep(*interval)
	}
}

// synced reads the master, then each replica: a replica never reads ahead of
// the master it follows, so equal offsets read in this order mean in sync.
// It also returns the slowest of the replicas' INFO round trips.
func synced(m *resp.Client, rs []*resp.Client) (bool, time.Duration, error) {
	mi, err := replicationOf(m)
	if err != nil {
		return false, 0, fmt.Errorf("master: %w", err)
	}
	in := true
	var slowest time.Duration
	for _, r := range rs {
		t := time.Now()
		ri, err := replicationOf(r)
		if err != nil {
			return false, 0, fmt.Errorf("replica: %w", err)
		}
		slowest = max(slowest, time.Since(t))
		if !ri.linkUp || ri.slaveOffset != mi.masterOffset {
			in = false
		}
	}
	return in, slowest, nil
}

// listedWatch polls a master's connected_slaves until it reaches a count.
type listedWatch struct {
	at   chan time.Time // when the count was first seen; closed on error
	err  error          // set before at is closed without a value
	quit chan struct{}
	done chan struct{}
}

// watchListed starts polling the master at addr every interval, on a
// connection of its own, until it lists want connected replicas.
func watchListed(addr string, want int, interval time.Duration) *listedWatch {
	w := &listedWatch{at: make(chan time.Time, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		c, err := dial(addr)
		if err != nil {
			w.err = err
			close(w.at)
			return
		}
		defer c.Close()
		for {
			mi, err := replicationOf(c)
			if err != nil {
				w.err = fmt.Errorf("master: %w", err)
				close(w.at)
				return
			}
			if mi.replicas >= want {
				w.at <- time.Now()
				return
			}
			select {
			case <-w.quit:
				return
			case <-time.After(interval):
			}
		}
	}()
	return w
}

// wait returns how long after start the master first listed the
// replicas, or -1 when it has not listed them within grace.
func (w *listedWatch) wait(start time.Time, grace time.Duration) (time.Duration, error) {
	select {
	case at, ok := <-w.at:
		if !ok {
			return 0, w.err
		}
		return at.Sub(start), nil
	case <-time.After(grace):
		return -1, nil
	}
}

// stop ends the polling and waits for it.
func (w *listedWatch) stop() {
	close(w.quit)
	<-w.done
}

func runLag(args []string) error {
	fs := flag.NewFlagSet("lag", flag.ExitOnError)
	master := fs.String("master", "", "master address host:port")
	replica := fs.String("replica", "", "replica address host:port")
	interval := fs.Duration("interval", 5*time.Millisecond, "sample period")
	timeout := fs.Duration("timeout", 300*time.Second, "catch-up timeout after the command ends")
	_ = fs.Parse(args)
	cmdArgs := fs.Args()
	if *master == "" || *replica == "" || len(cmdArgs) == 0 {
		return errors.New("lag needs -master, -replica and a command after --")
	}
	m, err := dial(*master)
	if err != nil {
		return err
	}
	r, err := dial(*replica)
	if err != nil {
		return err
	}

	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
	cmd.Stdout = os.Stdout // e.g. redis-benchmark -q: its figure is wanted too
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var lags []int64
	var neg, down int
	start := time.Now()
	var cmdErr error
loop:
	for {
		t0 := time.Now()
		// Ask both servers before reading either reply, so the two offsets
		// are taken as close together in time as one client can manage.
		if err := r.Send("INFO", "replication"); err != nil {
			return err
		}
		if err := m.Send("INFO", "replication"); err != nil {
			return err
		}
		rv, err := r.Receive()
		if err != nil {
			return err
		}
		mv, err := m.Receive()
		if err != nil {
			return err
		}
		ri, err := replInfoOf(rv)
		if err != nil {
			return err
		}
		mi, err := replInfoOf(mv)
		if err != nil {
			return err
		}
		if !ri.linkUp {
			down++
		}
		lag := mi.masterOffset - ri.slaveOffset
		if lag < 0 {
			neg++
			lag = 0
		}
		lags = append(lags, lag)
		select {
		case cmdErr = <-done:
			break loop
		case <-time.After(time.Until(t0.Add(*interval))):
		}
	}
	elapsed := time.Since(start)
	if cmdErr != nil {
		return fmt.Errorf("%s: %w", cmdArgs[0], cmdErr)
	}

	// Catch-up: time from the end of the load until the replica is synced.
	cu := time.Now()
	for {
		ok, _, err := synced(m, []*resp.Client{r})
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if time.Since(cu) > *timeout {
			return fmt.Errorf("replica %s not caught up after %v", *replica, *timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
	catchup := time.Since(cu)

	slices.Sort(lags)
	fmt.Printf("samples=%d p50=%d p99=%d max=%d neg=%d down=%d period_ms=%.2f catchup=%.4f\n",
		len(lags), pct(lags, 50), pct(lags, 99), lags[len(lags)-1], neg, down,
		float64(elapsed.Microseconds())/1000/float64(len(lags)), catchup.Seconds())
	return nil
}

// pct is the nearest-rank percentile of sorted xs.
func pct(xs []int64, p float64) int64 {
	i := int(math.Ceil(p/100*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

// prober is a client that writes to a master at a steady pace and records
// every round trip, as an application writing during a sync would see it.
type prober struct {
	quit chan struct{}
	done chan struct{}
	rtts []int64 // nanoseconds, sorted once stopped
	err  error
}

// startProber dials addr and sends SET key <100 bytes> every millisecond
// (the next one as soon as a slow one returns) until stop.
func startProber(addr, key string) (*prober, error) {
	c, err := dial(addr)
	if err != nil {
		return nil, err
	}
	p := &prober{quit: make(chan struct{}), done: make(chan struct{})}
	val := strings.Repeat("0", 100)
	go func() {
		defer close(p.done)
		defer c.Close()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			t0 := time.Now()
			v, err := c.Do("SET", key, val)
			if err == nil {
				err = v.Err()
			}
			if err != nil {
				p.err = err
				return
			}
			p.rtts = append(p.rtts, int64(time.Since(t0)))
			select {
			case <-p.quit:
				return
			case <-tick.C:
			}
		}
	}()
	return p, nil
}

// stop ends the probe once and returns its sorted round trips.
func (p *prober) stop() ([]int64, error) {
	select {
	case <-p.quit:
	default:
		close(p.quit)
	}
	<-p.done
	if p.err == nil && len(p.rtts) == 0 {
		p.err = errors.New("no SET completed")
	}
	slices.Sort(p.rtts)
	return p.rtts, p.err
}
