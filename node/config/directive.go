package config

import (
	"errors"
	"sort"
	"strings"
)

// dflag holds the properties of a directive, after Redis's config flags.
type dflag uint16

const (
	immutable dflag = 1 << iota // CONFIG SET refuses it
	protected                   // CONFIG SET needs enable-protected-configs
	multiArg                    // takes several arguments (save, bind, ...)
	sensitive                   // a secret
	ignored                     // accepted and stored, no effect in replscope
	nullEmpty                   // string: "" means unset, CONFIG REWRITE drops it
)

// rline is one line CONFIG REWRITE wants in the file. force asks for the
// line to be appended even when the file has no line for the directive
// (Redis forces values that differ from the default).
type rline struct {
	text  string
	force bool
}

// setState is what a setter needs to know about the context it runs in.
type setState struct {
	loading  bool // reading the config file / command line, not CONFIG SET
	saveSeen bool // a save directive was already applied during this load
}

// directive is one row of the table: how to default, parse, show and
// rewrite one configuration directive.
type directive struct {
	name  string
	alias string
	flags dflag
	// init stores the default value.
	init func(c *Config)
	// set validates args (one for single-argument directives) and stores
	// the value, or returns Redis's error text and leaves c unchanged.
	set func(c *Config, args []string, st *setState) error
	// get renders the value for CONFIG GET.
	get func(c *Config) string
	// rewrite renders the lines CONFIG REWRITE writes; none means the
	// directive's lines are removed from the file.
	rewrite func(c *Config) []rline
	// apply runs after a CONFIG SET that changed the value (Redis's apply
	// functions that normalize values, e.g. clamping hz).
	apply func(c *Config)
}

func (d *directive) has(f dflag) bool { return d.flags&f != 0 }

func (d *directive) describe() Directive {
	return Directive{
		Name:      d.name,
		Alias:     d.alias,
		Mutable:   !d.has(immutable),
		Protected: d.has(protected),
		Sensitive: d.has(sensitive),
		Ignored:   d.has(ignored),
	}
}

// entry is one name under which a directive is registered: its canonical
// name or its alias. Redis registers aliases as separate entries, which
// shows in CONFIG GET (both names listed) and in CONFIG SET errors.
type entry struct {
	name string
	d    *directive
}

// index maps lower-case names and aliases to entries; sortedEntries lists
// every entry by name, for glob matching in CONFIG GET.
var index, sortedEntries = buildIndex(directives)

func buildIndex(ds []*directive) (map[string]entry, []entry) {
	m := make(map[string]entry, 2*len(ds))
	var all []entry
	add := func(name string, d *directive) {
		if _, dup := m[name]; dup {
			panic("config: directive registered twice: " + name)
		}
		e := entry{name: name, d: d}
		m[name] = e
		all = append(all, e)
	}
	for _, d := range ds {
		add(d.name, d)
		if d.alias != "" {
			add(d.alias, d)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })
	return m, all
}

func lookupEntry(name string) (entry, bool) {
	e, ok := index[strings.ToLower(name)]
	return e, ok
}

func lookup(name string) *directive {
	e, ok := lookupEntry(name)
	if !ok {
		return nil
	}
	return e.d
}

// slot is where a directive keeps its value: a typed Config field, or the
// extra map for ignored directives (field == nil).
type slot[T any] struct {
	name  string
	field func(*Config) *T
}

func (s slot[T]) load(c *Config) T {
	if s.field != nil {
		return *s.field(c)
	}
	v, _ := c.extra[s.name].(T)
	return v
}

func (s slot[T]) store(c *Config, v T) {
	if s.field != nil {
		*s.field(c) = v
		return
	}
	c.extra[s.name] = v
}

var errYesNo = errors.New("argument must be 'yes' or 'no'")

