package scenarios

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/replscope/replscope/internal/redisproc"
	"github.com/replscope/replscope/internal/resp"
	"github.com/replscope/replscope/scenarios/script"
	"github.com/replscope/replscope/topology"
)

// ErrNoSentinel reports that a script starts a Sentinel but
// redis-sentinel is not installed.
var ErrNoSentinel = errors.New("redis-sentinel is not installed (apt-get install redis-sentinel), " +
	"and this needs it for its \"sentinel\" steps")

// SentinelAvailable reports whether redis-sentinel is installed (in PATH).
func SentinelAvailable() bool {
	_, err := exec.LookPath("redis-sentinel")
	return err == nil
}

// Timing of the Sentinels a scenario starts: quick enough for a story.
const (
	sentinelDownAfter       = 2 * time.Second
	sentinelFailoverTimeout = 10 * time.Second
	sentinelRetries         = 20 // consecutive failed subscriptions before giving up
)

// sentinelSet holds a Cluster's Sentinels; guarded by its own mutex.
type sentinelSet struct {
	mu     sync.Mutex
	byName map[string]*sentinelProc
	order  []string
	wg     sync.WaitGroup // the event subscribers
}

// sentinelProc is one redis-sentinel process with its event subscriber.
type sentinelProc struct {
	name, group, addr, log string
	proc                   *redisproc.Proc
	cancel                 context.CancelFunc

	mu   sync.Mutex
	seen []string // every event published, "channel message", for `wait event`
}

func (c *Cluster) sentinelSet() *sentinelSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sentinels == nil {
		c.sentinels = &sentinelSet{byName: map[string]*sentinelProc{}}
	}
	return c.sentinels
}

// AddSentinel starts a redis-sentinel called name, with its own writable
// config file, that monitors node's group (named after node), and
// subscribes to its events.
func (c *Cluster) AddSentinel(name, node string, quorum int) error {
	bin, err := exec.LookPath("redis-sentinel")
	if err != nil {
		return ErrNoSentinel
	}
	m, err := c.get(node)
	if err != nil {
		return err
	}
	c.mu.Lock()
	master, pass := m.addr(), m.pass
	c.mu.Unlock()
	host, port, _ := strings.Cut(master, ":")
	dir := filepath.Join(c.root, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("sentinel %s: %w", name, err)
	}
	sport, err := redisproc.FreePort()
	if err != nil {
		return err
	}
	p, err := redisproc.StartSentinel(bin, dir, sport)
	if err != nil {
		return fmt.Errorf("sentinel %s: %w", name, err)
	}
	if err := p.WaitReady(nil, 10*time.Second); err != nil {
		_ = p.Kill()
		return fmt.Errorf("redis-sentinel on port %d: %w%s", sport, err, p.LogTail())
	}
	ctx, cancel := context.WithCancel(context.Background())
	sp := &sentinelProc{name: name, group: node, addr: p.Addr, log: p.LogPath, proc: p, cancel: cancel}
	set := c.sentinelSet()
	set.mu.Lock()
	set.byName[name] = sp
	set.order = append(set.order, name)
	set.wg.Add(1)
	set.mu.Unlock()
	subscribed := make(chan struct{})
	go sp.subscribe(ctx, &set.wg, subscribed)
	select { // the script sees every event, +monitor included
	case <-subscribed:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("sentinel %s: no subscription to its events within 5 s", name)
	}
	cmds := [][]string{
		{"SENTINEL", "MONITOR", node, host, port, strconv.Itoa(quorum)},
		{"SENTINEL", "SET", node, "down-after-milliseconds", strconv.FormatInt(sentinelDownAfter.Milliseconds(), 10),
			"failover-timeout", strconv.FormatInt(sentinelFailoverTimeout.Milliseconds(), 10), "parallel-syncs", "1"},
	}
	if pass != "" {
		cmds = append(cmds, []string{"SENTINEL", "SET", node, "auth-pass", pass})
	}
	for _, cmd := range cmds {
		if _, err := sentinelDo(context.Background(), p.Addr, cmd...); err != nil {
			return fmt.Errorf("sentinel %s: %w", name, err)
		}
	}
	return nil
}

