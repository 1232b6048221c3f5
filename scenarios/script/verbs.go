package script

import (
	"fmt"
	"strings"
	"time"
)

// verbs lists the top-level verbs, for suggestions.
var verbs = []string{
	"node", "config", "replicaof", "promote", "write", "set", "load", "cut", "heal",
	"pause", "resume", "kill", "restart", "sleep", "wait", "expect", "say", "sentinel", "failover",
}

// usages is the syntax of each verb, shown in errors about arguments.
var usages = map[string]string{
	"node":      "node <name>... [redis [cluster]]",
	"config":    "config <node> <directive> <value>...",
	"replicaof": "replicaof <node> <master> | replicaof <node> no one",
	"promote":   "promote <node>",
	"write":     "write <node> <count> [size]",
	"set":       "set <node> <key> <value> [ttl]",
	"load":      "load <node> on [ops/s] | load <node> off",
	"cut":       "cut <node>",
	"heal":      "heal <node>",
	"pause":     "pause <node>",
	"resume":    "resume <node>",
	"kill":      "kill <node>",
	"restart":   "restart <node>",
	"sleep":     "sleep <duration>",
	"wait":      "wait synced <node>... [timeout] | wait link <node> up|down [timeout] | wait acked <node> <n> [timeout] | wait master <sentinel> <node> [timeout] | wait event <sentinel> <event> [timeout]",
	"expect":    "expect <node> role|sync|key|keys|alert ... | expect consistent <node>...",
	"say":       `say "caption"`,
	"sentinel":  "sentinel <name> monitor <node> [quorum <n>]",
	"failover":  "failover <sentinel> | failover <node> [force|takeover]",
}

// nodeVerbs are the verbs whose only argument is a node.
var nodeVerbs = map[string]Verb{
	"promote": VerbPromote, "cut": VerbCut, "heal": VerbHeal, "pause": VerbPause, "resume": VerbResume,
	"kill": VerbKill, "restart": VerbRestart,
}

// reserved words cannot name nodes: they would make lines ambiguous.
var reserved = []string{"redis", "consistent", "no"}

// step parses the line's tokens into s.
func (lp *lineParser) step(s *Step) error {
	v := lp.toks[0]
	lp.i = 1
	if v.quoted {
		return lp.errAt(v.col, "expected a verb, found %s", describe(v))
	}
	lp.usage = usages[v.text]
	switch v.text {
	case "node":
		return lp.nodeDecl(s)
	case "config":
		return lp.config(s)
	case "replicaof":
		return lp.replicaOf(s)
	case "promote", "cut", "heal", "pause", "resume", "kill", "restart":
		s.Verb = nodeVerbs[v.text]
		return lp.nodeOnly(s)
	case "failover":
		return lp.failover(s)
	case "write":
		return lp.write(s)
	case "set":
		return lp.set(s)
	case "load":
		return lp.load(s)
	case "sleep":
		return lp.sleep(s)
	case "wait":
		return lp.wait(s)
	case "expect":
		return lp.expect(s)
	case "say":
		return lp.say(s)
	case "sentinel":
		return lp.sentinel(s)
	}
	if hint := didYouMean(v.text, verbs); hint != "" {
		return lp.errAt(v.col, "unknown verb %q%s", v.text, hint)
	}
	return lp.errAt(v.col, "unknown verb %q: expected one of %s", v.text, strings.Join(verbs, ", "))
}

// validName reports why name cannot name a node, or "" if it can.
func validName(name string) string {
	for _, r := range reserved {
		if name == r {
			return fmt.Sprintf("%q is a reserved word", name)
		}
	}
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return "a node name starts with a lowercase letter"
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Sprintf("a node name holds only lowercase letters, digits, '_' and '-', not %q", name[i:i+1])
		}
	}
	return ""
}

// name checks that t is a valid node name.
func (lp *lineParser) name(t token) error {
	if t.quoted {
		return lp.errAt(t.col, "expected a node name, found %s (write node names without quotes)", describe(t))
	}
	if why := validName(t.text); why != "" {
		return lp.errAt(t.col, "expected a node name like a or n1, found %q: %s", t.text, why)
	}
	return nil
}

// nodeRef consumes the name of a declared node.
func (lp *lineParser) nodeRef(what string) (string, error) {
	t, err := lp.next(what)
	if err != nil {
		return "", err
	}
	return t.text, lp.declaredName(t)
}

// declaredName checks that t names a node declared by an earlier step.
func (lp *lineParser) declaredName(t token) error {
	if err := lp.name(t); err != nil {
		return err
	}
	if _, ok := lp.declared[t.text]; !ok {
		return lp.errAt(t.col, "node %q is not declared (declare it with \"node %s\")", t.text, t.text)
	}
	return nil
}

// nodeList consumes declared node names, at least min of them, each once,
// stopping before a token for which stop returns true.
func (lp *lineParser) nodeList(min int, stop func(token) bool) ([]string, error) {
	var nodes []string
	seen := make(map[string]bool)
	for {
		t, ok := lp.peek()
		if !ok || stop(t) {
			break
		}
		lp.i++
		if err := lp.declaredName(t); err != nil {
			return nil, err
		}
		if seen[t.text] {
			return nil, lp.errAt(t.col, "expected each node once, found %q twice", t.text)
		}
		seen[t.text] = true
		nodes = append(nodes, t.text)
	}
	if len(nodes) < min {
		what := "a node name"
		if min > 1 {
			what = fmt.Sprintf("at least %d node names", min)
		}
		if t, ok := lp.peek(); ok {
			return nil, lp.errAt(t.col, "expected %s, found %s%s", what, describe(t), lp.usageHint())
		}
		return nil, lp.errAt(lp.endCol(), "expected %s, found end of line%s", what, lp.usageHint())
	}
	return nodes, nil
}

// looksLikeDuration reports whether t should be read as a duration: node
// names start with a letter, durations with a digit.
func looksLikeDuration(t token) bool {
	return !t.quoted && t.text != "" && t.text[0] >= '0' && t.text[0] <= '9'
}

// duration consumes a duration above zero; what names it in errors.
func (lp *lineParser) duration(what string) (time.Duration, error) {
	t, err := lp.next(what)
	if err != nil {
		return 0, err
	}
	d, ok := parseDuration(t.text)
	if t.quoted || !ok {
		return 0, lp.errAt(t.col, "expected %s like 500ms or 2s, found %s", what, describe(t))
	}
	if d <= 0 {
		return 0, lp.errAt(t.col, "expected %s above zero, found %q", what, t.text)
	}
	return d, nil
}
