package dataset

import (
	"fmt"
	"strings"
)

// Compare returns "" when every dataset is the same, else what differs:
// each node's key count and digest, and the first key that tells the
// first differing node from the first one. names and sets are parallel.
func Compare(names []string, sets []Dataset) string {
	if len(sets) < 2 {
		return ""
	}
	ref := sets[0].Digest()
	same := true
	parts := make([]string, len(sets))
	for i, s := range sets {
		d := s.Digest()
		same = same && d == ref
		parts[i] = fmt.Sprintf("%s: %d keys (%s)", names[i], s.Keys(), d)
	}
	if same {
		return ""
	}
	msg := strings.Join(parts, ", ")
	for i := 1; i < len(sets); i++ {
		if sets[i].Digest() != ref {
			return msg + "; " + firstDifference(names[0], names[i], sets[0], sets[i])
		}
	}
	return msg
}

// firstDifference names the first key that one dataset lacks or that
// differs between the two.
func firstDifference(an, bn string, a, b Dataset) string {
	i, j := 0, 0
	for i < len(a.Entries) && j < len(b.Entries) {
		ea, eb := a.Entries[i], b.Entries[j]
		switch {
		case ea == eb:
			i, j = i+1, j+1
			continue
		case ea.DB == eb.DB && ea.Key == eb.Key:
			return fmt.Sprintf("first difference: %s differs (type, TTL or value)", describe(ea))
		case ea.DB < eb.DB || ea.DB == eb.DB && ea.Key < eb.Key:
			return fmt.Sprintf("first difference: %s has %s, %s does not", an, describe(ea), bn)
		default:
			return fmt.Sprintf("first difference: %s has %s, %s does not", bn, describe(eb), an)
		}
	}
	if i < len(a.Entries) {
		return fmt.Sprintf("first difference: %s has %s, %s does not", an, describe(a.Entries[i]), bn)
	}
	if j < len(b.Entries) {
		return fmt.Sprintf("first difference: %s has %s, %s does not", bn, describe(b.Entries[j]), an)
	}
	return "the datasets differ"
}

// describe renders an entry's key, type and database for a message.
func describe(e Entry) string {
	s := fmt.Sprintf("key %q (%s", e.Key, e.Type)
	if e.DB != 0 {
		s += fmt.Sprintf(", db %d", e.DB)
	}
	return s + ")"
}
