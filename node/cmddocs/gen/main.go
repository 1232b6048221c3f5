// Command gen merges Redis's src/commands/*.json into commands.json: one
// object of top-level commands, subcommands nested under their container,
// one command per line, the fields cmddocs reads and nothing else.
//
//	go run ./node/cmddocs/gen -src /path/to/redis/src/commands -out node/cmddocs/commands.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/replscope/replscope/node/cmddocs"
)

func main() {
	src := flag.String("src", "", "Redis src/commands directory")
	out := flag.String("out", "commands.json", "output file")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	files, err := filepath.Glob(filepath.Join(src, "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no command files in %q: %v", src, err)
	}
	top := map[string]*cmddocs.Command{}
	var subs []struct {
		name string
		c    *cmddocs.Command
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var m map[string]*cmddocs.Command
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for name, c := range m {
			name = strings.ToLower(name)
			c.Tips = lower(c.Tips)
			if c.Container != "" {
				subs = append(subs, struct {
					name string
					c    *cmddocs.Command
				}{name, c})
				continue
			}
			top[name] = c
		}
	}
	for _, s := range subs {
		parent := top[strings.ToLower(s.c.Container)]
		if parent == nil {
			return fmt.Errorf("subcommand %s of unknown container %s", s.name, s.c.Container)
		}
		if parent.Subcommands == nil {
			parent.Subcommands = map[string]*cmddocs.Command{}
		}
		s.c.Container = ""
		parent.Subcommands[s.name] = s.c
	}
	names := make([]string, 0, len(top))
	for name := range top {
		names = append(names, name)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, name := range names {
		line, err := json.Marshal(top[name])
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%q:%s", name, line)
		if i < len(names)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return os.WriteFile(out, b.Bytes(), 0o644)
}

func lower(ss []string) []string {
	for i, s := range ss {
		ss[i] = strings.ToLower(s)
	}
	return ss
}
