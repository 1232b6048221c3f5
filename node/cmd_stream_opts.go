package node

// The stream commands end with options in any order: a name, matched
// case-insensitively, and the arguments that name takes (XCLAIM … IDLE ms
// FORCE, XREAD COUNT n STREAMS …). An option whose arguments are missing
// is not that option: the command answers its syntax error.

// optArgs walks a command's options from a position:
//
//	for o := x.options(5); o.next(); {
//		switch {
//		case o.is("force", 0): …
//		case o.is("idle", 1): v, ok := o.int(0, "ERR Invalid IDLE …")
//		default: x.syntaxErr()
//		}
//	}
type optArgs struct {
	x     *cmdCtx
	at    int // the current option's position
	after int // where the next option is
}

// options starts walking x's arguments at position from.
func (x *cmdCtx) options(from int) *optArgs { return &optArgs{x: x, at: from, after: from} }

// next moves past the current option and its arguments; it reports false
// when no argument is left.
func (o *optArgs) next() bool {
	o.at = o.after
	o.after = o.at + 1
	return o.at < len(o.x.args)
}

// name is the current option as given.
func (o *optArgs) name() []byte { return o.x.args[o.at] }

// is reports whether the current option is name followed by at least n
// arguments; if so, the next option comes after them.
func (o *optArgs) is(name string, n int) bool {
	if !eqFold(o.x.args[o.at], name) || o.at+n >= len(o.x.args) {
		return false
	}
	o.after = o.at + 1 + n
	return true
}

// arg is the k-th argument (from 0) of the option matched.
func (o *optArgs) arg(k int) []byte { return o.x.args[o.at+1+k] }

// int reads the k-th argument of the option matched as an integer; when
// it is not one, it replies msg and reports false.
func (o *optArgs) int(k int, msg string) (int64, bool) {
	v, ok := parseInt(o.arg(k))
	if !ok {
		o.x.err(msg)
	}
	return v, ok
}

// stop ends the walk after the current option: the rest of the arguments
// are the option's (XREAD … STREAMS key … id …).
func (o *optArgs) stop() { o.after = len(o.x.args) }
