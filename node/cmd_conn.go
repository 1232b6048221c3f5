package node

import (
	"math"
	"strconv"
	"strings"
)

// redisVersion is the Redis compatibility level the node reports.
const redisVersion = "7.0.15"

func init() {
	register(
		&command{name: "ping", arity: -1, flags: cFast, acl: "@fast @connection", fn: cmdPing,
			summary: "Returns the server's liveliness response.", group: "connection", since: "1.0.0"},
		&command{name: "echo", arity: 2, flags: cFast | cStale | cLoading, acl: "@fast @connection", fn: cmdEcho,
			summary: "Returns the given string.", group: "connection", since: "1.0.0"},
		&command{name: "auth", arity: -2, flags: cNoAuth | cNoScript | cLoading | cStale | cFast | cAllowBusy, acl: "@fast @connection", fn: cmdAuth,
			summary: "Authenticates the connection.", group: "connection", since: "1.0.0"},
		&command{name: "select", arity: 2, flags: cLoading | cStale | cFast, acl: "@fast @connection", fn: cmdSelect,
			summary: "Changes the selected database.", group: "connection", since: "1.0.0"},
		&command{name: "quit", arity: -1, flags: cAllowBusy | cNoAuth | cNoScript | cLoading | cStale | cFast, acl: "@fast @connection", fn: cmdQuit,
			summary: "Closes the connection.", group: "connection", since: "1.0.0"},
		&command{name: "reset", arity: 1, flags: cNoScript | cLoading | cStale | cFast | cNoAuth | cAllowBusy, acl: "@fast @connection", fn: cmdReset,
			summary: "Resets the connection.", group: "connection", since: "6.2.0"},
		&command{name: "hello", arity: -1, flags: cNoScript | cLoading | cStale | cFast | cNoAuth | cAllowBusy, acl: "@fast @connection", fn: cmdHello,
			summary: "Handshakes with the Redis server.", group: "connection", since: "6.0.0"},
		&command{name: "client", arity: -2, flags: cNoScript | cLoading | cStale, acl: "@slow @connection", fn: cmdClient,
			summary: "A container for client connection commands.", group: "connection", since: "2.4.0",
			subs: []string{"id", "setname", "getname", "info", "list", "kill", "unblock", "reply", "help"}, container: true},
	)
}

// PING [message]
func cmdPing(x *cmdCtx) {
	if len(x.args) > 2 {
		x.wrongArgs()
		return
	}
	if x.c.pubsubRestricted() {
		x.array(2)
		x.bulkStr("pong")
		if len(x.args) == 2 {
			x.bulk(x.args[1])
		} else {
			x.bulkStr("")
		}
		return
	}
	if len(x.args) == 2 {
		x.bulk(x.args[1])
		return
	}
	x.status("PONG")
}

// ECHO message
func cmdEcho(x *cmdCtx) { x.bulk(x.args[1]) }

// AUTH [username] password
func cmdAuth(x *cmdCtx) {
	if len(x.args) > 3 {
		x.syntaxErr()
		return
	}
	user, pass := "default", string(x.args[1])
	if len(x.args) == 3 {
		user, pass = string(x.args[1]), string(x.args[2])
	}
	if len(x.args) == 2 && x.n.cfg.RequirePass == "" {
		x.err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
		return
	}
	if !x.n.checkPassword(user, pass) {
		x.n.log.Verbosef("AUTH failed for client id=%d addr=%s", x.c.id, x.c.addr)
		x.err("WRONGPASS invalid username-password pair or user is disabled.")
		return
	}
	x.c.authed = true
	x.ok()
}

// checkPassword checks credentials against the default user, the only
// user the node has.
func (n *Node) checkPassword(user, pass string) bool {
	if user != "default" {
		return false
	}
	return n.cfg.RequirePass == "" || pass == n.cfg.RequirePass
}

// SELECT index
func cmdSelect(x *cmdCtx) {
	id, ok := x.dbIndexArg(x.args[1])
	if !ok {
		return
	}
	x.c.db = id
	x.ok()
}

