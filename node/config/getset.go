package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Get implements CONFIG GET pattern [pattern ...]: a flat name, value
// list. A pattern without glob characters (*, ?, [) is looked up by name
// or alias, case-insensitively, and answered under the name as typed; a
// glob pattern is matched (case-insensitively) against every name and
// alias, which Redis lists as separate entries. Each name appears at most
// once. Redis answers in hash-table order; Get answers exact names in
// argument order and each pattern's matches sorted by name.
func (c *Config) Get(patterns ...string) []string {
	seen := make(map[string]bool)
	var out []string
	for _, p := range patterns {
		if !strings.ContainsAny(p, "[*?") {
			lp := strings.ToLower(p)
			e, ok := index[lp]
			if !ok || seen[lp] {
				continue
			}
			seen[lp] = true
			out = append(out, p, e.d.get(c))
			continue
		}
		for _, e := range sortedEntries {
			if !seen[e.name] && Match(p, e.name, true) {
				seen[e.name] = true
				out = append(out, e.name, e.d.get(c))
			}
		}
	}
	return out
}

// Set implements CONFIG SET name value [name value ...] for a client that
// is not local (see SetLocal). It checks every name first (unknown,
// immutable, protected, duplicate: the first problem is reported), then
// parses every value, and changes c only if all of them are valid, as
// Redis 7 does. Multi-argument values (save, bind,
// client-output-buffer-limit, ...) are split on single spaces. Errors are
// Redis 7.0's reply texts without the leading '-'.
//
// changed lists the canonical names of the directives whose value is now
// different, for the node to apply side effects (rebind, resize the
// backlog, ...). If such an effect fails, the node restores a Clone taken
// before the call, as Redis restores its previous values.
func (c *Config) Set(args []string) (changed []string, err error) {
	return c.set(args, false)
}

// SetLocal is Set for a client connected over loopback or a unix socket,
// which may change protected directives (dir, dbfilename) when
// enable-protected-configs is "local".
func (c *Config) SetLocal(args []string) (changed []string, err error) {
	return c.set(args, true)
}

func (c *Config) set(args []string, local bool) ([]string, error) {
	if len(args) < 2 {
		return nil, errors.New("ERR wrong number of arguments for 'config|set' command")
	}
	if len(args)%2 != 0 {
		return nil, errors.New("ERR syntax error")
	}
	ents, err := c.setTargets(args, local)
	if err != nil {
		return nil, err
	}
	next := c.Clone()
	st := &setState{}
	for i, e := range ents {
		v := args[2*i+1]
		vals := []string{v}
		if e.d.has(multiArg) {
			vals = splitSpaces(v)
		}
		if err := e.d.set(next, vals, st); err != nil {
			return nil, setFailed(e.name, err.Error())
		}
	}
	// Apply the normalizations of the directives that changed (Redis runs
	// its apply functions only then), then report what differs.
	var touched []*directive
	for _, e := range ents {
		if !slices.Contains(touched, e.d) && e.d.get(next) != e.d.get(c) {
			touched = append(touched, e.d)
			if e.d.apply != nil {
				e.d.apply(next)
			}
		}
	}
	var changed []string
	for _, d := range touched {
		if d.get(next) != d.get(c) {
			changed = append(changed, d.name)
		}
	}
	*c = *next
	return changed, nil
}

// setTargets resolves the names of a CONFIG SET, reporting the first
// problem the way configSetCommand does.
func (c *Config) setTargets(args []string, local bool) ([]entry, error) {
	ents := make([]entry, 0, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		name := args[i]
		e, ok := lookupEntry(name)
		if !ok {
			return nil, fmt.Errorf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", cString(name))
		}
		if e.d.has(immutable) {
			return nil, setFailed(name, "can't set immutable config")
		}
		if e.d.has(protected) && !allowProtected(c.EnableProtectedConfigs, local) {
			return nil, setFailed(name, "can't set protected config")
		}
		for _, prev := range ents {
			// Redis registers an alias as its own entry, so setting a
			// directive and its alias together is not a duplicate.
			if prev.name == e.name {
				return nil, setFailed(name, "duplicate parameter")
			}
		}
		ents = append(ents, e)
	}
	return ents, nil
}

func setFailed(name, msg string) error {
	return fmt.Errorf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", cString(name), msg)
}

// cString cuts s at its first NUL, as Redis's C string functions (%s,
// strcasecmp) read an argument.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func allowProtected(mode string, local bool) bool {
	return mode == "yes" || mode == "local" && local
}

// splitSpaces splits a CONFIG SET value on single spaces, as Redis's
// sdssplitlen does: "" gives no arguments, "a  b" gives "a", "", "b".
func splitSpaces(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, " ")
}
