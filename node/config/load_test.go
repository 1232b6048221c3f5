package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t testing.TB, args ...string) (*Config, *Source) {
	t.Helper()
	c, src, err := Load(args)
	if err != nil {
		t.Fatalf("Load(%q): %v", args, err)
	}
	return c, src
}

func asLoadError(t testing.TB, err error) *LoadError {
	t.Helper()
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) is not a *LoadError", err, err)
	}
	return le
}

// TestLoadFileThenFlags: options are appended to the file, so they win;
// save lines accumulate (the first one replaces the defaults), as a
// redis-server 7.0.15 started with `a.conf --save 300 3` shows
// "100 1 300 3" for a file holding "save 100 1".
func TestLoadFileThenFlags(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "a.conf", "# test\n\nPORT 7000\nreplica-priority 10\nsave 100 1\nslave-read-only no\n")
	c, src := mustLoad(t, file, "--port", "7001", "--save", "300 3", "--repl-backlog-size", "2mb")
	if src.File != file {
		t.Errorf("File = %q, want %q", src.File, file)
	}
	if c.Port != 7001 || c.ReplicaPriority != 10 || c.ReplicaReadOnly || c.ReplBacklogSize != 2<<20 {
		t.Errorf("port %d priority %d ro %v backlog %d", c.Port, c.ReplicaPriority, c.ReplicaReadOnly, c.ReplBacklogSize)
	}
	if want := []SavePoint{{100, 1}, {300, 3}}; !slices.Equal(c.Save, want) {
		t.Errorf("Save = %v, want %v", c.Save, want)
	}
}

func TestLoadRelativeFileIsAbsolute(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "r.conf", "port 7002\n")
	t.Chdir(dir)
	c, src := mustLoad(t, "r.conf")
	if src.File != filepath.Join(dir, "r.conf") || c.Port != 7002 {
		t.Fatalf("File %q port %d", src.File, c.Port)
	}
}

// TestLoadCommandLine covers how redis-server 7.0 turns its arguments
// into config lines (server.c main()).
func TestLoadCommandLine(t *testing.T) {
	local := &HostPort{"127.0.0.1", 6379}
	for _, tc := range []struct {
		name  string
		args  []string
		check func(*Config) bool
	}{
		{"replicaof as one argument", []string{"--replicaof", "127.0.0.1 6379"},
			func(c *Config) bool { return *c.ReplicaOf == *local }},
		{"replicaof as two arguments", []string{"--replicaof", "127.0.0.1", "6379"},
			func(c *Config) bool { return *c.ReplicaOf == *local }},
		{"slaveof alias", []string{"--slaveof", "127.0.0.1", "6379"},
			func(c *Config) bool { return *c.ReplicaOf == *local }},
		{"replicaof no one", []string{"--replicaof", "127.0.0.1 6379", "--replicaof", "no", "one"},
			func(c *Config) bool { return c.ReplicaOf == nil }},
		{"save empty", []string{"--save", ""}, func(c *Config) bool { return len(c.Save) == 0 }},
		{"save without value last", []string{"--port", "5", "--save"}, func(c *Config) bool { return len(c.Save) == 0 && c.Port == 5 }},
		{"save without value before option", []string{"--save", "--port", "5"}, func(c *Config) bool { return len(c.Save) == 0 && c.Port == 5 }},
		{"save pairs", []string{"--save", "900 1 300 10"},
			func(c *Config) bool { return slices.Equal(c.Save, []SavePoint{{900, 1}, {300, 10}}) }},
		{"save then more", []string{"--save", "", "--save", "200", "2"},
			func(c *Config) bool { return slices.Equal(c.Save, []SavePoint{{200, 2}}) }},
		{"option and value in one argument", []string{"--port 6380"}, func(c *Config) bool { return c.Port == 6380 }},
		{"value starting with dashes", []string{"--requirepass", "--port", "--port", "7"},
			func(c *Config) bool { return c.RequirePass == "--port" && c.Port == 7 }},
		{"value with quotes and spaces", []string{"--requirepass", `a "b" c`},
			func(c *Config) bool { return c.RequirePass == `a "b" c` }},
		{"bind list, last wins", []string{"--bind", "1.2.3.4", "--bind", "127.0.0.1", "::1"},
			func(c *Config) bool { return slices.Equal(c.Bind, []string{"127.0.0.1", "::1"}) }},
		{"output limits per class", []string{"--client-output-buffer-limit", "replica 1gb 2mb 3", "--client-output-buffer-limit", "pubsub 1k 2kb 4"},
			func(c *Config) bool {
				return c.OutputBufferLimit("slave") == OutputLimit{1 << 30, 2 << 20, 3} &&
					c.OutputBufferLimit("pubsub") == OutputLimit{1000, 2048, 4} &&
					c.OutputBufferLimit("normal") == OutputLimit{}
			}},
		{"hz clamped after load", []string{"--hz", "0"}, func(c *Config) bool { return c.Hz == 1 }},
		{"small backlog kept at load", []string{"--repl-backlog-size", "100"},
			func(c *Config) bool { return c.ReplBacklogSize == 100 && c.EffectiveBacklogSize() == MinBacklogSize }},
		{"deprecated directive", []string{"--list-max-ziplist-entries", "5"}, func(c *Config) bool { return true }},
		{"enum case-insensitive", []string{"--loglevel", "WARNING", "--enable-debug-command", "Local"},
			func(c *Config) bool { return c.LogLevel == "warning" && c.EnableDebugCommand == "local" }},
		{"tls reserved", []string{"--tls-port", "6380", "--tls-auth-clients", "optional", "--tls-replication", "yes"},
			func(c *Config) bool { return c.TLSPort == 6380 && c.TLSAuthClients == "optional" && c.TLSReplication }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustLoad(t, tc.args...)
			if !tc.check(c) {
				t.Fatalf("unexpected config: %s", strings.Join(c.Get("port", "save", "replicaof", "requirepass", "bind", "client-output-buffer-limit", "hz", "repl-backlog-size"), " | "))
			}
		})
	}
}

