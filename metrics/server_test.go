package metrics

import (
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/replscope/replscope/topology"
)

// get fetches url and returns the status and body.
func get(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// waitGoroutines waits until at most n goroutines run, or fails.
func waitGoroutines(t testing.TB, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServerServesLatestGraph scrapes /metrics over real HTTP: the text
// follows the graph the source returns at each scrape, and Close ends
// every goroutine the server started, a kept-alive scrape connection
// included.
func TestServerServesLatestGraph(t *testing.T) {
	before := runtime.NumGoroutine()
	var cur atomic.Pointer[topology.Graph]
	s, err := Serve("127.0.0.1:0", cur.Load)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	url := "http://" + s.Addr() + "/metrics"

	code, body := get(t, c, url)
	if code != http.StatusOK || strings.Contains(body, "replscope_") {
		t.Fatalf("before the first round: %d\n%s", code, body)
	}
	cur.Store(plainGraph())
	code, body = get(t, c, url)
	for _, want := range []string{
		"# TYPE replscope_link_lag_bytes gauge",
		"# TYPE replscope_node_sync_full_total counter",
		`replscope_link_lag_bytes{master="127.0.0.1:7001",replica="127.0.0.1:7002",sentinel_group="",shard=""} 150000`,
		`replscope_link_ack_age_seconds{master="127.0.0.1:7001",replica="127.0.0.1:7002",sentinel_group="",shard=""} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in %d:\n%s", want, code, body)
		}
	}
	cur.Store(sentinelGraph())
	if _, body = get(t, c, url); strings.Contains(body, "127.0.0.1:7003") || !strings.Contains(body, `sentinel_group="mymaster"`) {
		t.Errorf("scrape does not follow the graph:\n%s", body)
	}
	if code, body = get(t, c, "http://"+s.Addr()+"/"); code != http.StatusOK || !strings.Contains(body, "/metrics") {
		t.Errorf("GET /: %d %q", code, body)
	}
	if code, _ = get(t, c, "http://"+s.Addr()+"/nope"); code != http.StatusNotFound {
		t.Errorf("GET /nope: %d", code)
	}

	start := time.Now()
	if err := s.Close(); err != nil { // the client still holds an idle connection
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %s with an idle scrape connection", d)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Get(url); err == nil {
		t.Error("still serving after Close")
	}
	tr.CloseIdleConnections()
	waitGoroutines(t, before, 5*time.Second)
}

// TestServeListenError: an address in use is an error at once, not a
// goroutine that fails later.
func TestServeListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if s, err := Serve(ln.Addr().String(), func() *topology.Graph { return nil }); err == nil {
		s.Close()
		t.Fatalf("Serve on %s, which is in use, succeeded", ln.Addr())
	}
}

// TestServerConcurrentScrapes: scrapes in parallel only read the shared
// Graph (run under -race).
func TestServerConcurrentScrapes(t *testing.T) {
	g := plainGraph()
	s, err := Serve("127.0.0.1:0", func() *topology.Graph { return g })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	url := "http://" + s.Addr() + "/metrics"
	var wg sync.WaitGroup
	bodies := make(chan string, 16)
	for range 4 {
		wg.Go(func() {
			c := &http.Client{Timeout: 5 * time.Second}
			for range 4 {
				resp, err := c.Get(url)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				bodies <- string(b)
			}
		})
	}
	wg.Wait()
	close(bodies)
	first := ""
	for b := range bodies {
		if first == "" {
			first = b
		}
		if b != first || !strings.Contains(b, "replscope_link_lag_bytes") {
			t.Fatalf("scrapes of one graph differ or lack the lag:\n%s\n---\n%s", first, b)
		}
	}
}
