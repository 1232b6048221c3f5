package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Source says where a configuration came from.
type Source struct {
	// File is the absolute path of the config file, "" when the node runs
	// without one (CONFIG REWRITE then fails, INFO shows config_file:).
	File string
	// Warnings lists the directives that were accepted but are ignored by
	// replscope, each with where it was given, for the node to log.
	Warnings []string
}

// LoadError is a fatal configuration error, rendered like redis-server's
//
//	*** FATAL CONFIG FILE ERROR (replscope) ***
//	Reading the configuration file, at line 3
//	>>> 'replica-priority abc'
//	argument couldn't be parsed into an integer
type LoadError struct {
	File     string // the config file or included file; "" for the command line
	Line     int    // 1-based line in File (or in the command-line text); 0 if none
	Text     string // the offending line, trimmed
	Msg      string // what is wrong, Redis's text where Redis has one
	Option   string // for the command line: the option, e.g. "--replica-priority"
	Included bool   // File was reached through an include directive
}

// Error renders the error the way redis-server prints it.
func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString("*** FATAL CONFIG FILE ERROR (replscope) ***\n")
	switch {
	case e.Option != "":
		fmt.Fprintf(&b, "Reading the command line, at option %s\n", e.Option)
	case e.Line > 0 && e.Included:
		fmt.Fprintf(&b, "Reading the included file %s, at line %d\n", e.File, e.Line)
	case e.Line > 0:
		fmt.Fprintf(&b, "Reading the configuration file, at line %d\n", e.Line)
	}
	if e.Line > 0 || e.Option != "" {
		fmt.Fprintf(&b, ">>> '%s'\n", redactLine(e.Text))
	}
	b.WriteString(e.Msg)
	return b.String()
}

// redactLine hides the value of a line that sets a secret (requirepass,
// masterauth, ...): an error must never print a password.
func redactLine(line string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	if d, ok := Describe(strings.ToLower(name)); ok && d.Sensitive {
		return name + " <redacted>"
	}
	return line
}

// maxIncludeDepth bounds include recursion (Redis has no bound and
// overflows its stack on an include loop).
const maxIncludeDepth = 16

// Load builds a configuration from the arguments of `replscope node`, as
// redis-server does from its own: an optional config file first (any
// first argument not starting with '-'), then `--directive value...`
// options. The options are appended to the file's text, so they override
// it; a value may be one argument with spaces (--save "900 1 300 10") or
// several (--replicaof 127.0.0.1 6379), and a value-less --save means
// save "". The result has Redis's defaults for everything not given.
func Load(args []string) (*Config, *Source, error) {
	src := &Source{}
	first := 0
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		abs, err := filepath.Abs(args[0])
		if err != nil {
			return nil, nil, &LoadError{File: args[0], Msg: fmt.Sprintf("can't resolve config file path '%s': %v", args[0], err)}
		}
		src.File = abs
		first = 1
	}
	text, labels, err := commandLineText(args, first)
	if err != nil {
		return nil, nil, err
	}
	l := &loader{c: Default(), def: Default(), st: &setState{loading: true}, src: src}
	if src.File != "" {
		data, err := os.ReadFile(src.File)
		if err != nil {
			return nil, nil, &LoadError{File: src.File, Msg: cantOpen(src.File, err)}
		}
		if err := l.load(string(data), origin{file: src.File}, 0); err != nil {
			return nil, nil, err
		}
	}
	if err := l.load(text, origin{labels: labels}, 0); err != nil {
		return nil, nil, err
	}
	clampHz(l.c)
	return l.c, src, nil
}

// Parse builds a configuration from redis.conf text alone, as if read
// from a config file named file: errors and warnings name it, and
// src.File is file as given ("" for none, so that CONFIG REWRITE refuses).
func Parse(text, file string) (*Config, *Source, error) {
	src := &Source{File: file}
	l := &loader{c: Default(), def: Default(), st: &setState{loading: true}, src: src}
	if err := l.load(text, origin{file: file}, 0); err != nil {
		return nil, nil, err
	}
	clampHz(l.c)
	return l.c, src, nil
}

func cantOpen(path string, err error) string {
	return fmt.Sprintf("can't open config file '%s': %s", path, strerror(err))
}

// origin says where text being loaded comes from: a file (file != "" or
// labels == nil) or the command line (labels maps a line index to the
// option that starts it).
type origin struct {
	file     string
	included bool
	labels   map[int]string
}

func (o origin) commandLine() bool { return o.labels != nil }

// label is the command-line option that produced line i (0-based).
func (o origin) label(i int) string {
	for ; i >= 0; i-- {
		if s, ok := o.labels[i]; ok {
			return s
		}
	}
	return "?"
}

