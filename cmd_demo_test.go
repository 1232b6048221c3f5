package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/redisproc"
	"github.com/replscope/replscope/internal/resp"
)

// TestDemoInTmux runs the real binary's `replscope demo` in a detached
// tmux session of a fixed size, reads the screen with capture-pane,
// detaches and re-attaches a node with the keyboard (confirming with y),
// checks each change with INFO on the node and on the screen, quits with
// q and checks that the process exited 0 and every demo port is closed.
func TestDemoInTmux(t *testing.T) {
	tmux := requireTmux(t)
	dir := t.TempDir()
	bin := buildBinary(t)
	if out, _ := exec.Command(bin, "demo", "--help").CombinedOutput(); strings.Contains(string(out), "unknown command") {
		t.Skip("main.go does not dispatch `demo` to runDemo yet")
	}

	base := freePorts(t, 4)
	ports := []int{base, base + 1, base + 2, base + 3}
	addr := func(p int) string { return "127.0.0.1:" + strconv.Itoa(p) }
	tm := startTmux(t, tmux, dir, fmt.Sprintf("%s demo --base-port %d --interval 200ms", bin, base))

	// The default topology: base ← base+1 ← base+3, base ← base+2.
	sub := " :" + strconv.Itoa(ports[3]) + " " // the sub-replica's tree row
	tm.waitScreen(t, "four nodes online", func(s string) bool {
		return strings.Count(s, "✓ online") >= 4 && strings.Contains(s, sub)
	})
	if s := tm.screen(t); !strings.Contains(s, fmt.Sprintf("ports %d-%d", ports[0], ports[3])) {
		t.Errorf("the header does not show the ports:\n%s", s)
	}

	// Let the start-up syncs settle (the sub-replica may sync from its
	// master before that one has synced from the top), then let the
	// dashboard poll once more: the guard judges the snapshot on screen.
	waitSettled(t, addr(ports[0]), addr(ports[1]), addr(ports[2]), addr(ports[3]))
	clock := headerClock(tm.screen(t))
	tm.waitScreen(t, "a snapshot after the syncs settled", func(s string) bool { return headerClock(s) != clock })

	// Select the sub-replica (tree order: base, base+1, base+3, base+2) and detach it.
	tm.keys(t, "j", "j")
	tm.waitScreen(t, "the sub-replica selected", func(s string) bool {
		return strings.Contains(s, "Details · "+addr(ports[3]))
	})
	tm.keys(t, "d")
	tm.waitScreen(t, "the detach prompt", func(s string) bool {
		return strings.Contains(s, "REPLICAOF NO ONE") && strings.Contains(s, "Proceed? (y/N)") && strings.Contains(s, addr(ports[3]))
	})
	tm.keys(t, "y")
	waitInfo(t, addr(ports[3]), "role:master")
	tm.waitScreen(t, "the detached node drawn as a master", func(s string) bool {
		l := lineWith(s, sub)
		return strings.Contains(l, "◆") && !strings.Contains(l, "─")
	})

	// Re-attach it under base+1 with the picker.
	tm.keys(t, "a")
	tm.waitScreen(t, "the master picker", func(s string) bool { return strings.Contains(s, "Attach "+addr(ports[3])+" to") })
	tm.keys(t, "g", "j", "Enter") // candidates in address order: base, base+1, base+2
	want := fmt.Sprintf("REPLICAOF 127.0.0.1 %d", ports[1])
	tm.waitScreen(t, "the attach prompt", func(s string) bool {
		return strings.Contains(s, want) && strings.Contains(s, "(y/N)")
	})
	tm.keys(t, "y")
	waitInfo(t, addr(ports[3]), "role:slave", "master_port:"+strconv.Itoa(ports[1]), "master_link_status:up")
	tm.waitScreen(t, "the node back under its master", func(s string) bool {
		l := lineWith(s, sub)
		return strings.Contains(l, "└─") && strings.Contains(l, "◇") && strings.Contains(l, "✓ online")
	})
	if s := tm.screen(t); !strings.Contains(s, "$ attach") || !strings.Contains(s, "$ detach") {
		t.Errorf("the event log lacks the operations:\n%s", s)
	}

	tm.keys(t, "q")
	status := tm.waitExit(t)
	if status != "0" {
		t.Errorf("demo exited with status %q", status)
	}
	for _, p := range ports {
		waitClosed(t, addr(p))
	}
}

