package node

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/tidwall/redcon"
)

type clientFlags uint32

const (
	flagMaster    clientFlags = 1 << iota // the link from our master (commands it sends are replicated writes)
	flagReplica                           // a replica attached to us (after SYNC/PSYNC)
	flagPubSub                            // subscribed to at least one channel or pattern
	flagMulti                             // inside MULTI
	flagDirtyCAS                          // a WATCHed key changed: EXEC must fail
	flagDirtyExec                         // a command was refused while queuing: EXEC must abort
	flagCloseASAP                         // scheduled to close (QUIT, CLIENT KILL, output limits)
	flagScript                            // the client scripts run commands as (redis.call)
)

// Client is one connection's state. Every field is guarded by the node's
// lock except the atomic ones.
type Client struct {
	// arrivalTimer bounds this client's waits for earlier batches and
	// arrivalWake ends them (arrivals.turn, arrival.go); made once.
	arrivalTimer *time.Timer
	arrivalWake  chan struct{}

	id      int64
	conn    redcon.Conn // nil for internal clients
	netConn net.Conn
	addr    string
	laddr   string
	name    string
	db      int
	proto   int // RESP version HELLO chose: 2 (zero value) or 3
	authed  bool
	// CLIENT REPLY: replies off, the next command's reply skipped, or
	// this command's (replySkipNext becomes replySkip after it).
	replyOff, replySkipNext, replySkip bool
	flags                              clientFlags
	created                            int64 // unix ms
	lastCmd                            string
	lastSeen                           int64 // unix ms of the last command
	woff                               int64 // replication offset after this client's last propagated write (WAIT)

	multiQ  []queuedCmd
	watched []*watchedKey
	subs    map[string]struct{}
	psubs   map[string]struct{}
	pub     *pubsubOut // set once the client is in pub/sub mode (detached writer)

	cmdCache *command      // the command this client ran last (dispatch checks it first)
	replica  *replicaPeer  // set when this client became a replica
	replconf replconfState // what REPLCONF told us before PSYNC

	keyWait  *keyWait // set while blocked on keys (BLPOP...): see block.go
	mayBlock bool     // the command running may block (not inside MULTI/EXEC)

	killed atomic.Bool
	qbuf   qbufStats // CLIENT LIST qbuf, qbuf-free (qbuf.go)
}

type queuedCmd struct {
	cmd  *command
	args [][]byte
}

type watchKey struct {
	db  int
	key string
}

func (c *Client) is(f clientFlags) bool { return c.flags&f != 0 }

// flagString renders CLIENT LIST's flags= field.
func (c *Client) flagString() string {
	var b []byte
	if c.is(flagMaster) {
		b = append(b, 'M')
	}
	if c.is(flagReplica) {
		b = append(b, 'S')
	}
	if c.is(flagPubSub) {
		b = append(b, 'P')
	}
	if c.is(flagMulti) {
		b = append(b, 'x')
	}
	if c.keyWait != nil {
		b = append(b, 'b')
	}
	if c.is(flagDirtyCAS) {
		b = append(b, 'd')
	}
	if c.is(flagCloseASAP) {
		b = append(b, 'A')
	}
	if len(b) == 0 {
		return "N"
	}
	return string(b)
}
