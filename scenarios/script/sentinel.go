package script

import (
	"strconv"
	"strings"
)

// DefaultQuorum is the quorum of "sentinel <name> monitor <node>" without
// one.
const DefaultQuorum = 1

// sentinel parses "sentinel <name> monitor <node> [quorum <n>]": a real
// redis-sentinel called name that monitors node's group (the group is
// named after node). name is declared like a node.
func (lp *lineParser) sentinel(s *Step) error {
	s.Verb = VerbSentinel
	t, err := lp.next("a Sentinel name")
	if err != nil {
		return err
	}
	if err := lp.name(t); err != nil {
		return err
	}
	if line, ok := lp.declared[t.text]; ok {
		return lp.errAt(t.col, "expected a new name, found %q, already declared on line %d", t.text, line)
	}
	s.Node = t.text
	if _, _, err := lp.keyword(`"monitor"`, "monitor"); err != nil {
		return err
	}
	if s.Target, err = lp.nodeRef("the node to monitor"); err != nil {
		return err
	}
	s.Count = DefaultQuorum
	if lp.more() {
		if _, _, err := lp.keyword(`"quorum"`, "quorum"); err != nil {
			return err
		}
		q, err := lp.next("a quorum")
		if err != nil {
			return err
		}
		if s.Count, err = strconv.Atoi(q.text); err != nil || s.Count < 1 || s.Count > 100 || q.quoted {
			return lp.errAt(q.col, "expected a quorum from 1 to 100, found %s", describe(q))
		}
	}
	if err := lp.end(); err != nil {
		return err
	}
	lp.declared[s.Node] = lp.line
	return nil
}

// waitSentinel parses the rest of "wait master <sentinel> <node>" and
// "wait event <sentinel> <event>" (the timeout is parsed by wait).
func (lp *lineParser) waitSentinel(s *Step, kind string) error {
	var err error
	if s.Node, err = lp.nodeRef("a Sentinel name"); err != nil {
		return err
	}
	if kind == "master" {
		s.Verb = VerbWaitMaster
		s.Target, err = lp.nodeRef("the node Sentinel should name as master")
		return err
	}
	s.Verb = VerbWaitEvent
	t, err := lp.next("a Sentinel event like +switch-master")
	if err != nil {
		return err
	}
	if t.quoted || !strings.HasPrefix(t.text, "+") && !strings.HasPrefix(t.text, "-") {
		return lp.errAt(t.col, "expected a Sentinel event like +switch-master, found %s", describe(t))
	}
	s.Value = t.text
	return nil
}

// formatSentinel renders the Sentinel steps.
func (s Step) formatSentinel(w func(...string)) {
	switch s.Verb {
	case VerbSentinel:
		w("sentinel", s.Node, "monitor", s.Target)
		if s.Count != DefaultQuorum {
			w("quorum", strconv.Itoa(s.Count))
		}
	case VerbWaitMaster:
		w("wait", "master", s.Node, s.Target)
		s.formatTimeout(w)
	case VerbWaitEvent:
		w("wait", "event", s.Node, s.Value)
		s.formatTimeout(w)
	}
}