// freePorts finds n consecutive free loopback ports.
func freePorts(t *testing.T, n int) int {
	t.Helper()
	base, err := redisproc.FreePorts(n)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

// tmuxSession is one detached session on a private tmux server.
type tmuxSession struct {
	tmux, socket, name, exitFile string
}

// startTmux runs command in a 120×40 session on a tmux server of its own
// (a socket in the test's directory), killed when the test ends.
func startTmux(t *testing.T, tmux, dir, command string) *tmuxSession {
	t.Helper()
	s := &tmuxSession{tmux: tmux, socket: filepath.Join(dir, "tmux.sock"),
		name: fmt.Sprintf("replscope-e2e-%d", time.Now().UnixNano()), exitFile: filepath.Join(dir, "exit-status")}
	shell := fmt.Sprintf("%s; echo $? > %s; sleep 60", command, s.exitFile)
	cmd := exec.Command(tmux, "-S", s.socket, "-u", "new-session", "-d", "-s", s.name, "-x", "120", "-y", "40", shell)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		_ = exec.Command(tmux, "-S", s.socket, "kill-session", "-t", s.name).Run()
		_ = exec.Command(tmux, "-S", s.socket, "kill-server").Run()
	})
	return s
}

func (s *tmuxSession) screen(t *testing.T) string {
	t.Helper()
	out, err := exec.Command(s.tmux, "-S", s.socket, "capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		t.Fatalf("capture-pane: %v", err)
	}
	return string(out)
}

func (s *tmuxSession) keys(t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys { // one at a time, as a person types
		if out, err := exec.Command(s.tmux, "-S", s.socket, "send-keys", "-t", s.name, k).CombinedOutput(); err != nil {
			t.Fatalf("send-keys %s: %v\n%s", k, err, out)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// waitScreen polls the screen until ok holds (10 s at most).
func (s *tmuxSession) waitScreen(t *testing.T, what string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sc := s.screen(t)
		if ok(sc) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s; the screen:\n%s", what, sc)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitExit waits for the demo process to exit and returns its status.
func (s *tmuxSession) waitExit(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(s.exitFile); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the demo did not exit after q; the screen:\n%s", s.screen(t))
	return ""
}

// lineWith returns the first screen line containing sub.
func lineWith(screen, sub string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// waitSettled waits until every node shares one replication history
// (master_replid) and every replica's link is up.
func waitSettled(t *testing.T, addrs ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ids := map[string]bool{}
		up := true
		for i, a := range addrs {
			info := infoReplication(a)
			ids[infoField(info, "master_replid")] = true
			up = up && (i == 0 || infoField(info, "master_link_status") == "up")
		}
		if len(ids) == 1 && up && !ids[""] {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo's replication never settled: replids %v, links up %v", ids, up)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// infoField returns one field of an INFO reply.
func infoField(info, name string) string {
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	return ""
}

// headerClock is the snapshot time at the end of the dashboard's header.
func headerClock(screen string) string {
	first, _, _ := strings.Cut(screen, "\n")
	f := strings.Fields(first)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// waitInfo polls INFO replication on addr until it holds every field.
func waitInfo(t *testing.T, addr string, fields ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		last = infoReplication(addr)
		all := true
		for _, f := range fields {
			all = all && strings.Contains(last, f+"\r\n")
		}
		if all {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("INFO replication on %s never showed %v:\n%s", addr, fields, last)
}

func infoReplication(addr string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c, err := resp.Dial(ctx, addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	v, err := c.Do("INFO", "replication")
	if err != nil {
		return err.Error()
	}
	return string(v.Str)
}

// waitClosed waits until nothing listens on addr (5 s at most).
func waitClosed(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections after the demo quit", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
