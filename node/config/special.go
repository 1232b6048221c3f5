package config

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The directives with their own syntax, after Redis's special configs.

var errWrongArgs = errors.New("wrong number of arguments")

// defaultBind is CONFIG_DEFAULT_BINDADDR.
var defaultBind = []string{"*", "-::*"}

// bindDir: bind addr [addr ...] (at most 16), or "" for none. A new bind
// line replaces the previous list.
func bindDir() *directive {
	return &directive{
		name: "bind", flags: multiArg,
		init: func(c *Config) { c.Bind = slices.Clone(defaultBind) },
		set: func(c *Config, args []string, _ *setState) error {
			if len(args) > 16 {
				return errors.New("Too many bind addresses specified.")
			}
			if len(args) == 1 && args[0] == "" {
				args = nil
			}
			c.Bind = slices.Clone(args)
			return nil
		},
		get: func(c *Config) string { return strings.Join(c.Bind, " ") },
		rewrite: func(c *Config) []rline {
			if slices.Equal(c.Bind, defaultBind) {
				return nil
			}
			if len(c.Bind) == 0 {
				return []rline{{`bind ""`, true}}
			}
			return []rline{{"bind " + strings.Join(c.Bind, " "), true}}
		},
	}
}

// defaultOutputLimits are Redis's clientBufferLimitsDefaults.
var defaultOutputLimits = [3]OutputLimit{
	{0, 0, 0},
	{256 * 1024 * 1024, 64 * 1024 * 1024, 60},
	{32 * 1024 * 1024, 8 * 1024 * 1024, 60},
}

// outputBufferLimitDir: client-output-buffer-limit <class> <hard> <soft>
// <soft-seconds> [...]. Each group replaces the limit of its class; the
// others keep theirs. All groups are checked before any is applied.
func outputBufferLimitDir() *directive {
	return &directive{
		name: "client-output-buffer-limit", flags: multiArg,
		init: func(c *Config) { c.OutputLimits = defaultOutputLimits },
		set: func(c *Config, args []string, _ *setState) error {
			if len(args)%4 != 0 {
				return errors.New("Wrong number of arguments in buffer limit configuration.")
			}
			next := c.OutputLimits
			for i := 0; i < len(args); i += 4 {
				class, ok := ClassByName(args[i])
				if !ok {
					return errors.New("Invalid client class specified in buffer limit configuration.")
				}
				hard, okHard := memToULL(args[i+1])
				soft, okSoft := memToULL(args[i+2])
				secs, okSecs := strtoll(args[i+3], 10)
				secs = int64(int32(secs)) // stored in a C int
				if !okHard || !okSoft || !okSecs || secs < 0 {
					return errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
				}
				next[class] = OutputLimit{Hard: int64(hard), Soft: int64(soft), SoftSeconds: int(secs)}
			}
			c.OutputLimits = next
			return nil
		},
		get: func(c *Config) string {
			parts := make([]string, 0, 12)
			for k, l := range c.OutputLimits {
				parts = append(parts, classNames[k],
					strconv.FormatUint(uint64(l.Hard), 10),
					strconv.FormatUint(uint64(l.Soft), 10),
					strconv.Itoa(l.SoftSeconds))
			}
			return strings.Join(parts, " ")
		},
		rewrite: func(c *Config) []rline {
			lines := make([]rline, 0, 3)
			for k, l := range c.OutputLimits {
				name := classNames[k]
				if Class(k) == ClassReplica {
					name = "replica"
				}
				lines = append(lines, rline{
					text: "client-output-buffer-limit " + name + " " + formatMemory(uint64(l.Hard)) + " " +
						formatMemory(uint64(l.Soft)) + " " + strconv.Itoa(l.SoftSeconds),
					force: l != defaultOutputLimits[k],
				})
			}
			return lines
		},
	}
}

// saveDir: save <seconds> <changes> [...], or save "" for no snapshots.
// While loading, the first save line replaces the defaults and later ones
// add to it; CONFIG SET replaces the whole list.
func saveDir() *directive {
	return &directive{
		name: "save", flags: multiArg,
		init: func(c *Config) { c.Save = []SavePoint{{3600, 1}, {300, 100}, {60, 10000}} },
		set: func(c *Config, args []string, st *setState) error {
			if len(args) == 1 && args[0] == "" {
				c.Save = nil
				args = nil
			}
			if len(args)%2 != 0 {
				return errors.New("Invalid save parameters")
			}
			points := make([]SavePoint, 0, len(args)/2)
			for j := 0; j < len(args); j += 2 {
				secs, ok1 := strtoll(args[j], 10)
				changes, ok2 := strtoll(args[j+1], 10)
				if !ok1 || !ok2 || secs < 1 || changes < 0 {
					return errors.New("Invalid save parameters")
				}
				points = append(points, SavePoint{Seconds: secs, Changes: int64(int32(changes))})
			}
			if !st.loading || !st.saveSeen {
				c.Save = nil
			}
			st.saveSeen = true
			c.Save = append(c.Save, points...)
			return nil
		},
		get: func(c *Config) string {
			parts := make([]string, 0, 2*len(c.Save))
			for _, p := range c.Save {
				parts = append(parts, strconv.FormatInt(p.Seconds, 10), strconv.FormatInt(p.Changes, 10))
			}
			return strings.Join(parts, " ")
		},
		rewrite: func(c *Config) []rline {
			if len(c.Save) == 0 {
				return []rline{{`save ""`, true}}
			}
			lines := make([]rline, len(c.Save))
			for i, p := range c.Save {
				lines[i] = rline{"save " + strconv.FormatInt(p.Seconds, 10) + " " + strconv.FormatInt(p.Changes, 10), true}
			}
			return lines
		},
	}
}

