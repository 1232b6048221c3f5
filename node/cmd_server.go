package node

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/replscope/replscope/node/config"
	"github.com/tidwall/redcon"
)

func init() {
	register(
		&command{name: "info", arity: -1, flags: cLoading | cStale, acl: "@slow @dangerous", fn: cmdInfo,
			summary: "Returns information and statistics about the server.", group: "server", since: "1.0.0"},
		&command{name: "time", arity: 1, flags: cLoading | cStale | cFast, acl: "@fast", fn: cmdTime,
			summary: "Returns the server time.", group: "server", since: "2.6.0"},
		&command{name: "lastsave", arity: 1, flags: cLoading | cStale | cFast, acl: "@admin @fast @dangerous", fn: cmdLastSave,
			summary: "Returns the Unix timestamp of the last successful save to disk.", group: "server", since: "1.0.0"},
		&command{name: "save", arity: 1, flags: cAdmin | cNoScript | cNoMulti | cBlocking, acl: "@admin @slow @dangerous", fn: cmdSaveInMulti, block: blockSave,
			summary: "Synchronously saves the database(s) to disk.", group: "server", since: "1.0.0"},
		&command{name: "bgsave", arity: -1, flags: cAdmin | cNoScript, acl: "@admin @slow @dangerous", fn: cmdBgsave,
			summary: "Asynchronously saves the database(s) to disk.", group: "server", since: "1.0.0"},
		&command{name: "shutdown", arity: -1, flags: cAdmin | cNoScript | cLoading | cStale | cNoMulti | cAllowBusy | cBlocking, acl: "@admin @slow @dangerous", fn: cmdSaveInMulti, block: blockShutdown,
			summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.", group: "server", since: "1.0.0"},
		&command{name: "debug", arity: -2, flags: cAdmin | cNoScript | cLoading | cStale | cBlocking, acl: "@admin @slow @dangerous", fn: cmdDebug, block: blockDebug,
			summary: "A container for debugging commands.", group: "server", since: "1.0.0"},
		&command{name: "config", arity: -2, flags: cAdmin | cNoScript | cLoading | cStale, acl: "@admin @slow @dangerous", fn: cmdConfig,
			summary: "A container for server configuration commands.", group: "server", since: "2.0.0",
			subs: []string{"get", "set", "resetstat", "rewrite", "help"}, container: true},
		&command{name: "command", arity: -1, flags: cLoading | cStale, acl: "@slow @connection", fn: cmdCommand,
			summary: "Returns detailed information about all commands.", group: "server", since: "2.8.13",
			subs: []string{"count", "docs", "info", "list", "help"}},
	)
}

// TIME
func cmdTime(x *cmdCtx) {
	now := time.Now()
	x.array(2)
	x.bulkStr(strconv.FormatInt(now.Unix(), 10))
	x.bulkStr(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

// LASTSAVE
func cmdLastSave(x *cmdCtx) { x.int(x.n.persist.lastSave) }

func cmdSaveInMulti(x *cmdCtx) { x.err("ERR Command not allowed inside a transaction") }

// SAVE
func blockSave(n *Node, c *Client, w *redcon.Writer, args [][]byte) {
	if err := n.saveNow(); err != nil {
		n.replyErrUnlocked(w, err.Error())
		return
	}
	w.WriteString("OK")
}

// BGSAVE [SCHEDULE]
func cmdBgsave(x *cmdCtx) {
	schedule := false
	if len(x.args) > 1 {
		if len(x.args) == 2 && eqFold(x.args[1], "schedule") {
			schedule = true
		} else {
			x.syntaxErr()
			return
		}
	}
	n := x.n
	if n.persist.bgsaveRunning || n.ks.Snapshotting() {
		if schedule {
			n.persist.bgsaveScheduled = true
			x.status("Background saving scheduled")
			return
		}
		x.err("ERR Background save already in progress")
		return
	}
	if err := n.bgsaveLocked("BGSAVE"); err != nil {
		x.err(err.Error())
		return
	}
	x.status("Background saving started")
}

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
func blockShutdown(n *Node, c *Client, w *redcon.Writer, args [][]byte) {
	var save, nosave bool
	for _, a := range args[1:] {
		switch {
		case eqFold(a, "save"):
			save = true
		case eqFold(a, "nosave"):
			nosave = true
		case eqFold(a, "now"), eqFold(a, "force"):
		default:
			n.replyErrUnlocked(w, errSyntax)
			return
		}
	}
	if save && nosave {
		n.replyErrUnlocked(w, errSyntax)
		return
	}
	if msg := n.shutdownRefusedByScript(nosave); msg != "" {
		n.replyErrUnlocked(w, msg)
		return
	}
	n.log.Warnf("User requested shutdown...")
	if err := n.shutdownSave(save, nosave); err != nil {
		n.replyErrUnlocked(w, err.Error())
		return
	}
	n.log.Noticef("Redis is now ready to exit, bye bye...")
	n.requestClose()
}

// requestClose closes the node from a goroutine of its own, so that the
// handler calling it (SHUTDOWN) can return first.
func (n *Node) requestClose() {
	go func() { _ = n.Close() }()
}

// DEBUG subcommand ... (SLEEP, RELOAD, SET-ACTIVE-EXPIRE, OBJECT, JMAP)
func cmdDebug(x *cmdCtx) {
	sub := strings.ToLower(string(cString(x.args[1]))) // strcasecmp: up to a NUL
	switch sub {
	case "sleep":
		x.ok() // inside MULTI: Redis would block everything; we do not
	case "help":
		x.array(1)
		x.status("DEBUG SLEEP <seconds> | DEBUG RELOAD | DEBUG CHANGE-REPL-ID")
	case "set-active-expire":
		if len(x.args) != 3 {
			x.err(wrongArgsError("debug|set-active-expire"))
			return
		}
		x.n.activeExpire = string(x.args[2]) != "0"
		x.ok()
	case "change-repl-id":
		x.n.repl.core.NewHistory()
		x.ok()
	default:
		x.subcommandSyntaxError()
	}
}

// blockDebug runs DEBUG outside the lock: SLEEP sleeps, RELOAD saves and
// reloads the dataset; the rest runs under the lock.
func blockDebug(n *Node, c *Client, w *redcon.Writer, args [][]byte) {
	if !n.debugAllowed(c) {
		n.replyErrUnlocked(w, "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
		return
	}
	switch strings.ToLower(string(args[1])) {
	case "sleep":
		if len(args) != 3 {
			n.replyErrUnlocked(w, wrongArgsError("debug|sleep"))
			return
		}
		secs, err := strconv.ParseFloat(string(args[2]), 64)
		if err != nil {
			n.replyErrUnlocked(w, errNotFloat)
			return
		}
		select {
		case <-time.After(time.Duration(secs * float64(time.Second))):
		case <-n.closing:
		}
		w.WriteString("OK")
	case "reload":
		if err := n.debugReload(); err != nil {
			n.replyErrUnlocked(w, "ERR Error trying to load the RDB dump: "+err.Error())
			return
		}
		w.WriteString("OK")
	default:
		n.mu.Lock()
		n.call(c, w, commandTable["debug"], args)
		n.mu.Unlock()
	}
}

// debugAllowed applies enable-debug-command (no | yes | local).
func (n *Node) debugAllowed(c *Client) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch n.cfg.EnableDebugCommand {
	case "yes":
		return true
	case "local":
		return strings.HasPrefix(c.addr, "127.") || strings.HasPrefix(c.addr, "[::1]")
	}
	return false
}

// debugReload is DEBUG RELOAD: save, then load the file back.
func (n *Node) debugReload() error {
	if err := n.saveNow(); err != nil {
		return err
	}
	return n.loadAtStart()
}

// CONFIG GET|SET|RESETSTAT|REWRITE
func cmdConfig(x *cmdCtx) {
	n := x.n
	sub := strings.ToLower(string(x.args[1]))
	switch {
	case sub == "get" && len(x.args) >= 3:
		pats := make([]string, 0, len(x.args)-2)
		for _, a := range x.args[2:] {
			pats = append(pats, string(a))
		}
		kv := n.cfg.Get(pats...)
		x.mapLen(len(kv) / 2)
		for _, s := range kv {
			x.bulkStr(s)
		}
	case sub == "set" && len(x.args) >= 4:
		if len(x.args)%2 != 0 { // directive/value pairs
			x.syntaxErr()
			return
		}
		args := make([]string, 0, len(x.args)-2)
		for _, a := range x.args[2:] {
			args = append(args, string(a))
		}
		old := n.cfg.Clone()
		changed, err := n.cfg.Set(args)
		if err != nil {
			x.err(err.Error())
			return
		}
		if err := n.applyConfig(old, changed); err != nil {
			*n.cfg = *old
			x.err("ERR CONFIG SET failed - " + err.Error())
			return
		}
		x.ok()
	case sub == "resetstat" && len(x.args) == 2:
		n.resetStats()
		x.ok()
	case sub == "rewrite" && len(x.args) == 2:
		if n.src == nil || n.src.File == "" {
			x.err("ERR The server is running without a config file")
			return
		}
		if err := n.cfg.Rewrite(n.src); err != nil {
			n.log.Warnf("CONFIG REWRITE failed: %v", err)
			x.err("ERR Rewriting config file: " + err.Error())
			return
		}
		n.log.Noticef("CONFIG REWRITE executed with success.")
		x.ok()
	case sub == "help" && len(x.args) == 2:
		lines := []string{
			"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
			"SET <directive> <value>", "    Set the configuration <directive> to <value>.",
			"RESETSTAT", "    Reset statistics reported by the INFO command.",
			"REWRITE", "    Rewrite the configuration file.",
			"HELP", "    Prints this help.",
		}
		x.array(len(lines))
		for _, l := range lines {
			x.status(l)
		}
	default:
		x.subcommandError()
	}
}

// applyConfig carries out the side effects of CONFIG SET for the
// directives that changed.
func (n *Node) applyConfig(old *config.Config, changed []string) error {
	for _, name := range changed {
		switch name {
		case "port", "bind":
			return fmt.Errorf("changing %s at run time is not supported by replscope; restart the node", name)
		case "proto-max-bulk-len":
			n.protoMaxBulkLen.Store(n.cfg.ProtoMaxBulkLen)
		case "loglevel":
			n.log.SetLevel(ParseLogLevel(n.cfg.LogLevel))
		case "hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
			"zset-max-listpack-entries", "zset-max-listpack-value":
			n.applyEncodingLimits()
		case "notify-keyspace-events":
			n.loadNotifyConfig()
		case "maxmemory-policy":
			n.refreshAccessClockLocked()
		}
	}
	n.repl.core.SetConfig(n.replConfigLocked()) // a new repl-backlog-size applies at once
	return nil
}

// resetStats is CONFIG RESETSTAT.
func (n *Node) resetStats() {
	s := &n.stats
	*s = stats{}
	n.netInput.Store(0)
	n.netOutput.Store(0)
}