// dbIndexArg reads a database index as SELECT, MOVE and COPY … DB do: an
// integer that fits a C int (getIntFromObjectOrReply), then one of the
// databases. It replies the error and reports false when arg is not one.
func (x *cmdCtx) dbIndexArg(arg []byte) (int, bool) {
	id, ok := parseInt(arg)
	switch {
	case !ok:
		x.err(errNotInt)
	case id < math.MinInt32 || id > math.MaxInt32:
		x.err("ERR value is out of range, value must between -2147483648 and 2147483647")
	case id < 0 || id >= int64(x.n.ks.Len()):
		x.err(errDBIndex)
	default:
		return int(id), true
	}
	return 0, false
}

// QUIT
func cmdQuit(x *cmdCtx) {
	x.ok()
	x.c.flags |= flagCloseASAP
}

// RESET
func cmdReset(x *cmdCtx) {
	c := x.c
	x.n.discardMulti(c)
	x.n.unwatchAll(c)
	x.n.unsubscribeAll(c)
	c.db = 0
	c.name = ""
	c.proto = 2
	c.authed = x.n.cfg.RequirePass == ""
	x.status("RESET")
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
func cmdHello(x *cmdCtx) {
	args := x.args[1:]
	proto := 0
	if len(args) > 0 {
		ver, ok := parseInt(args[0])
		if !ok {
			x.err("ERR Protocol version is not an integer or out of range")
			return
		}
		proto = int(ver)
		if ver != 2 && ver != 3 {
			x.err("NOPROTO unsupported protocol version")
			return
		}
		args = args[1:]
	}
	// Options apply as they are read, as Redis 7.0.15's helloCommand
	// applies them: AUTH authenticates (or answers WRONGPASS) and SETNAME
	// names the client before a later bad option is reported.
	for len(args) > 0 {
		switch {
		case eqFold(args[0], "auth") && len(args) >= 3:
			if !x.n.checkPassword(string(args[1]), string(args[2])) {
				x.err("WRONGPASS invalid username-password pair or user is disabled.")
				return
			}
			x.c.authed = true
			args = args[3:]
		case eqFold(args[0], "setname") && len(args) >= 2:
			name := string(args[1])
			if !validClientName(name) {
				x.err("ERR Client names cannot contain spaces, newlines or special characters.")
				return
			}
			x.c.name = name
			args = args[2:]
		default:
			x.err(sanitizeError("ERR Syntax error in HELLO option '" + string(cString(args[0])) + "'"))
			return
		}
	}
	if !x.c.authed {
		x.err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if proto != 0 {
		x.c.proto = proto
	}
	x.mapLen(7)
	x.bulkStr("server")
	x.bulkStr("redis")
	x.bulkStr("version")
	x.bulkStr(redisVersion)
	x.bulkStr("proto")
	if x.resp3() {
		x.int(3)
	} else {
		x.int(2)
	}
	x.bulkStr("id")
	x.int(x.c.id)
	x.bulkStr("mode")
	x.bulkStr("standalone")
	x.bulkStr("role")
	if x.n.isReplica() {
		x.bulkStr("replica")
	} else {
		x.bulkStr("master")
	}
	x.bulkStr("modules")
	x.array(0)
}

func validClientName(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] < '!' || name[i] > '~' {
			return false
		}
	}
	return true
}