// subscribe reads the Sentinel's events (PSUBSCRIBE *) until ctx ends,
// reconnecting a bounded number of times.
func (sp *sentinelProc) subscribe(ctx context.Context, wg *sync.WaitGroup, subscribed chan struct{}) {
	defer wg.Done()
	var once sync.Once
	for fails := 0; fails < sentinelRetries && ctx.Err() == nil; fails++ {
		c, err := resp.Dial(ctx, sp.addr, time.Second)
		if err == nil {
			stop := context.AfterFunc(ctx, func() { _ = c.Close() })
			c.Timeout = 0
			if err = c.Send("PSUBSCRIBE", "*"); err == nil {
				for {
					v, err := c.Receive()
					if err != nil {
						break
					}
					if len(v.Elems) == 3 && string(v.Elems[0].Str) == "psubscribe" {
						once.Do(func() { close(subscribed) })
					}
					if len(v.Elems) == 4 && string(v.Elems[0].Str) == "pmessage" {
						fails = 0
						sp.add(string(v.Elems[2].Str), string(v.Elems[3].Str))
					}
				}
			}
			stop()
			_ = c.Close()
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (sp *sentinelProc) add(ch, msg string) {
	if strings.HasPrefix(ch, "__sentinel__:") {
		return
	}
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.seen = append(sp.seen, ch+" "+msg)
}

// sentinel returns the Sentinel called name.
func (c *Cluster) sentinel(name string) (*sentinelProc, error) {
	set := c.sentinelSet()
	set.mu.Lock()
	defer set.mu.Unlock()
	if sp := set.byName[name]; sp != nil {
		return sp, nil
	}
	return nil, fmt.Errorf("scenarios: no Sentinel called %q", name)
}

// sentinelMembers are the Sentinels, as Fleet members: the Watcher reads
// them and subscribes to their events itself.
func (c *Cluster) sentinelMembers() []topology.Member {
	set := c.sentinelSet()
	set.mu.Lock()
	defer set.mu.Unlock()
	out := make([]topology.Member, 0, len(set.order))
	for _, n := range set.order {
		out = append(out, topology.Member{Addr: set.byName[n].addr})
	}
	return out
}

// closeSentinels stops every Sentinel and its subscriber.
func (c *Cluster) closeSentinels() {
	set := c.sentinelSet()
	set.mu.Lock()
	procs := make([]*sentinelProc, 0, len(set.order))
	for _, n := range set.order {
		procs = append(procs, set.byName[n])
	}
	set.mu.Unlock()
	for _, sp := range procs {
		sp.cancel()
		_ = sp.proc.Kill()
	}
	set.wg.Wait()
}

// sentinelStep carries out the Sentinel verbs.
func (p *Player) sentinelStep(ctx context.Context, s script.Step) (string, error) {
	c := p.c
	if s.Verb == script.VerbSentinel {
		if err := c.AddSentinel(s.Node, s.Target, s.Count); err != nil {
			return "", err
		}
		sp, _ := c.sentinel(s.Node)
		return fmt.Sprintf("%s %s monitors %s (quorum %d)", s.Node, sp.addr, s.Target, s.Count), nil
	}
	sp, err := c.sentinel(s.Node)
	if err != nil {
		return "", err
	}
	switch s.Verb {
	case script.VerbFailover:
		// A Sentinel that has not read its replicas' INFO yet answers
		// -NOGOODSLAVE: ask again for a few seconds.
		var last error
		return waitUntil(ctx, 5*time.Second, func() (bool, string) {
			v, err := sentinelDo(ctx, sp.addr, "SENTINEL", "FAILOVER", sp.group)
			if err != nil {
				last = err
				return false, last.Error()
			}
			return true, "SENTINEL FAILOVER " + sp.group + " → " + v.String()
		})
	case script.VerbWaitMaster:
		want := topology.CanonAddr(c.Addr(s.Target))
		return waitUntil(ctx, s.Timeout, func() (bool, string) {
			got := sentinelMaster(ctx, sp)
			if got == want {
				return true, fmt.Sprintf("%s names %s (%s) as the master of %s", s.Node, s.Target, got, sp.group)
			}
			return false, fmt.Sprintf("%s names %s as the master of %s, not %s (%s)", s.Node, got, sp.group, s.Target, want)
		})
	case script.VerbWaitEvent:
		return waitUntil(ctx, s.Timeout, func() (bool, string) {
			sp.mu.Lock()
			defer sp.mu.Unlock()
			for _, e := range sp.seen {
				if ch, _, _ := strings.Cut(e, " "); ch == s.Value {
					return true, e
				}
			}
			return false, fmt.Sprintf("%s published no %s", s.Node, s.Value)
		})
	}
	return "", fmt.Errorf("%s: verb %q is not supported by this player", s.Pos, s.Verb)
}

// waitUntil polls ok until it holds or timeout passes; the message of the
// last poll is the result or the error.
func waitUntil(ctx context.Context, timeout time.Duration, ok func() (bool, string)) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		done, msg := ok()
		if done {
			return msg, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("after %s: %s", timeout, msg)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return "", err
		}
	}
}

// sentinelMaster asks get-master-addr-by-name; "" when there is no answer.
func sentinelMaster(ctx context.Context, sp *sentinelProc) string {
	v, err := sentinelDo(ctx, sp.addr, "SENTINEL", "get-master-addr-by-name", sp.group)
	if err != nil || len(v.Elems) != 2 {
		return ""
	}
	return topology.CanonAddr(string(v.Elems[0].Str) + ":" + string(v.Elems[1].Str))
}

// sentinelDo sends one command to a Sentinel.
func sentinelDo(ctx context.Context, addr string, args ...string) (resp.Value, error) {
	c, err := resp.Dial(ctx, addr, 2*time.Second)
	if err != nil {
		return resp.Value{}, err
	}
	defer c.Close()
	v, err := c.Do(args...)
	if err != nil {
		return v, fmt.Errorf("%s on %s: %w", strings.Join(args, " "), addr, err)
	}
	if err := v.Err(); err != nil {
		return v, fmt.Errorf("%s on %s: %w", strings.Join(args, " "), addr, err)
	}
	return v, nil
}
