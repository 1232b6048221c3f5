package topology

import "strings"

// A CLUSTER NODES reply changes every round only in each line's
// ping-sent and pong-recv fields, which a ClusterPeer does not keep. A
// watcher parses one reply per node each round (90,000 lines a round for
// 300 nodes), so parsing reuses the previous view of the same node: a
// line equal to the previous reply's line at the same position, but for
// those two fields, takes the previous peer as it is (sharing its flags
// and slots, which nobody modifies in place); when every line does and
// the count is the same, the whole previous Peers slice is reused. Only
// lines that changed are parsed again.

// reusePeers parses text (the CLUSTER NODES reply of a node at host)
// reusing prev, the same node's previous view (nil for none).
func reusePeers(text, host string, prev *ClusterNode) ([]ClusterPeer, error) {
	if prev == nil || prev.text == "" || len(prev.Peers) == 0 {
		return ParseClusterNodes(text, host)
	}
	var out []ClusterPeer // nil while every line so far equals prev's
	i := 0
	old := prev.text
	for rest := text; rest != ""; {
		var line, was string
		line, rest, _ = strings.Cut(rest, "\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		was, old = nextLine(old)
		if out == nil && i < len(prev.Peers) && sameStable(line, was) {
			i++
			continue
		}
		if out == nil { // the first change: copy the equal lines so far
			out = make([]ClusterPeer, i, max(len(prev.Peers), i+1))
			copy(out, prev.Peers[:i])
		}
		if i < len(prev.Peers) && sameStable(line, was) {
			out = append(out, prev.Peers[i])
		} else {
			ps, err := ParseClusterNodes(line, host)
			if err != nil {
				return nil, err
			}
			out = append(out, ps...)
		}
		i++
	}
	if out == nil {
		if i != len(prev.Peers) {
			return ParseClusterNodes(text, host)
		}
		return prev.Peers, nil
	}
	return out, nil
}

// nextLine returns the next non-blank line of text and what follows it.
func nextLine(text string) (line, rest string) {
	for text != "" {
		line, text, _ = strings.Cut(text, "\n")
		if strings.TrimSpace(line) != "" {
			return line, text
		}
	}
	return "", ""
}

// sameStable reports whether two CLUSTER NODES lines are equal but for
// their ping-sent and pong-recv fields (the fifth and sixth). Lines with
// fewer fields are compared whole. It runs for every line of every node
// each round, so it scans a only up to its fourth space and compares the
// first four fields of both at once.
func sameStable(a, b string) bool {
	p := afterSpaces(a, 0, 4)
	if p < 0 {
		return a == b
	}
	if len(b) < p || a[:p] != b[:p] {
		return false
	}
	ta, tb := afterSpaces(a, p, 2), afterSpaces(b, p, 2)
	if ta < 0 || tb < 0 {
		return a == b
	}
	return a[ta:] == b[tb:]
}

// afterSpaces returns the index just past the n-th space of s at or after
// from, or -1 when s has fewer.
func afterSpaces(s string, from, n int) int {
	for ; n > 0; n-- {
		j := strings.IndexByte(s[from:], ' ')
		if j < 0 {
			return -1
		}
		from += j + 1
	}
	return from
}