// CLIENT subcommand [arguments]
func cmdClient(x *cmdCtx) {
	sub := strings.ToLower(string(x.args[1]))
	argc := len(x.args)
	switch {
	case sub == "id" && argc == 2:
		x.int(x.c.id)
	case sub == "setname" && argc == 3:
		name := string(x.args[2])
		if !validClientName(name) {
			x.err("ERR Client names cannot contain spaces, newlines or special characters.")
			return
		}
		x.c.name = name
		x.ok()
	case sub == "getname" && argc == 2:
		if x.c.name == "" {
			x.null()
		} else {
			x.bulkStr(x.c.name)
		}
	case sub == "reply" && argc == 3:
		switch {
		case eqFold(x.args[2], "on"):
			x.c.replyOff, x.c.replySkip = false, false
			x.ok()
		case eqFold(x.args[2], "off"):
			x.c.replyOff = true
		case eqFold(x.args[2], "skip"):
			x.c.replySkipNext = !x.c.replyOff
		default:
			x.syntaxErr()
		}
	case sub == "info" && argc == 2:
		x.verbatim(x.n.clientInfoLine(x.c)+"\n", "txt")
	case sub == "list":
		x.clientList()
	case sub == "kill" && argc >= 3:
		x.clientKill()
	case sub == "unblock" && argc >= 3:
		x.clientUnblock()
	case sub == "help" && argc == 2:
		x.help("CLIENT",
			"CACHING (YES|NO)",
			"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
			"GETREDIR",
			"    Return the client ID we are redirecting to when tracking is enabled.",
			"GETNAME",
			"    Return the name of the current connection.",
			"ID",
			"    Return the ID of the current connection.",
			"INFO",
			"    Return information about the current client connection.",
			"KILL <ip:port>",
			"    Kill connection made from <ip:port>.",
			"KILL <option> <value> [<option> <value> [...]]",
			"    Kill connections. Options are:",
			"    * ADDR (<ip:port>|<unixsocket>:0)",
			"      Kill connections made from the specified address",
			"    * LADDR (<ip:port>|<unixsocket>:0)",
			"      Kill connections made to specified local address",
			"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
			"      Kill connections by type.",
			"    * USER <username>",
			"      Kill connections authenticated by <username>.",
			"    * SKIPME (YES|NO)",
			"      Skip killing current connection (default: yes).",
			"LIST [options ...]",
			"    Return information about client connections. Options:",
			"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
			"      Return clients of specified type.",
			"UNPAUSE",
			"    Stop the current client pause, resuming traffic.",
			"PAUSE <timeout> [WRITE|ALL]",
			"    Suspend all, or just write, clients for <timeout> milliseconds.",
			"REPLY (ON|OFF|SKIP)",
			"    Control the replies sent to the current connection.",
			"SETNAME <name>",
			"    Assign the name <name> to the current connection.",
			"UNBLOCK <clientid> [TIMEOUT|ERROR]",
			"    Unblock the specified blocked client.",
			"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
			"         [OPTIN] [OPTOUT] [NOLOOP]",
			"    Control server assisted client side caching.",
			"TRACKINGINFO",
			"    Report tracking status for the current connection.",
			"NO-EVICT (ON|OFF)",
			"    Protect current client connection from eviction.")
	default:
		x.subcommandError()
	}
}

// clientType names a client's class for CLIENT LIST/KILL TYPE.
func clientType(c *Client) string {
	switch {
	case c.is(flagMaster):
		return "master"
	case c.is(flagReplica):
		return "replica"
	case c.is(flagPubSub):
		return "pubsub"
	}
	return "normal"
}

func (x *cmdCtx) clientList() {
	var typ string
	var ids map[int64]bool
	args := x.args[2:]
	for len(args) > 0 {
		switch {
		case eqFold(args[0], "type") && len(args) >= 2:
			typ = strings.ToLower(string(args[1]))
			if typ == "slave" {
				typ = "replica"
			}
			if typ != "normal" && typ != "master" && typ != "replica" && typ != "pubsub" {
				x.err("ERR Unknown client type '" + string(args[1]) + "'")
				return
			}
			args = args[2:]
		case eqFold(args[0], "id") && len(args) >= 2:
			ids = map[int64]bool{}
			for _, a := range args[1:] {
				id, ok := parseInt(a)
				if !ok || id <= 0 {
					x.err("ERR Invalid client ID")
					return
				}
				ids[id] = true
			}
			args = nil
		default:
			x.syntaxErr()
			return
		}
	}
	var b strings.Builder
	for _, c := range x.n.sortedClients() {
		if typ != "" && clientType(c) != typ {
			continue
		}
		if ids != nil && !ids[c.id] {
			continue
		}
		b.WriteString(x.n.clientInfoLine(c))
		b.WriteByte('\n')
	}
	x.verbatim(b.String(), "txt")
}