// boolDir is a yes/no directive. check, when not nil, vets the new value.
func boolDir(name, alias string, fl dflag, def bool, field func(*Config) *bool, check func(bool) error) *directive {
	s := slot[bool]{name: name, field: field}
	return &directive{
		name: name, alias: alias, flags: fl,
		init: func(c *Config) { s.store(c, def) },
		set: func(c *Config, args []string, _ *setState) error {
			var v bool
			switch strings.ToLower(cString(args[0])) {
			case "yes":
				v = true
			case "no":
			default:
				return errYesNo
			}
			if check != nil {
				if err := check(v); err != nil {
					return err
				}
			}
			s.store(c, v)
			return nil
		},
		get: func(c *Config) string { return yesNo(s.load(c)) },
		rewrite: func(c *Config) []rline {
			v := s.load(c)
			return []rline{{name + " " + yesNo(v), v != def}}
		},
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// xbool is an accepted-but-ignored yes/no directive.
func xbool(name, alias string, fl dflag, def bool) *directive {
	return boolDir(name, alias, fl|ignored, def, nil, nil)
}

// numDir is a numeric directive stored in a field of type T.
func numDir[T int | int64 | uint64](name, alias string, fl dflag, spec numSpec, def int64, field func(*Config) *T) *directive {
	s := slot[T]{name: name, field: field}
	return &directive{
		name: name, alias: alias, flags: fl,
		init: func(c *Config) { s.store(c, T(def)) },
		set: func(c *Config, args []string, _ *setState) error {
			v, err := spec.parse(args[0])
			if err != nil {
				return err
			}
			s.store(c, T(v))
			return nil
		},
		get: func(c *Config) string { return spec.format(int64(s.load(c))) },
		rewrite: func(c *Config) []rline {
			v := int64(s.load(c))
			return []rline{{name + " " + spec.formatRewrite(v), v != def}}
		},
	}
}

// xnum is an accepted-but-ignored numeric directive.
func xnum(name, alias string, fl dflag, spec numSpec, def int64) *directive {
	return numDir[int64](name, alias, fl|ignored, spec, def, nil)
}

// enumItem is one accepted word of an enum directive; several words may
// share a value, and CONFIG GET shows the first word with the value.
type enumItem struct {
	word string
	val  int
}

func enumWords(words ...string) []enumItem {
	items := make([]enumItem, len(words))
	for i, w := range words {
		items[i] = enumItem{w, i}
	}
	return items
}

func enumError(items []enumItem) error {
	words := make([]string, len(items))
	for i, it := range items {
		words[i] = it.word
	}
	msg := "argument(s) must be one of the following: " + strings.Join(words, ", ")
	if len(msg) > 255 { // Redis copies it into a 256-byte buffer
		msg = msg[:255]
	}
	return errors.New(msg)
}

// enumDir is a one-word enum directive stored as its canonical word.
func enumDir(name, alias string, fl dflag, items []enumItem, def string, field func(*Config) *string) *directive {
	s := slot[string]{name: name, field: field}
	return &directive{
		name: name, alias: alias, flags: fl,
		init: func(c *Config) { s.store(c, def) },
		set: func(c *Config, args []string, _ *setState) error {
			for _, it := range items {
				if strings.EqualFold(cString(args[0]), it.word) {
					s.store(c, canonicalWord(items, it.val))
					return nil
				}
			}
			return enumError(items)
		},
		get: func(c *Config) string { return s.load(c) },
		rewrite: func(c *Config) []rline {
			v := s.load(c)
			return []rline{{name + " " + v, v != def}}
		},
	}
}

func canonicalWord(items []enumItem, val int) string {
	for _, it := range items {
		if it.val == val {
			return it.word
		}
	}
	return "unknown"
}

// xenum is an accepted-but-ignored enum directive.
func xenum(name, alias string, fl dflag, items []enumItem, def string) *directive {
	return enumDir(name, alias, fl|ignored, items, def, nil)
}

// strDir is a string directive. With nullEmpty, "" means unset and
// CONFIG REWRITE removes its lines. check, when not nil, vets the value.
func strDir(name, alias string, fl dflag, def string, field func(*Config) *string, check func(string) error) *directive {
	s := slot[string]{name: name, field: field}
	return &directive{
		name: name, alias: alias, flags: fl,
		init: func(c *Config) { s.store(c, def) },
		set: func(c *Config, args []string, _ *setState) error {
			if check != nil {
				if err := check(args[0]); err != nil {
					return err
				}
			}
			s.store(c, args[0])
			return nil
		},
		get: func(c *Config) string { return s.load(c) },
		rewrite: func(c *Config) []rline {
			v := s.load(c)
			if v == "" && fl&nullEmpty != 0 {
				return nil
			}
			return []rline{{name + " " + Quote(v), v != def}}
		},
	}
}

// xstr is an accepted-but-ignored string directive.
func xstr(name, alias string, fl dflag, def string, check func(string) error) *directive {
	return strDir(name, alias, fl|ignored, def, nil, check)
}
