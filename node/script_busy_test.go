package node_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
	"github.com/replscope/replscope/internal/resp"
)

const busyReply = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."

// startBusyScript sends a script that never ends on a connection of its
// own and waits until the server answers -BUSY (busy-reply-threshold set
// to 10 ms). It returns the script's connection, whose reply is pending.
func startBusyScript(t *testing.T, addr, script string) *resp.Client {
	t.Helper()
	nodetest.MustDo(t, addr, "CONFIG", "SET", "lua-time-limit", "10")
	rd := nodetest.Dial(t, addr)
	if err := rd.Send("EVAL", script, "0"); err != nil {
		t.Fatal(err)
	}
	probe := nodetest.Dial(t, addr)
	nodetest.WaitFor(t, 10*time.Second, "-BUSY", func() (bool, string) {
		v, err := probe.Do("PING")
		if err != nil {
			t.Fatal(err)
		}
		return v.Kind == resp.Error && string(v.Str) == busyReply, v.String()
	})
	return rd
}

func do(t *testing.T, c *resp.Client, args ...string) string {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	if v.Kind == resp.Error {
		return "-" + string(v.Str)
	}
	return v.String()
}

// TestBusyScriptKill is unit/multi's "script timeout" tests and SCRIPT
// KILL's rules, on redis-server 7.0.15 and on a node: while a script is
// busy other clients get -BUSY except for the allow-busy commands (MULTI,
// WATCH, SCRIPT KILL...); a command refused while queuing makes EXEC
// abort, EXEC itself is refused with EXECABORT ...BUSY and ends the
// transaction; SCRIPT KILL stops a script that wrote nothing, and the
// script's caller gets Redis's error.
func TestBusyScriptKill(t *testing.T) {
	for _, kind := range []string{"redis", "replscope"} {
		t.Run(kind, func(t *testing.T) {
			s := startServer(t, kind)
			c := nodetest.Dial(t, s.addr)
			if got := do(t, c, "SCRIPT", "KILL"); got != "-NOTBUSY No scripts in execution right now." {
				t.Fatalf("SCRIPT KILL with no script: %q", got)
			}
			do(t, c, "SET", "xx", "1")

			// Commands queued during the busy script: EXEC aborts.
			b := nodetest.Dial(t, s.addr)
			rd := startBusyScript(t, s.addr, "while true do end")
			steps := []struct{ args, want string }{
				{"GET xx", "-" + busyReply},
				{"MULTI", "OK"},
				{"INCR xx", "-" + busyReply},
				{"WATCH a", "-ERR WATCH inside MULTI is not allowed"},
			}
			for _, st := range steps {
				if got := do(t, b, strings.Fields(st.args)...); got != st.want {
					t.Errorf("%s during the busy script: %q, want %q", st.args, got, st.want)
				}
			}
			if got := do(t, c, "SCRIPT", "KILL"); got != "OK" {
				t.Fatalf("SCRIPT KILL: %q", got)
			}
			v, err := rd.Receive()
			if err != nil {
				t.Fatal(err)
			}
			want := "ERR Script killed by user with SCRIPT KILL... script: 9d19cb8a5c7ec7d4a6d9fcc4e2c2f2a4e4ad6e4f, on @user_script:1."
			if v.Kind != resp.Error || string(v.Str) != fixSha(string(v.Str), want) {
				t.Errorf("the killed script's reply: %q, want %q", v.Str, want)
			}
			if got := do(t, b, "INCR", "xx"); got != "QUEUED" {
				t.Errorf("INCR after the kill: %q", got)
			}
			if got := do(t, b, "EXEC"); !strings.HasPrefix(got, "-EXECABORT Transaction discarded because of previous errors") {
				t.Errorf("EXEC: %q", got)
			}
			if got := do(t, b, "PING", "asdf"); got != "asdf" {
				t.Errorf("PING after EXEC: %q (still in MULTI?)", got)
			}

			// EXEC during the busy script: EXECABORT with BUSY, and the
			// client leaves MULTI.
			do(t, b, "MULTI")
			do(t, b, "INCR", "xx")
			rd = startBusyScript(t, s.addr, "while true do end")
			if got := do(t, b, "EXEC"); got != "-EXECABORT Transaction discarded because of: "+busyReply {
				t.Errorf("EXEC during the busy script: %q", got)
			}
			do(t, c, "SCRIPT", "KILL")
			if _, err := rd.Receive(); err != nil {
				t.Fatal(err)
			}
			if got := do(t, b, "PING", "asdf"); got != "asdf" {
				t.Errorf("PING after the aborted EXEC: %q", got)
			}
			if got := do(t, c, "GET", "xx"); got != "1" {
				t.Errorf("xx = %q: part of a transaction ran", got)
			}

			// A script that wrote cannot be killed; it ends by itself.
			// It runs for a whole second by TIME's microseconds (the
			// seconds field alone can tick over after a millisecond, before
			// the server says BUSY).
			rd = startBusyScript(t, s.addr, "redis.call('set','w','1') local function us() local t = redis.call('time') return t[1]*1000000 + t[2] end local s = us() while us() - s < 1000000 do end return 'done'")
			if got := do(t, c, "SCRIPT", "KILL"); !strings.HasPrefix(got, "-UNKILLABLE Sorry the script already executed write commands") {
				t.Errorf("SCRIPT KILL of a script that wrote: %q", got)
			}
			if v, err := rd.Receive(); err != nil || v.String() != "done" {
				t.Errorf("the unkillable script's reply: %v %v", v, err)
			}
			if got := do(t, c, "GET", "w"); got != "1" {
				t.Errorf("w = %q", got)
			}
		})
	}
}