// clientInfoLine renders one CLIENT LIST line with Redis 7.0's fields.
func (n *Node) clientInfoLine(c *Client) string {
	now := n.nowMs()
	multi := -1
	if c.is(flagMulti) {
		multi = len(c.multiQ)
	}
	omem := int64(0)
	if c.replica != nil {
		omem = n.repl.core.Pending(c.replica.Peer)
	}
	cmd := c.lastCmd
	if cmd == "" {
		cmd = "NULL"
	}
	var b strings.Builder
	b.Grow(256)
	b.WriteString("id=" + strconv.FormatInt(c.id, 10))
	b.WriteString(" addr=" + c.addr)
	b.WriteString(" laddr=" + c.laddr)
	b.WriteString(" fd=" + strconv.FormatInt(c.id+7, 10))
	b.WriteString(" name=" + c.name)
	b.WriteString(" age=" + strconv.FormatInt((now-c.created)/1000, 10))
	b.WriteString(" idle=" + strconv.FormatInt((now-c.lastSeen)/1000, 10))
	b.WriteString(" flags=" + c.flagString())
	b.WriteString(" db=" + strconv.Itoa(c.db))
	b.WriteString(" sub=" + strconv.Itoa(len(c.subs)))
	b.WriteString(" psub=" + strconv.Itoa(len(c.psubs)))
	b.WriteString(" ssub=0")
	b.WriteString(" multi=" + strconv.Itoa(multi))
	b.WriteString(" " + n.queryBufFields(c))
	b.WriteString(" multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0")
	b.WriteString(" omem=" + strconv.FormatInt(omem, 10))
	b.WriteString(" tot-mem=" + strconv.FormatInt(omem+2048, 10))
	b.WriteString(" events=r")
	b.WriteString(" cmd=" + cmd)
	b.WriteString(" user=default redir=-1 resp=" + strconv.Itoa(max(c.proto, 2)))
	return b.String()
}

func (x *cmdCtx) clientKill() {
	args := x.args[2:]
	if len(args) == 1 {
		// CLIENT KILL addr:port (old form)
		addr := string(args[0])
		for _, c := range x.n.sortedClients() {
			if c.addr == addr {
				x.ok()
				x.n.killClient(c, x.c)
				return
			}
		}
		x.err("ERR No such client")
		return
	}
	// Options are read pair by pair and the first bad one answers, as
	// Redis's clientKillCommand does; a name without its value is a
	// syntax error where it stands.
	var id int64
	var addr, laddr, typ string
	skipMe := true
	for i := 0; i < len(args); i += 2 {
		if i+1 == len(args) {
			x.syntaxErr()
			return
		}
		val := string(cString(args[i+1]))
		switch strings.ToLower(string(cString(args[i]))) { // strcasecmp: up to a NUL
		case "id":
			v, ok := parseInt(args[i+1])
			if !ok || v <= 0 {
				x.err("ERR client-id should be greater than 0")
				return
			}
			id = v
		case "addr":
			addr = string(args[i+1])
		case "laddr":
			laddr = string(args[i+1])
		case "type":
			typ = strings.ToLower(string(args[i+1]))
			if typ == "slave" {
				typ = "replica"
			}
			if typ != "normal" && typ != "master" && typ != "replica" && typ != "pubsub" {
				x.err("ERR Unknown client type '" + val + "'")
				return
			}
		case "user":
			if string(args[i+1]) != "default" {
				x.err("ERR No such user '" + val + "'")
				return
			}
		case "skipme":
			switch strings.ToLower(val) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				x.syntaxErr()
				return
			}
		default:
			x.syntaxErr()
			return
		}
	}
	killed := int64(0)
	var self bool
	for _, c := range x.n.sortedClients() {
		if (id != 0 && c.id != id) || (addr != "" && c.addr != addr) || (laddr != "" && c.laddr != laddr) ||
			(typ != "" && clientType(c) != typ) {
			continue
		}
		if c == x.c {
			if skipMe {
				continue
			}
			self = true
		}
		killed++
		if c != x.c {
			x.n.killClient(c, x.c)
		}
	}
	x.int(killed)
	if self {
		x.c.flags |= flagCloseASAP
	}
}
