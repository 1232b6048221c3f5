package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPlayList checks that --list names every built-in scenario with its
// title.
func TestPlayList(t *testing.T) {
	var out, errOut strings.Builder
	if code := playMain([]string{"--list"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	for _, want := range []string{"first-sync", "failover", "mixed-redis", "(needs redis-server)", "sentinel-failover", "(needs redis-server and redis-sentinel)",
		"expiry  ", "Expiry: replicas hide expired keys until the master's DEL"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--list output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestPlayExitStatus checks the headless exit statuses: 0 when every
// expect held, 1 when one did not, 2 for a script that cannot run.
func TestPlayExitStatus(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pass := write("pass.scn", "# passes\nnode a b\nwrite a 10\nreplicaof b a\nwait synced b\nexpect b role replica\n")
	fail := write("fail.scn", "# fails\nnode a b\nreplicaof b a\nwait synced b\nexpect b role master\n")
	bad := write("bad.scn", "# bad\nnode a\nexpect a rol master\n")
	alert := write("alert.scn", "# unknown alert\nnode a\nexpect a alert no-such-alert\n")
	tests := []struct {
		name string
		args []string
		code int
		out  string // a regexp the output must match
	}{
		{"passing", []string{"--headless", pass}, 0, `(?m)^PASS pass: 5/5 steps, 1/1 expects held`},
		{"failing expect", []string{fail, "--headless"}, 1,
			`expect b role master +FAIL .*expected b role master, saw b role replica \(of a, link up\) \(.*fail.scn:5\)`},
		{"parse error", []string{"--headless", bad}, 2, `bad.scn:3:10: expected role, sync, key, keys or alert, found "rol"`},
		{"unknown alert", []string{"--headless", alert}, 2, `alert.scn:3:1: unknown alert "no-such-alert"`},
		{"unknown scenario", []string{"--headless", "no-such-scenario"}, 2, `no built-in scenario or file "no-such-scenario"`},
		{"two scenarios", []string{"--headless", "a", "b"}, 2, `expected one scenario name or file, got 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			code := playMain(tt.args, &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, all)
			}
			if !regexp.MustCompile(tt.out).MatchString(all) {
				t.Errorf("output does not match %q:\n%s", tt.out, all)
			}
		})
	}
}

// TestPlayWithoutSentinel: a scenario with a Sentinel exits 2 with a clear
// message when redis-sentinel is not installed (PATH without it), before
// any node starts.
func TestPlayWithoutSentinel(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var out, errOut strings.Builder
	code := playMain([]string{"--headless", "sentinel-failover"}, &out, &errOut)
	all := out.String() + errOut.String()
	if code != 2 || !strings.Contains(all, "is not installed") {
		t.Fatalf("exit %d:\n%s", code, all)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "s.scn")
	if err := os.WriteFile(p, []byte("# s\nnode a\nsentinel s monitor a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	code = playMain([]string{"--headless", p}, &out, &errOut)
	all = out.String() + errOut.String()
	if code != 2 || !strings.Contains(all, "s.scn:3:1: redis-sentinel is not installed (apt-get install redis-sentinel)") {
		t.Fatalf("exit %d:\n%s", code, all)
	}
}
