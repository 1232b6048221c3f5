package node

import (
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/node/repl"
	"github.com/tidwall/redcon"
)

func init() {
	register(
		&command{name: "replicaof", arity: 3, flags: cAdmin | cNoScript | cStale, acl: "@admin @slow @dangerous", fn: cmdReplicaOf,
			summary: "Configures a server as replica of another, or promotes it to a master.", group: "server", since: "5.0.0"},
		&command{name: "slaveof", arity: 3, flags: cAdmin | cNoScript | cStale, acl: "@admin @slow @dangerous", fn: cmdReplicaOf,
			summary: "Sets a Redis server as a replica of another, or promotes it to being a master.", group: "server", since: "1.0.0"},
		&command{name: "replconf", arity: -1, flags: cAdmin | cNoScript | cLoading | cStale | cAllowBusy, acl: "@admin @slow @dangerous", fn: cmdReplconf,
			summary: "An internal command for configuring the replication stream.", group: "server", since: "3.0.0"},
		&command{name: "psync", arity: -3, flags: cAdmin | cNoScript | cNoMulti | cDetach, acl: "@admin @slow @dangerous", fn: cmdSyncInMulti,
			summary: "An internal command used in replication.", group: "server", since: "2.8.0"},
		&command{name: "sync", arity: 1, flags: cAdmin | cNoScript | cNoMulti | cDetach, acl: "@admin @slow @dangerous", fn: cmdSyncInMulti,
			summary: "An internal command used in replication.", group: "server", since: "1.0.0"},
		&command{name: "role", arity: 1, flags: cNoScript | cLoading | cStale | cFast, acl: "@admin @fast @dangerous", fn: cmdRole,
			summary: "Returns the replication role.", group: "server", since: "2.8.12"},
		&command{name: "wait", arity: 3, flags: cNoScript | cBlocking, acl: "@slow @connection", fn: cmdWaitNow, block: blockWait,
			summary: "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", group: "generic", since: "3.0.0"},
	)
}

// REPLICAOF host port | NO ONE (and SLAVEOF)
func cmdReplicaOf(x *cmdCtx) {
	n := x.n
	if eqFold(x.args[1], "no") && eqFold(x.args[2], "one") {
		if n.isReplica() {
			n.unsetMasterLocked()
			n.log.Noticef("MASTER MODE enabled (user request from '%s')", n.clientInfoLine(x.c))
		}
		x.ok()
		return
	}
	if x.c.is(flagReplica) {
		x.err("ERR Command is not valid when client is a replica.")
		return
	}
	port, ok := parseInt(x.args[2])
	if !ok || port < 0 || port > 65535 {
		x.err("ERR Invalid master port")
		return
	}
	host := string(x.args[1])
	if n.repl.core.SameMaster(host, int(port)) {
		n.log.Noticef("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.")
		x.status("OK Already connected to specified master")
		return
	}
	n.setMasterLocked(host, int(port))
	n.log.Noticef("REPLICAOF %s:%d enabled (user request from '%s')", host, port, n.clientInfoLine(x.c))
	x.ok()
}

// REPLCONF <option> <value> [<option> <value> ...]
func cmdReplconf(x *cmdCtx) {
	if len(x.args)%2 == 0 {
		x.syntaxErr()
		return
	}
	c := x.c
	for j := 1; j < len(x.args); j += 2 {
		opt, val := strings.ToLower(string(x.args[j])), x.args[j+1]
		switch opt {
		case "listening-port":
			port, ok := parseInt(val)
			if !ok {
				x.err(errNotInt)
				return
			}
			c.replconf.port = int(port)
		case "ip-address":
			if len(val) >= 256 { // NET_HOST_STR_LEN
				x.err("ERR REPLCONF ip-address provided by replica instance is too long: " + strconv.Itoa(len(val)) + " bytes")
				return
			}
			c.replconf.ip = string(val)
		case "capa":
			switch {
			case eqFold(val, "eof"):
				c.replconf.capaEOF = true
			case eqFold(val, "psync2"):
				c.replconf.capaPsync2 = true
			}
		case "ack":
			// ACKs from attached replicas are read by their reader
			// goroutine; from anyone else they are ignored, unanswered.
			return
		case "getack":
			if c.is(flagMaster) {
				x.n.repl.core.GetAck()
			}
			return
		case "rdb-only":
			v, ok := parseInt(val)
			if !ok {
				x.err(errNotInt)
				return
			}
			if v < 0 || v > 1 {
				x.err("ERR value is out of range, value must between 0 and 1")
				return
			}
			c.replconf.rdbOnly = v == 1
		case "rdb-filter-only":
			for _, f := range strings.Fields(string(val)) {
				if !strings.EqualFold(f, "functions") {
					x.err("ERR Unsupported rdb-filter-only option: " + f)
					return
				}
			}
		default:
			x.err("ERR Unrecognized REPLCONF option: " + string(x.args[j]))
			return
		}
	}
	x.ok()
}

