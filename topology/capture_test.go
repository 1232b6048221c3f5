package topology

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/info"
	"github.com/replscope/replscope/internal/redistest"
	"github.com/replscope/replscope/internal/resp"
)

// captureFlag regenerates testdata/redis-7.0.15 from live redis-server
// processes: go test ./topology -run TestCaptureTestdata -capture
var captureFlag = flag.Bool("capture", false, "regenerate testdata/redis-7.0.15 from a live redis-server")

const captureDir = "testdata/redis-7.0.15"

// TestCaptureTestdata builds small real topologies and saves what INFO,
// ROLE and CLIENT LIST say about them, for the pure tests.
func TestCaptureTestdata(t *testing.T) {
	if !*captureFlag {
		t.Skip("run with -capture to regenerate the INFO/ROLE captures")
	}
	if err := os.MkdirAll(captureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A star: m with r1 and r2; a chain r1 -> c1.
	m := redistest.Start(t, "--enable-debug-command", "yes")
	m.Do(t, "DEBUG", "POPULATE", "100")
	r1 := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	r2 := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	c1 := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(r1.Port))
	for _, s := range []*redistest.Server{r1, r2, c1} {
		waitField(t, s, "master_link_status", "up")
	}
	m.Do(t, "SET", "k", "v")
	waitAcked(t, m, 2)
	save(t, "master-star", m)
	save(t, "replica-up", r2)
	save(t, "chain-middle", r1)
	save(t, "chain-tail", c1)
	writeFile(t, "master-star.clientlist.txt", m.Do(t, "CLIENT", "LIST", "TYPE", "replica").String())
	writeFile(t, "master-star.cob.resp", string(encode(m.Do(t, "CONFIG", "GET", "client-output-buffer-limit"))))

	// A replica whose master went away: link down.
	m.Stop()
	waitField(t, r2, "master_link_status", "down")
	waitFieldNot(t, r2, "master_link_down_since_seconds", "0")
	save(t, "replica-down", r2)

	// A replica pointed at a port nobody listens on.
	lone := redistest.Start(t)
	lone.Do(t, "REPLICAOF", "127.0.0.1", strconv.Itoa(redistest.FreePort(t)))
	waitFieldNot(t, lone, "master_link_down_since_seconds", "")
	save(t, "replica-refused", lone)

	// r1 promoted: replid2 and second_repl_offset set.
	r1.Do(t, "REPLICAOF", "NO", "ONE")
	waitField(t, r1, "role", "master")
	waitField(t, c1, "master_link_status", "up")
	save(t, "promoted", r1)

	// A replica caught in the middle of a slow full sync.
	sm := redistest.Start(t, "--enable-debug-command", "yes", "--rdb-key-save-delay", "2000")
	sm.Do(t, "DEBUG", "POPULATE", "20000", "key", "100")
	sr := redistest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(sm.Port))
	waitField(t, sr, "master_sync_in_progress", "1")
	waitFieldNot(t, sr, "master_sync_read_bytes", "0")
	save(t, "replica-syncing", sr)
	save(t, "master-syncing", sm)

	// Authentication replies.
	pw := redistest.Start(t, "--requirepass", "s3cret")
	cl, err := resp.Dial(t.Context(), pw.Addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	noauth, _ := cl.Do("ROLE")
	wrong, _ := cl.Do("AUTH", "nope")
	nopw, _ := m2(t).Do("AUTH", "x")
	writeFile(t, "auth.txt", fmt.Sprintf("noauth: %s\nwrongpass: %s\nno-password-set: %s\n", noauth.Str, wrong.Str, nopw.Str))
}

// m2 returns a client of a fresh password-less server.
func m2(t *testing.T) *resp.Client {
	s := redistest.Start(t)
	return s.Client(t)
}

// pollSections is what the remote source asks for; captured as-is.
var pollSections = []string{"INFO", "server", "persistence", "stats", "replication", "keyspace", "sentinel"}

func save(t *testing.T, name string, s *redistest.Server) {
	t.Helper()
	writeFile(t, name+".info", s.Do(t, pollSections...).String())
	writeFile(t, name+".role.resp", string(encode(s.Do(t, "ROLE"))))
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(captureDir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// encode renders a reply back into RESP2 bytes.
func encode(v resp.Value) []byte {
	var b []byte
	switch v.Kind {
	case resp.Array:
		if v.Null {
			return []byte("*-1\r\n")
		}
		b = fmt.Appendf(b, "*%d\r\n", len(v.Elems))
		for _, e := range v.Elems {
			b = append(b, encode(e)...)
		}
	case resp.Integer:
		b = fmt.Appendf(b, ":%d\r\n", v.Int)
	case resp.BulkString:
		if v.Null {
			return []byte("$-1\r\n")
		}
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(v.Str), v.Str)
	default:
		b = fmt.Appendf(b, "%c%s\r\n", v.Kind, v.Str)
	}
	return b
}

func infoField(t *testing.T, s *redistest.Server, key string) string {
	t.Helper()
	for _, l := range strings.Split(s.Do(t, "INFO", "replication").String(), "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == key {
			return v
		}
	}
	return ""
}

func waitField(t *testing.T, s *redistest.Server, key, want string) {
	t.Helper()
	waitFor(t, 15*time.Second, fmt.Sprintf("%s %s=%s", s.Addr, key, want), func() bool {
		return infoField(t, s, key) == want
	})
}

func waitFieldNot(t *testing.T, s *redistest.Server, key, not string) {
	t.Helper()
	waitFor(t, 15*time.Second, fmt.Sprintf("%s %s!=%q", s.Addr, key, not), func() bool {
		v := infoField(t, s, key)
		return v != "" && v != not
	})
}

// waitAcked waits until n replicas have acked the master's offset.
func waitAcked(t *testing.T, m *redistest.Server, n int) {
	t.Helper()
	waitFor(t, 15*time.Second, "replicas acked", func() bool {
		text := m.Do(t, "INFO", "replication").String()
		inf := info.Parse(text)
		acked := 0
		for _, r := range replicaLines(inf) {
			if r.AckOffset == inf.Int("master_repl_offset", -1) {
				acked++
			}
		}
		return acked >= n
	})
}

// waitFor polls cond until it holds or limit passes.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
