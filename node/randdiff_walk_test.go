package node_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/internal/resp"
)

// pubsub runs one subscriber-side command or a PUBLISH whose messages are
// read from both subscriber connections.
func (r *run) pubsub() {
	g := r.g
	var args []string
	switch g.intn(8) {
	case 0, 1:
		args = cat(argv("SUBSCRIBE"), g.keysOf(g.channel, 1, 3))
	case 2:
		args = cat(argv("PSUBSCRIBE"), g.keysOf(g.chanPattern, 1, 2))
	case 3:
		args = cat(argv("UNSUBSCRIBE"), g.keysOf(g.channel, 0, 2))
	case 4:
		args = cat(argv("PUNSUBSCRIBE"), g.keysOf(g.chanPattern, 0, 2))
	case 5:
		args = g.opt(0.5, argv("PING"), g.val())
	default:
		r.publish()
		return
	}
	if k := matchKnown(args, false); k != nil && !*rdKnown {
		r.h.skippedKnown[k.name]++
		return
	}
	c := gcmd{args: args}
	r.trace = append(r.trace, "(subscriber) "+c.String())
	var got [2][][]byte
	for i, s := range []*side{r.h.redis, r.h.repl} {
		if err := s.sub.WriteRaw(resp.AppendCommand(nil, args...)); err != nil {
			r.sideFailed(i, err, c)
			return
		}
		replies, err := readN(s.sub, subReplies(s, args))
		if err != nil {
			r.sideFailed(i, err, c)
			return
		}
		got[i] = replies
		s.track(replies)
	}
	// Unsubscribing from everything walks the subscription dict: the
	// channels come in an unspecified order, the counts in sequence.
	noArgs := len(args) == 1 && strings.HasSuffix(strings.ToUpper(args[0]), "UNSUBSCRIBE")
	a, b := string(joinRaw(got[0])), string(joinRaw(got[1]))
	if noArgs {
		a, b = unsubKey(got[0]), unsubKey(got[1])
	}
	if a != b {
		r.record(signature(args, joinRaw(got[0]), joinRaw(got[1])), c.String(), clipReply(joinRaw(got[0])), clipReply(joinRaw(got[1])))
	}
}

// sideFailed handles a transport error on side i (0 Redis, 1 node).
func (r *run) sideFailed(i int, err error, c gcmd) {
	if i == 0 {
		r.h.t.Fatalf("seed %d step %d: redis-server: %v after %s", r.seed, r.step, err, c)
	}
	r.nodeFailed(err, []gcmd{c})
}

// publish sends PUBLISH on the main connections and reads as many
// messages from each subscriber as the server said it delivered; they
// come in pattern-dict order, so they are compared as a set.
func (r *run) publish() {
	g := r.g
	c := gcmd{args: argv("PUBLISH", g.channel(), g.val())}
	rr, nr, ok := r.exchange(mainConn, []gcmd{c})
	if !ok {
		return
	}
	var msgs [2][]string
	for i, s := range []*side{r.h.redis, r.h.repl} {
		n, _ := strconv.Atoi(strings.TrimSpace(string([][]byte{rr[0], nr[0]}[i][1:])))
		got, err := readN(s.sub, n)
		if err != nil {
			r.sideFailed(i, err, gcmd{args: argv("(message of)", c.String())})
			return
		}
		for _, m := range got {
			msgs[i] = append(msgs[i], string(m))
		}
		sort.Strings(msgs[i])
	}
	if a, b := strings.Join(msgs[0], ""), strings.Join(msgs[1], ""); a != b {
		r.record("PUBLISH messages", c.String(), clipReply([]byte(a)), clipReply([]byte(b)))
	}
}

// subReplies is how many replies a subscriber-side command gets, from
// this side's own subscription state.
func subReplies(s *side, args []string) int {
	n := len(args) - 1
	switch strings.ToUpper(args[0]) {
	case "SUBSCRIBE", "PSUBSCRIBE":
		return max(n, 1)
	case "UNSUBSCRIBE":
		if n == 0 {
			return max(len(s.channels), 1)
		}
		return n
	case "PUNSUBSCRIBE":
		if n == 0 {
			return max(len(s.patterns), 1)
		}
		return n
	}
	return 1
}

