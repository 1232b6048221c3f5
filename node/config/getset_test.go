package config

import (
	"slices"
	"testing"
)

func TestGet(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		name     string
		patterns []string
		want     []string
	}{
		{"exact name echoes the spelling", []string{"PORT"}, []string{"PORT", "6379"}},
		{"each name once", []string{"port", "PORT", "p?rt"}, []string{"port", "6379"}},
		{"alias and name are separate entries", []string{"slave-read-only", "replica-read-only"},
			[]string{"slave-read-only", "yes", "replica-read-only", "yes"}},
		{"unknown names are skipped", []string{"nosuch", "hz"}, []string{"hz", "10"}},
		{"glob matches names and aliases, sorted", []string{"*-read-only"},
			[]string{"replica-read-only", "yes", "slave-read-only", "yes"}},
		{"glob is case-insensitive", []string{"REPL-PING-*"},
			[]string{"repl-ping-replica-period", "10", "repl-ping-slave-period", "10"}},
		{"replicaof of a master is empty", []string{"replicaof"}, []string{"replicaof", ""}},
		{"defaults of list directives", []string{"save", "bind", "client-output-buffer-limit"},
			[]string{"save", "3600 1 300 100 60 10000", "bind", "* -::*", "client-output-buffer-limit",
				"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"}},
		{"no patterns", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Get(tc.patterns...); !slices.Equal(got, tc.want) {
				t.Fatalf("Get(%q) = %q, want %q", tc.patterns, got, tc.want)
			}
		})
	}
}

// TestSetErrors: the texts are Redis 7.0.15's replies to the same CONFIG
// SET (the interop test checks them against a live server as well).
func TestSetErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"port"}, "ERR wrong number of arguments for 'config|set' command"},
		{[]string{"port", "1", "hz"}, "ERR syntax error"},
		{[]string{"foo", "1", "port", "1"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"port", "abc", "foo", "1"}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[]string{"port", "abc", "hz", "abc"}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer"},
		{[]string{"SLAVE-PRIORITY", "abc"}, "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer"},
		{[]string{"replica-priority", "1", "replica-PRIORITY", "2"}, "ERR CONFIG SET failed (possibly related to argument 'replica-PRIORITY') - duplicate parameter"},
		{[]string{"replicaof", "1.2.3.4 5"}, "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config"},
		{[]string{"slaveof", "no one"}, "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config"},
		{[]string{"daemonize", "yes", "foo", "1"}, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"},
		{[]string{"dir", "/tmp"}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[]string{"dbfilename", "x.rdb"}, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"},
		{[]string{"repl-backlog-size", "0"}, "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive"},
		{[]string{"save", "100 1 "}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[]string{"loglevel", "FOO"}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
		{[]string{"notify-keyspace-events", "KEA m"}, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{[]string{"appendonly", "yes"}, "ERR CONFIG SET failed (possibly related to argument 'appendonly') - appendonly yes is not supported by replscope (RDB persistence only)"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			c := Default()
			before := c.Get("*")
			changed, err := c.Set(tc.args)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Set(%q) = %v, want %q", tc.args, err, tc.want)
			}
			if changed != nil || !slices.Equal(c.Get("*"), before) {
				t.Fatalf("a failed Set changed the config (changed %q)", changed)
			}
		})
	}
}

func TestSetIsAtomic(t *testing.T) {
	c := Default()
	if _, err := c.Set([]string{"hz", "20", "replica-priority", "7", "port", "abc"}); err == nil {
		t.Fatal("no error")
	}
	if c.Hz != 10 || c.ReplicaPriority != 100 {
		t.Fatalf("hz %d priority %d after a failed Set", c.Hz, c.ReplicaPriority)
	}
}

func TestSetChanged(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		changed []string
		check   func(*Config) bool
	}{
		{"canonical names", []string{"slave-priority", "1", "hz", "10", "repl-timeout", "30"},
			[]string{"replica-priority", "repl-timeout"},
			func(c *Config) bool { return c.ReplicaPriority == 1 && c.ReplTimeout == 30 }},
		{"alias and name together: last wins", []string{"slave-priority", "1", "replica-priority", "2"},
			[]string{"replica-priority"}, func(c *Config) bool { return c.ReplicaPriority == 2 }},
		{"hz is clamped", []string{"hz", "1000"}, []string{"hz"}, func(c *Config) bool { return c.Hz == 500 }},
		{"backlog raised to 16kb", []string{"repl-backlog-size", "1k"}, []string{"repl-backlog-size"},
			func(c *Config) bool { return c.ReplBacklogSize == MinBacklogSize }},
		{"save replaces the list", []string{"save", "10 1 20 2"}, []string{"save"},
			func(c *Config) bool { return slices.Equal(c.Save, []SavePoint{{10, 1}, {20, 2}}) }},
		{"save empty", []string{"save", ""}, []string{"save"}, func(c *Config) bool { return len(c.Save) == 0 }},
		{"bind splits on spaces", []string{"bind", "127.0.0.1 ::1"}, []string{"bind"},
			func(c *Config) bool { return slices.Equal(c.Bind, []string{"127.0.0.1", "::1"}) }},
		{"one class of output limit", []string{"client-output-buffer-limit", "replica 1mb 0 0"}, []string{"client-output-buffer-limit"},
			func(c *Config) bool {
				return c.OutputLimits[ClassReplica] == OutputLimit{Hard: 1 << 20} && c.OutputLimits[ClassPubSub] == defaultOutputLimits[ClassPubSub]
			}},
		{"strings", []string{"masterauth", "pw", "masteruser", "u", "replica-announce-ip", "10.0.0.9"},
			[]string{"masterauth", "masteruser", "replica-announce-ip"},
			func(c *Config) bool {
				return c.MasterAuth == "pw" && c.MasterUser == "u" && c.ReplicaAnnounceIP == "10.0.0.9"
			}},
		{"ignored directive", []string{"slowlog-max-len", "64", "lazyfree-lazy-eviction", "no"},
			[]string{"slowlog-max-len"},
			func(c *Config) bool { v, _ := c.Value("slowlog-max-len"); return v == "64" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			changed, err := c.Set(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(changed, tc.changed) {
				t.Errorf("changed = %q, want %q", changed, tc.changed)
			}
			if !tc.check(c) {
				t.Errorf("unexpected config: %q", c.Get(tc.args[0]))
			}
		})
	}
}

func TestSetProtected(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mode  string
		local bool
		ok    bool
	}{
		{"no", true, false}, {"yes", false, true}, {"local", false, false}, {"local", true, true},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			c, _ := mustLoad(t, "--enable-protected-configs", tc.mode)
			set := c.Set
			if tc.local {
				set = c.SetLocal
			}
			_, err := set([]string{"dbfilename", "x.rdb", "dir", dir})
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && (c.DBFilename != "x.rdb" || c.Dir == "") {
				t.Fatalf("dbfilename %q dir %q", c.DBFilename, c.Dir)
			}
		})
	}
}

