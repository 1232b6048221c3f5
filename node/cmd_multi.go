package node

import (
	"github.com/tidwall/redcon"
)

func init() {
	register(
		&command{name: "multi", arity: 1, flags: cNoScript | cLoading | cStale | cFast | cAllowBusy, acl: "@fast @transaction", fn: cmdMulti,
			summary: "Starts a transaction.", group: "transactions", since: "1.2.0"},
		&command{name: "exec", arity: 1, flags: cNoScript | cLoading | cStale | cSkipSlowlog, acl: "@slow @transaction", fn: cmdExec,
			summary: "Executes all commands in a transaction.", group: "transactions", since: "1.2.0"},
		&command{name: "discard", arity: 1, flags: cNoScript | cLoading | cStale | cFast | cAllowBusy, acl: "@fast @transaction", fn: cmdDiscard,
			summary: "Discards a transaction.", group: "transactions", since: "2.0.0"},
		&command{name: "watch", arity: -2, flags: cNoScript | cLoading | cStale | cFast | cAllowBusy, firstKey: 1, lastKey: -1, acl: "@fast @transaction", fn: cmdWatch,
			summary: "Monitors changes to keys to determine the execution of a transaction.", group: "transactions", since: "2.2.0"},
		&command{name: "unwatch", arity: 1, flags: cNoScript | cLoading | cStale | cFast | cAllowBusy, acl: "@fast @transaction", fn: cmdUnwatch,
			summary: "Forgets about watched keys of a transaction.", group: "transactions", since: "2.2.0"},
	)
}

// MULTI
func cmdMulti(x *cmdCtx) {
	if x.c.is(flagMulti) {
		x.err("ERR MULTI calls can not be nested")
		return
	}
	x.c.flags |= flagMulti
	x.c.multiQ = x.c.multiQ[:0]
	x.ok()
}

// discardMulti leaves MULTI state and forgets watched keys.
func (n *Node) discardMulti(c *Client) {
	c.multiQ = nil
	c.flags &^= flagMulti | flagDirtyCAS | flagDirtyExec
	n.unwatchAll(c)
}

// DISCARD
func cmdDiscard(x *cmdCtx) {
	if !x.c.is(flagMulti) {
		x.err("ERR DISCARD without MULTI")
		return
	}
	x.n.discardMulti(x.c)
	x.ok()
}

// EXEC
func cmdExec(x *cmdCtx) {
	c, n := x.c, x.n
	if !c.is(flagMulti) {
		x.err("ERR EXEC without MULTI")
		return
	}
	if c.is(flagDirtyExec) {
		n.discardMulti(c)
		x.err("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	if c.is(flagDirtyCAS) || n.watchedKeyExpired(c, x.now) {
		n.discardMulti(c)
		x.nullArray()
		return
	}
	queue := c.multiQ
	c.multiQ = nil
	c.flags &^= flagMulti
	n.unwatchAll(c)
	x.array(len(queue))
	// The node's state (role, link, loading) was checked for the queue as
	// a whole before EXEC ran (refusal), as Redis does.
	for _, q := range queue {
		n.call(c, x.w, q.cmd, q.args)
	}
}

// WATCH key [key ...]
func cmdWatch(x *cmdCtx) {
	if x.c.is(flagMulti) {
		x.err("ERR WATCH inside MULTI is not allowed")
		return
	}
	for _, k := range x.args[1:] {
		x.n.watch(x.c, x.db.ID(), string(k), x.now)
	}
	x.ok()
}

// UNWATCH
func cmdUnwatch(x *cmdCtx) {
	x.n.unwatchAll(x.c)
	x.c.flags &^= flagDirtyCAS
	x.ok()
}

// watchedKey is one key a client watches. expired records that the key
// was already logically expired when WATCH ran: its deletion by expiry is
// then no change, as Redis 7.0 records in watchedKey.expired.
type watchedKey struct {
	watchKey
	c       *Client
	expired bool
}

func (n *Node) watch(c *Client, db int, key string, now int64) {
	wk := watchKey{db: db, key: key}
	for _, k := range c.watched {
		if k.watchKey == wk {
			return
		}
	}
	e := n.ks.DB(db).PeekString(key)
	w := &watchedKey{watchKey: wk, c: c, expired: e != nil && e.Expired(now)}
	c.watched = append(c.watched, w)
	n.watchers[wk] = append(n.watchers[wk], w)
}

func (n *Node) unwatchAll(c *Client) {
	for _, w := range c.watched {
		list := n.watchers[w.watchKey]
		for i, o := range list {
			if o == w {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(n.watchers, w.watchKey)
		} else {
			n.watchers[w.watchKey] = list
		}
	}
	c.watched = nil
}

// touchWatched marks the clients watching key as dirty (signalModifiedKey).
// A key that was expired at WATCH and is now gone changed nothing for its
// watcher; one that is still there (a replica does not delete expired
// keys) stops the walk, as Redis 7.0.15's touchWatchedKey does.
func (n *Node) touchWatched(db int, key []byte) {
	for _, w := range n.watchers[watchKey{db: db, key: string(key)}] {
		if w.expired {
			if n.ks.DB(db).Peek(key) == nil {
				w.expired = false
				continue
			}
			break
		}
		w.c.flags |= flagDirtyCAS
	}
}

// touchWatchedDB marks the clients watching an existing key of db (before
// it is flushed). A watched key that was already expired at WATCH is
// deleted, not changed (touchAllWatchedKeysInDb).
func (n *Node) touchWatchedDB(db int) { n.touchWatchedSwap(db, -1, 0) }

// touchWatchedSwap is Redis 7.0.15's touchAllWatchedKeysInDb(emptied,
// replaced_with), called before database emptied's contents are replaced
// by those of database with (-1: by nothing, a flush). A watcher of a key
// that exists on either side is marked dirty, except that a key expired
// at WATCH that stays gone or stays expired changed nothing, and a
// missing key replaced by an expired one now counts as expired at WATCH.
func (n *Node) touchWatchedSwap(emptied, with int, now int64) {
	var other func(key string) (exists, expired bool)
	if with >= 0 {
		other = func(key string) (bool, bool) {
			e := n.ks.DB(with).PeekString(key)
			return e != nil, e != nil && e.Expired(now)
		}
	} else {
		other = func(string) (bool, bool) { return false, false }
	}
	for wk, list := range n.watchers {
		if wk.db != emptied {
			continue
		}
		inEmptied := n.ks.DB(emptied).PeekString(wk.key) != nil
		inOther, otherExpired := other(wk.key)
		if !inEmptied && !inOther {
			continue
		}
		for _, w := range list {
			switch {
			case w.expired && !inOther:
				w.expired = false // the expired key is now deleted: no change
				continue
			case w.expired && otherExpired:
				continue // the expired key stays expired
			case !w.expired && !inEmptied && otherExpired:
				w.expired = true
				continue
			}
			w.c.flags |= flagDirtyCAS
		}
	}
}

// watchedKeyExpired reports whether a key the client watches has expired
// since WATCH (Redis 7.0 fails EXEC in that case); keys already expired
// at WATCH do not count.
func (n *Node) watchedKeyExpired(c *Client, now int64) bool {
	for _, w := range c.watched {
		if w.expired {
			continue
		}
		if e := n.ks.DB(w.db).PeekString(w.key); e != nil && e.Expired(now) {
			return true
		}
	}
	return false
}

// discardWriter is the reply writer for commands whose replies nobody
// reads (the master's stream, RDB loading).
func discardWriter() *redcon.Writer { return redcon.NewWriter(nopWriter{}) }

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
