package redistest

import (
	"fmt"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redisproc"
	"github.com/replscope/replscope/internal/resp"
)

// SentinelBinary returns the path of the redis-sentinel binary, or "" when
// it is not installed.
func SentinelBinary() string { return lookBinary("redis-sentinel") }

// RequireSentinel skips the test when redis-sentinel is not installed.
func RequireSentinel(t testing.TB) string {
	t.Helper()
	return requireBinary(t, "redis-sentinel", "the Sentinel interop test", "redis-sentinel")
}

// Monitor is one master a Sentinel watches, with the timing that drives
// its failovers. Zero durations and counts take test-friendly defaults.
type Monitor struct {
	Name            string        // master name (default "mymaster")
	Host            string        // default 127.0.0.1
	Port            int           // the master's port
	Quorum          int           // sentinels that must agree it is down (default 2)
	DownAfter       time.Duration // down-after-milliseconds (default 1.5 s)
	FailoverTimeout time.Duration // failover-timeout (default 10 s)
	ParallelSyncs   int           // parallel-syncs (default 1)
}

func (m Monitor) withDefaults() Monitor {
	if m.Name == "" {
		m.Name = "mymaster"
	}
	if m.Host == "" {
		m.Host = "127.0.0.1"
	}
	if m.Quorum == 0 {
		m.Quorum = 2
	}
	if m.DownAfter == 0 {
		m.DownAfter = 1500 * time.Millisecond
	}
	if m.FailoverTimeout == 0 {
		m.FailoverTimeout = 10 * time.Second
	}
	if m.ParallelSyncs == 0 {
		m.ParallelSyncs = 1
	}
	return m
}

// configLines renders the sentinel.conf lines that monitor m.
func (m Monitor) configLines() []string {
	return []string{
		fmt.Sprintf("sentinel monitor %s %s %d %d", m.Name, m.Host, m.Port, m.Quorum),
		fmt.Sprintf("sentinel down-after-milliseconds %s %d", m.Name, m.DownAfter.Milliseconds()),
		fmt.Sprintf("sentinel failover-timeout %s %d", m.Name, m.FailoverTimeout.Milliseconds()),
		fmt.Sprintf("sentinel parallel-syncs %s %d", m.Name, m.ParallelSyncs),
	}
}

// Sentinel is a redis-sentinel process started for one test. Its
// embedded Server gives Addr, Port, Dir, Client, Do, Log and Stop.
type Sentinel struct {
	*Server
	Config string // the sentinel.conf it runs from (Sentinel rewrites it)
}

// StartSentinel starts redis-sentinel on a free loopback port, in its own
// temporary directory, from a sentinel.conf written there that monitors
// the given masters, followed by extra sentinel.conf lines. It waits until
// the sentinel answers PING and stops it when the test ends.
func StartSentinel(t testing.TB, monitors []Monitor, extra ...string) *Sentinel {
	t.Helper()
	bin := RequireSentinel(t)
	dir := t.TempDir()
	var lines []string
	for _, m := range monitors {
		lines = append(lines, m.withDefaults().configLines()...)
	}
	lines = append(lines, extra...)
	s := &Server{t: t}
	p, err := redisproc.StartSentinel(bin, dir, FreePort(t), lines...)
	s.launched(t, "redis-sentinel", p, err)
	return &Sentinel{Server: s, Config: p.Config}
}

// MasterAddr returns what SENTINEL get-master-addr-by-name says for the
// named master, as "host:port", or "" when the sentinel has no answer.
func (s *Sentinel) MasterAddr(t testing.TB, name string) string {
	t.Helper()
	v := s.Do(t, "SENTINEL", "get-master-addr-by-name", name)
	if v.Kind != resp.Array || len(v.Elems) != 2 {
		return ""
	}
	return string(v.Elems[0].Str) + ":" + string(v.Elems[1].Str)
}

// Instances returns the reply of SENTINEL <kind> <name> (kind is
// "replicas" or "sentinels"): one field map per instance.
func (s *Sentinel) Instances(t testing.TB, kind, name string) []map[string]string {
	t.Helper()
	v := s.Do(t, "SENTINEL", kind, name)
	if v.Kind == resp.Error {
		t.Fatalf("SENTINEL %s %s on %s: -%s", kind, name, s.Addr, v.Str)
	}
	var out []map[string]string
	for _, inst := range v.Elems {
		m := map[string]string{}
		for i := 0; i+1 < len(inst.Elems); i += 2 {
			m[string(inst.Elems[i].Str)] = string(inst.Elems[i+1].Str)
		}
		out = append(out, m)
	}
	return out
}
