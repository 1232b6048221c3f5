package node

import (
	"sort"
	"strings"

	"github.com/replscope/replscope/node/config"
	"github.com/tidwall/redcon"
)

func init() {
	const ps = cPubSub | cNoScript | cLoading | cStale
	register(
		&command{name: "subscribe", arity: -2, flags: ps, acl: "@pubsub @slow", fn: cmdSubscribe,
			summary: "Listens for messages published to channels.", group: "pubsub", since: "2.0.0"},
		&command{name: "psubscribe", arity: -2, flags: ps, acl: "@pubsub @slow", fn: cmdSubscribe,
			summary: "Listens for messages published to channels that match one or more patterns.", group: "pubsub", since: "2.0.0"},
		&command{name: "unsubscribe", arity: -1, flags: ps, acl: "@pubsub @slow", fn: cmdUnsubscribe,
			summary: "Stops listening to messages posted to channels.", group: "pubsub", since: "2.0.0"},
		&command{name: "punsubscribe", arity: -1, flags: ps, acl: "@pubsub @slow", fn: cmdUnsubscribe,
			summary: "Stops listening to messages published to channels that match one or more patterns.", group: "pubsub", since: "2.0.0"},
		&command{name: "publish", arity: 3, flags: cPubSub | cLoading | cStale | cFast, acl: "@pubsub @fast", fn: cmdPublish,
			summary: "Posts a message to a channel.", group: "pubsub", since: "2.0.0"},
		&command{name: "pubsub", arity: -2, flags: cPubSub | cLoading | cStale, acl: "@pubsub @slow", fn: cmdPubsubIntrospect,
			summary: "A container for Pub/Sub commands.", group: "pubsub", since: "2.8.0",
			subs: []string{"channels", "numsub", "numpat", "help"}, container: true},
	)
}

// pubsubOut is the outgoing side of a client taken off redcon's loop for
// pub/sub: replies and pushed messages share one ordered buffer that a
// writer goroutine drains. Guarded by the node's lock.
type pubsubOut struct {
	buf       []byte
	wake      chan struct{}
	softSince int64 // unix ms when the buffer first passed the soft limit
}

// SUBSCRIBE channel [channel ...] / PSUBSCRIBE pattern [pattern ...]
func cmdSubscribe(x *cmdCtx) {
	pattern := x.cmd.name == "psubscribe"
	for _, a := range x.args[1:] {
		name := string(a)
		x.n.subscribe(x.c, name, pattern)
		writePushLen(x.w, x.resp3(), 3)
		x.bulkStr(x.cmd.name)
		x.bulkStr(name)
		x.int(int64(len(x.c.subs) + len(x.c.psubs)))
	}
}

func (n *Node) subscribe(c *Client, name string, pattern bool) {
	set, index := &c.subs, n.channels
	if pattern {
		set, index = &c.psubs, n.patterns
	}
	if *set == nil {
		*set = map[string]struct{}{}
	}
	if _, ok := (*set)[name]; ok {
		return
	}
	(*set)[name] = struct{}{}
	if index[name] == nil {
		index[name] = map[*Client]struct{}{}
	}
	index[name][c] = struct{}{}
	c.flags |= flagPubSub
}

func (n *Node) unsubscribe(c *Client, name string, pattern bool) bool {
	set, index := c.subs, n.channels
	if pattern {
		set, index = c.psubs, n.patterns
	}
	if _, ok := set[name]; !ok {
		return false
	}
	delete(set, name)
	delete(index[name], c)
	if len(index[name]) == 0 {
		delete(index, name)
	}
	if len(c.subs)+len(c.psubs) == 0 {
		c.flags &^= flagPubSub
	}
	return true
}

func (n *Node) unsubscribeAll(c *Client) {
	for name := range c.subs {
		n.unsubscribe(c, name, false)
	}
	for name := range c.psubs {
		n.unsubscribe(c, name, true)
	}
}