// replicaOfDir: replicaof <host> <port> | replicaof no one. Immutable for
// CONFIG SET: the node changes it through REPLICAOF, and CONFIG REWRITE
// persists it.
func replicaOfDir() *directive {
	return &directive{
		name: "replicaof", alias: "slaveof", flags: immutable | multiArg,
		init: func(c *Config) { c.ReplicaOf = nil },
		set: func(c *Config, args []string, _ *setState) error {
			if len(args) != 2 {
				return errWrongArgs
			}
			if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
				c.ReplicaOf = nil
				return nil
			}
			port, ok := strtoll(args[1], 10)
			if !ok || port < 0 || port > 65535 {
				return errors.New("Invalid master port")
			}
			c.ReplicaOf = &HostPort{Host: args[0], Port: int(port)}
			return nil
		},
		get: func(c *Config) string {
			if c.ReplicaOf == nil {
				return ""
			}
			return c.ReplicaOf.Host + " " + strconv.Itoa(c.ReplicaOf.Port)
		},
		rewrite: func(c *Config) []rline {
			if c.ReplicaOf == nil {
				return nil
			}
			return []rline{{"replicaof " + c.ReplicaOf.Host + " " + strconv.Itoa(c.ReplicaOf.Port), true}}
		},
	}
}

// dirDir: dir <path>. Redis chdirs; replscope keeps the absolute, symlink
// free path instead (several nodes may share a process). A relative path
// is taken from the current dir, as a chdir would.
func dirDir() *directive {
	return &directive{
		name: "dir", flags: protected,
		init: func(c *Config) { c.Dir = "" },
		set: func(c *Config, args []string, _ *setState) error {
			p, err := resolveDir(c.Dir, args[0])
			if err != nil {
				return err
			}
			c.Dir = p
			return nil
		},
		get: func(c *Config) string { return c.Dir },
		rewrite: func(c *Config) []rline {
			return []rline{{"dir " + Quote(c.Dir), true}}
		},
	}
}

// resolveDir checks that p names a directory and returns it absolute and
// without symlinks. Errors read like C's strerror, as Redis reports them.
func resolveDir(base, p string) (string, error) {
	if p == "" {
		return "", errors.New(strerror(syscall.ENOENT))
	}
	if !filepath.IsAbs(p) {
		if base == "" {
			wd, err := os.Getwd()
			if err != nil {
				return "", errors.New(strerror(err))
			}
			base = wd
		}
		p = filepath.Join(base, p)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return "", errors.New(strerror(err))
	}
	if !fi.IsDir() {
		return "", errors.New(strerror(syscall.ENOTDIR))
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", errors.New(strerror(err))
	}
	return filepath.Clean(real), nil
}

// strerror renders a file-system error the way C's strerror does
// ("No such file or directory").
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

// strtoll mirrors C's strtoll(s, &end, base) followed by the `*end ==
// '\0'` check Redis makes: leading blanks and a sign are accepted, an
// empty string is 0, overflow saturates.
func strtoll(s string, base int) (int64, bool) {
	p := 0
	for p < len(s) && isCSpace(s[p]) {
		p++
	}
	neg := false
	if p < len(s) && (s[p] == '+' || s[p] == '-') {
		neg = s[p] == '-'
		p++
	}
	start := p
	var v uint64
	overflow := false
	for ; p < len(s); p++ {
		d := digitVal(s[p])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
		} else {
			v = v*uint64(base) + uint64(d)
		}
	}
	if p == start {
		return 0, len(s) == 0
	}
	if p != len(s) {
		return 0, false
	}
	switch {
	case neg && (overflow || v > uint64(math.MaxInt64)+1):
		return math.MinInt64, true
	case neg:
		return int64(-v), true
	case overflow || v > math.MaxInt64:
		return math.MaxInt64, true
	}
	return int64(v), true
}

func digitVal(b byte) int {
	switch {
	case b >= '0' && b <= '9':
		return int(b - '0')
	case b >= 'a' && b <= 'z':
		return int(b-'a') + 10
	case b >= 'A' && b <= 'Z':
		return int(b-'A') + 10
	}
	return 99
}