func (o origin) where(i int) string {
	if o.commandLine() {
		return o.label(i)
	}
	if o.file == "" {
		return fmt.Sprintf("line %d", i+1)
	}
	return fmt.Sprintf("%s:%d", o.file, i+1)
}

type loader struct {
	c   *Config
	def *Config // defaults, to tell which ignored directives change anything
	st  *setState
	src *Source
}

func (l *loader) fail(o origin, i int, line, msg string) error {
	e := &LoadError{File: o.file, Line: i + 1, Text: line, Msg: msg, Included: o.included}
	if o.commandLine() {
		e.Option = o.label(i)
	}
	return e
}

// load applies redis.conf text line by line, as loadServerConfigFromString.
func (l *loader) load(text string, o origin, depth int) error {
	for i, raw := range strings.Split(text, "\n") {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		argv, err := SplitArgs(line)
		if err != nil {
			return l.fail(o, i, line, "Unbalanced quotes in configuration line")
		}
		if len(argv) == 0 {
			continue
		}
		if err := l.directive(argv, line, o, i, depth); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) directive(argv []string, line string, o origin, i, depth int) error {
	name := strings.ToLower(argv[0])
	if d := lookup(name); d != nil {
		if !d.has(multiArg) && len(argv) != 2 {
			return l.fail(o, i, line, errWrongArgs.Error())
		}
		vals := argv[1:]
		if d.has(multiArg) && len(argv) == 2 && argv[1] != "" {
			// "--save '900 1'" arrives as one argument: split it again.
			vals, _ = SplitArgs(argv[1])
		}
		if err := d.set(l.c, vals, l.st); err != nil {
			return l.fail(o, i, line, err.Error())
		}
		if d.has(ignored) && d.get(l.c) != d.get(l.def) {
			l.src.Warnings = append(l.src.Warnings,
				fmt.Sprintf("%s: '%s' is accepted but ignored by replscope", o.where(i), line))
		}
		return nil
	}
	if n, ok := deprecatedDirectives[name]; ok && len(argv) == n {
		return nil
	}
	switch {
	case name == "include" && len(argv) == 2:
		return l.include(argv[1], line, o, i, depth)
	case name == "rename-command" && len(argv) == 3,
		name == "user" && len(argv) >= 2,
		name == "loadmodule" && len(argv) >= 2,
		name == "sentinel":
		return l.fail(o, i, line, fmt.Sprintf("'%s' is not supported by replscope", name))
	}
	return l.fail(o, i, line, "Bad directive or wrong number of arguments")
}

// include loads another file (or every file a glob pattern matches, none
// being fine) in place, as Redis's include directive does. A relative
// path is taken from the process's working directory, as Redis does.
func (l *loader) include(path, line string, o origin, i, depth int) error {
	if depth >= maxIncludeDepth {
		return l.fail(o, i, line, fmt.Sprintf("include nesting is too deep (more than %d levels)", maxIncludeDepth))
	}
	files := []string{path}
	if strings.ContainsAny(path, "*?[") {
		matches, err := filepath.Glob(path)
		if err != nil {
			return l.fail(o, i, line, fmt.Sprintf("bad include pattern '%s': %v", path, err))
		}
		files = matches
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return l.fail(o, i, line, cantOpen(f, err))
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			abs = f
		}
		if err := l.load(string(data), origin{file: abs, included: true}, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// commandLineText turns the options after the config file into redis.conf
// text the way redis-server's main() does, and labels each line that an
// option starts with that option's name (for error messages).
func commandLineText(args []string, first int) (string, map[int]string, error) {
	var b strings.Builder
	labels := map[int]string{}
	line := 0
	handled := true
	last := len(args) - 1
	for j := first; j < len(args); j++ {
		a := args[j]
		switch {
		case a == "-" && (j == 0 || j == last):
			return "", nil, &LoadError{Msg: "reading the configuration from standard input is not supported by replscope"}
		case handled && strings.HasPrefix(a, "--"):
			if b.Len() > 0 {
				b.WriteByte('\n')
				line++
			}
			labels[line] = optionLabel(a)
			b.WriteString(a[2:])
			b.WriteByte(' ')
			line += strings.Count(a, "\n")
			parts, _ := SplitArgs(a)
			handled = len(parts) != 1
			if !handled && strings.EqualFold(a, "--save") {
				switch {
				case j != last && strings.HasPrefix(args[j+1], "--"):
					b.WriteString(`""`)
					handled = true
				case j == last:
					b.WriteString(`""`)
				}
			}
		default:
			if b.Len() == 0 {
				labels[line] = a
			}
			b.WriteString(Quote(a))
			b.WriteByte(' ')
			handled = true
		}
	}
	return b.String(), labels, nil
}

// optionLabel is the option name of a "--name [value]" argument.
func optionLabel(a string) string {
	if f := strings.Fields(a); len(f) > 0 {
		return f[0]
	}
	return a
}
