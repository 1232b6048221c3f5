package node

import (
	"strconv"
)

// Keyspace event classes, Redis's NOTIFY_* bits (notify-keyspace-events
// letters in comments).
const (
	notifyKeyspace = 1 << 0  // K: publish on __keyspace@<db>__:<key>
	notifyKeyevent = 1 << 1  // E: publish on __keyevent@<db>__:<event>
	notifyGeneric  = 1 << 2  // g: DEL, EXPIRE, RENAME, ...
	notifyString   = 1 << 3  // $
	notifyList     = 1 << 4  // l
	notifySet      = 1 << 5  // s
	notifyHash     = 1 << 6  // h
	notifyZSet     = 1 << 7  // z
	notifyExpired  = 1 << 8  // x
	notifyEvicted  = 1 << 9  // e
	notifyStream   = 1 << 10 // t
	notifyKeyMiss  = 1 << 11 // m
	notifyModule   = 1 << 13 // d
	notifyNew      = 1 << 14 // n
	notifyAll      = notifyGeneric | notifyString | notifyList | notifySet | notifyHash | notifyZSet |
		notifyExpired | notifyEvicted | notifyStream | notifyModule // A
)

// parseNotifyFlags reads notify-keyspace-events as Redis's
// keyspaceEventsStringToFlags does (the config package has validated it).
func parseNotifyFlags(s string) int {
	flags := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= notifyAll
		case 'g':
			flags |= notifyGeneric
		case '$':
			flags |= notifyString
		case 'l':
			flags |= notifyList
		case 's':
			flags |= notifySet
		case 'h':
			flags |= notifyHash
		case 'z':
			flags |= notifyZSet
		case 'x':
			flags |= notifyExpired
		case 'e':
			flags |= notifyEvicted
		case 'K':
			flags |= notifyKeyspace
		case 'E':
			flags |= notifyKeyevent
		case 't':
			flags |= notifyStream
		case 'm':
			flags |= notifyKeyMiss
		case 'd':
			flags |= notifyModule
		case 'n':
			flags |= notifyNew
		}
	}
	return flags
}

// loadNotifyConfig applies notify-keyspace-events, at start and after
// CONFIG SET.
func (n *Node) loadNotifyConfig() {
	v, _ := n.cfg.Value("notify-keyspace-events")
	n.notifyFlags = parseNotifyFlags(v)
}

// notify publishes a keyspace event as Redis's notifyKeyspaceEvent does:
// when class is enabled, the event name on __keyspace@<db>__:<key> (K) and
// the key on __keyevent@<db>__:<event> (E), through the node's ordinary
// pub/sub. Callers hold the lock.
func (n *Node) notify(class int, event string, key []byte, db int) {
	if n.notifyFlags&class == 0 {
		return
	}
	if n.notifyFlags&notifyKeyspace != 0 {
		ch := make([]byte, 0, 16+len(key))
		ch = append(ch, "__keyspace@"...)
		ch = strconv.AppendInt(ch, int64(db), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, key...)
		n.publish(string(ch), []byte(event))
	}
	if n.notifyFlags&notifyKeyevent != 0 {
		ch := make([]byte, 0, 16+len(event))
		ch = append(ch, "__keyevent@"...)
		ch = strconv.AppendInt(ch, int64(db), 10)
		ch = append(ch, "__:"...)
		ch = append(ch, event...)
		n.publish(string(ch), key)
	}
}

// notify publishes a keyspace event for key in the command's database.
func (x *cmdCtx) notify(class int, event string, key []byte) {
	if x.n.notifyFlags&class != 0 {
		x.n.notify(class, event, key, x.db.ID())
	}
}

// notifyNewKey is the keyspace's hook for a key created (Redis's dbAdd
// sends "new").
func (n *Node) notifyNewKey(db int, key string) {
	if n.notifyFlags&notifyNew != 0 {
		n.notify(notifyNew, "new", []byte(key), db)
	}
}