// UNSUBSCRIBE [channel ...] / PUNSUBSCRIBE [pattern ...]
func cmdUnsubscribe(x *cmdCtx) {
	pattern := x.cmd.name == "punsubscribe"
	set := x.c.subs
	if pattern {
		set = x.c.psubs
	}
	names := make([]string, 0, len(x.args)-1)
	for _, a := range x.args[1:] {
		names = append(names, string(a))
	}
	if len(names) == 0 {
		for name := range set {
			names = append(names, name)
		}
		sort.Strings(names)
		if len(names) == 0 {
			writePushLen(x.w, x.resp3(), 3)
			x.bulkStr(x.cmd.name)
			x.null()
			x.int(int64(len(x.c.subs) + len(x.c.psubs)))
			return
		}
	}
	for _, name := range names {
		x.n.unsubscribe(x.c, name, pattern)
		writePushLen(x.w, x.resp3(), 3)
		x.bulkStr(x.cmd.name)
		x.bulkStr(name)
		x.int(int64(len(x.c.subs) + len(x.c.psubs)))
	}
}

// PUBLISH channel message
//
// Redis 7.0 replicates PUBLISH (forceCommandPropagation) so that
// subscribers of its replicas get the message too.
func cmdPublish(x *cmdCtx) {
	x.int(int64(x.n.publish(string(x.args[1]), x.args[2])))
	x.forceProp = true
}

// publish delivers a message to channel and pattern subscribers and
// returns how many received it.
func (n *Node) publish(channel string, msg []byte) int {
	count := 0
	for c := range n.channels[channel] {
		b := appendPushLen(nil, c.resp3(), 3)
		b = redcon.AppendBulkString(b, "message")
		b = redcon.AppendBulkString(b, channel)
		b = redcon.AppendBulk(b, msg)
		n.pushToClient(c, b)
		count++
	}
	for pat, subs := range n.patterns {
		if !config.Match(pat, channel, false) {
			continue
		}
		for c := range subs {
			b := appendPushLen(nil, c.resp3(), 4)
			b = redcon.AppendBulkString(b, "pmessage")
			b = redcon.AppendBulkString(b, pat)
			b = redcon.AppendBulkString(b, channel)
			b = redcon.AppendBulk(b, msg)
			n.pushToClient(c, b)
			count++
		}
	}
	n.stats.pubsubMessages++
	return count
}

// PUBSUB CHANNELS [pattern] | NUMSUB [channel ...] | NUMPAT
func cmdPubsubIntrospect(x *cmdCtx) {
	sub := strings.ToLower(string(x.args[1]))
	switch {
	case sub == "channels" && len(x.args) > 3:
		x.subcommandSyntaxError()
	case sub == "channels":
		var names []string
		for name := range x.n.channels {
			if len(x.args) == 3 && !config.Match(string(x.args[2]), name, false) {
				continue
			}
			names = append(names, name)
		}
		sort.Strings(names)
		x.array(len(names))
		for _, name := range names {
			x.bulkStr(name)
		}
	case sub == "numsub":
		x.array(2 * (len(x.args) - 2))
		for _, a := range x.args[2:] {
			x.bulk(a)
			x.int(int64(len(x.n.channels[string(a)])))
		}
	case sub == "numpat" && len(x.args) == 2:
		x.int(int64(len(x.n.patterns)))
	case sub == "help" && len(x.args) == 2:
		x.help("PUBSUB",
			"CHANNELS [<pattern>]",
			"    Return the currently active channels matching a <pattern> (default: '*').",
			"NUMPAT",
			"    Return number of subscriptions to patterns.",
			"NUMSUB [<channel> ...]",
			"    Return the number of subscribers for the specified channels, excluding",
			"    pattern subscriptions(default: no channels).",
			"SHARDCHANNELS [<pattern>]",
			"    Return the currently active shard level channels matching a <pattern> (default: '*').",
			"SHARDNUMSUB [<shardchannel> ...]",
			"    Return the number of subscribers for the specified shard level channel(s)")
	default:
		x.subcommandError()
	}
}