// TestLoadErrors: the messages are redis-server 7.0.15's, observed by
// starting it with the same bad lines (and "Bad directive or wrong number
// of arguments", "wrong number of arguments", "Unbalanced quotes in
// configuration line" from its loader).
func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		text, line, msg string
	}{
		{"replica-priority abc", "replica-priority abc", "argument couldn't be parsed into an integer"},
		{"save 100", "save 100", "Invalid save parameters"},
		{"save 0 1", "save 0 1", "Invalid save parameters"},
		{"foo bar", "foo bar", "Bad directive or wrong number of arguments"},
		{"port", "port", "wrong number of arguments"},
		{"port 1 2", "port 1 2", "wrong number of arguments"},
		{"port 99999", "port 99999", "argument must be between 0 and 65535 inclusive"},
		{"protected-mode maybe", "protected-mode maybe", "argument must be 'yes' or 'no'"},
		{"repl-backlog-size 1x", "repl-backlog-size 1x", "argument must be a memory value"},
		{"repl-diskless-load foo", "repl-diskless-load foo", "argument(s) must be one of the following: disabled, on-empty-db, swapdb"},
		{"replicaof a", "replicaof a", "wrong number of arguments"},
		{"replicaof 127.0.0.1 abc", "replicaof 127.0.0.1 abc", "Invalid master port"},
		{"replicaof no one extra", "replicaof no one extra", "wrong number of arguments"},
		{`port "6379`, `port "6379`, "Unbalanced quotes in configuration line"},
		{`port "6379"x`, `port "6379"x`, "Unbalanced quotes in configuration line"},
		{`client-output-buffer-limit ""`, `client-output-buffer-limit ""`, "Wrong number of arguments in buffer limit configuration."},
		{"client-output-buffer-limit master 1 2 3", "client-output-buffer-limit master 1 2 3", "Invalid client class specified in buffer limit configuration."},
		{"client-output-buffer-limit NORMAL 1 2 -3", "client-output-buffer-limit NORMAL 1 2 -3", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{"dir /nonexistent-replscope", "dir /nonexistent-replscope", "No such file or directory"},
		{"dbfilename a/b", "dbfilename a/b", "dbfilename can't be a path, just a filename"},
		{"unixsocketperm 1000", "unixsocketperm 1000", "argument must be between 0 and 777 inclusive"},
		{"maxclients -1", "maxclients -1", "argument must be between 1 and 4294967295 inclusive"},
		{"shutdown-on-sigint save nosave", "shutdown-on-sigint save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"},
		{`proc-title-template "{title}"`, `proc-title-template "{title}"`, "template format is invalid or contains unknown variables"},
		{"appendonly yes", "appendonly yes", "appendonly yes is not supported by replscope (RDB persistence only)"},
		{"daemonize yes", "daemonize yes", "daemonize yes is not supported by replscope (run it in the foreground)"},
		{"unixsocket /tmp/r.sock", "unixsocket /tmp/r.sock", "unixsocket is not supported by replscope (TCP only)"},
		{"cluster-enabled yes", "cluster-enabled yes", "cluster-enabled yes is not supported by replscope"},
		{"rename-command FLUSHALL x", "rename-command FLUSHALL x", "'rename-command' is not supported by replscope"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			dir := t.TempDir()
			file := writeFile(t, dir, "bad.conf", "# comment\n\n  port 7000  \n"+tc.text+"\nport 7001\n")
			_, _, err := Load([]string{file})
			le := asLoadError(t, err)
			want := &LoadError{File: file, Line: 4, Text: tc.line, Msg: tc.msg}
			if *le != *want {
				t.Fatalf("got  %+v\nwant %+v", *le, *want)
			}
		})
	}
}