// cmdSyncInMulti is PSYNC/SYNC reached without detaching (it cannot run
// inside MULTI): Redis refuses it there.
func cmdSyncInMulti(x *cmdCtx) {
	x.err("ERR Command not allowed inside a transaction")
}

// ROLE
func cmdRole(x *cmdCtx) {
	n := x.n
	rs := n.repl.core.Replica()
	if rs.Master == nil {
		var online []*replicaPeer
		for _, p := range n.replicaPeersLocked() {
			if p.State == repl.Online {
				online = append(online, p)
			}
		}
		x.array(3)
		x.bulkStr("master")
		x.int(n.offset())
		x.array(len(online))
		for _, p := range online {
			x.array(3)
			x.bulkStr(p.ip())
			x.bulkStr(strconv.Itoa(p.conf.port))
			x.bulkStr(strconv.FormatInt(p.AckOff, 10))
		}
		return
	}
	x.array(5)
	x.bulkStr("slave")
	x.bulkStr(rs.Master.Host)
	x.int(int64(rs.Master.Port))
	x.bulkStr(rs.Link.String())
	if rs.Connected {
		x.int(rs.Reploff)
	} else {
		x.int(-1)
	}
}

// parseWaitLocked checks WAIT's arguments; it replies and returns ok=false on a
// bad argument or on a replica.
func parseWaitLocked(n *Node, w *redcon.Writer, args [][]byte) (num int64, timeout time.Duration, ok bool) {
	if n.isReplica() {
		n.replyErr(w, "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.")
		return 0, 0, false
	}
	num, ok = parseInt(args[1])
	if !ok {
		n.replyErr(w, errNotInt)
		return 0, 0, false
	}
	ms, ok := parseInt(args[2])
	if !ok {
		n.replyErr(w, "ERR timeout is not an integer or out of range")
		return 0, 0, false
	}
	if ms < 0 {
		n.replyErr(w, "ERR timeout is negative")
		return 0, 0, false
	}
	return num, time.Duration(ms) * time.Millisecond, true
}

// ackedReplicasLocked counts online replicas that acknowledged offset off.
func (n *Node) ackedReplicasLocked(off int64) int64 { return n.repl.core.Acked(off) }

// WAIT numreplicas timeout, inside MULTI: never blocks.
func cmdWaitNow(x *cmdCtx) {
	if _, _, ok := parseWaitLocked(x.n, x.w, x.args); !ok {
		return
	}
	x.int(x.n.ackedReplicasLocked(x.c.woff))
}

// blockWait is WAIT outside MULTI: the rules ask the replicas for an ACK
// and answer the client, without the lock, once enough acknowledged its
// last write; or the timeout passes (0 waits forever) and it gets the
// count so far.
func blockWait(n *Node, c *Client, w *redcon.Writer, args [][]byte) {
	n.mu.Lock()
	num, timeout, ok := parseWaitLocked(n, w, args)
	if !ok {
		n.mu.Unlock()
		return
	}
	acked, done := n.repl.core.Wait(n.nowMs(), c.id, c.woff, num)
	if done {
		n.mu.Unlock()
		w.WriteInt64(acked)
		return
	}
	n.wakeAllPeersIfPendingLocked() // the GETACK goes out
	answer := make(chan int64, 1)
	n.repl.waits[c.id] = answer
	// Registered as blocked for CLIENT UNBLOCK, CLIENT LIST and a change
	// of master (block.go).
	b := n.blockClient(c, timeout, func(out *redcon.Writer) { out.WriteInt64(n.stopWaitLocked(c.id, answer)) })
	n.mu.Unlock()
	defer n.dropKeyWait(b)
	defer func() {
		n.mu.Lock()
		n.stopWaitLocked(c.id, answer)
		n.mu.Unlock()
	}()
	// A client that hangs up while waiting is let go, as Redis frees it.
	var hung <-chan struct{}
	if g, ok := c.netConn.(*guardConn); ok {
		var stop func()
		hung, stop = g.watchHangup()
		defer stop()
	}
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case acked = <-answer:
	case <-b.done: // CLIENT UNBLOCK, or the node became a replica
		b.reply(w)
		return
	case <-hung:
		return // nobody to answer
	case <-expire:
		n.mu.Lock()
		acked = n.stopWaitLocked(c.id, answer)
		n.mu.Unlock()
	case <-n.closing:
		n.mu.Lock()
		acked = n.stopWaitLocked(c.id, answer)
		n.mu.Unlock()
	}
	w.WriteInt64(acked)
}

// stopWaitLocked ends a client's WAIT and returns its count: the answer
// already given by the rules, or the count now.
func (n *Node) stopWaitLocked(id int64, answer chan int64) int64 {
	delete(n.repl.waits, id)
	if acked, found := n.repl.core.StopWait(id); found {
		return acked
	}
	select {
	case acked := <-answer:
		answer <- acked // keep it for a later caller
		return acked
	default:
		return 0
	}
}

// requestAcksLocked feeds REPLCONF GETACK * to the replicas (once per
// batch).
func (n *Node) requestAcksLocked() {
	n.repl.core.RequestAcks(n.nowMs())
	n.wakeAllPeersIfPendingLocked()
}
