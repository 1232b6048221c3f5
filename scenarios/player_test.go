package scenarios

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/scenarios/script"
)

// play runs src on a new Cluster and returns every result.
func play(t *testing.T, name, src string) ([]Result, Summary) {
	t.Helper()
	sc, err := script.Parse(name, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(sc); err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	obs := watch(t, c, WatchOptions{})
	defer obs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), scenarioLimit)
	defer cancel()
	var rs []Result
	sum := NewPlayer(sc, c, obs).Run(ctx, func(r Result) {
		t.Log(FormatResult(r, len(sc.Steps)))
		rs = append(rs, r)
	})
	return rs, sum
}

// TestFailingExpects checks that each expect that does not hold fails
// with what was expected and what was seen, and that the script goes on.
func TestFailingExpects(t *testing.T) {
	rs, sum := play(t, "fails.scn", `# expects that do not hold
node a b
write a 3 1
expect b key a:1 = x
expect consistent a b
replicaof b a
wait synced b
expect b role master
expect b sync partial
expect b alert link-down
expect a key a:1 = y
expect consistent a b
`)
	want := map[int]string{ // step index → message (a regexp)
		2: `^expected b key a:1 = "x", saw nil$`,
		3: `^expected a, b to hold the same data, saw a: 3 keys \(\w+\), b: 0 keys \(\w+\); first difference: a has key "a:1" \(string\), b does not$`,
		6: `^expected b role master, saw b role replica \(of a, link up\)$`,
		7: `^expected b's last sync partial, saw full$`,
		8: `^expected alert link-down on b, saw no alert on b$`,
		9: `^expected a key a:1 = "y", saw "x"$`,
	}
	if len(rs) != 11 {
		t.Fatalf("%d results, want 11", len(rs))
	}
	for i, r := range rs {
		re, failing := want[i]
		switch {
		case failing && (r.Outcome != Failed || !regexp.MustCompile(re).MatchString(r.Message)):
			t.Errorf("step %d %q: %v %q, want FAIL matching %s", i+1, r.Step.Text, r.Outcome, r.Message, re)
		case !failing && r.Outcome != OK:
			t.Errorf("step %d %q: %v %q, want ok", i+1, r.Step.Text, r.Outcome, r.Message)
		}
	}
	if sum.Passed() || sum.Failed != 6 || sum.Errored != 0 || sum.Expects != 7 || sum.Run != 11 {
		t.Errorf("summary %+v, want 6 of 7 expects failed and every step run", sum)
	}
}

// TestErrorStopsTheScript checks that a step that cannot be carried out
// (a wait that times out) says what it waited for and stops the script.
func TestErrorStopsTheScript(t *testing.T) {
	rs, sum := play(t, "stops.scn", `# a wait that times out
node a b
replicaof b a
wait synced b
cut b
write a 10
wait synced b 300ms
expect b role replica
`)
	if len(rs) != 6 {
		t.Fatalf("%d results, want 6 (the expect after the error must not run)", len(rs))
	}
	last := rs[5]
	re := `^timed out: expected b synced with a within 300ms, saw b's link down at offset \d+, a at \d+$`
	if last.Outcome != Errored || !regexp.MustCompile(re).MatchString(last.Message) {
		t.Errorf("wait: %v %q, want ERROR matching %s", last.Outcome, last.Message, re)
	}
	if sum.Passed() || sum.Errored != 1 || sum.Run != 6 || sum.Steps != 7 {
		t.Errorf("summary %+v", sum)
	}
	if got := FormatSummary("stops", sum); !strings.Contains(got, "stopped by an error (1 steps not run)") {
		t.Errorf("summary line %q", got)
	}
}

// TestRedisMaster plays testdata/redis-master.scn: redis-server nodes as
// master and replicas under restart, kill, cut, heal and promote.
func TestRedisMaster(t *testing.T) {
	if !RedisAvailable() {
		t.Skip("redis-server is not installed")
	}
	src, err := os.ReadFile("testdata/redis-master.scn")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rs, sum := play(t, "redis-master.scn", string(src))
	t.Logf("%d steps in %s", len(rs), time.Since(start).Round(time.Millisecond))
	if !sum.Passed() {
		t.Errorf("redis-master failed: %+v", sum)
	}
}

// TestNewVerbs checks set, pause, resume, expect keys and wait acked:
// what they do, and how the two checks say they did not hold.
func TestNewVerbs(t *testing.T) {
	rs, sum := play(t, "verbs.scn", `# set, pause, resume, expect keys, wait acked
node a b
replicaof b a
wait synced b
set a k v
set a t w 1m
wait acked a 1
expect b keys 2
expect b keys 3
pause b
set a k v2
expect b key k = v
wait acked a 1 200ms
`)
	if len(rs) != 12 {
		t.Fatalf("%d results, want 12 (the failed wait stops the script)", len(rs))
	}
	want := map[int]struct {
		outcome Outcome
		re      string // a regexp on Detail (ok) or Message
	}{
		4:  {OK, `^t expires in 1m0s$`},
		5:  {OK, `^1 replica acknowledged a's last write$`},
		7:  {Failed, `^expected b to hold 3 keys, saw 2 \(DBSIZE\)$`},
		11: {Errored, `^expected 1 replica to acknowledge a's last write within 200ms, saw 0$`},
	}
	for i, r := range rs {
		w, ok := want[i]
		if !ok {
			w.outcome = OK
		}
		text := r.Detail
		if r.Outcome != OK {
			text = r.Message
		}
		if r.Outcome != w.outcome || (w.re != "" && !regexp.MustCompile(w.re).MatchString(text)) {
			t.Errorf("step %d %q: %v %q, want %v matching %q", i+1, r.Step.Text, r.Outcome, text, w.outcome, w.re)
		}
	}
	if sum.Passed() || sum.Failed != 1 || sum.Errored != 1 {
		t.Errorf("summary %+v", sum)
	}
}

// TestWaitAckedNeedsAWrite checks that wait acked refuses to run WAIT on a
// connection that wrote nothing, and that pause refuses a master.
func TestWaitAckedNeedsAWrite(t *testing.T) {
	rs, _ := play(t, "nowrite.scn", "# no write\nnode a b\nreplicaof b a\nwait acked a 1\n")
	if r := rs[len(rs)-1]; r.Outcome != Errored || !strings.Contains(r.Message, "no write to wait for on a's connection (write or set first)") {
		t.Errorf("wait acked without a write: %v %q", r.Outcome, r.Message)
	}
	rs, _ = play(t, "pausemaster.scn", "# pause a master\nnode a\npause a\n")
	if r := rs[len(rs)-1]; r.Outcome != Errored || !strings.Contains(r.Message, "a follows no master: pause acts on a replica's link") {
		t.Errorf("pause of a master: %v %q", r.Outcome, r.Message)
	}
}