func TestLoadErrorRendering(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "x.conf", "port 1\n\nreplica-priority abc\n")
	_, _, err := Load([]string{file})
	want := "*** FATAL CONFIG FILE ERROR (replscope) ***\n" +
		"Reading the configuration file, at line 3\n" +
		">>> 'replica-priority abc'\n" +
		"argument couldn't be parsed into an integer"
	if err == nil || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}

	_, _, err = Load([]string{"--port", "1", "--replica-priority", "abc"})
	le := asLoadError(t, err)
	if le.File != "" || le.Option != "--replica-priority" || le.Text != `replica-priority "abc"` || le.Line != 2 {
		t.Fatalf("command-line error %+v", *le)
	}
	want = "*** FATAL CONFIG FILE ERROR (replscope) ***\n" +
		"Reading the command line, at option --replica-priority\n" +
		">>> 'replica-priority \"abc\"'\n" +
		"argument couldn't be parsed into an integer"
	if le.Error() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", le.Error(), want)
	}
}

func TestLoadCommandLineErrors(t *testing.T) {
	for _, tc := range []struct {
		args         []string
		option, text string
		msg          string
	}{
		{[]string{"--foo", "bar"}, "--foo", `foo "bar"`, "Bad directive or wrong number of arguments"},
		{[]string{"--port", "1", "2"}, "--port", `port "1" "2"`, "wrong number of arguments"},
		{[]string{"--save", "100"}, "--save", `save "100"`, "Invalid save parameters"},
		{[]string{"--port", "abc"}, "--port", `port "abc"`, "argument couldn't be parsed into an integer"},
		{[]string{"--appendonly", "yes"}, "--appendonly", `appendonly "yes"`, "appendonly yes is not supported by replscope (RDB persistence only)"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, _, err := Load(tc.args)
			le := asLoadError(t, err)
			if le.Option != tc.option || le.Text != tc.text || le.Msg != tc.msg || le.File != "" {
				t.Fatalf("got %+v", *le)
			}
		})
	}
	_, _, err := Load([]string{"-"})
	if err == nil || !strings.Contains(err.Error(), "standard input") {
		t.Fatalf("stdin: %v", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.conf")
	_, _, err := Load([]string{missing})
	le := asLoadError(t, err)
	if le.Msg != "can't open config file '"+missing+"': No such file or directory" || le.Line != 0 {
		t.Fatalf("got %+v", *le)
	}
}

func TestLoadInclude(t *testing.T) {
	dir := t.TempDir()
	inc := writeFile(t, dir, "inc.conf", "port 7100\nreplica-priority 3\n")
	main := writeFile(t, dir, "main.conf", "port 7000\ninclude "+inc+"\ninclude "+filepath.Join(dir, "none-*.conf")+"\nreplica-priority 4\n")
	c, _ := mustLoad(t, main)
	if c.Port != 7100 || c.ReplicaPriority != 4 {
		t.Fatalf("port %d priority %d", c.Port, c.ReplicaPriority)
	}

	bad := writeFile(t, dir, "bad.conf", "\nhz x\n")
	main2 := writeFile(t, dir, "main2.conf", "include "+bad+"\n")
	_, _, err := Load([]string{main2})
	le := asLoadError(t, err)
	if le.File != bad || le.Line != 2 || !le.Included || le.Text != "hz x" {
		t.Fatalf("got %+v", *le)
	}
	if !strings.Contains(le.Error(), "Reading the included file "+bad+", at line 2") {
		t.Fatalf("rendering: %s", le.Error())
	}

	loop := filepath.Join(dir, "loop.conf")
	writeFile(t, dir, "loop.conf", "include "+loop+"\n")
	_, _, err = Load([]string{loop})
	if le := asLoadError(t, err); !strings.Contains(le.Msg, "include nesting is too deep") {
		t.Fatalf("loop: %+v", *le)
	}

	_, _, err = Load([]string{main, "--include", filepath.Join(dir, "absent.conf")})
	if le := asLoadError(t, err); !strings.Contains(le.Msg, "can't open config file") || le.Option != "--include" {
		t.Fatalf("missing include: %+v", *le)
	}
}

func TestLoadWarnsAboutIgnoredDirectives(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "w.conf", "lfu-log-factor 10\nlfu-log-factor 12\nmaxmemory 1gb\nport 7000\n")
	_, src := mustLoad(t, file, "--slowlog-max-len", "99")
	want := []string{
		file + ":2: 'lfu-log-factor 12' is accepted but ignored by replscope",
		file + ":3: 'maxmemory 1gb' is accepted but ignored by replscope",
		"--slowlog-max-len: 'slowlog-max-len \"99\"' is accepted but ignored by replscope",
	}
	if !slices.Equal(src.Warnings, want) {
		t.Fatalf("warnings:\n%q\nwant\n%q", src.Warnings, want)
	}
}

