package scenarios

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// Load settings.
const (
	loadKeys      = 10000                 // keys name:load:0 … name:load:9999, overwritten in a cycle
	loadValueSize = 100                   // bytes per value
	loadTick      = 20 * time.Millisecond // how often the load sends what is due
	loadRetry     = 100 * time.Millisecond
	loadMaxBatch  = 5000 // writes sent at once at most, when the node fell behind
)

// Load starts (or re-rates) a background write load of rate SETs a second
// on node name, until StopLoad or Close. Writes that fail (the node is a
// replica, killed, restarting) are counted and retried at the next tick.
func (c *Cluster) Load(name string, rate int) error {
	if rate < 1 {
		return fmt.Errorf("load %s: the rate must be positive", name)
	}
	if _, err := c.get(name); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return fmt.Errorf("load %s: cluster closed", name)
	}
	if l := c.loads[name]; l != nil {
		l.rate.Store(int64(rate))
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &loader{c: c, name: name, cancel: cancel, done: make(chan struct{})}
	l.rate.Store(int64(rate))
	c.loads[name] = l
	go l.run(ctx)
	return nil
}

// StopLoad stops the write load on node name and waits for its goroutine.
// Stopping a load that does not run does nothing.
func (c *Cluster) StopLoad(name string) {
	c.mu.Lock()
	l := c.loads[name]
	delete(c.loads, name)
	c.mu.Unlock()
	if l != nil {
		l.stop()
	}
}

// LoadStats are a load's counters.
type LoadStats struct {
	Rate    int   // writes per second asked for; 0 when no load runs
	Writes  int64 // writes that succeeded
	Errors  int64 // writes that failed
	LastErr string
}

// LoadStats returns the counters of the load on node name.
func (c *Cluster) LoadStats(name string) LoadStats {
	c.mu.Lock()
	l := c.loads[name]
	c.mu.Unlock()
	if l == nil {
		return LoadStats{}
	}
	s := LoadStats{Rate: int(l.rate.Load()), Writes: l.writes.Load(), Errors: l.errors.Load()}
	if e, ok := l.lastErr.Load().(string); ok {
		s.LastErr = e
	}
	return s
}

// loader is one node's background write load; its goroutine is owned by
// the Cluster and ends on stop.
type loader struct {
	c      *Cluster
	name   string
	rate   atomic.Int64
	writes atomic.Int64
	errors atomic.Int64
	// lastErr holds the last failure's message (a string).
	lastErr  atomic.Value
	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
}

func (l *loader) stop() {
	l.stopOnce.Do(func() {
		l.cancel()
		<-l.done
	})
}

// run sends the writes that are due every tick, pipelined, on one
// connection that it re-dials (at most every loadRetry) after a failure.
func (l *loader) run(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(loadTick)
	defer t.Stop()
	var (
		cl      *resp.Client
		hangup  func()
		due     float64
		next    int64
		last    = time.Now()
		retryAt time.Time
		value   = strings.Repeat("x", loadValueSize)
	)
	defer func() {
		if hangup != nil {
			hangup()
		}
	}()
	for {
		var now time.Time
		select {
		case <-ctx.Done():
			return
		case now = <-t.C:
			due = min(due+float64(l.rate.Load())*now.Sub(last).Seconds(), loadMaxBatch)
			last = now
		}
		n := int(due)
		if n == 0 || now.Before(retryAt) {
			continue
		}
		due -= float64(n)
		if cl == nil {
			var err error
			if cl, hangup, err = l.c.dial(ctx, l.name); err != nil {
				l.fail(int64(n), err)
				cl, hangup, retryAt = nil, nil, now.Add(loadRetry)
				continue
			}
		}
		if err := l.send(cl, n, &next, value); err != nil {
			l.lastErr.Store(err.Error())
			hangup()
			cl, hangup, retryAt = nil, nil, now.Add(loadRetry)
		}
	}
}

// send pipelines n SETs and reads their replies.
func (l *loader) send(cl *resp.Client, n int, next *int64, value string) error {
	var buf []byte
	for i := 0; i < n; i++ {
		key := l.name + ":load:" + strconv.FormatInt(*next%loadKeys, 10)
		*next++
		buf = resp.AppendCommand(buf, "SET", key, value)
	}
	if err := cl.WriteRaw(buf); err != nil {
		l.errors.Add(int64(n))
		return err
	}
	for i := 0; i < n; i++ {
		v, err := cl.Receive()
		if err != nil {
			l.errors.Add(int64(n - i))
			return err
		}
		if e := v.Err(); e != nil {
			l.fail(1, e)
			continue
		}
		l.writes.Add(1)
	}
	return nil
}

// fail counts n failed writes and records err.
func (l *loader) fail(n int64, err error) {
	l.errors.Add(n)
	l.lastErr.Store(err.Error())
}

// LoadSwitch turns a load on one node on and off: the demo's `w` key (it
// implements the dashboard's WriteLoad).
type LoadSwitch struct {
	c    *Cluster
	name string
	rate int
}

// LoadSwitch returns a switch for a load of rate writes a second on node
// name. It does not start the load.
func (c *Cluster) LoadSwitch(name string, rate int) *LoadSwitch {
	return &LoadSwitch{c: c, name: name, rate: rate}
}

// SetEnabled starts or stops the load.
func (s *LoadSwitch) SetEnabled(on bool) {
	if on {
		_ = s.c.Load(s.name, s.rate)
		return
	}
	s.c.StopLoad(s.name)
}

// Enabled reports whether the load runs.
func (s *LoadSwitch) Enabled() bool { return s.c.LoadStats(s.name).Rate > 0 }