// fixSha returns want with the script name taken from got (the test
// does not hard-code a SHA1).
func fixSha(got, want string) string {
	const mark = "script: "
	i, j := strings.Index(got, mark), strings.Index(want, mark)
	if i < 0 || j < 0 || len(got) < i+len(mark)+40 {
		return want
	}
	return want[:j+len(mark)] + got[i+len(mark):i+len(mark)+40] + want[j+len(mark)+40:]
}

// TestBusyScriptShutdownNosave: only SHUTDOWN NOSAVE ends a node whose
// script is busy (and wrote, so that SCRIPT KILL cannot stop it); plain
// SHUTDOWN is answered -BUSY.
func TestBusyScriptShutdownNosave(t *testing.T) {
	n := nodetest.Start(t)
	addr := n.Addr()
	startBusyScript(t, addr, "redis.call('set','k','v') while true do end")
	c := nodetest.Dial(t, addr)
	if got := do(t, c, "SHUTDOWN"); got != "-"+busyReply {
		t.Errorf("SHUTDOWN during a busy script: %q", got)
	}
	if err := c.Send("SHUTDOWN", "NOSAVE"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-n.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SHUTDOWN NOSAVE did not end the node")
	}
}

// TestCloseStopsBusyScript: closing a node stops a script that never
// ends, busy or not yet busy.
func TestCloseStopsBusyScript(t *testing.T) {
	for _, limit := range []string{"10", "600000"} {
		n := nodetest.Start(t, "--lua-time-limit", limit)
		rd := nodetest.Dial(t, n.Addr())
		if err := rd.Send("EVAL", "while true do end", "0"); err != nil {
			t.Fatal(err)
		}
		nodetest.WaitFor(t, 10*time.Second, "the script running", func() (bool, string) {
			return n.ScriptRunning(), ""
		})
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = n.Close()
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("lua-time-limit %s: Close did not return", limit)
		}
	}
}

// TestBusyScriptHoldsMasterStream: a replica applies nothing from its
// master while a script is busy (Redis reads nothing from its master
// then), so a script never sees the dataset change under it.
func TestBusyScriptHoldsMasterStream(t *testing.T) {
	m := nodetest.Start(t)
	r := nodetest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	nodetest.WaitSynced(t, m.Addr(), r.Addr(), 10*time.Second)
	rd := startBusyScript(t, r.Addr(), "while redis.call('get','k') == false do end return 'saw it'")
	nodetest.MustDo(t, m.Addr(), "SET", "k", "v")
	// An absence can only be watched for a while: the script must still
	// be running 300 ms after the master sent the write.
	rd.Timeout = 300 * time.Millisecond
	if v, err := rd.Receive(); err == nil {
		t.Fatalf("the script ended with %q: the master's write was applied under it", v.String())
	}
	if got := do(t, nodetest.Dial(t, r.Addr()), "SCRIPT", "KILL"); got != "OK" {
		t.Fatalf("SCRIPT KILL on the replica: %q", got)
	}
	nodetest.WaitFor(t, 10*time.Second, "k on the replica", func() (bool, string) {
		v := nodetest.Do(t, r.Addr(), "GET", "k")
		return v.String() == "v", v.String()
	})
}

// TestScriptTimeStandsStill: a script sees the time it started, so a key
// does not expire under it, even while it is busy and other clients are
// answered (Redis 7.0, on both servers).
func TestScriptTimeStandsStill(t *testing.T) {
	for _, kind := range []string{"redis", "replscope"} {
		t.Run(kind, func(t *testing.T) {
			s := startServer(t, kind)
			c := nodetest.Dial(t, s.addr)
			do(t, c, "SET", "k", "v", "PX", "300")
			rd := startBusyScript(t, s.addr, "local t = redis.call('time') local s = t[1]*1000000+t[2] "+
				"while true do local n = redis.call('time') if n[1]*1000000+n[2] - s > 600000 then break end end "+
				"return redis.call('exists','k')")
			for range 3 {
				if got := do(t, c, "PING"); got != "-"+busyReply {
					t.Fatalf("PING during the script: %q", got)
				}
			}
			v, err := rd.Receive()
			if err != nil {
				t.Fatal(err)
			}
			if v.Int != 1 {
				t.Errorf("EXISTS at the end of the script: %v, want 1 (the key expired under the script)", v)
			}
		})
	}
}