func TestCloneIsDeep(t *testing.T) {
	c, _ := mustLoad(t, "--replicaof", "h", "1", "--bind", "a", "b")
	d := c.Clone()
	d.Bind[0] = "x"
	d.Save[0].Seconds = 1
	d.ReplicaOf.Port = 2
	if _, err := d.Set([]string{"slowlog-max-len", "1"}); err != nil {
		t.Fatal(err)
	}
	if c.Bind[0] != "a" || c.Save[0].Seconds != 3600 || c.ReplicaOf.Port != 1 {
		t.Fatalf("original changed: %v %v %v", c.Bind, c.Save, c.ReplicaOf)
	}
	if v, _ := c.Value("slowlog-max-len"); v != "128" {
		t.Fatalf("original extra changed: %s", v)
	}
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Directive
	}{
		{"SLAVE-READ-ONLY", Directive{Name: "replica-read-only", Alias: "slave-read-only", Mutable: true}},
		{"requirepass", Directive{Name: "requirepass", Mutable: true, Sensitive: true}},
		{"replicaof", Directive{Name: "replicaof", Alias: "slaveof"}},
		{"dir", Directive{Name: "dir", Mutable: true, Protected: true}},
		{"io-threads-do-reads", Directive{Name: "io-threads-do-reads", Ignored: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := Describe(tc.name); !ok || got != tc.want {
				t.Fatalf("Describe(%q) = %+v, %v", tc.name, got, ok)
			}
		})
	}
	if _, ok := Describe("nosuch"); ok {
		t.Fatal("unknown directive described")
	}
	if n := len(Directives()); n != len(directives) || n < 150 {
		t.Fatalf("Directives() has %d entries", n)
	}
}

func TestOutputBufferLimitClasses(t *testing.T) {
	c := Default()
	if c.OutputBufferLimit("REPLICA") != c.OutputBufferLimit("slave") || c.OutputBufferLimit("replica").Hard != 256<<20 {
		t.Fatal("replica and slave differ")
	}
	if c.OutputBufferLimit("master") != (OutputLimit{}) {
		t.Fatal("master class has a limit")
	}
}
