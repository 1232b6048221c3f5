package scenarios

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/replscope/replscope/scenarios/script"
)

// builtinFS holds the built-in scenarios, one .scn file each; the first
// line of each is a "# title" comment.
//
//go:embed builtin/*.scn
var builtinFS embed.FS

// Builtin describes a built-in scenario.
type Builtin struct {
	Name        string // file name without .scn, what `replscope play NAME` takes
	Title       string // the first comment line
	Description string
	Redis       bool // declares redis-server nodes
	Sentinel    bool // starts redis-sentinel processes
}

// builtinOrder is the order --list shows the scenarios in: a course from
// the first sync to failures and recoveries. Scenarios not named here
// follow by name.
var builtinOrder = []string{
	"first-sync", "star", "tree", "link-drop", "backlog-overflow", "master-restart",
	"failover", "repoint", "auth", "slow-replica", "stale-read", "expiry", "mixed-redis", "sentinel-failover",
}

// Builtins lists the built-in scenarios in course order. A scenario that
// does not parse is a bug that the package's tests catch; it is listed
// with its parse error as its title.
func Builtins() []Builtin {
	entries, _ := fs.Glob(builtinFS, "builtin/*.scn")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(path.Base(e), ".scn"))
	}
	rank := func(n string) int {
		if i := slices.Index(builtinOrder, n); i >= 0 {
			return i
		}
		return len(builtinOrder)
	}
	sort.SliceStable(names, func(i, j int) bool {
		ri, rj := rank(names[i]), rank(names[j])
		return ri < rj || ri == rj && names[i] < names[j]
	})
	out := make([]Builtin, 0, len(names))
	for _, name := range names {
		sc, err := builtinScript(name)
		if err != nil {
			out = append(out, Builtin{Name: name, Title: err.Error()})
			continue
		}
		out = append(out, Builtin{Name: name, Title: sc.Title, Description: sc.Description, Redis: NeedsRedis(sc),
			Sentinel: slices.ContainsFunc(sc.Steps, func(s script.Step) bool { return s.Verb == script.VerbSentinel })})
	}
	return out
}

// BuiltinSource returns the text of built-in scenario name.
func BuiltinSource(name string) ([]byte, bool) {
	b, err := builtinFS.ReadFile("builtin/" + name + ".scn")
	return b, err == nil
}

// builtinScript parses built-in scenario name.
func builtinScript(name string) (*script.Script, error) {
	src, ok := BuiltinSource(name)
	if !ok {
		return nil, fmt.Errorf("no built-in scenario %q", name)
	}
	return script.Parse(name+".scn", src)
}

// Open returns the script arg names: a built-in scenario's name, or the
// path of a .scn file (anything with a '/' or a ".scn" suffix, or an
// existing file). A parse error is a *script.Error.
func Open(arg string) (*script.Script, error) {
	if !strings.Contains(arg, "/") && !strings.HasSuffix(arg, ".scn") {
		if _, ok := BuiltinSource(arg); ok {
			return builtinScript(arg)
		}
		if _, err := os.Stat(arg); err != nil {
			return nil, fmt.Errorf("no built-in scenario or file %q (replscope play --list shows the scenarios)", arg)
		}
	}
	src, err := os.ReadFile(arg)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return script.Parse(arg, src)
}
