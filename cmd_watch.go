package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/replscope/replscope/metrics"
	"github.com/replscope/replscope/topology"
	"github.com/replscope/replscope/tui"
)

// watchUsage is the help text of `replscope watch`.
const watchUsage = `usage: replscope watch ADDR... [flags]

Discovers the replication graph reachable from ADDR (host:port, a bare
port for 127.0.0.1, [redis[s]://]user:pass@host:port, or a Sentinel) and shows it: the dashboard when there
is one, else the tree as text after every change. With --json it prints
the graph, then each change, as JSON lines. --record FILE also appends
the timeline to FILE, for replscope replay.

TLS (--tls or a rediss:// address) and --map apply to every node, seeds
and discovered ones alike. --map FROM=TO (repeatable) dials TO whenever a
node known as FROM is reached; FROM itself is never dialled.

--metrics ADDR serves Prometheus metrics at http://ADDR/metrics while the
watch runs, with the dashboard, the text or --json alike (see README,
"Metrics").

flags:
`

// watchOpts are the parsed flags of `replscope watch`.
type watchOpts struct {
	addrs    []string
	password string
	user     string
	sentinel topology.Credentials // --sentinel-user/--sentinel-password
	readonly bool
	jsonOut  bool
	once     bool
	interval time.Duration
	timeout  time.Duration
	outage   time.Duration
	conc     int
	useTLS   bool
	tls      topology.TLSOptions
	addrMap  topology.AddrMap
	metrics  string // --metrics: the address to serve /metrics on
	record   string // --record: the file the timeline is appended to
}

// runWatch is `replscope watch ADDR... [--password PW] [--readonly]
// [--interval D] [--json [--once]]`. It returns the exit status: 0, 1 on
// a runtime error, 2 on a usage error, and with --once 3 when a critical
// alert (link down, unreachable, …) is raised.
func runWatch(args []string) int {
	return watchMain(args, os.Stdout, os.Stderr)
}

// watchMain is runWatch with its output streams; it runs until a stop
// signal.
func watchMain(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signalContext()
	defer stop()
	return watchContext(ctx, args, stdout, stderr)
}

// watchContext is watchMain until ctx ends.
func watchContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseWatch(args, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintf(stderr, "replscope watch: %v\n", err)
		return 2
	}
	cfg := topology.Config{
		Seeds: o.addrs, User: o.user, Password: o.password, ReadOnly: o.readonly, Map: o.addrMap,
		SentinelUser: o.sentinel.User, SentinelPassword: o.sentinel.Password,
		Interval: o.interval, Timeout: o.timeout, Concurrency: o.conc,
		Thresholds: topology.Thresholds{OutageWindow: o.outage},
	}
	if o.useTLS {
		if cfg.TLS, err = o.tls.ClientConfig(); err != nil {
			fmt.Fprintf(stderr, "replscope watch: %v\n", err)
			return 2
		}
	}
	w, err := topology.NewWatcher(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "replscope watch: %v\n", err)
		return 2
	}
	defer w.Close()
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	if o.metrics != "" {
		srv, err := metrics.Serve(o.metrics, w.Latest)
		if err != nil {
			fmt.Fprintf(stderr, "replscope watch: --metrics: %v\n", err)
			return 1
		}
		defer func() { // stops serving before w.Close (defers run last first)
			if err := srv.Close(); err != nil {
				fmt.Fprintf(stderr, "replscope watch: %v\n", err)
			}
		}()
		fmt.Fprintf(stderr, "replscope watch: metrics at http://%s/metrics\n", srv.Addr())
	}
	var rec *recorder
	if o.record != "" {
		if rec, err = startRecorder(o.record, "watch", strings.Join(hideCreds(o.addrs), " "), stderr); err != nil {
			fmt.Fprintf(stderr, "replscope watch: %v\n", err)
			return 1
		}
	}
	if o.once {
		u := w.Poll(ctx)
		if w.FindSentinels(ctx, u.Graph) { // Sentinels seen only in CLIENT LIST
			u.Graph = w.Poll(ctx).Graph // the first round's events stay the baseline
		}
		u = rec.record(u)
		rec.Close(false)
		if err := emit(out, o.jsonOut, u, true); err != nil {
			fmt.Fprintf(stderr, "replscope watch: %v\n", err)
			return 1
		}
		return criticalStatus(u.Graph)
	}
	if !o.jsonOut && stdout == os.Stdout && tui.CheckTerminal() == nil {
		defer rec.Close(true)
		return watchDashboard(ctx, w, rec, o, stderr)
	}
	defer rec.Close(false)
	return followRecorded(ctx, w, rec, out, stderr, o.jsonOut)
}

// watchDashboard shows the dashboard over the watched nodes (a terminal
// and no --json): the same dashboard as `replscope demo`.
func watchDashboard(ctx context.Context, w *topology.Watcher, rec *recorder, o watchOpts, stderr io.Writer) int {
	w.Start()
	feed, stopRec := recordFeed(w, rec)
	defer stopRec()
	shown := make([]string, len(o.addrs))
	for i, a := range o.addrs {
		if at := strings.LastIndexByte(a, '@'); at >= 0 {
			a = a[at+1:] // never show user:pass@
		}
		shown[i] = a
	}
	title := "replscope watch · " + strings.Join(shown, " ")
	err := tui.Run(ctx, tui.Options{Feed: feed, Operator: w.Operator(), ReadOnly: o.readonly, Title: title})
	if err != nil {
		fmt.Fprintf(stderr, "replscope watch: %v\n", err)
		return 1
	}
	return 0
}

