package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/replscope/replscope/internal/nodetest"
)

// signalExitLimit is how long a dashboard command may take to exit after
// SIGTERM or SIGHUP, its nodes stopped and the terminal restored.
const signalExitLimit = 3 * time.Second

// TestSignalsEndTheDashboards runs the real binary's demo, watch and play
// dashboards in tmux, sends SIGTERM, SIGHUP or SIGINT, and checks that each exits
// by itself within 3 s, frees every port its embedded nodes held, and
// leaves the terminal as it found it: main screen, cursor shown. (Bubble
// Tea's own SIGTERM handler used to race the command's: the program then
// hung, the screen frozen in the alternate screen, the nodes still up; and
// watch and play did not catch SIGHUP at all.)
func TestSignalsEndTheDashboards(t *testing.T) {
	tmux := requireTmux(t)
	bin := buildBinary(t)

	// watch observes nodes of this test: a master and its replica.
	m := nodetest.Start(t)
	r := nodetest.Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	_ = r

	type command struct {
		name  string
		args  func(base int) string
		nodes int // embedded nodes on base, base+1, …
		ready func(screen string) bool
	}
	online := func(n int) func(string) bool {
		return func(s string) bool { return strings.Count(s, "✓ online") >= n }
	}
	commands := []command{
		{"demo", func(base int) string { return fmt.Sprintf("demo --base-port %d --interval 200ms", base) }, 4, online(4)},
		{"watch", func(int) string { return fmt.Sprintf("watch 127.0.0.1:%d --interval 200ms", m.Port) }, 0, online(2)},
		{"play", func(base int) string { return fmt.Sprintf("play star --base-port %d", base) }, 4, online(4)},
	}
	for _, c := range commands {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
			t.Run(c.name+"/"+sigName(sig), func(t *testing.T) {
				base := 0
				if c.nodes > 0 {
					base = freePorts(t, c.nodes)
				}
				dir := t.TempDir()
				pidFile := filepath.Join(dir, "pid")
				cmd := fmt.Sprintf("sh -c 'echo $$ > %s; exec %s %s'", pidFile, bin, c.args(base))
				tm := startTmux(t, tmux, dir, cmd)
				pid := readPid(t, pidFile)
				tm.waitScreen(t, c.name+" showing its nodes", c.ready)

				sent := time.Now()
				if err := syscall.Kill(pid, sig); err != nil {
					t.Fatalf("kill -%s %d: %v", sigName(sig), pid, err)
				}
				status, ok := tm.exitWithin(signalExitLimit)
				if !ok {
					_ = syscall.Kill(pid, syscall.SIGQUIT) // a goroutine dump on the screen
					time.Sleep(500 * time.Millisecond)
					t.Fatalf("%s did not exit within %s of %s; the screen:\n%s", c.name, signalExitLimit, sigName(sig), tm.screen(t))
				}
				t.Logf("%s exited with status %s %s after %s", c.name, status, sigName(sig), time.Since(sent).Round(100*time.Microsecond))
				if n, err := strconv.Atoi(status); err != nil || n >= 128 {
					t.Errorf("exit status %q: the signal killed the process instead of ending it", status)
				}
				if alt, cursor := tm.terminalModes(t); alt != "0" || cursor != "1" {
					t.Errorf("terminal not restored: alternate screen %s, cursor shown %s; the screen:\n%s", alt, cursor, tm.screen(t))
				}
				for p := base; p < base+c.nodes; p++ {
					ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
					if err != nil {
						t.Errorf("port %d not freed: %v", p, err)
						continue
					}
					_ = ln.Close()
				}
			})
		}
	}
}

func sigName(s syscall.Signal) string {
	switch s {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return s.String()
}

// requireTmux returns tmux's path, skipping the test without it or with
// -short.
func requireTmux(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: skipped with -short")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed (.ci/run installs it): skipping the dashboard end-to-end test")
	}
	return tmux
}

// buildBinary builds replscope into the test's temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "replscope")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// readPid waits for the pid the session's shell wrote, and makes sure the
// process does not outlive the test even when it hangs.
func readPid(t *testing.T, file string) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(file)
		if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && perr == nil && pid > 0 {
			t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pid in %s", file)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exitWithin waits up to limit for the command's exit status.
func (s *tmuxSession) exitWithin(limit time.Duration) (string, bool) {
	deadline := time.Now().Add(limit)
	for {
		if b, err := os.ReadFile(s.exitFile); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b)), true
		}
		if time.Now().After(deadline) {
			return "", false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// terminalModes reports the pane's alternate-screen and cursor-visible
// flags ("1"/"0").
func (s *tmuxSession) terminalModes(t *testing.T) (alt, cursor string) {
	t.Helper()
	out, err := exec.Command(s.tmux, "-S", s.socket, "display-message", "-p", "-t", s.name, "#{alternate_on} #{cursor_flag}").Output()
	if err != nil {
		t.Fatalf("display-message: %v", err)
	}
	alt, cursor, _ = strings.Cut(strings.TrimSpace(string(out)), " ")
	return alt, cursor
}