func TestLoadDirIsResolved(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "data")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(sub)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := mustLoad(t, "--dir", dir, "--dir", "data")
	if c.Dir != real {
		t.Fatalf("Dir = %q, want %q", c.Dir, real)
	}
	file := writeFile(t, dir, "f", "")
	if _, _, err := Load([]string{"--dir", file}); err == nil || asLoadError(t, err).Msg != "Not a directory" {
		t.Fatalf("dir on a file: %v", err)
	}
}

// TestLoadStockRedisConf loads the distribution's redis.conf, with the
// lines replscope refuses or that point at system paths adjusted.
func TestLoadStockRedisConf(t *testing.T) {
	data, err := os.ReadFile("/etc/redis/redis.conf")
	if err != nil {
		t.Skip("no /etc/redis/redis.conf to load")
	}
	dir := t.TempDir()
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		switch f := strings.Fields(l); {
		case len(f) > 0 && f[0] == "daemonize":
			l = "daemonize no"
		case len(f) > 0 && f[0] == "dir":
			l = "dir " + dir
		}
		lines = append(lines, l)
	}
	file := writeFile(t, dir, "redis.conf", strings.Join(lines, "\n"))
	c, _ := mustLoad(t, file)
	if c.Port != 6379 || c.Dir == "" {
		t.Fatalf("port %d dir %q", c.Port, c.Dir)
	}
}

func TestParse(t *testing.T) {
	c, src, err := Parse("port 7000\nsave \"\"\nreplicaof 10.0.0.1 6379\n", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 7000 || len(c.Save) != 0 || c.ReplicaOf == nil || src.File != "" {
		t.Fatalf("port %d save %v replicaof %v file %q", c.Port, c.Save, c.ReplicaOf, src.File)
	}
	_, _, err = Parse("port 1\nport x\n", "inline.conf")
	if le := asLoadError(t, err); le.File != "inline.conf" || le.Line != 2 || le.Text != "port x" {
		t.Fatalf("got %+v", *le)
	}
}

// TestLoadErrorRedactsSecrets: a bad line that sets a password is shown
// without its value.
func TestLoadErrorRedactsSecrets(t *testing.T) {
	for _, args := range [][]string{
		{"--masterauth", "hunter2", "extra"},
		{"--requirepass", "hunter2", "extra"},
	} {
		_, _, err := Load(args)
		if err == nil {
			t.Fatalf("%v: no error", args)
		}
		if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "<redacted>") {
			t.Fatalf("%v: error shows the secret or no redaction:\n%s", args, err)
		}
	}
}