// parseWatch reads flags and addresses in any order.
func parseWatch(args []string, errOut io.Writer) (watchOpts, error) {
	var o watchOpts
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprint(errOut, watchUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.password, "password", "", "password for every node without its own (default $REDISCLI_AUTH)")
	fs.StringVar(&o.user, "user", "", "ACL user for --password")
	fs.StringVar(&o.sentinel.Password, "sentinel-password", "", "password of the Sentinels (their requirepass), when not --password")
	fs.StringVar(&o.sentinel.User, "sentinel-user", "", "ACL user for --sentinel-password")
	fs.BoolVar(&o.readonly, "readonly", false, "no operations at all")
	fs.BoolVar(&o.jsonOut, "json", false, "print the graph and then each change as JSON lines")
	fs.BoolVar(&o.once, "once", false, "one round: print the graph and exit")
	fs.DurationVar(&o.interval, "interval", time.Second, "time between polling rounds")
	fs.DurationVar(&o.timeout, "timeout", time.Second, "per-node probe timeout")
	fs.DurationVar(&o.outage, "outage-window", time.Minute, "outage the replication backlog should survive (backlog sizing advice)")
	fs.IntVar(&o.conc, "concurrency", 16, "nodes probed at once")
	fs.BoolVar(&o.useTLS, "tls", false, "connect to every node with TLS (also: a rediss:// address)")
	fs.StringVar(&o.tls.CACert, "cacert", "", "CA certificate file to verify the nodes with (default: the system's)")
	fs.StringVar(&o.tls.CACertDir, "cacert-dir", "", "directory of trusted CA certificates")
	fs.StringVar(&o.tls.Cert, "cert", "", "client certificate, for nodes with tls-auth-clients yes")
	fs.StringVar(&o.tls.Key, "key", "", "private key of --cert")
	fs.StringVar(&o.tls.SNI, "sni", "", "server name to send and verify (default: each node's host)")
	fs.BoolVar(&o.tls.Insecure, "insecure", false, "do not verify the nodes' certificates")
	o.addrMap = topology.AddrMap{}
	fs.StringVar(&o.record, "record", "", recordFlagHelp)
	fs.Func("map", "`FROM=TO`: dial TO for the node known as FROM (NAT, containers); repeatable", o.addrMap.Add)
	fs.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics at http://`ADDR`/metrics (host:port, :port)")
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return o, err
		}
		if fs.NArg() == 0 {
			break
		}
		o.addrs = append(o.addrs, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(o.addrs) == 0 {
		fs.Usage()
		return o, fmt.Errorf("at least one address is needed")
	}
	if o.password == "" {
		o.password = os.Getenv("REDISCLI_AUTH")
	}
	for _, a := range o.addrs {
		if s, err := topology.ParseSeed(a); err == nil && s.TLS {
			o.useTLS = true // rediss:// is --tls for the whole fleet
		}
	}
	if !o.useTLS && o.tls != (topology.TLSOptions{}) {
		return o, fmt.Errorf("--cacert, --cacert-dir, --cert, --key, --sni and --insecure need --tls (or a rediss:// address)")
	}
	if o.metrics != "" && o.once {
		return o, fmt.Errorf("--metrics serves a running watch: it does not go with --once")
	}
	if o.interval <= 0 || o.timeout <= 0 {
		return o, fmt.Errorf("--interval and --timeout must be positive")
	}
	return o, nil
}

// follow prints every update until ctx ends (a stop signal).
func follow(ctx context.Context, w *topology.Watcher, out *bufio.Writer, stderr io.Writer, jsonOut bool) int {
	return followRecorded(ctx, w, nil, out, stderr, jsonOut)
}

// followRecorded is follow with every update recorded first (rec nil:
// none).
func followRecorded(ctx context.Context, w *topology.Watcher, rec *recorder, out *bufio.Writer, stderr io.Writer, jsonOut bool) int {
	w.Start()
	first := true
	for {
		select {
		case <-ctx.Done():
			return 0
		case u, ok := <-w.Updates():
			if !ok {
				return 0
			}
			u = rec.record(u)
			if err := emit(out, jsonOut, u, first); err != nil {
				fmt.Fprintf(stderr, "replscope watch: %v\n", err)
				return 1
			}
			first = false
		}
	}
}

// emit prints one update: in JSON the graph only the first time (then
// events), in text the tree whenever something changed.
func emit(out *bufio.Writer, jsonOut bool, u topology.Update, first bool) error {
	defer out.Flush()
	if jsonOut {
		enc := json.NewEncoder(out)
		if first {
			if err := enc.Encode(u.Graph); err != nil {
				return fmt.Errorf("encode graph: %w", err)
			}
		}
		for _, e := range u.Events {
			if err := enc.Encode(e); err != nil {
				return fmt.Errorf("encode event: %w", err)
			}
		}
		return nil
	}
	for _, e := range u.Events {
		fmt.Fprintf(out, "%s %-18s %s %s\n", e.Time.Format("15:04:05.000"), e.Kind, e.Addr, e.Detail)
	}
	if first || len(u.Events) > 0 {
		fmt.Fprintf(out, "\n%s\n", u.Graph.At.Format(time.RFC3339))
		_, err := out.WriteString(topology.RenderText(u.Graph))
		return err
	}
	return nil
}

// criticalStatus is 3 when the graph has a critical alert.
func criticalStatus(g *topology.Graph) int {
	for _, a := range g.Alerts {
		if a.Severity == topology.Critical {
			return 3
		}
	}
	return 0
}
