package metrics

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/topology"
)

// exposition is one scrape: each sample line's series (name and labels
// as served) → value.
type exposition map[string]float64

// scrapeHTTP GETs url and parses the Prometheus text format.
func scrapeHTTP(t testing.TB, url string) exposition {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s", resp.Status)
	}
	out := exposition{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("scrape: %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scrape: %v", err)
	}
	return out
}

// find returns the value of the series of metric name whose labels hold
// every label="value" of with.
func (e exposition) find(name string, with ...string) (float64, bool) {
	for k, v := range e {
		if !strings.HasPrefix(k, name+"{") {
			continue
		}
		ok := true
		for _, w := range with {
			ok = ok && strings.Contains(k, w)
		}
		if ok {
			return v, true
		}
	}
	return 0, false
}

// scrapeUntil scrapes url until cond holds, or fails after limit.
func scrapeUntil(t testing.TB, url string, limit time.Duration, what string, cond func(exposition) bool) exposition {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		e := scrapeHTTP(t, url)
		if cond(e) {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last scrape:\n%s", limit, what, dump(e))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRealRedisMetricsFollowALaggingReplica watches a real master and
// replica, scrapes /metrics over HTTP, freezes the replica (SIGSTOP: its
// link stays open, nothing is applied or ACKed) and writes: the
// replica's link series, named by its address and its master's, show the
// byte lag, the time lag and Redis's lag= (the ACK age) rising, then
// falling back once it runs again.
func TestRealRedisMetricsFollowALaggingReplica(t *testing.T) {
	m := redistest.Start(t)
	r := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	w, err := topology.NewWatcher(topology.Config{Seeds: []string{m.Addr}, Interval: 200 * time.Millisecond, Timeout: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Start()
	s, err := Serve("127.0.0.1:0", w.Latest)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	url := "http://" + s.Addr() + "/metrics"
	link := []string{`master="` + m.Addr + `"`, `replica="` + r.Addr + `"`}
	val := func(e exposition, name string) float64 {
		v, _ := e.find(name, link...)
		return v
	}

	scrapeUntil(t, url, 15*time.Second, "the replica's link up and caught up", func(e exposition) bool {
		up, _ := e.find("replscope_link_up", link...)
		lag, ok := e.find("replscope_link_lag_bytes", link...)
		_, role := e.find("replscope_node_role", `node="`+r.Addr+`"`, `role="replica"`, `master="`+m.Addr+`"`)
		return up == 1 && ok && lag == 0 && role
	})

	t.Cleanup(func() { r.Signal(syscall.SIGCONT) })
	r.Signal(syscall.SIGSTOP)
	c := m.Client(t)
	payload := strings.Repeat("v", 1000)
	const writes = 200
	for i := range writes {
		if _, err := c.Do("SET", fmt.Sprint("k", i), payload); err != nil {
			t.Fatal(err)
		}
	}
	frozen := scrapeUntil(t, url, 15*time.Second, "lag and ACK age to rise", func(e exposition) bool {
		return val(e, "replscope_link_lag_bytes") >= writes*1000 &&
			val(e, "replscope_link_ack_age_seconds") >= 2 && val(e, "replscope_link_lag_seconds") >= 1
	})
	t.Logf("frozen: lag %g bytes, %gs; ack age %gs", val(frozen, "replscope_link_lag_bytes"),
		val(frozen, "replscope_link_lag_seconds"), val(frozen, "replscope_link_ack_age_seconds"))
	if up, _ := frozen.find("replscope_node_up", `node="`+r.Addr+`"`); up != 0 {
		t.Errorf("a frozen replica reads as up")
	}

	r.Signal(syscall.SIGCONT)
	scrapeUntil(t, url, 15*time.Second, "the replica to catch up", func(e exposition) bool {
		lag, ok := e.find("replscope_link_lag_bytes", link...)
		return ok && lag == 0 && val(e, "replscope_link_ack_age_seconds") <= 1 && val(e, "replscope_link_up") == 1
	})
}