// track updates the side's subscription state from its replies.
func (s *side) track(replies [][]byte) {
	for _, raw := range replies {
		_, e, ok := splitArray(raw)
		if !ok || len(e) != 3 {
			continue
		}
		name := bulkText(e[1])
		switch bulkText(e[0]) {
		case "subscribe":
			s.channels[name] = true
		case "unsubscribe":
			delete(s.channels, name)
		case "psubscribe":
			s.patterns[name] = true
		case "punsubscribe":
			delete(s.patterns, name)
		}
	}
}

func unsubKey(replies [][]byte) string {
	var names, counts []string
	for _, raw := range replies {
		_, e, ok := splitArray(raw)
		if !ok || len(e) != 3 {
			return string(joinRaw(replies))
		}
		names = append(names, string(e[0])+string(e[1]))
		counts = append(counts, string(e[2]))
	}
	sort.Strings(names)
	return strings.Join(names, "") + "|" + strings.Join(counts, "")
}

func joinRaw(rs [][]byte) []byte {
	var out []byte
	for _, r := range rs {
		out = append(out, r...)
	}
	return out
}

func readN(c *resp.Client, n int) ([][]byte, error) {
	out := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		c.Timeout = *rdDeadline
		_ = c.Conn().SetReadDeadline(time.Now().Add(*rdDeadline))
		raw, err := c.Reader().ReadRaw()
		if err != nil {
			return nil, fmt.Errorf("reply %d of %d: %w", i+1, n, err)
		}
		out = append(out, raw)
	}
	return out, nil
}

// scanAll walks a whole SCAN/SSCAN/HSCAN/ZSCAN iteration on each server
// and compares what came back as a set: every element present for the
// whole walk must come back, cursors and pages are the server's own.
func (r *run) scanAll() {
	g := r.g
	var base []string
	width := 1
	switch g.intn(4) {
	case 0:
		base = argv("SCAN")
	case 1:
		base = argv("SSCAN", g.key("S"))
	case 2:
		base, width = argv("HSCAN", g.key("h")), 2
	default:
		base, width = argv("ZSCAN", g.key("z")), 2
	}
	var opts []string
	opts = g.opt(0.6, opts, "COUNT", g.pick("1", "2", "5", "10", "100"))
	opts = g.opt(0.4, opts, "MATCH", g.pick("*", "s:*", "*1*", "m1*", "a", "[ab]*", "z:?"))
	if base[0] == "SCAN" {
		opts = g.opt(0.3, opts, "TYPE", g.pick("string", "list", "hash", "set", "zset"))
	}
	var res [2]string
	for i, s := range []*side{r.h.redis, r.h.repl} {
		seen := map[string]bool{}
		cursor := "0"
		for page := 0; ; page++ {
			c := gcmd{args: cat(base, argv(cursor), opts)}
			out, err := r.roundTrip(s, s.main, []gcmd{c})
			if err != nil {
				r.sideFailed(i, err, c)
				return
			}
			_, e, ok := splitArray(out[0])
			if !ok || len(e) != 2 || page > 100000 {
				res[i] = "not a SCAN page: " + clipReply(out[0])
				break
			}
			_, items, _ := splitArray(e[1])
			for _, grp := range groupsRaw(items, width) {
				seen[grp] = true
			}
			if cursor = bulkText(e[0]); cursor == "0" {
				break
			}
		}
		if res[i] == "" {
			keys := make([]string, 0, len(seen))
			for k := range seen {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			res[i] = fmt.Sprintf("%d %q", len(keys), strings.Join(keys, ""))
		}
	}
	if res[0] != res[1] {
		cmd := quoteArgs(cat(base, argv("<cursor>"), opts)) + " (whole walk)"
		r.record(strings.Join(base[:1], "")+" walk", cmd, clip(res[0]), clip(res[1]))
	}
}

func groupsRaw(items [][]byte, width int) []string {
	var out []string
	for i := 0; i+width <= len(items); i += width {
		out = append(out, string(joinRaw(items[i:i+width])))
	}
	return out
}
