package script

import (
	"strings"
	"time"
)

// nodeDecl parses "node a b c [redis [cluster]]".
func (lp *lineParser) nodeDecl(s *Step) error {
	s.Verb = VerbNode
	toks := lp.toks[1:]
	if n := len(toks); n > 1 && !toks[n-1].quoted && toks[n-1].text == "cluster" && !toks[n-2].quoted && toks[n-2].text == "redis" {
		s.Cluster = true
		toks = toks[:n-1]
	}
	if n := len(toks); n > 0 && !toks[n-1].quoted && toks[n-1].text == "redis" {
		s.Redis = true
		toks = toks[:n-1]
	}
	if len(toks) == 0 {
		return lp.errAt(lp.toks[len(lp.toks)-1].end+1, "expected a node name, found end of line%s", lp.usageHint())
	}
	for _, t := range toks {
		if !t.quoted && t.text == "redis" {
			return lp.errAt(t.col, "expected a node name, found keyword \"redis\" (it goes last: node a b redis)")
		}
		if err := lp.name(t); err != nil {
			return err
		}
		if line, ok := lp.declared[t.text]; ok {
			return lp.errAt(t.col, "expected a new node name, found %q, already declared on line %d", t.text, line)
		}
		lp.declared[t.text] = lp.line
		s.Nodes = append(s.Nodes, t.text)
	}
	lp.i = len(lp.toks)
	return nil
}

// nodeOnly parses "<verb> <node>".
func (lp *lineParser) nodeOnly(s *Step) error {
	var err error
	if s.Node, err = lp.nodeRef("a node name"); err != nil {
		return err
	}
	return lp.end()
}

// config parses "config <node> <directive> <value...>".
func (lp *lineParser) config(s *Step) error {
	s.Verb = VerbConfig
	var err error
	if s.Node, err = lp.nodeRef("a node name"); err != nil {
		return err
	}
	t, err := lp.next("a redis.conf directive like repl-backlog-size")
	if err != nil {
		return err
	}
	s.Directive = strings.ToLower(t.text)
	if t.quoted || !validDirective(s.Directive) {
		return lp.errAt(t.col, "expected a redis.conf directive like repl-backlog-size, found %s", describe(t))
	}
	if !lp.more() {
		return lp.errAt(lp.endCol(), "expected a value for %s, found end of line (write \"\" for an empty value)", s.Directive)
	}
	for lp.more() {
		s.Values = append(s.Values, lp.toks[lp.i].text)
		lp.i++
	}
	return nil
}

// validDirective accepts redis.conf directive names: a letter, then
// letters, digits and '-'.
func validDirective(d string) bool {
	if d == "" || d[0] < 'a' || d[0] > 'z' {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// replicaOf parses "replicaof <node> <master>" and "replicaof <node> no one".
func (lp *lineParser) replicaOf(s *Step) error {
	s.Verb = VerbReplicaOf
	var err error
	if s.Node, err = lp.nodeRef("a node name"); err != nil {
		return err
	}
	t, err := lp.next(`a master node name or "no one"`)
	if err != nil {
		return err
	}
	if !t.quoted && t.text == "no" {
		if _, _, err := lp.keyword(`"one" after "no"`, "one"); err != nil {
			return err
		}
		s.NoOne = true
		return lp.end()
	}
	if err := lp.declaredName(t); err != nil {
		return err
	}
	if t.text == s.Node {
		return lp.errAt(t.col, "expected a master other than %q, found %q: a node cannot replicate itself", s.Node, t.text)
	}
	s.Target = t.text
	return lp.end()
}

// write parses "write <node> <count> [size]".
func (lp *lineParser) write(s *Step) error {
	s.Verb = VerbWrite
	var err error
	if s.Node, err = lp.nodeRef("a node name"); err != nil {
		return err
	}
	t, err := lp.next("a key count")
	if err != nil {
		return err
	}
	var ok bool
	if s.Count, ok = parseCount(t.text, maxCount); t.quoted || !ok {
		return lp.errAt(t.col, "expected a key count (a whole number from 1 to %d), found %s", maxCount, describe(t))
	}
	s.Size = DefaultWriteSize
	if t, ok := lp.peek(); ok {
		lp.i++
		if s.Size, ok = parseSize(t.text); t.quoted || !ok || s.Size < 1 || s.Size > maxWriteSize {
			return lp.errAt(t.col, "expected a value size from 1 to 512mb like 100, 16kb or 1mb, found %s", describe(t))
		}
	}
	return lp.end()
}

// set parses "set <node> <key> <value> [ttl]".
func (lp *lineParser) set(s *Step) error {
	s.Verb = VerbSet
	var err error
	if s.Node, err = lp.nodeRef("a node name"); err != nil {
		return err
	}
	k, err := lp.next("a key name")
	if err != nil {
		return err
	}
	v, err := lp.next("a value")
	if err != nil {
		return err
	}
	s.Key, s.Value = k.text, v.text
	if !lp.more() {
		return nil
	}
	t := lp.toks[lp.i]
	if s.TTL, err = lp.duration("a time to live"); err != nil {
		return err
	}
	if s.TTL%time.Millisecond != 0 {
		return lp.errAt(t.col, "expected a time to live in whole milliseconds (SET ... PX), found %q", t.text)
	}
	return lp.end()
}

// load parses "load <node> on [ops/s]" and "load <node> off".
func (lp *lineParser) load(s *Step) error {
	s.Verb = VerbLoad
	var err error
	if s.Node, err = lp.nodeRef("a node name"); err != nil {
		return err
	}
	onOff, _, err := lp.keyword("on or off", "on", "off")
	if err != nil {
		return err
	}
	if onOff == "off" {
		return lp.end()
	}
	s.On, s.Rate = true, DefaultLoadRate
	if t, ok := lp.peek(); ok {
		lp.i++
		if s.Rate, ok = parseCount(t.text, maxRate); t.quoted || !ok {
			return lp.errAt(t.col, "expected a rate in writes per second (a whole number from 1 to %d), found %s", maxRate, describe(t))
		}
	}
	return lp.end()
}

// sleep parses "sleep <duration>".
func (lp *lineParser) sleep(s *Step) error {
	s.Verb = VerbSleep
	var err error
	if s.Dur, err = lp.duration("a duration"); err != nil {
		return err
	}
	return lp.end()
}

// say parses `say "caption"`.
func (lp *lineParser) say(s *Step) error {
	s.Verb = VerbSay
	t, err := lp.next("a caption in quotes")
	if err != nil {
		return err
	}
	s.Caption = t.text
	if t, ok := lp.peek(); ok {
		return lp.errAt(t.col, "expected end of line after the caption, found %s (put the whole caption in quotes)", describe(t))
	}
	return nil
}

// failover parses "failover <sentinel>" (SENTINEL FAILOVER of the group
// it monitors) and "failover <node> [force|takeover]" (CLUSTER FAILOVER).
func (lp *lineParser) failover(s *Step) error {
	s.Verb = VerbFailover
	var err error
	if s.Node, err = lp.nodeRef("a Sentinel or cluster node name"); err != nil {
		return err
	}
	if lp.i < len(lp.toks) {
		t := lp.toks[lp.i]
		if t.quoted || (t.text != "force" && t.text != "takeover") {
			return lp.errAt(t.col, "expected force or takeover, found %s", describe(t))
		}
		s.Mode = t.text
		lp.i++
	}
	return lp.end()
}
