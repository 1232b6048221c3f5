package script

// waitKinds and expectKinds are the sub-verbs, for suggestions.
var (
	waitKinds   = []string{"synced", "link", "acked", "master", "event"}
	expectKinds = []string{"role", "sync", "key", "keys", "alert"}
)

// maxReplicas bounds the replica count of "wait acked".
const maxReplicas = 10_000

// wait parses "wait synced <node>... [timeout]",
// "wait link <node> up|down [timeout]" and "wait acked <node> <n> [timeout]".
func (lp *lineParser) wait(s *Step) error {
	kind, _, err := lp.keyword(`"synced", "link", "acked", "master" or "event"`, waitKinds...)
	if err != nil {
		return err
	}
	switch kind {
	case "synced":
		s.Verb = VerbWaitSynced
		if s.Nodes, err = lp.nodeList(1, looksLikeDuration); err != nil {
			return err
		}
	case "link":
		s.Verb = VerbWaitLink
		if s.Node, err = lp.nodeRef("a node name"); err != nil {
			return err
		}
		upDown, _, err := lp.keyword("up or down", "up", "down")
		if err != nil {
			return err
		}
		s.LinkUp = upDown == "up"
	case "acked":
		s.Verb = VerbWaitAcked
		if err := lp.waitAcked(s); err != nil {
			return err
		}
	case "master", "event":
		if err := lp.waitSentinel(s, kind); err != nil {
			return err
		}
	}
	s.Timeout = DefaultWaitTimeout
	if lp.more() {
		if s.Timeout, err = lp.duration("a timeout"); err != nil {
			return err
		}
	}
	return lp.end()
}

// waitAcked parses "<node> <n>" after "wait acked".
func (lp *lineParser) waitAcked(s *Step) error {
	var err error
	if s.Node, err = lp.nodeRef("a node name"); err != nil {
		return err
	}
	t, err := lp.next("a number of replicas")
	if err != nil {
		return err
	}
	var ok bool
	if s.Count, ok = parseCount(t.text, maxReplicas); t.quoted || !ok {
		return lp.errAt(t.col, "expected a number of replicas (a whole number from 1 to %d), found %s", maxReplicas, describe(t))
	}
	return nil
}

// expect parses the expect forms: "expect consistent <node>..." and
// "expect <node> role|sync|key|keys|alert ...".
func (lp *lineParser) expect(s *Step) error {
	if t, ok := lp.peek(); ok && !t.quoted && t.text == "consistent" {
		lp.i++
		s.Verb = VerbExpectConsistent
		var err error
		s.Nodes, err = lp.nodeList(2, func(token) bool { return false })
		return err
	}
	var err error
	if s.Node, err = lp.nodeRef(`a node name or "consistent"`); err != nil {
		return err
	}
	kind, _, err := lp.keyword("role, sync, key, keys or alert", expectKinds...)
	if err != nil {
		return err
	}
	switch kind {
	case "role":
		s.Verb = VerbExpectRole
		s.Role, _, err = lp.keyword("master or replica", RoleMaster, RoleReplica)
	case "sync":
		s.Verb = VerbExpectSync
		s.Sync, _, err = lp.keyword("full or partial", SyncFull, SyncPartial)
	case "key":
		s.Verb = VerbExpectKey
		err = lp.expectKey(s)
	case "keys":
		s.Verb = VerbExpectKeys
		err = lp.expectKeys(s)
	case "alert":
		s.Verb = VerbExpectAlert
		err = lp.expectAlert(s)
	}
	if err != nil {
		return err
	}
	return lp.end()
}

// expectKey parses "<k> = <v>|nil" after "expect <node> key".
func (lp *lineParser) expectKey(s *Step) error {
	k, err := lp.next("a key name")
	if err != nil {
		return err
	}
	s.Key = k.text
	if _, _, err := lp.keyword(`"=" after the key`, "="); err != nil {
		return err
	}
	v, err := lp.next(`a value, or nil for an absent key`)
	if err != nil {
		return err
	}
	if !v.quoted && v.text == "nil" {
		s.Nil = true
		return nil
	}
	s.Value = v.text
	return nil
}

// expectKeys parses "<n>" after "expect <node> keys".
func (lp *lineParser) expectKeys(s *Step) error {
	t, err := lp.next("a number of keys")
	if err != nil {
		return err
	}
	var ok bool
	if s.Count, ok = parseNumber(t.text, maxCount); t.quoted || !ok {
		return lp.errAt(t.col, "expected a number of keys (a whole number from 0 to %d), found %s", maxCount, describe(t))
	}
	return nil
}

// expectAlert parses "<name>" after "expect <node> alert".
func (lp *lineParser) expectAlert(s *Step) error {
	t, err := lp.next("an alert name")
	if err != nil {
		return err
	}
	if t.text == "" {
		return lp.errAt(t.col, "expected an alert name, found an empty string")
	}
	s.Alert = t.text
	return nil
}
